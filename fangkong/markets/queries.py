"""Reads of market supervision, scoped through grid.scoping: pharmacies, their weekly reports and
purchases in the subtree of the pharmacy's node; follow-up tasks in the subtree of the buyer's residence
node; gatherings in the subtree of their township. Also the figures of market inspections (records of the
inspections app made with the market checklist) and the pharmacy sales series for early warning."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.inspections.models import Inspection, Rectification, Result
from fangkong.policy.queries import markets_values, policy_for

from . import rules
from .models import DrugClass, FeverFollowUp, Gathering, Pharmacy, Purchase, TaskStatus, WeeklySales


def followup_hours(node: Jurisdiction, day: dt.date) -> int:
    """Hours a community has to contact a fever-medicine buyer (policy, *unverified* default 24)."""
    return int(markets_values(policy_for(node, day).values)["fever_followup_hours"])


# Scoped reads ------------------------------------------------------------------------------------------


def pharmacies_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[Pharmacy]:
    return scoping.visible_to(
        user, Pharmacy.objects.select_related("node"), path_field="node__path", capability=capability
    )


def access_pharmacy(user, pk, *, write: bool = False) -> Pharmacy:
    return scoping.access(
        user, Pharmacy.objects.select_related("node"), pk, path_field="node__path", write=write
    )


def weekly_visible_to(user) -> QuerySet[WeeklySales]:
    return scoping.visible_to(
        user, WeeklySales.objects.select_related("pharmacy__node"), path_field="pharmacy__node__path"
    )


def purchases_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[Purchase]:
    return scoping.visible_to(
        user,
        Purchase.objects.select_related("pharmacy", "node"),
        path_field="node__path",
        capability=capability,
    )


def access_purchase(user, pk, *, write: bool = False) -> Purchase:
    return scoping.access(
        user, Purchase.objects.select_related("pharmacy", "node"), pk, path_field="node__path", write=write
    )


def followups_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[FeverFollowUp]:
    """The tasks of the communities in the user's area: the buyers who live there."""
    return scoping.visible_to(
        user,
        FeverFollowUp.objects.select_related("purchase__pharmacy", "person", "node"),
        path_field="node__path",
        capability=capability,
    )


def access_followup(user, pk, *, write: bool = False) -> FeverFollowUp:
    return scoping.access(
        user,
        FeverFollowUp.objects.select_related("purchase__pharmacy", "person", "node"),
        pk,
        path_field="node__path",
        write=write,
    )


def unregistered_fever_buyers(user) -> QuerySet[Purchase]:
    """Fever-medicine buyers who are not registered anywhere, for the pharmacy's township to find: in the
    subtree of the pharmacy's node, not yet found."""
    return purchases_visible_to(user).filter(
        drug_class=DrugClass.FEVER, person__isnull=True, found_at__isnull=True
    )


def gatherings_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[Gathering]:
    return scoping.visible_to(
        user, Gathering.objects.select_related("node"), path_field="node__path", capability=capability
    )


def townships_for(user, capability: str = scoping.VIEW) -> QuerySet[Jurisdiction]:
    return scoping.visible_jurisdictions(user, capability).filter(level=Level.TOWNSHIP).order_by("path")


def followup_state(task: FeverFollowUp, now: dt.datetime) -> str:
    """done / overdue / open."""
    if task.status == TaskStatus.DONE:
        return "done"
    return "overdue" if rules.is_overdue(task.due_at, done=False, now=now) else "open"


def filter_followups(tasks: QuerySet, state: str, now: dt.datetime) -> QuerySet:
    if state == "open":
        return tasks.filter(status=TaskStatus.OPEN)
    if state == "overdue":
        return tasks.filter(status=TaskStatus.OPEN, due_at__lte=now)
    if state == "done":
        return tasks.filter(status=TaskStatus.DONE)
    return tasks


# Weekly reports: completeness per township -------------------------------------------------------------


def weekly_completeness(node: Jurisdiction, monday: dt.date) -> list[dict]:
    """For each township of the node's subtree (or the node itself, at a township or below): pharmacies
    under monitoring (expected), weekly reports of the week received, the pharmacies missing, and the
    week's totals of the four classes. Two queries."""
    monday = rules.week_start(monday)
    if node.level in (Level.PROVINCE, Level.CITY, Level.COUNTY):
        townships = list(
            Jurisdiction.objects.filter(path__startswith=node.path, level=Level.TOWNSHIP).order_by("path")
        )
    else:
        townships = [node]
    pharmacies = list(
        Pharmacy.objects.filter(node__path__startswith=node.path, monitored=True)
        .select_related("node")
        .order_by("name", "id")
    )
    reports = {
        r.pharmacy_id: r for r in WeeklySales.objects.filter(pharmacy__in=pharmacies, week_start=monday)
    }
    rows = []
    for township in townships:
        mine = [p for p in pharmacies if p.node.path.startswith(township.path)]
        received = [reports[p.pk] for p in mine if p.pk in reports]
        rows.append(
            {
                "node": township,
                "expected": len(mine),
                "received": len(received),
                "pct": round(100 * len(received) / len(mine), 1) if mine else None,
                "missing": [p for p in mine if p.pk not in reports],
                "totals": {f: sum(getattr(r, f) for r in received) for f in DrugClass.values},
            }
        )
    return rows


