"""Completeness and timeliness of the daily reports (DOMAIN.md §8), derived on read: no job, no stored
status, so who has not reported is visible the moment the deadline passes.

For a reporting unit U and day D:
- U is expected on D when active_from ≤ D and (active_until is empty or D < active_until).
- The deadline is D+1 at the policy's `report_deadline` ("HH:MM", Asia/Shanghai; default 10:00), read
  from the policy in force for U's node on D. A value that is not a time falls back to the default.
- Timeliness is judged on the FIRST submission (revision 1): a correction made after the deadline does
  not make an on-time report late, and a late report stays late when corrected.
- on time: first submitted at or before the deadline — submitted exactly at the deadline is on time;
  late: first submitted after it; missing: nothing submitted and the deadline has passed (now > deadline);
  pending (待报): nothing submitted yet and the deadline has not passed.
- received = on time + late; expected = received + missing + pending.

For a node N, the counts cover every unit expected at or below N, and each child of N gets the counts
of the units below it (units attached to N itself are N's own, 本级). The whole view is a fixed number
of queries whatever the number of units: the units with their first submission (one aggregate query),
the policies that decide their deadlines (one), N's children (one) and the staff of the units still owed
(one)."""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, FilteredRelation, Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Membership
from fangkong.measures.rules import SHANGHAI
from fangkong.policy.queries import PoliciesInForce
from fangkong.reporting.models import ReportingUnit

DEADLINE_KEY = "report_deadline"
DEFAULT_DEADLINE = "10:00"
_TIME = re.compile(r"^\s*(\d{1,2})[:：](\d{2})\s*$")


class Status(models.TextChoices):
    ON_TIME = "on_time", _("按时")
    LATE = "late", _("迟报")
    MISSING = "missing", _("缺报")
    PENDING = "pending", _("待报")


OWED = (Status.MISSING, Status.PENDING)


def parse_deadline(text) -> dt.time:
    """ "10:00" → 10:00; ValueError for anything that is not a time of day."""
    match = _TIME.match(str(text or ""))
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(text)
    return dt.time(int(match[1]), int(match[2]))


def deadline_from(values: dict, day: dt.date) -> dt.datetime:
    """The deadline of day D's report under these policy values: D+1 at report_deadline."""
    try:
        at = parse_deadline(values.get(DEADLINE_KEY, DEFAULT_DEADLINE))
    except ValueError:
        at = parse_deadline(DEFAULT_DEADLINE)
    return dt.datetime.combine(day + dt.timedelta(days=1), at, tzinfo=SHANGHAI)


def status_of(first_at: dt.datetime | None, deadline: dt.datetime, now: dt.datetime) -> str:
    if first_at is None:
        return Status.MISSING if now > deadline else Status.PENDING
    return Status.ON_TIME if first_at <= deadline else Status.LATE


class Policies(PoliciesInForce):
    """The policies in force for the units' nodes and days (one query), with the deadline each sets."""

    def deadline(self, path: str, day: dt.date) -> dt.datetime:
        return deadline_from(self.values(path, day), day)


def expected_on(day: dt.date) -> Q:
    return Q(active_from__lte=day) & (Q(active_until__isnull=True) | Q(active_until__gt=day))


def with_submissions(units: QuerySet, day: dt.date) -> QuerySet:
    """Reporting units annotated with their report of day D: first submission time (revision 1), whether
    the current revision is a zero report, and the number of revisions. The join is limited to D."""
    return units.annotate(
        of_day=FilteredRelation("reports", condition=Q(reports__day=day)),
        first_at=Min("of_day__submitted_at"),
        revisions=Max("of_day__revision"),
        zero=Count("of_day", filter=Q(of_day__is_current=True, of_day__is_zero=True)),
    )


@dataclass
class UnitStatus:
    unit: ReportingUnit
    day: dt.date
    deadline: dt.datetime
    first_at: dt.datetime | None
    is_zero: bool
    revisions: int
    status: str
    status_label: str
    staff: list[Membership] = field(default_factory=list)

    @property
    def is_owed(self) -> bool:
        return self.status in OWED


def statuses(units: Iterable[ReportingUnit], day: dt.date, now: dt.datetime, policies: Policies):
    """UnitStatus of units annotated by `with_submissions`."""
    labels = {status: str(status.label) for status in Status}  # translated once, not once per unit
    rows = []
    for unit in units:
        deadline = policies.deadline(unit.node.path, day)
        status = status_of(unit.first_at, deadline, now)
        rows.append(
            UnitStatus(
                unit=unit,
                day=day,
                deadline=deadline,
                first_at=unit.first_at,
                is_zero=bool(unit.zero),
                revisions=unit.revisions or 0,
                status=status,
                status_label=labels[status],
            )
        )
    return rows


