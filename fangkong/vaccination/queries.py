"""Reads of the vaccination ledger, all scoped through grid.scoping: doses and deferrals by the person's
node (a grid worker sees the doses of their people, wherever the site was), sites by their node.

Coverage (接种率) of a node's subtree on a day D counts like the indicators (reporting/vaccination.py):
the people registered there at the end of D (registry.Residence), by the node they lived at, and among
them those with a first dose, a completed primary series, a booster by D (the milestones rules.py put on
the doses); each by age band at D from the birth date. One grouped query by grid node and band, rolled
up the tree in Python."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.measures.rules import local_midnight
from fangkong.registry.models import Person, Residence
from fangkong.registry.queries import search_filter

from . import rules
from .models import Deferral, DeferralKind, Dose, Site

OTHER_BAND = ""  # under 3, or no birth date: counted in the whole, in no band


def sites_visible_to(user) -> QuerySet[Site]:
    return scoping.visible_to(user, Site.objects.select_related("node"), path_field="node__path")


def sites_for_entry(user) -> QuerySet[Site]:
    """The active sites where the user may record doses."""
    return scoping.visible_to(
        user,
        Site.objects.filter(active=True).select_related("node"),
        path_field="node__path",
        capability=scoping.WRITE,
    )


def access_site(user, pk, *, write: bool = False) -> Site:
    return scoping.access(user, Site.objects.select_related("node"), pk, path_field="node__path", write=write)


def doses_visible_to(user) -> QuerySet[Dose]:
    return scoping.visible_to(
        user, Dose.objects.select_related("person", "person__node", "site"), path_field="person__node__path"
    )


def access_dose(user, pk) -> Dose:
    """A dose of a person the user may see (404 otherwise); the action checks the site's write right."""
    qs = Dose.objects.select_related("person__node", "site__node")
    return scoping.access(user, qs, pk, path_field="person__node__path")


def deferrals_visible_to(user) -> QuerySet[Deferral]:
    return scoping.visible_to(
        user, Deferral.objects.select_related("person", "site"), path_field="person__node__path"
    )


def history(person: Person) -> list[Dose]:
    return list(Dose.objects.filter(person=person).select_related("site").order_by("given_on", "pk"))


def deferral_in_force(person: Person, day: dt.date) -> Deferral | None:
    for deferral in Deferral.objects.filter(person=person, decided_on__lte=day).order_by(
        "-decided_on", "-pk"
    ):
        return deferral if deferral.in_force(day) else None
    return None


def find_people(user, text: str, *, limit: int = 10) -> list[Person]:
    """The entry page's search: ID number (or its last four), name or pinyin (zhangwei, zw)."""
    text = text.strip()
    if not text:
        return []
    people = scoping.visible_to(user, Person.objects.select_related("node"), path_field="node__path")
    return list(people.filter(search_filter(text)).order_by("name_pinyin", "pk")[:limit])


# ── milestones by a day ─────────────────────────────────────────────────────────────────────────────


def with_milestone(milestone: str, day: dt.date, *, entered_by: dt.datetime | None = None) -> QuerySet:
    """Ids of the people who reached the milestone on or before the day (entered by a moment, if given)."""
    doses = Dose.objects.filter(**{f"reaches_{milestone}": True, "given_on__lte": day})
    if entered_by is not None:
        doses = doses.filter(created_at__lte=entered_by)
    return doses.values("person_id")


def band_case(day: dt.date, lookup: str = "person__birth_date") -> Case:
    """The age band at the day, from the birth date; OTHER_BAND under 3 or with no birth date."""
    whens = []
    for code, youngest, oldest in rules.AGE_BANDS:
        earliest, latest = rules.birth_range(day, youngest, oldest)
        condition = Q(**{f"{lookup}__lte": latest})
        if earliest is not None:
            condition &= Q(**{f"{lookup}__gt": earliest})
        whens.append(When(condition, then=Value(code)))
    return Case(*whens, default=Value(OTHER_BAND), output_field=CharField())


def band_filter(day: dt.date, band: str, lookup: str = "person__birth_date") -> Q:
    for code, youngest, oldest in rules.AGE_BANDS:
        if code == band:
            earliest, latest = rules.birth_range(day, youngest, oldest)
            condition = Q(**{f"{lookup}__lte": latest})
            if earliest is not None:
                condition &= Q(**{f"{lookup}__gt": earliest})
            return condition
    raise ValueError(f"unknown age band {band!r}")


# ── coverage ─────────────────────────────────────────────────────────────────────────────────────────