def purchase_counts_by_class(pharmacy: Pharmacy, monday: dt.date) -> dict[str, int]:
    """Purchases registered at the pharmacy in the week, per class (the weekly form's suggestion)."""
    start = rules.local_midnight(monday)
    rows = (
        Purchase.objects.filter(
            pharmacy=pharmacy, purchased_at__gte=start, purchased_at__lt=start + dt.timedelta(days=7)
        )
        .order_by()
        .values("drug_class")
        .annotate(n=Sum("quantity"))
    )
    counts = dict.fromkeys(DrugClass.values, 0)
    counts.update({r["drug_class"]: r["n"] for r in rows})
    return counts


# Early warning: the pharmacy series ---------------------------------------------------------------------


def pharmacy_sales_counts(start: dt.date, end: dt.date) -> Iterable[tuple[int, dt.date, int]]:
    """(node_id, day, count) for every REPORTED (pharmacy node, day) from start to end inclusive, in
    node and day order: the node is the pharmacy's grid node (pharmacies on the same node are added up),
    the day is Asia/Shanghai, the count is the number of purchases of the four classes registered (one per
    real-name registration, whatever the quantity) with their purchase time on that day.

    A (node, day) is REPORTED when a pharmacy of the node has at least one purchase registered on that day,
    or has submitted the weekly report (药品销售监测周报) of the week the day falls in: a pharmacy that sent
    its weekly report but registered no purchase on a day reports a true zero for it. A day neither covered
    by a weekly report nor with a purchase is missing, not zero, and has no row. Not scoped to a user: the
    early-warning app computes its series over the whole installation."""
    if end < start:
        return []
    counts: dict[tuple[int, dt.date], int] = defaultdict(int)
    rows = (
        Purchase.objects.filter(
            purchased_at__gte=rules.local_midnight(start),
            purchased_at__lt=rules.local_midnight(end + dt.timedelta(days=1)),
        )
        .annotate(day=TruncDate("purchased_at", tzinfo=rules.SHANGHAI))
        .order_by()
        .values("node_id", "day")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[(row["node_id"], row["day"])] += row["n"]
    weeks = WeeklySales.objects.filter(
        week_start__gte=rules.week_start(start), week_start__lte=end
    ).values_list("pharmacy__node_id", "week_start")
    for node_id, monday in weeks:
        for day in rules.week_days(monday):
            if start <= day <= end:
                counts.setdefault((node_id, day), 0)
    return sorted((node_id, day, n) for (node_id, day), n in counts.items())


# Market inspections ---------------------------------------------------------------------------------------


def market_inspections(node: Jurisdiction, start: dt.date, end: dt.date) -> QuerySet[Inspection]:
    """Inspections of the subtree made from start to end (inclusive, Asia/Shanghai) with the market
    checklist (the preset or a copy of it, which keeps its name). Re-inspections are not counted: the
    report counts establishments checked (家次), the re-inspections are how orders close."""
    return Inspection.objects.filter(
        node__path__startswith=node.path,
        template__name=rules.CHECKLIST_NAME,
        inspected_at__gte=rules.local_midnight(start),
        inspected_at__lt=rules.local_midnight(end + dt.timedelta(days=1)),
    )


def market_figures(node: Jurisdiction, start: dt.date, end: dt.date) -> dict:
    """The figures of the 市场监管局 report for a subtree and period: establishments checked (家次),
    distinct establishments checked, establishments ordered to rectify (责令整改 n 家), orders made and
    closed, and the problems found by kind (rules.PROBLEM_KINDS)."""
    inspections = market_inspections(node, start, end)
    orders = Rectification.objects.filter(finding__inspection__in=inspections)
    counts = inspections.aggregate(
        visits=Count("id"),
        units=Count("unit", distinct=True),
        venues=Count("venue", distinct=True),
    )
    ordered = orders.aggregate(
        units=Count("unit", distinct=True),
        venues=Count("venue", distinct=True),
        orders=Count("id"),
        closed=Count("id", filter=Q(status="closed")),
    )
    by_text = (
        Result.objects.filter(inspection__in=inspections, passed=False)
        .order_by()
        .values("text")
        .annotate(n=Count("id"))
    )
    kinds: dict[str, dict] = {}
    for code, label, _words in [*rules.PROBLEM_KINDS, (*rules.OTHER_KIND, ())]:
        kinds[code] = {"code": code, "label": label, "count": 0}
    for row in by_text:
        code, _label = rules.problem_kind(row["text"])
        kinds[code]["count"] += row["n"]
    return {
        "visits": counts["visits"],
        "places": counts["units"] + counts["venues"],
        "rectification_places": ordered["units"] + ordered["venues"],
        "orders": ordered["orders"],
        "orders_closed": ordered["closed"],
        "problems": [k for k in kinds.values() if k["count"]],
    }


def today() -> dt.date:
    return timezone.localdate()