@dataclass
class Tally:
    expected: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    pending: int = 0

    def add(self, status: str) -> None:
        self.expected += 1
        setattr(self, status, getattr(self, status) + 1)

    @property
    def received(self) -> int:
        return self.on_time + self.late

    @property
    def not_received(self) -> int:
        return self.missing + self.pending

    @property
    def received_pct(self) -> float | None:
        """报告率 (completeness); None when nothing is expected: a rate of nothing is not 100 %."""
        return round(100 * self.received / self.expected, 1) if self.expected else None

    @property
    def on_time_pct(self) -> float | None:
        """及时率 (timeliness): received by the deadline ÷ expected."""
        return round(100 * self.on_time / self.expected, 1) if self.expected else None

    def as_dict(self) -> dict:
        return {
            "expected": self.expected,
            "received": self.received,
            "on_time": self.on_time,
            "late": self.late,
            "missing": self.missing,
            "pending": self.pending,
            "received_pct": self.received_pct,
            "on_time_pct": self.on_time_pct,
        }


@dataclass
class ChildRow:
    node: Jurisdiction
    tally: Tally


@dataclass
class Completeness:
    node: Jurisdiction
    day: dt.date
    now: dt.datetime
    total: Tally
    children: list[ChildRow]
    own: Tally  # units attached to the node itself (本级)
    rows: list[UnitStatus]

    @property
    def owed(self) -> list[UnitStatus]:
        """Units with no report yet: missing first, then pending, in tree order."""
        return [r for r in self.rows if r.status == Status.MISSING] + [
            r for r in self.rows if r.status == Status.PENDING
        ]

    @property
    def late(self) -> list[UnitStatus]:
        return [r for r in self.rows if r.status == Status.LATE]


def write_roles() -> list[str]:
    return [role for role, capabilities in scoping.CAPABILITIES.items() if scoping.WRITE in capabilities]


def attach_staff(rows: list[UnitStatus], *, under: Jurisdiction | None) -> None:
    """Each row's staff: active users in a role that may write (viewers cannot send a report) with a
    membership at or below the node of a village or township unit, or at the node of a registry Unit (a
    school attached to a township is not the business of every village below it). One query for all."""
    if not rows:
        return
    by_path: dict[str, list[UnitStatus]] = defaultdict(list)
    for row in rows:
        by_path[row.unit.node.path].append(row)
    memberships = Membership.objects.filter(user__is_active=True, role__in=write_roles()).select_related(
        "user", "node"
    )
    if under is not None:
        memberships = memberships.filter(node__path__startswith=under.path)
    for membership in memberships.order_by("node__path", "user__username"):
        parts = membership.node.path.strip("/").split("/")
        for depth in range(len(parts), 0, -1):
            for row in by_path.get("/".join(parts[:depth]) + "/", ()):
                if row.unit.unit_id is None or depth == len(parts):
                    row.staff.append(membership)


def unit_statuses(
    units: QuerySet, day: dt.date, *, now: dt.datetime | None = None, policies: Policies | None = None
) -> list[UnitStatus]:
    """The status on day D of the units of a queryset that are expected on D."""
    now = now or timezone.now()
    annotated = with_submissions(units.filter(expected_on(day)).select_related("node"), day)
    annotated = annotated.order_by("node__path", "name", "pk")
    listed = list(annotated)
    if policies is None:
        policies = Policies.for_paths({u.node.path for u in listed}, day)
    return statuses(listed, day, now, policies)


def completeness(node: Jurisdiction, day: dt.date, *, now: dt.datetime | None = None) -> Completeness:
    """Expected, received, on time, late, missing and pending for the node and each of its children on
    day D, with every unit's status and the staff of the units still owed."""
    now = now or timezone.now()
    units = ReportingUnit.objects.filter(node__path__startswith=node.path)
    rows = unit_statuses(units, day, now=now, policies=Policies.for_subtree(node, day))
    children = list(Jurisdiction.objects.filter(parent=node).order_by("path"))
    tallies = {child.code: Tally() for child in children}
    total, own = Tally(), Tally()
    for row in rows:
        total.add(row.status)
        below = row.unit.node.path[len(node.path) :].split("/", 1)[0]
        tallies.get(below, own).add(row.status)
    attach_staff([r for r in rows if r.is_owed], under=node)
    return Completeness(
        node=node,
        day=day,
        now=now,
        total=total,
        children=[ChildRow(node=child, tally=tallies[child.code]) for child in children],
        own=own,
        rows=rows,
    )
