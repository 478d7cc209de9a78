"""Cases for the demo county (registry/demo.py), after its check-ins (venues/demo.py). Repeatable: one
`random.Random` per seed, and quick: three cases, their searches and one set of decisions.

- Three residents who checked in at the busiest venues in the last days become cases through report_case:
  a confirmed case reported and investigated in time, with its contacts searched and those who overlapped
  15 minutes or more decided close contacts (measures, caretakers, hand-overs for visitors); an
  asymptomatic case searched but not yet decided (its contacts clock running); and a suspected case just
  reported, whose clocks run out in the demo (the check-clocks job raises them). The story ends before the
  day the demo is loaded.
"""

import datetime as dt
import random

from django.db.models import Count
from django.utils import timezone

from fangkong.lib.errors import RuleError
from fangkong.measures.rules import local_midnight
from fangkong.tracing import actions
from fangkong.tracing.models import Case, CaseEvent, Decision
from fangkong.tracing.queries import candidates_of
from fangkong.venues.models import CheckIn

MIN_CLOSE_MINUTES = 15  # the demo investigator's filter: "all who overlapped 15 minutes or more"


def is_loaded(context) -> bool:
    return Case.objects.filter(node__path__startswith=context.county.path).exists()


def _picks(context, rng: random.Random, end: dt.datetime) -> list[CheckIn]:
    """Check-ins of registered residents at the three busiest venues of the three days before `end`, one
    each."""
    since = end - dt.timedelta(days=3)
    recent = CheckIn.objects.filter(
        venue__node__path__startswith=context.county.path, at__gte=since, at__lt=end - dt.timedelta(hours=6)
    )
    busiest = [
        row["venue"] for row in recent.values("venue").annotate(n=Count("id")).order_by("-n", "venue")[:3]
    ]
    picks, taken = [], set()
    for venue_id in busiest:
        rows = list(
            recent.filter(venue_id=venue_id, identity__person__isnull=False)
            .select_related("identity__person__node")
            .order_by("at", "id")[:200]
        )
        rows = [r for r in rows if r.identity.person_id not in taken]
        if rows:
            pick = rng.choice(rows)
            taken.add(pick.identity.person_id)
            picks.append(pick)
    return picks


def story_times(checked_in_at: dt.datetime, *, rng: random.Random, end: dt.datetime) -> tuple:
    """(sampled, diagnosed) a few hours after the check-in. A check-in may be only six hours before the end of
    the story, so both are held back: sampled at least 3 hours and diagnosed at least 1 hour before it."""
    sampled = min(checked_in_at + dt.timedelta(hours=rng.randint(4, 10)), end - dt.timedelta(hours=3))
    diagnosed = min(sampled + dt.timedelta(hours=rng.randint(3, 8)), end - dt.timedelta(hours=1))
    return sampled, diagnosed


def load(*, context, seed: int, now: dt.datetime | None = None) -> dict | None:
    """Write the demo's cases (once: None when there). Call in a transaction."""
    if is_loaded(context):
        return None
    now = now or timezone.now()
    rng = random.Random(f"{seed}:tracing")
    actor = context.users["county"]
    # The cases' story ends before today: the situation report as of last midnight and yesterday's daily
    # figures then count the same cases whatever the hour the demo is loaded (at 00:30 a case reported at
    # 00:10 would count in one and not the other).
    end = local_midnight(timezone.localdate(now))
    counts = {"cases": 0, "candidates": 0, "decided": 0, "measures": 0, "handed_over": 0}
    for i, checkin in enumerate(_picks(context, rng, end)):
        person = checkin.identity.person
        sampled, diagnosed = story_times(checkin.at, rng=rng, end=end)
        kind = ("confirmed", "asymptomatic", "suspected")[i]
        fields = {"sampled_at": sampled, "source": "local"}
        if kind != "asymptomatic":
            fields["onset_on"] = timezone.localdate(checkin.at)
        if kind != "suspected":
            fields |= {"reported_at": diagnosed + dt.timedelta(minutes=50), "isolated_at": diagnosed}
        if kind == "confirmed":
            fields["clinical_type"] = "ordinary"
            fields["hospital"] = "聊城市传染病医院"
        case = actions.report_case(
            actor=actor, node=person.node, kind=kind, person=person, diagnosed_at=diagnosed, **fields
        )
        # Written in one go now, but entered at the time the story gives it: reports as of a past moment
        # count the cases and events entered by then (reporting/cases.py).
        entered = fields.get("reported_at", diagnosed)
        Case.objects.filter(pk=case.pk).update(created_at=entered)
        CaseEvent.objects.filter(case=case).update(created_at=entered)
        counts["cases"] += 1
        if kind == "suspected":
            continue
        summary = actions.search_contacts(actor=actor, case=case, now=now)
        counts["candidates"] += summary.found
        if kind != "confirmed":
            continue
        actions.mark_investigation(
            actor=actor,
            case=case,
            core_at=min(diagnosed + dt.timedelta(hours=3), end),
            report_at=min(diagnosed + dt.timedelta(hours=20), end),
        )
        close = candidates_of(case, min_minutes=MIN_CLOSE_MINUTES, decision=Decision.PENDING)
        try:
            decided = actions.decide(actor=actor, candidates=close, decision=Decision.CLOSE, at=now)
        except RuleError:
            continue  # no free quarantine room in the demo's policy: the decisions are left to do
        counts["decided"] += decided.decided
        counts["measures"] += decided.measures
        counts["handed_over"] += decided.handed_over
    return counts
