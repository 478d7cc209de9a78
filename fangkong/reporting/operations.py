"""The indicators of supplies and disinfection (DOMAIN.md §9, §16), registered in indicators.REGISTRY like
the rest: the daily report, the dashboard and the situation report read them from compute().

Supplies are counted at their store's node:
- `supplies_low_stock`: (store, item) pairs whose balance at the end of D (movements dated on or before D)
  is below the item's threshold (an item with no threshold is never short). A pair counts once it has
  had a movement.
- `supplies_near_expiry`: (store, batch) pairs holding some of the batch at the end of D whose batch
  expires within the policy's warning days after D (supplies section, `expiry_warning_days`), or has.
- `supplies_receipts_new` / `supplies_donations_new` / `supplies_issues_new`: ledger lines dated D:
  receipts, of them donations, and issues to units (an issue taken from two batches is two lines).
As of a moment T, only movements entered by T count (their `created_at`).

Disinfection is counted at the place's node (disinfection.queries.place_days, its rules pinned in
disinfection/rules.py): `disinfection_required` and `disinfection_done` for D, `disinfection_compliance_pct`
= done ÷ required (None when nothing was required), and `disinfection_missed` = required − done once D
has ended (0 while it runs, also in a report as of a moment of D before 24:00). As of T, only entries started and entered by T count.
"""

import datetime as dt

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from fangkong.disinfection import queries as disinfection_queries
from fangkong.policy.queries import policy_for, supplies_values
from fangkong.reporting.indicators import PERCENT, REGISTRY, SOURCES, Scope, aggregate, count, register
from fangkong.supplies.models import Movement, MovementKind, SupplySource

LINES = _("笔")
PAIRS = _("项")
BATCHES = _("批")
TIMES = _("次")


def _movements(s: Scope) -> QuerySet:
    rows = Movement.objects.filter(store__node__path__startswith=s.path)
    if s.as_of is not None:
        rows = rows.filter(created_at__lte=s.end)
    return rows


SOURCES["supply_movement"] = _movements


def _low_stock(s: Scope) -> QuerySet:
    return (
        _movements(s)
        .filter(on__lte=s.day, item__threshold__gt=0)
        .order_by()
        .values("store_id", "item_id", "item__threshold")
        .annotate(total=Sum("quantity"))
        .filter(total__lt=F("item__threshold"))
    )


count("supplies_low_stock", _("低于警戒库存的物资"), PAIRS, _low_stock)


def _near_expiry(s: Scope) -> QuerySet:
    days = int(supplies_values(policy_for(s.node, s.day).values)["expiry_warning_days"])
    until = s.day + dt.timedelta(days=days)
    return (
        _movements(s)
        .filter(on__lte=s.day, batch__expires_on__lte=until)
        .order_by()
        .values("store_id", "batch_id")
        .annotate(total=Sum("quantity"))
        .filter(total__gt=0)
    )


count("supplies_near_expiry", _("临期物资批次"), BATCHES, _near_expiry)

for _code, _label, _condition in [
    ("supplies_receipts_new", _("当日物资入库"), Q(kind=MovementKind.RECEIPT)),
    ("supplies_donations_new", _("当日接收捐赠"), Q(kind=MovementKind.RECEIPT, source=SupplySource.DONATED)),
    ("supplies_issues_new", _("当日物资发放"), Q(kind=MovementKind.ISSUE)),
]:
    aggregate(
        _code,
        _label,
        LINES,
        source="supply_movement",
        expression=lambda s, condition=_condition: Count("pk", filter=condition & Q(on=s.day)),
    )
del _code, _label, _condition


# ── disinfection ──────────────────────────────────────────────────────────────────────────────────────


def _tally(s: Scope):
    """The day's tally of the subtree, computed once per scope (four indicators read it)."""

    def count():
        places = disinfection_queries.subtree_places(s.node)
        until = s.end if s.as_of is not None else None
        return disinfection_queries.tally(disinfection_queries.place_days(places, s.day, s.day, until=until))

    return s.once("disinfection_tally", count)


register("disinfection_required", _("当日应消杀"), TIMES, lambda s: _tally(s).required)
register("disinfection_done", _("当日已消杀"), TIMES, lambda s: _tally(s).done)
register("disinfection_compliance_pct", _("消杀完成率"), PERCENT, lambda s: _tally(s).percent)


def _missed(s: Scope) -> int:
    day_end = s.start + dt.timedelta(days=1)  # 24:00 of D (a report as of 24:00 has seen the day end)
    ended = (s.as_of or s.now) >= day_end
    return _tally(s).short if ended else 0


register("disinfection_missed", _("当日漏消杀"), TIMES, _missed)

# The codes this module adds, in registry order: the daily report's operations section.
CODES = [code for code in REGISTRY if code.startswith(("supplies_", "disinfection_"))]
