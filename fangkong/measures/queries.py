"""Reads for key persons, all scoped through grid.scoping (by the measure's or screening's node).
Overdue follow-ups are derived here from measures and follow-ups; nothing marks a slot as missed.

And the reads behind the key-person and site pages: the key-person list, caretaker candidates, a site's
rooms with who is in them, the follow-up grid of one measure, the day count of a measure."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.measures import rules
from fangkong.measures.models import (
    Alert,
    Caretaker,
    FollowUp,
    Measure,
    QuarantineSite,
    Room,
    Screening,
    TestResult,
)
from fangkong.policy.models import Kind, Reason
from fangkong.policy.queries import policy_for
from fangkong.registry.models import Person
from fangkong.registry.queries import persons_visible_to, search_filter


def measures_visible_to(user) -> QuerySet[Measure]:
    return scoping.visible_to(user, Measure.objects.all(), path_field="node__path")


def screenings_visible_to(user) -> QuerySet[Screening]:
    return scoping.visible_to(user, Screening.objects.all(), path_field="node__path")


def alerts_visible_to(user) -> QuerySet[Alert]:
    """Alerts of people under measures in the user's area, and those of people seen out at a place in it
    (someone under quarantine elsewhere who checks in at one of its venues)."""
    of_people = scoping.subtree_filter(user, scoping.VIEW, "measure__node__path")
    if of_people is None:
        return Alert.objects.none()
    return Alert.objects.filter(of_people | scoping.subtree_filter(user, scoping.VIEW, "place__path"))


def sites_visible_to(user) -> QuerySet[QuarantineSite]:
    return scoping.visible_to(user, QuarantineSite.objects.all(), path_field="node__path")


def access_measure(user, pk, *, write: bool = False) -> Measure:
    qs = Measure.objects.select_related("person", "node", "screening", "room__site", "policy")
    return scoping.access(user, qs, pk, path_field="node__path", write=write)


def active_at(moment: dt.datetime) -> Q:
    """Measures active at a moment: started_at ≤ t and (released_at empty or > t)."""
    return Q(started_at__lte=moment) & (Q(released_at__isnull=True) | Q(released_at__gt=moment))


def owes_slot(slot_end: dt.datetime) -> Q:
    """Measures that owe the slot ending at `slot_end`: rules.owes_slot as a filter. A hospital stay owes
    no follow-ups: the hospital watches the patient, the caretakers do not."""
    return (
        Q(started_at__lt=slot_end)
        & (Q(released_at__isnull=True) | Q(released_at__gt=slot_end))
        & ~Q(kind=Kind.HOSPITAL)
    )


def followed_up(day: dt.date, slot: str) -> Q:
    """Measures whose person had the slot's follow-up. By person, not by measure: a reading taken at 09:00
    under home quarantine still answers the morning when a transfer at 10:00 started a new measure.
    An uncorrelated IN: the database reads the slot's follow-ups once (a correlated EXISTS by person
    let SQLite scan a whole slot per measure through the (slot_date, slot) index)."""
    return Q(person__in=FollowUp.objects.filter(slot_date=day, slot=slot).values("person"))


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def slot_status(measures: QuerySet[Measure], day: dt.date, slot: str) -> QuerySet[Measure]:
    """The measures that owe a follow-up for the slot, each annotated `done`."""
    end = rules.slot_bounds(day, slot)[1]
    return measures.filter(owes_slot(end)).annotate(done=_flag(followed_up(day, slot)))


def worklist(user, *, day: dt.date | None = None) -> list[dict]:
    """今日待随访: the active measures the user is a caretaker of, with today's two slots. Among the
    measures the user can see: a caretaker moved to another area keeps the Caretaker row (history) but
    no longer sees the person."""
    day = day or timezone.localdate()
    mine = (
        measures_visible_to(user)
        .filter(caretakers__user=user, released_at__isnull=True)
        .exclude(kind=Kind.HOSPITAL)
        .select_related("person", "node")
    )
    mine = mine.annotate(
        morning=_flag(followed_up(day, rules.MORNING)), evening=_flag(followed_up(day, rules.EVENING))
    )
    rows = []
    for measure in mine.order_by("node__path", "person__name_pinyin"):
        due = rules.due_slots(measure.started_at, measure.released_at, day)
        rows.append({"measure": measure, "due": due, "morning": measure.morning, "evening": measure.evening})
    return rows


def overdue(user, *, now: dt.datetime | None = None) -> QuerySet[Measure]:
    """Measures in the user's area whose most recent ended slot (morning ends 12:00, evening 24:00) has
    no follow-up: the people to chase now."""
    now = now or timezone.now()
    local = now.astimezone(rules.SHANGHAI)
    if local.hour >= 12:
        day, slot = local.date(), rules.MORNING
    else:
        day, slot = local.date() - dt.timedelta(days=1), rules.EVENING
    return (
        slot_status(measures_visible_to(user), day, slot).filter(done=False).select_related("person", "node")
    )


def due_for_release(user, *, day: dt.date | None = None) -> QuerySet[Measure]:
    """Active measures whose planned end falls on or before the end of the day."""
    day = day or timezone.localdate()
    end = rules.local_midnight(day + dt.timedelta(days=1))
    return (
        measures_visible_to(user)
        .filter(released_at__isnull=True, planned_end__lte=end)
        .select_related("person", "node")
    )


def open_alerts(user) -> QuerySet[Alert]:
    return alerts_visible_to(user).filter(resolved_at__isnull=True).select_related("person", "measure__node")


def site_occupancy(user) -> list[QuarantineSite]:
    """Active sites with their beds, occupied beds (active measures in their rooms) and free beds.
    Two aggregate queries: summing capacity and counting measures in one query would multiply rows."""
    sites = sites_visible_to(user).filter(active=True)
    beds = dict(sites.annotate(beds=Sum("rooms__capacity")).values_list("pk", "beds"))
    occupied = Count("rooms__measures", filter=Q(rooms__measures__released_at__isnull=True))
    result = list(sites.annotate(occupied=occupied).select_related("node"))
    for site in result:
        site.beds = beds.get(site.pk) or 0
        site.free = site.beds - site.occupied
    return result


def free_rooms(site: QuarantineSite) -> QuerySet[Room]:
    used = Count("measures", filter=Q(measures__released_at__isnull=True))
    return site.rooms.annotate(used=used).filter(used__lt=F("capacity"))


def caretakers_of(measure: Measure) -> QuerySet[Caretaker]:
    return measure.caretakers.select_related("user")


ACTIVE, RELEASED, SCREENED_ONLY = "active", "released", "screened"


# Key persons -----------------------------------------------------------------------------------------


def search_keypersons(
    user, *, text: str = "", kind: str = "", status: str = "", reason: str = "", node_code: str = ""
) -> QuerySet[Person]:
    """People in the user's area who were screened or put under a measure, each with their latest
    measure and latest screening annotated (correlated subqueries: one query however long the page)."""
    measures = Measure.objects.filter(person=OuterRef("pk"))
    screenings = Screening.objects.filter(person=OuterRef("pk"))
    latest = measures.order_by("-started_at", "-id")
    latest_screening = screenings.order_by("-screened_on", "-id")
    people = (
        persons_visible_to(user)
        .filter(Exists(screenings) | Exists(measures))
        .select_related("node")
        .annotate(
            measure_id=Subquery(latest.values("pk")[:1]),
            measure_kind=Subquery(latest.values("kind")[:1]),
            measure_started=Subquery(latest.values("started_at")[:1]),
            measure_end=Subquery(latest.values("planned_end")[:1]),
            measure_released=Subquery(latest.values("released_at")[:1]),
            screening_id=Subquery(latest_screening.values("pk")[:1]),
            screening_reason=Subquery(latest_screening.values("reason")[:1]),
            screened_on=Subquery(latest_screening.values("screened_on")[:1]),
        )
    )
    of_kind = measures.filter(kind=kind) if kind else measures
    if status == ACTIVE:
        people = people.filter(Exists(of_kind.filter(released_at__isnull=True)))
    elif status == RELEASED:
        people = people.filter(Exists(of_kind), ~Exists(measures.filter(released_at__isnull=True)))
    elif status == SCREENED_ONLY:
        people = people.filter(~Exists(measures))
    elif kind:
        people = people.filter(Exists(of_kind))
    if reason:
        people = people.filter(Exists(screenings.filter(reason=reason)))
    if node_code:
        node = scoping.access_jurisdiction(user, node_code)
        people = people.filter(node__path__startswith=node.path)
    if text:
        people = people.filter(search_filter(text))
    return people.order_by(F("measure_started").desc(nulls_last=True), "-screened_on", "name_pinyin", "pk")


def label_keypersons(rows) -> None:
    """Display labels for the annotated values of search_keypersons (the page, not the queryset)."""
    for person in rows:
        person.kind_label = Kind(person.measure_kind).label if person.measure_kind else ""
        person.reason_label = Reason(person.screening_reason).label if person.screening_reason else ""
        person.status = (
            SCREENED_ONLY
            if person.measure_id is None
            else ACTIVE
            if person.measure_released is None
            else RELEASED
        )


def persons_to_screen(user, text: str) -> QuerySet[Person]:
    """Whom the user may register a screening for, matching a search box."""
    if not text.strip():
        return Person.objects.none()
    persons = scoping.visible_to(
        user, Person.objects.all(), path_field="node__path", capability=scoping.WRITE
    )
    return persons.filter(search_filter(text)).select_related("node")[:20]


def screening_of(user, person: Person, pk) -> Screening | None:
    if not pk:
        return None
    return scoping.access(user, Screening.objects.filter(person=person), pk, path_field="node__path")


def caretaker_candidates(user, measure: Measure):
    """Staff who may care for the person: they sit at the measure's node or above it (so they can see
    the person) and in the part of the tree the assigning user can see; not yet caretakers."""
    codes = measure.node.path.strip("/").split("/")
    visible = scoping.visible_jurisdictions(user)
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__node__code__in=codes, memberships__node__in=visible)
        .exclude(caretaking__measure=measure)
        .distinct()
        .order_by("first_name", "username")
    )


# One measure -----------------------------------------------------------------------------------------


def measure_day(measure: Measure, now: dt.datetime) -> tuple[int, int] | None:
    """第N天/共M天: day 1 is the first day of the measure's period (the day after the last exposure or
    arrival for the steps of a regime); counted at release for a released measure."""
    if measure.planned_end is None or not measure.period_days:
        return None
    first = (measure.planned_end.astimezone(rules.SHANGHAI) - dt.timedelta(days=measure.period_days)).date()
    at = min(now, measure.released_at or now).astimezone(rules.SHANGHAI).date()
    return (at - first).days + 1, measure.period_days


DONE, ABNORMAL, OVERDUE, PENDING, NOT_DUE = "done", "abnormal", "overdue", "pending", "not_due"


def follow_up_grid(measure: Measure, *, now: dt.datetime, max_days: int = 31) -> dict:
    """The measure's days (the latest `max_days`) × morning/evening: each slot done (abnormal when any of
    its readings is),
    overdue (due, ended, nothing recorded), pending (due, not ended yet) or not due. Derived here from
    rules.due_slots and the follow-ups: missed slots are never stored."""
    start = measure.started_at.astimezone(rules.SHANGHAI).date()
    last = min(measure.released_at or now, now).astimezone(rules.SHANGHAI).date()
    first = max(start, last - dt.timedelta(days=max_days - 1))
    recorded: dict[tuple[dt.date, str], list] = {}
    for f in measure.follow_ups.filter(slot_date__range=(first, last)).order_by("taken_at"):
        recorded.setdefault((f.slot_date, f.slot), []).append(f)
    day_one = None
    if measure.planned_end and measure.period_days:
        day_one = (
            measure.planned_end.astimezone(rules.SHANGHAI) - dt.timedelta(days=measure.period_days)
        ).date()
    rows = []
    day = first
    while day <= last:
        due = (
            []
            if measure.kind == Kind.HOSPITAL
            else rules.due_slots(measure.started_at, measure.released_at, day)
        )
        cells = []
        for slot in (rules.MORNING, rules.EVENING):
            readings = recorded.get((day, slot), [])
            if readings:
                state = ABNORMAL if any(f.is_abnormal for f in readings) else DONE
            elif slot not in due:
                state = NOT_DUE
            else:
                state = OVERDUE if rules.slot_bounds(day, slot)[1] <= now else PENDING
            cells.append(
                {
                    "slot": slot,
                    "state": state,
                    "follow_up": rules.telling_reading(readings),
                    "readings": readings,  # every reading of the slot, in the order taken
                }
            )
        rows.append({"day": day, "n": (day - day_one).days + 1 if day_one else None, "cells": cells})
        day += dt.timedelta(days=1)
    return {
        "rows": rows,
        "truncated": first > start,
        "overdue": sum(1 for row in rows for cell in row["cells"] if cell["state"] == OVERDUE),
    }


def tests_of(measure: Measure) -> QuerySet[TestResult]:
    """The person's tests from the start of the measure on (the ones release looks at)."""
    return measure.person.test_results.filter(sampled_at__gte=measure.started_at).select_related(
        "recorded_by"
    )


