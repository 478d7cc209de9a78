"""The residents' figures of the dashboard's cards, for today and yesterday, from ONE pass over the residents.

The cards show `registered_people`, `verified_people_pct` and `vaccinated_<milestone>_pct` for D and for
D−1. Each counts the residences open at the end of the day (reporting/indicators.py, vaccination.py), and
a pass over them costs about a second at a million people: compute() for both days makes two. Here:
- D's tally: the residences open at the end of D, counted by (verified, first dose, full, booster), one
  grouped query with the very conditions the indicators count with (`indicators.verified`,
  `vaccination.reached`);
- D−1's tally = D's − the day's change, and the day's change is the tally of the few people whose
  residences, verification or milestones could differ between the end of D−1 and the end of D — a
  residence started or ended, a verification made, or a dose given during D — counted at both ends.
  Anyone else counts the same at both ends: each condition compares one of their times with the end of
  the day (a residence's start and end, the verification's time, the doses' days), and none of their
  times lies between the two ends.
The values come from the tallies as the indicators compute them: a rate is part × 100.0 ÷ whole in
floating point, to one decimal, and None of nobody. Daily figures only (no `as_of`).
tests/test_population.py checks both days against compute() over random moves, verifications and doses.
"""

import datetime as dt

from django.db.models import BooleanField, Case, Count, Q, Value, When

from fangkong.grid.models import Jurisdiction
from fangkong.registry.models import Person, Residence
from fangkong.reporting.indicators import SOURCES, Scope, verified
from fangkong.reporting.vaccination import MILESTONE_LABELS, reached
from fangkong.vaccination.models import Dose

MILESTONES = list(MILESTONE_LABELS)
CODES = ["registered_people", "verified_people_pct", *(f"vaccinated_{m}_pct" for m in MILESTONES)]

Tally = dict[tuple[bool, ...], int]  # (verified, reached each milestone) → residences


def tally(s: Scope, people: Q | None = None) -> Tally:
    """The residences open at the end of the scope's day (of the `people` only, if given), by flags."""
    conditions = {"verified": verified(s), **{f"reached_{m}": reached(s, m) for m in MILESTONES}}
    flags = {
        name: Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())
        for name, condition in conditions.items()
    }
    rows = SOURCES["residence"](s)
    if people is not None:
        rows = rows.filter(people)
    grouped = rows.annotate(**flags).order_by().values(*flags).annotate(n=Count("pk"))
    return {tuple(bool(row[name]) for name in flags): row["n"] for row in grouped}


def changed_during(s: Scope) -> Q:
    """Residences of the people whose figures may differ between the end of D−1 and the end of D."""
    moved = Residence.objects.filter(
        Q(started_at__gt=s.start, started_at__lte=s.end) | Q(ended_at__gt=s.start, ended_at__lte=s.end)
    )
    verified_during = Person.objects.filter(verified_at__gt=s.start, verified_at__lte=s.end)
    dosed = Dose.objects.filter(given_on=s.day)
    return (
        Q(person_id__in=moved.values("person_id"))
        | Q(person_id__in=verified_during.values("pk"))
        | Q(person_id__in=dosed.values("person_id"))
    )


def _add(a: Tally, b: Tally, sign: int) -> Tally:
    out = dict(a)
    for key, n in b.items():
        out[key] = out.get(key, 0) + sign * n
    return out


def _rate(part: int, whole: int) -> float | None:
    return None if not whole else round(float(part) * 100.0 / float(whole), 1)


def values(counts: Tally) -> dict:
    whole = sum(counts.values())
    share = [sum(n for key, n in counts.items() if key[i]) for i in range(1 + len(MILESTONES))]
    return {
        "registered_people": whole,
        "verified_people_pct": _rate(share[0], whole),
        **{f"vaccinated_{m}_pct": _rate(share[i], whole) for i, m in enumerate(MILESTONES, 1)},
    }


def two_days(node: Jurisdiction, day: dt.date, *, now: dt.datetime) -> tuple[dict, dict]:
    """The CODES of the node's subtree for the day and for the day before (daily figures)."""
    today = Scope(node=node, day=day, now=now)
    before = Scope(node=node, day=day - dt.timedelta(days=1), now=now)
    counts = tally(today)
    change = changed_during(today)
    earlier = _add(_add(counts, tally(today, change), -1), tally(before, change), +1)
    return values(counts), values(earlier)
