"""The residents' figures of the dashboard's cards, for today and yesterday, from ONE pass over the residents.

The cards show `registered_people`, `verified_people_pct` and `vaccinated_<milestone>_pct` for D and for
D−1. Each counts the residences open at the end of the day (reporting/indicators.py, vaccination.py), and
a pass over them costs about a second at a million people: compute() for both days makes two. Here:
- D's counts: the residences open at the end of D, those of verified people and those of people who
  reached each milestone, in one query with the very conditions the indicators count with
  (`indicators.verified`, `vaccination.reached`);
- D−1's counts = D's − the day's change, and the day's change is the counts of the few people whose
  residences, verification or milestones could differ between the end of D−1 and the end of D — a
  residence started or ended, a verification (in person or by phone) made, or a dose given during D —
  counted at both ends.
  Anyone else counts the same at both ends: each condition compares one of their times with the end of
  the day (a residence's start and end, the verification's time, the doses' days), and none of their
  times lies between the two ends.
The values come from the counts as the indicators compute them: a rate is part × 100.0 ÷ whole in
floating point, to one decimal, and None of nobody. Daily figures only (no `as_of`).
tests/test_population.py checks both days against compute() over random moves, verifications and doses.
"""

import datetime as dt

from django.db.models import Count, Q

from fangkong.grid.models import Jurisdiction
from fangkong.registry.models import Person, Residence
from fangkong.registry.queries import VERIFIED
from fangkong.reporting.indicators import SOURCES, Scope, verified
from fangkong.reporting.vaccination import MILESTONE_LABELS, rate, reached
from fangkong.vaccination.models import Dose

MILESTONES = list(MILESTONE_LABELS)
CODES = ["registered_people", "verified_people_pct", *(f"vaccinated_{m}_pct" for m in MILESTONES)]

Counts = dict[str, int]  # registered, verified, reached_<milestone>: residences open at the end of a day


def counts(s: Scope, people: Q | None = None) -> Counts:
    """The residences open at the end of the scope's day (of the `people` only, if given): all of them,
    and those of the people verified and of those who reached each milestone, in one query."""
    rows = SOURCES["residence"](s)
    if people is not None:
        rows = rows.filter(people)
    return rows.aggregate(
        registered=Count("pk"),
        verified=Count("pk", filter=verified(s)),
        **{f"reached_{m}": Count("pk", filter=reached(s, m)) for m in MILESTONES},
    )


def changed_during(s: Scope) -> Q:
    """Residences of the people whose figures may differ between the end of D−1 and the end of D."""
    moved = Residence.objects.filter(
        Q(started_at__gt=s.start, started_at__lte=s.end) | Q(ended_at__gt=s.start, ended_at__lte=s.end)
    )
    verified_during = Person.objects.filter(
        verification__in=VERIFIED, verified_at__gt=s.start, verified_at__lte=s.end
    )
    dosed = Dose.objects.filter(given_on=s.day)
    # One list (UNION), so that the database starts from these few people, not from every resident.
    people = (
        moved.order_by()
        .values("person_id")
        .union(verified_during.order_by().values("pk"), dosed.order_by().values("person_id"))
    )
    return Q(person_id__in=people)


def values(c: Counts) -> dict:
    return {
        "registered_people": c["registered"],
        "verified_people_pct": rate(c["verified"], c["registered"]),
        **{f"vaccinated_{m}_pct": rate(c[f"reached_{m}"], c["registered"]) for m in MILESTONES},
    }


def two_days(node: Jurisdiction, day: dt.date, *, now: dt.datetime) -> tuple[dict, dict]:
    """The CODES of the node's subtree for the day and for the day before (daily figures)."""
    today = Scope(node=node, day=day, now=now)
    before = Scope(node=node, day=day - dt.timedelta(days=1), now=now)
    at_end = counts(today)
    change = changed_during(today)
    changed_at_end, changed_before = counts(today, change), counts(before, change)
    earlier = {key: n - changed_at_end[key] + changed_before[key] for key, n in at_end.items()}
    return values(at_end), values(earlier)