def alerts_of(measure: Measure) -> QuerySet[Alert]:
    return measure.alerts.select_related("resolved_by").order_by("-raised_at")


def test_days(measure: Measure, values: dict) -> list[int]:
    return list(values.get("tests", {}).get(measure.kind, []))


# Sites -----------------------------------------------------------------------------------------------


def access_site(user, pk, *, write: bool = False) -> QuarantineSite:
    qs = QuarantineSite.objects.select_related("node", "unit")
    return scoping.access(user, qs, pk, path_field="node__path", write=write)


def rooms_with_occupants(site: QuarantineSite) -> list[Room]:
    """The site's rooms, each with the people in it now and its free beds: two queries."""
    occupants = (
        Measure.objects.filter(released_at__isnull=True).select_related("person").order_by("started_at")
    )
    rooms = list(site.rooms.prefetch_related(Prefetch("measures", queryset=occupants, to_attr="occupants")))
    for room in rooms:
        room.free = room.capacity - len(room.occupants)
    return rooms


def room_choices(user) -> list:
    """Rooms with a free bed in the user's active sites, grouped by site, for a <select>."""
    groups = []
    for site in sites_visible_to(user).filter(active=True).order_by("name"):
        rooms = free_rooms(site).order_by("number")
        choices = [
            (
                room.pk,
                _("%(room)s（空%(free)s床）") % {"room": room.number, "free": room.capacity - room.used},
            )
            for room in rooms
        ]
        if choices:
            groups.append((site.name, choices))
    return groups


