"""The indicator of early warning (DOMAIN.md §9, §17), for a subtree and a day D:

- `signals_alarming` (预警信号): early-warning series of the subtree's nodes (a node and a series each,
  surveillance/series.py) whose value on D is above the upper bound of at least one EARS method, as the
  detection run computed them (surveillance/actions.run_detection); as of a moment T, the runs made by T.
"""

from django.utils.translation import gettext_lazy as _

from fangkong.reporting.indicators import Scope, count
from fangkong.surveillance.models import Signal

SERIES_UNIT = _("条")


def signals_alarming(s: Scope):
    """The daily figure counts the run made the next morning; as of a moment, only runs made by then."""
    rows = Signal.objects.filter(node__path__startswith=s.path, day=s.day, alarm=True)
    if s.as_of is not None:
        rows = rows.filter(computed_at__lt=s.as_of)
    return rows.values("node", "series").distinct()


count("signals_alarming", _("预警信号"), SERIES_UNIT, signals_alarming)
