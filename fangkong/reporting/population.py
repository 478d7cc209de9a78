"""The residents' figures of a day from the day next to it: the counts at the end of D from those at the
end of D−1 (`forward`), or the other way (`backward`), without a pass over every resident.

`registered_people`, `verified_people_pct` and `vaccinated_<milestone>_pct` each count the residences open
at the end of a day (reporting/indicators.py, vaccination.py), and a pass over them costs about a second
at a million people. The counts of D and D−1 differ only by the few people whose residences,
verification or milestones could differ between the two ends — a residence started or ended, a
verification (in person or by phone) made, or a dose given during D: counted at both ends, the change is
what they add at the end of D less what they added at the end of D−1, counted in one query over their
residences open at either end (read once, not once per end), grouped by child (`changes_by_child`): the
node's change is the sum of its children's and its own residences', so a node and its children step
from one count. Anyone else counts the same at both ends:
each condition compares one of their times with the end of the day (a residence's start and end,
the verification's time, the doses' days), and none of their times lies between the two ends.
`counts` is the full pass (ONE query, with the very conditions the indicators count with:
`indicators.verified`, `vaccination.reached`), grouped by child when asked (the children table). The
values come from the counts as the indicators compute them: a rate is part × 100.0 ÷ whole in floating
point, to one decimal, and None of nobody. Daily figures only (no `as_of`).
tests/test_population.py checks both steps against compute() over random moves, verifications and doses.
"""

import datetime as dt

from django.db.models import Count, Q

from fangkong.grid.models import Jurisdiction
from fangkong.registry.models import Person, Residence
from fangkong.registry.queries import VERIFIED
from fangkong.reporting.children import child_path
from fangkong.reporting.indicators import DAY_CONDITION, DAY_ROWS, SOURCES, Scope, verified
from fangkong.reporting.vaccination import MILESTONE_LABELS, rate, reached
from fangkong.vaccination.models import Dose

MILESTONES = list(MILESTONE_LABELS)
CODES = ["registered_people", "verified_people_pct", *(f"vaccinated_{m}_pct" for m in MILESTONES)]

Counts = dict[str, int]  # registered, verified, reached_<milestone>: residences open at the end of a day


def _aggregates(s: Scope, open_at_end: Q | None = None) -> dict:
    """The Counts' aggregates over residences open at the end of the day (or, given `open_at_end`, over
    any residences, counting those it keeps)."""
    where = open_at_end or Q()
    return {
        "registered": Count("pk", filter=open_at_end),
        "verified": Count("pk", filter=where & verified(s)),
        **{f"reached_{m}": Count("pk", filter=where & reached(s, m)) for m in MILESTONES},
    }


def counts(s: Scope) -> Counts:
    """The residences open at the end of the scope's day: all of them, and those of the people verified
    and of those who reached each milestone, in one query."""
    return SOURCES["residence"](s).aggregate(**_aggregates(s))


def counts_by_child(s: Scope) -> dict[str, Counts]:
    """counts() of each child of the scope's node, by the child's path (every child, zeros if empty)."""
    aggregates = _aggregates(s)
    grouped = (
        SOURCES["residence"](s)
        .annotate(child_path=child_path("node__path", s.path))
        .order_by()
        .values("child_path")
        .annotate(**aggregates)
    )
    paths = Jurisdiction.objects.filter(parent=s.node).values_list("path", flat=True)
    result = {path: dict.fromkeys(aggregates, 0) for path in paths}
    for row in grouped:
        if row["child_path"] in result:
            result[row["child_path"]] = {key: row[key] for key in result[row["child_path"]]}
    return result


def changed_during(s: Scope) -> Q:
    """Residences of the people whose figures may differ between the end of D−1 and the end of D."""
    # Residences begun in the subtree (residence_covering leads with the node; a residence begun
    # elsewhere changes nothing here but the one it ended, found with those ended) and those ended.
    begun = Residence.objects.filter(
        node__path__startswith=s.path, started_at__gt=s.start, started_at__lte=s.end
    )
    ended = Residence.objects.filter(ended_at__gt=s.start, ended_at__lte=s.end)
    verified_during = Person.objects.filter(
        verification__in=VERIFIED, verified_at__gt=s.start, verified_at__lte=s.end
    )
    dosed = Dose.objects.filter(given_on=s.day)
    # One list (UNION), so that the database starts from these few people, not from every resident.
    people = (
        begun.order_by()
        .values("person_id")
        .union(
            ended.order_by().values("person_id"),
            verified_during.order_by().values("pk"),
            dosed.order_by().values("person_id"),
        )
    )
    return Q(person_id__in=people)


