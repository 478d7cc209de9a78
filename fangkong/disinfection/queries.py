"""Reads of disinfection, scoped through grid.scoping (places by their node, entries by their place's
node), and compliance per place, per day and rolled up the tree."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.lib.dates import SHANGHAI
from fangkong.policy.queries import PoliciesInForce, disinfection_values

from . import rules
from .models import Entry, Place


def places_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[Place]:
    return scoping.visible_to(
        user, Place.objects.select_related("node", "unit"), path_field="node__path", capability=capability
    )


def entries_visible_to(user) -> QuerySet[Entry]:
    return scoping.visible_to(
        user, Entry.objects.select_related("place", "place__node"), path_field="place__node__path"
    )


def access_place(user, pk, *, write: bool = False) -> Place:
    return scoping.access(
        user, Place.objects.select_related("node", "unit"), pk, path_field="node__path", write=write
    )


def access_entry(user, pk) -> Entry:
    return scoping.access(user, Entry.objects.select_related("place"), pk, path_field="place__node__path")


def last_entry(place: Place) -> Entry | None:
    return place.entries.order_by("-started_at", "-id").first()


def counts(
    place_ids: list[int], first: dt.date, last: dt.date, *, until: dt.datetime | None = None
) -> dict[tuple[int, dt.date], int]:
    """(place id, day in Shanghai) → entries started that day, for days first..last; with `until`, only
    those started and entered before it (a report as of a moment)."""
    start = dt.datetime.combine(first, dt.time(0), tzinfo=SHANGHAI)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)
    entries = Entry.objects.filter(place_id__in=place_ids, started_at__gte=start, started_at__lt=end)
    if until is not None:
        entries = entries.filter(started_at__lt=until, created_at__lte=until)
    rows = (
        entries.annotate(day=TruncDate("started_at", tzinfo=SHANGHAI))
        .order_by()
        .values("place_id", "day")
        .annotate(n=Count("pk"))
    )
    return {(r["place_id"], r["day"]): r["n"] for r in rows}


@dataclass
class PlaceDay:
    place: Place
    day: dt.date
    required: int
    done: int

    @property
    def short(self) -> int:
        return self.required - self.done


@dataclass
class Tally:
    required: int = 0
    done: int = 0
    places: set = field(default_factory=set)

    @property
    def percent(self) -> float | None:
        return rules.percent(self.done, self.required)

    @property
    def short(self) -> int:
        return self.required - self.done


def place_days(
    places: list[Place], first: dt.date, last: dt.date, *, until: dt.datetime | None = None
) -> list[PlaceDay]:
    """What each place owed and did on each day first..last, with the policy in force at its node."""
    if not places:
        return []
    policies = PoliciesInForce.for_paths({p.node.path for p in places}, last)
    frequencies: dict[tuple[str, dt.date], dict] = {}
    lookback = max(
        rules.Frequency.of(f).every_days
        for path in {p.node.path for p in places}
        for f in disinfection_values(policies.values(path, last)).values()
    )
    seen = counts([p.pk for p in places], first - dt.timedelta(days=lookback), last, until=until)
    rows = []
    day = first
    while day <= last:
        for place in places:
            key = (place.node.path, day)
            if key not in frequencies:
                frequencies[key] = disinfection_values(policies.values(place.node.path, day))
            frequency = rules.Frequency.of(frequencies[key].get(place.kind, {"times": 1, "every_days": 1}))
            since = place.created_at.astimezone(SHANGHAI).date()
            result = rules.day_of(
                frequency, day=day, since=since, count=lambda d, p=place.pk: seen.get((p, d), 0)
            )
            rows.append(PlaceDay(place, day, result.required, result.done))
        day += dt.timedelta(days=1)
    return rows


def subtree_places(node: Jurisdiction) -> list[Place]:
    return list(Place.objects.filter(node__path__startswith=node.path, active=True).select_related("node"))


def tally(rows: list[PlaceDay]) -> Tally:
    total = Tally()
    for row in rows:
        total.required += row.required
        total.done += row.done
        total.places.add(row.place.pk)
    return total


def rolled_up(node: Jurisdiction, rows: list[PlaceDay]) -> list[tuple[Jurisdiction, Tally]]:
    """The tally of each child of `node` (its subtree), the node's own places under the node itself."""
    children = list(node.children.order_by("code"))
    by_child: dict[int, Tally] = defaultdict(Tally)
    own = Tally()
    for row in rows:
        path = row.place.node.path
        for child in children:
            if path.startswith(child.path):
                target = by_child[child.pk]
                break
        else:
            target = own
        target.required += row.required
        target.done += row.done
        target.places.add(row.place.pk)
    result = [(child, by_child[child.pk]) for child in children if by_child[child.pk].required]
    if own.required:
        result.insert(0, (node, own))
    return result


def worklist(places: list[Place], today: dt.date, days: int = 3) -> list[PlaceDay]:
    """Places short today (still to do) and on the `days` days before (missed), worst first."""
    rows = [r for r in place_days(places, today - dt.timedelta(days=days), today) if r.short > 0]
    return sorted(rows, key=lambda r: (-r.day.toordinal(), r.place.node.path, r.place.name))
