"""Reads of schools. A school is seen by the grid above it (its node's subtree, as every record), by its
own staff (teachers who are not members of the grid) and by the education bureau of its county. Classes,
rosters, checks, absences and alerts are seen with their school."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level

from . import rules
from .models import (
    Absence,
    Check,
    CheckEntry,
    ClassAlert,
    EducationBureau,
    Member,
    MemberKind,
    PreOpeningEntry,
    School,
    SchoolClass,
    Status,
)


def bureaus_of(user) -> list[EducationBureau]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_fangkong_bureaus", None)
    if cached is None:
        cached = list(EducationBureau.objects.filter(members=user).select_related("county"))
        user._fangkong_bureaus = cached
    return cached


def school_filter(user, capability: str = scoping.VIEW, prefix: str = "") -> Q | None:
    """A Q over schools (or over rows whose school is at `prefix`, e.g. "school__") visible to the user,
    or None when none is."""
    q = scoping.subtree_filter(user, capability, f"{prefix}node__path")
    if getattr(user, "is_authenticated", False) and user.is_active:
        staff = School.staff.through.objects.filter(user_id=user.pk).values("school_id")
        q = (q or Q()) | Q(**{f"{prefix}pk__in" if not prefix else f"{prefix}id__in": staff})
        for bureau in bureaus_of(user):
            q |= Q(**{f"{prefix}node__path__startswith": bureau.county.path})
    return q


def _visible(user, queryset: QuerySet, prefix: str, capability: str = scoping.VIEW) -> QuerySet:
    q = school_filter(user, capability, prefix)
    return queryset.none() if q is None else queryset.filter(q)


def schools_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[School]:
    return _visible(user, School.objects.select_related("node"), "", capability)


def classes_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[SchoolClass]:
    return _visible(user, SchoolClass.objects.select_related("school"), "school__", capability)


def checks_visible_to(user) -> QuerySet[Check]:
    return _visible(user, Check.objects.select_related("school", "school_class"), "school__")


def absences_visible_to(user) -> QuerySet[Absence]:
    return _visible(user, Absence.objects.select_related("member__school_class", "school"), "school__")


def alerts_visible_to(user) -> QuerySet[ClassAlert]:
    return _visible(user, ClassAlert.objects.select_related("school", "school_class"), "school__")


def members_visible_to(user) -> QuerySet[Member]:
    return _visible(user, Member.objects.select_related("school_class", "school"), "school__")


def _access(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _cap(write: bool) -> str:
    return scoping.WRITE if write else scoping.VIEW


def access_school(user, pk, *, write: bool = False) -> School:
    return _access(schools_visible_to(user, _cap(write)), pk)


def access_class(user, pk, *, write: bool = False) -> SchoolClass:
    return _access(classes_visible_to(user, _cap(write)), pk)


def access_absence(user, pk, *, write: bool = False) -> Absence:
    return _access(
        _visible(user, Absence.objects.select_related("member", "school"), "school__", _cap(write)), pk
    )


def access_member(user, pk, *, write: bool = False) -> Member:
    return _access(
        _visible(user, Member.objects.select_related("school", "school_class"), "school__", _cap(write)), pk
    )


def access_check(user, pk) -> Check:
    return _access(checks_visible_to(user), pk)


def can_write(user, school: School) -> bool:
    return schools_visible_to(user, scoping.WRITE).filter(pk=school.pk).exists()


# Accounts of teachers and the bureau: managed by who may MANAGE_USERS at the school's node or the county ----


def schools_managed_by(user) -> QuerySet[School]:
    q = scoping.subtree_filter(user, scoping.MANAGE_USERS, "node__path")
    return School.objects.none() if q is None else School.objects.filter(q).select_related("node")


def bureaus_managed_by(user) -> QuerySet[EducationBureau]:
    q = scoping.subtree_filter(user, scoping.MANAGE_USERS, "county__path")
    return (
        EducationBureau.objects.none()
        if q is None
        else EducationBureau.objects.filter(q).select_related("county")
    )


def access_school_users(user, pk) -> School:
    return _access(schools_managed_by(user), pk)


def access_bureau_users(user, pk) -> EducationBureau:
    return _access(bureaus_managed_by(user), pk)


# Rosters and checks ---------------------------------------------------------------------------------------


def roster(school_class: SchoolClass) -> list[Member]:
    return list(
        Member.objects.filter(school_class=school_class, kind=MemberKind.PUPIL, active=True).order_by("id")
    )


def check_of(school_class: SchoolClass, day: dt.date, slot: str) -> Check | None:
    return Check.objects.filter(school_class=school_class, day=day, slot=slot).first()


def entries_of(check: Check) -> list[CheckEntry]:
    return list(check.entries.select_related("member").order_by("member_id"))


def overdue_absences(user, *, today: dt.date) -> QuerySet[Absence]:
    """Illness absences back without a return certificate, or past their expected return and not back
    (rules.absence_overdue, said in SQL)."""
    return absences_visible_to(user).filter(
        Q(returned_on__isnull=False, certificate=False)
        | Q(returned_on__isnull=True, expected_return__lt=today)
    )


def open_absences(user) -> QuerySet[Absence]:
    return absences_visible_to(user).filter(returned_on__isnull=True)


# Pre-opening monitoring ---------------------------------------------------------------------------------


@dataclass
class PreOpeningRow:
    member: Member
    days: list[tuple[dt.date, PreOpeningEntry | None]]

    @property
    def done(self) -> int:
        return sum(1 for _, e in self.days if e is not None)

    @property
    def complete(self) -> bool:
        return self.done == len(self.days)


def pre_opening(school: School, *, days: int) -> tuple[list[dt.date], list[PreOpeningRow]]:
    """Each pupil's and staff member's 14 days before the opening date with the entries recorded."""
    if school.opening_date is None:
        return [], []
    wanted = rules.pre_opening_days(opening=school.opening_date, days=days)
    members = list(Member.objects.filter(school=school, active=True).select_related("school_class"))
    entries: dict[int, dict[dt.date, PreOpeningEntry]] = defaultdict(dict)
    for e in PreOpeningEntry.objects.filter(member__school=school, day__in=wanted):
        entries[e.member_id][e.day] = e
    rows = [PreOpeningRow(m, [(d, entries[m.pk].get(d)) for d in wanted]) for m in members]
    return wanted, rows


# The education bureau's completeness table ------------------------------------------------------------


@dataclass
class SchoolRow:
    school_id: int
    name: str
    classes: int
    morning: int = 0  # classes with a morning check on the day
    noon: int = 0
    zero_morning: int = 0  # of which zero reports
    zero_noon: int = 0

    @property
    def missing(self) -> int:
        return 2 * self.classes - self.morning - self.noon


@dataclass
class TownshipRow:
    node: Jurisdiction
    schools: list[SchoolRow] = field(default_factory=list)

    def total(self, attr: str) -> int:
        return sum(getattr(s, attr) for s in self.schools)

    @property
    def classes(self) -> int:
        return self.total("classes")

    @property
    def checks(self) -> int:
        return self.total("morning") + self.total("noon")

    @property
    def zero_reports(self) -> int:
        return self.total("zero_morning") + self.total("zero_noon")

    @property
    def expected(self) -> int:
        return 2 * self.classes

    @property
    def pct(self) -> float | None:
        return round(self.checks * 100.0 / self.expected, 1) if self.expected else None


def completeness(user, node: Jurisdiction, day: dt.date) -> list[TownshipRow]:
    """Every school under the node the user sees, with its classes and the checks and zero reports of the
    day (morning and noon), grouped by township. Three aggregate queries whatever the number of schools."""
    schools = (
        schools_visible_to(user)
        .filter(node__path__startswith=node.path)
        .values("pk", "name", "node__path")
        .order_by("node__path", "name")
    )
    schools = list(schools)
    ids = [s["pk"] for s in schools]
    classes = dict(
        SchoolClass.objects.filter(school__node__path__startswith=node.path)
        .values_list("school_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    checks: dict[int, dict] = {}
    rows = (
        Check.objects.filter(day=day, school__node__path__startswith=node.path)
        .values("school_id")
        .annotate(
            morning=Count("pk", filter=Q(slot="morning")),
            noon=Count("pk", filter=Q(slot="noon")),
            zero_morning=Count("pk", filter=Q(slot="morning", symptomatic=0)),
            zero_noon=Count("pk", filter=Q(slot="noon", symptomatic=0)),
        )
        .order_by()
    )
    for row in rows:
        checks[row.pop("school_id")] = row
    townships = _townships({s["node__path"] for s in schools})
    grouped: dict[str, TownshipRow] = {}
    known = set(ids)
    for s in schools:
        if s["pk"] not in known:
            continue
        township = townships.get(_township_path(s["node__path"]))
        key = township.path if township else s["node__path"]
        group = grouped.get(key)
        if group is None:
            group = grouped[key] = TownshipRow(node=township or node)
        c = checks.get(s["pk"], {})
        group.schools.append(
            SchoolRow(
                school_id=s["pk"],
                name=s["name"],
                classes=classes.get(s["pk"], 0),
                **{k: v or 0 for k, v in c.items()},
            )
        )
    return list(grouped.values())


def _township_path(path: str) -> str:
    # county code/…/township: the township is the fifth part of the path (province, city, county, township)
    parts = path.strip("/").split("/")
    return "/".join(parts[:4]) + "/" if len(parts) >= 4 else path


def _townships(paths: Iterable[str]) -> dict[str, Jurisdiction]:
    wanted = {_township_path(p) for p in paths}
    return {j.path: j for j in Jurisdiction.objects.filter(path__in=wanted, level=Level.TOWNSHIP)}


# For the early-warning app --------------------------------------------------------------------------


def illness_absence_counts(start: dt.date, end: dt.date) -> Iterable[tuple[int, dt.date, int]]:
    """One row per REPORTED (school node, day) from `start` to `end`, both included: (node id of the
    school's grid node, day, pupils absent for illness). A (node, day) is reported when at least one check
    was submitted there that day; its count may be 0. A pupil absent for illness at both the morning and
    the noon check counts once. Not scoped: the early-warning series of the whole installation."""
    reported = (
        Check.objects.filter(day__gte=start, day__lte=end)
        .values_list("school__node_id", "day")
        .distinct()
        .order_by()
    )
    absent = (
        CheckEntry.objects.filter(
            school_check__day__gte=start, school_check__day__lte=end, status=Status.ABSENT_ILLNESS
        )
        .values("school_check__school__node_id", "school_check__day")
        .annotate(n=Count("member", distinct=True))
        .order_by()
    )
    counts = {(r["school_check__school__node_id"], r["school_check__day"]): r["n"] for r in absent}
    return sorted((node_id, day, counts.get((node_id, day), 0)) for node_id, day in reported)


# Which area a page is about ------------------------------------------------------------------------------


def area_node(user, code: str) -> Jurisdiction:
    """A node the user may look at schools under: one of the grid's they see, or one in the county of
    their education bureau; Http404 otherwise."""
    node = Jurisdiction.objects.filter(code=code).first()
    if node is None:
        raise Http404
    if scoping.can(user, scoping.VIEW, node) or any(
        node.path.startswith(b.county.path) for b in bureaus_of(user)
    ):
        return node
    raise Http404


def default_area(user) -> Jurisdiction | None:
    """The county of the user's education bureau, else their first node, else the node of their first
    school (a teacher), else None."""
    bureaus = bureaus_of(user)
    if bureaus:
        return bureaus[0].county
    tops = scoping.nodes_with(user)
    if tops:
        return tops[0]
    school = schools_visible_to(user).first()
    return school.node if school else None
