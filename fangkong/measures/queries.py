"""Reads for key persons, all scoped through grid.scoping (by the measure's or screening's node).
Overdue follow-ups are derived here from measures and follow-ups; nothing marks a slot as missed."""

import datetime as dt

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils import timezone

from fangkong.grid import scoping
from fangkong.policy.models import Kind

from . import rules
from .models import Alert, Caretaker, FollowUp, Measure, QuarantineSite, Room, Screening


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