def assignable_rooms(user) -> QuerySet[Room]:
    """Every room of the user's active sites: the form accepts any of them and start_measure decides
    whether it is full (it may have filled up since the page was drawn)."""
    return Room.objects.filter(site__in=sites_visible_to(user).filter(active=True)).select_related("site")


def site_counts(rooms: list[Room]) -> dict:
    beds = sum(room.capacity for room in rooms)
    occupied = sum(len(room.occupants) for room in rooms)
    return {"rooms": len(rooms), "beds": beds, "occupied": occupied, "free": beds - occupied}


# Planned end, before anything is saved -----------------------------------------------------------------


def plan_preview(
    *, node: Jurisdiction, kind: str | None, reason: str | None, reference_date, started_at
) -> dict | None:
    """What start_measure will compute for these values (same rules, same policy), to show on the form
    before it is submitted: the planned end, the last day, the length and which policy says so."""
    if not kind or kind == Kind.HOSPITAL or started_at is None:
        return None
    start_day = started_at.astimezone(rules.SHANGHAI).date()
    in_force = policy_for(node, start_day)
    end, days = rules.planned_end(
        kind=kind,
        reason=reason or Reason.SELF_DECLARED,
        reference_date=reference_date or start_day,
        started_at=started_at,
        policy=in_force.values,
    )
    if end is None:
        return None
    last_day = (end.astimezone(rules.SHANGHAI) - dt.timedelta(days=1)).date()
    return {"end": end, "last_day": last_day, "days": days, "label": in_force.label}


def suggested_kind(node: Jurisdiction, screening: Screening | None, day: dt.date) -> str:
    """The first step of the policy's regime for the screening's reason, if it names one."""
    if screening is None:
        return ""
    steps = policy_for(node, day).values["regimes"].get(screening.reason, [])
    return steps[0][0] if steps else ""


def site_totals(sites) -> dict:
    return {
        "beds": sum(site.beds for site in sites),
        "occupied": sum(site.occupied for site in sites),
        "free": sum(site.free for site in sites),
    }
