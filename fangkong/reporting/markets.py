"""The indicators of market supervision (DOMAIN.md §9, §14), registered in indicators.REGISTRY like the
rest: the daily report, the dashboard (its children table runs compute() per child for these) and the
situation report read them from compute().

For a subtree and day D ("during D" is D 00:00 ≤ t < D+1 00:00 Asia/Shanghai; as of a moment T, only rows
entered by T — their `created_at` — count):
- `pharmacy_purchases` (四类药品实名购药): purchases of the four classes registered with their purchase
  time during D, at pharmacies of the subtree (the pharmacy's node), one per registration.
- `pharmacy_fever_buyers` (购退热药人员): distinct buyers (ID numbers) of fever medicine during D at
  pharmacies of the subtree.
- `pharmacy_fever_followups_open` (待社区核查): follow-up tasks of buyers living in the subtree (the task's
  node, the buyer's residence) created by the end of D and not done by then.
- `gatherings_reported` / `gatherings_cancelled` (上报/取消群体性聚餐): the townships' counts for day D;
  `gatherings_cancelled_total`: the same on or before D.
- `market_inspections` / `market_inspections_total` (检查经营户): inspections made with the market checklist
  (markets.rules.CHECKLIST_NAME, or a copy) during D / on or before D; re-inspections not counted.
- `market_rectification_places_total` (责令整改): distinct units and venues with an order arising from such
  an inspection made on or before D.
"""

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from fangkong.inspections.models import Inspection, Rectification
from fangkong.markets import rules as market_rules
from fangkong.markets.models import DrugClass, FeverFollowUp, Gathering, Purchase, TaskStatus
from fangkong.reporting.indicators import PEOPLE, SOURCES, TIMES, Scope, aggregate, count, register

EVENTS = _("起")
PLACE_TIMES = _("家次")
PLACES = _("家")

CODES = [
    "pharmacy_purchases",
    "pharmacy_fever_buyers",
    "pharmacy_fever_followups_open",
    "gatherings_reported",
    "gatherings_cancelled",
    "gatherings_cancelled_total",
    "market_inspections",
    "market_inspections_total",
    "market_rectification_places_total",
]


def _entered(s: Scope, queryset):
    return queryset.filter(created_at__lte=s.end) if s.as_of is not None else queryset


def _purchases(s: Scope):
    rows = Purchase.objects.filter(
        node__path__startswith=s.path, purchased_at__gte=s.start, purchased_at__lt=s.end
    )
    return _entered(s, rows)


def _fever_buyers(s: Scope) -> int:
    return (
        _purchases(s).filter(drug_class=DrugClass.FEVER).aggregate(n=Count("id_number", distinct=True))["n"]
    )


def _followups_open(s: Scope):
    rows = FeverFollowUp.objects.filter(node__path__startswith=s.path, created_at__lt=s.end)
    return rows.filter(Q(status=TaskStatus.OPEN) | Q(done_at__gte=s.end))


# The townships' gathering counts: one source, the three sums in one query (over days, one for all).
SOURCES["gathering"] = lambda s: _entered(s, Gathering.objects.filter(node__path__startswith=s.path))


def _none_is_zero(value) -> int:
    return value or 0  # a sum over no rows


def _market(s: Scope):
    rows = Inspection.objects.filter(
        node__path__startswith=s.path, template__name=market_rules.CHECKLIST_NAME, inspected_at__lt=s.end
    )
    return _entered(s, rows)


def _rectification_places(s: Scope) -> int:
    orders = _entered(s, Rectification.objects.filter(finding__inspection__in=_market(s)))
    counts = orders.aggregate(
        units=Count("unit", distinct=True, filter=Q(unit__isnull=False)),
        venues=Count("venue", distinct=True, filter=Q(venue__isnull=False)),
    )
    return counts["units"] + counts["venues"]


count("pharmacy_purchases", _("四类药品实名购药"), TIMES, _purchases)
register("pharmacy_fever_buyers", _("购退热药人员"), PEOPLE, _fever_buyers)
count("pharmacy_fever_followups_open", _("购退热药人员待社区核查"), PEOPLE, _followups_open)
for _code, _label, _field, _on_day in [
    ("gatherings_reported", _("上报群体性聚餐"), "reported", True),
    ("gatherings_cancelled", _("取消群体性聚餐"), "cancelled", True),
    ("gatherings_cancelled_total", _("累计取消群体性聚餐"), "cancelled", False),
]:
    aggregate(
        _code,
        _label,
        EVENTS,
        source="gathering",
        expression=lambda s, field=_field, on_day=_on_day: Sum(
            field, filter=Q(day=s.day) if on_day else Q(day__lte=s.day)
        ),
        finish=_none_is_zero,
    )
del _code, _label, _field, _on_day
count(
    "market_inspections", _("检查经营户"), PLACE_TIMES, lambda s: _market(s).filter(inspected_at__gte=s.start)
)
count("market_inspections_total", _("累计检查经营户"), PLACE_TIMES, _market)
register("market_rectification_places_total", _("累计责令整改经营户"), PLACES, _rectification_places)