def _scopes(node: Jurisdiction, day: dt.date, now: dt.datetime) -> tuple[Scope, Scope]:
    return Scope(node=node, day=day, now=now), Scope(node=node, day=day - dt.timedelta(days=1), now=now)


ENDS = ("end", "start")  # of the day: its end, and the end of the day before


def _both_ends(node: Jurisdiction, day: dt.date, now: dt.datetime):
    """The residences of the people changed during the day that are open at either end of it, and the
    aggregates of the Counts at each end (keys prefixed with the end)."""
    scopes = _scopes(node, day, now)
    opens = [DAY_CONDITION["residence"](s) for s in scopes]
    rows = DAY_ROWS["residence"](node.path).filter(changed_during(scopes[0])).filter(opens[0] | opens[1])
    aggregates = {
        f"{end}_{key}": aggregate
        for end, s, open_at_end in zip(ENDS, scopes, opens, strict=True)
        for key, aggregate in _aggregates(s, open_at_end).items()
    }
    return rows, aggregates


def _ends(row: dict) -> tuple[Counts, Counts]:
    """(the counts at the end of the day, at the end of the day before) of a row of _both_ends."""
    end, start = ({key[len(e) + 1 :]: n for key, n in row.items() if key.startswith(f"{e}_")} for e in ENDS)
    return end, start


def _shift(start: Counts, add: Counts, subtract: Counts) -> Counts:
    return {key: n + add[key] - subtract[key] for key, n in start.items()}


def backward(at_end: Counts, node: Jurisdiction, day: dt.date, *, now: dt.datetime) -> Counts:
    """The counts at the end of the day before `day` from those at the end of `day`."""
    rows, aggregates = _both_ends(node, day, now)
    end, start = _ends(rows.aggregate(**aggregates))
    return _shift(at_end, start, end)


ChangesByChild = dict[str, tuple[Counts, Counts]]  # child path: (at the end of D, of D−1)


def changes_by_child(node: Jurisdiction, day: dt.date, *, now: dt.datetime) -> ChangesByChild:
    """{child path: (what its changed people count at the end of `day`, at the end of the day before)},
    the node's own residences under the node's own path: each residence lies in one of them, so the node's
    change is their sum (`forward`)."""
    rows, aggregates = _both_ends(node, day, now)
    grouped = (
        rows.annotate(child_path=child_path("node__path", node.path))
        .order_by()
        .values("child_path")
        .annotate(**aggregates)
    )
    return {row.pop("child_path"): _ends(row) for row in grouped}


def forward_children(
    before: dict[str, Counts],
    node: Jurisdiction,
    day: dt.date,
    *,
    now: dt.datetime,
    changes: ChangesByChild | None = None,
) -> dict[str, Counts]:
    """forward() for every child of the node at once: {child path: counts at the end of `day`}; from the
    day's changes_by_child when already counted."""
    if changes is None:
        changes = changes_by_child(node, day, now=now)
    result = dict(before)
    for path, (at_end, at_start) in changes.items():
        if path in before:
            result[path] = _shift(before[path], at_end, at_start)
    return result


def forward(
    before: Counts,
    node: Jurisdiction,
    day: dt.date,
    *,
    now: dt.datetime,
    changes: ChangesByChild | None = None,
) -> Counts:
    """The counts at the end of `day` from those at the end of the day before: the sum of the changes of
    the children and of the node's own residences (changes_by_child, counted here unless given), so that
    the node's step and its children's share one count."""
    if changes is None:
        changes = changes_by_child(node, day, now=now)
    for at_end, at_start in changes.values():
        before = _shift(before, at_end, at_start)
    return before


def values(c: Counts) -> dict:
    return {
        "registered_people": c["registered"],
        "verified_people_pct": rate(c["verified"], c["registered"]),
        **{f"vaccinated_{m}_pct": rate(c[f"reached_{m}"], c["registered"]) for m in MILESTONES},
    }
