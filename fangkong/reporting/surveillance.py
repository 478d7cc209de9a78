"""The indicator of early warning (DOMAIN.md §9, §17), for a subtree and a day D:

- `signals_alarming` (预警信号): early-warning series of the subtree's nodes (a node and a series each,
  surveillance/series.py) whose value on D is above the upper bound of at least one EARS method, as the
  detection run computed them (surveillance/actions.run_detection); as of a moment T, the runs made by T.
"""

from django.utils.translation import gettext_lazy as _

from fangkong.reporting.indicators import Scope, count
from fangkong.surveillance import queries

SERIES_UNIT = _("条")


def signals_alarming(s: Scope):
    """The daily figure counts the run made the next morning; as of a moment, only runs made by then."""
    return queries.alarming_series(s.node, s.day, computed_before=s.as_of)


count("signals_alarming", _("预警信号"), SERIES_UNIT, signals_alarming)