@dataclass
class Tally:
    registered: int = 0
    first: int = 0
    full: int = 0
    booster: int = 0

    def add(self, other: "Tally") -> None:
        self.registered += other.registered
        self.first += other.first
        self.full += other.full
        self.booster += other.booster

    def pct(self, milestone: str) -> float | None:
        if not self.registered:
            return None
        return round(getattr(self, milestone) * 100.0 / self.registered, 1)


@dataclass
class CoverageRow:
    node: Jurisdiction | None
    total: Tally = field(default_factory=Tally)
    bands: dict[str, Tally] = field(default_factory=lambda: {code: Tally() for code, *_ in rules.AGE_BANDS})

    def add(self, band: str, tally: Tally) -> None:
        self.total.add(tally)
        if band in self.bands:
            self.bands[band].add(tally)


def residents_at(path: str, day: dt.date) -> QuerySet[Residence]:
    end = local_midnight(day + dt.timedelta(days=1))
    return Residence.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=end), node__path__startswith=path, started_at__lte=end
    )


def coverage(node: Jurisdiction, day: dt.date) -> tuple[CoverageRow, list[CoverageRow]]:
    """(the node's whole subtree, one row per child) of coverage at the end of D, by age band."""
    counts = {m: Count("pk", filter=Q(person_id__in=with_milestone(m, day))) for m in rules.MILESTONES}
    rows = (
        residents_at(node.path, day)
        .order_by()
        .annotate(band=band_case(day))
        .values("node_id", "band")
        .annotate(registered=Count("pk"), **counts)
    )
    children = list(Jurisdiction.objects.filter(parent=node).order_by("path"))
    by_path = {child.path: CoverageRow(node=child) for child in children}
    whole = CoverageRow(node=node)
    paths = dict(Jurisdiction.objects.filter(path__startswith=node.path).values_list("pk", "path"))
    for row in rows:
        tally = Tally(row["registered"], row["first"], row["full"], row["booster"])
        whole.add(row["band"], tally)
        rest = paths[row["node_id"]][len(node.path) :]
        if rest:
            child = by_path.get(node.path + rest[: rest.find("/") + 1])
            if child is not None:
                child.add(row["band"], tally)
    return whole, list(by_path.values())


# ── who is not (fully) vaccinated ─────────────────────────────────────────────────────────────────────

NOT_FULL, NO_DOSE, NO_BOOSTER = "not_full", "none", "no_booster"


def unvaccinated(
    user, node: Jurisdiction, day: dt.date, *, status: str = NOT_FULL, band: str = ""
) -> QuerySet[Person]:
    """The people registered in the node's subtree now, aged 3 or more at D (or with no birth date), who
    have not completed the primary series by D (`none`: no dose at all; `no_booster`: complete, no
    booster), each annotated with has_first / has_full and the deferral in force (deferred)."""
    if not scoping.can(user, scoping.VIEW, node):
        return Person.objects.none()
    people = scoping.visible_to(
        user,
        Person.objects.filter(node__path__startswith=node.path).select_related("node", "household"),
        path_field="node__path",
    )
    eligible = rules.years_before(day, rules.ELIGIBLE_AGE)
    people = people.filter(Q(birth_date__isnull=True) | Q(birth_date__lte=eligible))
    if band:
        people = people.filter(band_filter(day, band, lookup="birth_date"))
    dose = Dose.objects.filter(person=OuterRef("pk"), given_on__lte=day)
    deferred = Deferral.objects.filter(person=OuterRef("pk"), decided_on__lte=day).filter(
        Q(kind=DeferralKind.CONTRAINDICATED) | Q(until__isnull=True) | Q(until__gte=day)
    )
    people = people.annotate(
        has_first=Exists(dose.filter(reaches_first=True)),
        has_full=Exists(dose.filter(reaches_full=True)),
        has_booster=Exists(dose.filter(reaches_booster=True)),
        deferred=Exists(deferred),
    )
    if status == NO_DOSE:
        people = people.filter(has_first=False)
    elif status == NO_BOOSTER:
        people = people.filter(has_full=True, has_booster=False)
    else:
        people = people.filter(has_full=False)
    return people.order_by("node__path", "name_pinyin", "pk")


def counts_by_site(sites: QuerySet[Site], day: dt.date) -> dict[int, int]:
    """Doses given at each site on the day."""
    rows = Dose.objects.filter(site__in=sites, given_on=day).values("site").annotate(n=Count("pk"))
    return {row["site"]: row["n"] for row in rows}


def band_label(code: str) -> str:
    for band, youngest, oldest in rules.AGE_BANDS:
        if band == code:
            return f"{youngest}岁以上" if oldest is None else f"{youngest}–{oldest}岁"
    return "其他"
