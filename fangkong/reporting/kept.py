"""The dashboard's figures of closed days, kept (KeptFigures), and today's stepped from yesterday's.

At a million people a day's residents cost a pass of about a second, and the cumulative figures a pass over
every screening and measure of the county; the dashboard wants them for 30 days, for today, and for every
child. What a closed day counted does not change unless a record reaching back to it is written, so:
- `figures(node, days)`: each day's FIGURES (the charted ones, follow-ups, the cumulative ones, the
  residents' counts) — kept if still valid, else stepped forward from the latest valid day before it, and
  kept when the day is closed;
- a step from D−1 to D counts only D: its charted figures (trends.series for the day or the run of days),
  each cumulative figure as D−1's plus its growth on D (`GROWTH`), and the residents' counts through the
  few people whose residence, verification or doses changed on D (population.forward);
- `children(node, day)`: the children table's figures, from each child's kept day before; a day's
  residents' changes are counted once for a node and its children (`Changes`).
A kept row is valid while ChangedDay, which database triggers bump on every write that reaches back to a
closed day (migration 0006), holds what it held for the days up to the row's day when the row
was counted: read before counting, so a write committed during the count makes the row stale, never
wrong. ChangedDay counts two families apart — the records (screenings, measures, follow-ups) and the
residents (residences, verifications, doses) — so a day made stale by a late follow-up keeps its
residents' counts, the dearest to step. A day is closed GRACE after its 24:00, for writes begun before
midnight to have committed.
Daily figures only (no `as_of`). tests/test_kept.py checks every figure against compute() after random
records and corrections of past days.
"""

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass
from itertools import pairwise

from django.db import connection
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from fangkong.grid.models import Jurisdiction, Level
from fangkong.measures import rules
from fangkong.measures.models import Measure, Screening
from fangkong.policy.models import Kind, Reason
from fangkong.reporting import population, trends
from fangkong.reporting.children import child_path, compute_children
from fangkong.reporting.indicators import SOURCES, Scope, compute, count_rows
from fangkong.reporting.models import ChangedDay, KeptFigures

GRACE = dt.timedelta(minutes=15)
RESIDENTS = "residents"  # the key of the residents' counts (population.Counts) in a day's figures

# Counted for each day: the charted figures and the day's follow-ups.
DAILY = [*trends.CHARTED, "followups_due", "followups_done"]


def _hospital_new(s: Scope) -> QuerySet:
    """Measures in hospital begun during D: hospital_total's growth on D."""
    return Measure.objects.filter(
        node__path__startswith=s.path, kind=Kind.HOSPITAL, started_at__gte=s.start, started_at__lt=s.end
    )


def _close_contacts_new(s: Scope) -> QuerySet:
    """People with a close-contact screening in the subtree dated D and none earlier: close_contacts_total's
    growth on D."""
    contacts = SOURCES["screening"](s).filter(reason=Reason.CLOSE_CONTACT)
    earlier = contacts.filter(person=OuterRef("person"), screened_on__lt=OuterRef("screened_on"))
    return contacts.filter(screened_on=s.day).filter(~Exists(earlier)).values("person").distinct()


# Each cumulative figure of D is D−1's plus its growth on D: a daily figure, or rows counted.
GROWTH = {
    "screened_total": "screened_new",
    "released_total": "released_new",
    "hospital_total": _hospital_new,
    "close_contacts_total": _close_contacts_new,
}
CUMULATIVE = list(GROWTH)
FIGURES = [*DAILY, *CUMULATIVE]  # and RESIDENTS
CODES = [*FIGURES, *population.CODES]  # what values() gives


def closed(day: dt.date, now: dt.datetime) -> bool:
    return rules.local_midnight(day + dt.timedelta(days=1)) + GRACE <= now


def values(figures: dict) -> dict:
    """The indicators' values of a day's figures ({code: value} of CODES)."""
    return {**{code: figures[code] for code in FIGURES}, **population.values(figures[RESIDENTS])}


# The transaction-local setting the PostgreSQL triggers compare their marks with (migration 0006).
READS = "fangkong_changed_day.reads"

Seen = tuple[int, int]  # the sums of ChangedDay's records and residents over the days up to one


def changed_days_read() -> None:
    """On PostgreSQL a transaction bumps a day of ChangedDay once (migration 0006): after this transaction
    has read ChangedDay to count figures, its next write of any day must bump it again."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config(%s, (COALESCE(NULLIF(current_setting(%s, true), ''), '0')::bigint + 1)"
                "::text, true)",
                [READS, READS],
            )


@dataclass(frozen=True)
class Sums:
    """The sums of ChangedDay's records and residents over the days up to each changed day (sorted). A
    day is changed most days, so a lookup is a bisection, not a pass: the children table checks
    hundreds of kept rows against a year of days."""

    days: list[dt.date]
    totals: list[Seen]

    def on(self, day: dt.date) -> Seen:
        """The sums up to `day`: those of the latest changed day not after it."""
        i = bisect_right(self.days, day)
        return self.totals[i - 1] if i else (0, 0)


def _seen(last_day: dt.date) -> Sums:
    """The sums of ChangedDay's records and residents up to each changed day until `last_day`."""
    changed_days_read()
    records = residents = 0
    sums = Sums(days=[], totals=[])
    for day, day_records, day_residents in (
        ChangedDay.objects.filter(day__lte=last_day)
        .order_by("day")
        .values_list("day", "records", "residents")
    ):
        records += day_records
        residents += day_residents
        sums.days.append(day)
        sums.totals.append((records, residents))
    return sums


def _fresh(row: KeptFigures, sums: Sums, now: dt.datetime) -> tuple[bool, bool]:
    """Whether a kept row's figures of the records, and its residents' counts, are still valid."""
    if not closed(row.day, now):
        return False, False
    records, residents = sums.on(row.day)
    return row.seen_records == records, row.seen_residents == residents


class Changes:
    """The residents' changes of a node's days by child (population.changes_by_child), counted once for
    the node's figures and its children's: the dashboard steps today for both, the job the days made
    stale. A day's changes are used again only while ChangedDay's residents' sum up to that day is the one
    they were counted under: a write reaching back to the day in between has them counted again, so no row
    is kept from changes older than the sums it is kept with."""

    def __init__(self):
        self._counted: dict[tuple, tuple[int, population.ChangesByChild]] = {}

    def of(self, node: Jurisdiction, day: dt.date, now: dt.datetime, sums: Sums) -> population.ChangesByChild:
        key, seen = (node.pk, node.path, day), sums.on(day)[1]
        if key not in self._counted or self._counted[key][0] != seen:
            self._counted[key] = (seen, population.changes_by_child(node, day, now=now))
        return self._counted[key][1]


def _full(node: Jurisdiction, day: dt.date, now: dt.datetime, residents: dict | None) -> dict:
    """A day's figures counted from every record (when no valid day before it is kept); its residents'
    counts only if they are not still valid (`residents`)."""
    figures = compute(node, day, codes=FIGURES, now=now)
    if residents is None:
        residents = population.counts(Scope(node=node, day=day, now=now))
    figures[RESIDENTS] = residents
    return figures


def _step(
    node: Jurisdiction,
    before: dict,
    run: list[dt.date],
    now: dt.datetime,
    residents: dict[dt.date, dict],
    changes: Changes,
    sums: Sums,
) -> dict[dt.date, dict]:
    """The figures of a run of consecutive days, from those of the day before the run; the residents'
    counts of a day that has them still valid (`residents`) are not stepped, the others from the shared
    `changes` under the ChangedDay `sums` read before this count."""
    daily = trends.series(node, last_day=run[-1], days=len(run), codes=DAILY, now=now)
    scopes = [Scope(node=node, day=day, now=now) for day in run]
    counted = {
        f"{i}_{code}": growth(scope)
        for i, scope in enumerate(scopes)
        for code, growth in GROWTH.items()
        if callable(growth)
    }
    grown = count_rows(node, counted)
    result = {}
    for i, day in enumerate(run):
        figures = {code: daily.values[code][i] for code in DAILY}
        for code, growth in GROWTH.items():
            figures[code] = before[code] + (grown[f"{i}_{code}"] if callable(growth) else figures[growth])
        if day in residents:
            figures[RESIDENTS] = residents[day]
        else:
            figures[RESIDENTS] = population.forward(
                before[RESIDENTS], node, day, now=now, changes=changes.of(node, day, now, sums)
            )
        result[day] = before = figures
    return result


def _runs(days: list[dt.date]) -> list[list[dt.date]]:
    """Sorted days cut into runs of consecutive days."""
    runs = [[days[0]]]
    for previous, day in pairwise(days):
        if day - previous == dt.timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _keep(nodes_figures: dict[tuple[int, dt.date], dict], sums: Sums, now: dt.datetime) -> None:
    rows = [
        KeptFigures(
            node_id=node_id,
            day=day,
            figures=figures,
            seen_records=sums.on(day)[0],
            seen_residents=sums.on(day)[1],
            kept_at=now,
        )
        for (node_id, day), figures in nodes_figures.items()
        if closed(day, now)
    ]
    KeptFigures.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["node", "day"],
        update_fields=["figures", "seen_records", "seen_residents", "kept_at"],
    )


LOOK_BACK = 60  # days before the first one asked for, searched for a valid kept day to step from


def figures(
    node: Jurisdiction,
    days: list[dt.date],
    *,
    now: dt.datetime | None = None,
    changes: Changes | None = None,
) -> dict[dt.date, dict]:
    """{day: figures} of the node's subtree for each of the days (sorted): kept where valid, else stepped
    from the latest valid day before (or counted in full when there is none), and kept when closed.
    `changes`: the residents' changes already counted for the node's children (see Changes)."""
    now = now or timezone.now()
    changes = changes or Changes()
    sums = _seen(days[-1])  # before counting anything: see the module docstring

    residents: dict[dt.date, dict] = {}  # the residents' counts still valid of the days not kept

    def valid(since: dt.date) -> dict[dt.date, dict]:
        kept = {}
        for row in KeptFigures.objects.filter(node=node, day__gte=since, day__lte=days[-1]):
            records_fresh, residents_fresh = _fresh(row, sums, now)
            if records_fresh and residents_fresh:
                kept[row.day] = row.figures
            elif residents_fresh:
                residents[row.day] = row.figures[RESIDENTS]
        return kept

    # Usually every day but today is kept and today steps from yesterday: look further back only if not.
    kept = valid(days[0])
    if all(day in kept for day in days):
        return {day: kept[day] for day in days}
    first_missing = min(day for day in days if day not in kept)
    if first_missing == days[0] or first_missing - dt.timedelta(days=1) not in kept:
        kept = valid(days[0] - dt.timedelta(days=LOOK_BACK))
    # Step from the latest valid day before the first one missing, through every day after it not kept.
    base = max((day for day in kept if day < first_missing), default=None)
    counted: dict[dt.date, dict] = {}
    if base is None:
        base = first_missing - dt.timedelta(days=1)
        counted[base] = _full(node, base, now, residents.get(base))
    span = [base + dt.timedelta(days=n) for n in range(1, (days[-1] - base).days + 1)]
    for run in _runs([day for day in span if day not in kept]):
        before = run[0] - dt.timedelta(days=1)
        counted.update(
            _step(
                node,
                counted[before] if before in counted else kept[before],
                run,
                now,
                residents,
                changes,
                sums,
            )
        )
    _keep({(node.pk, day): day_figures for day, day_figures in counted.items()}, sums, now)
    return {day: kept[day] if day in kept else counted[day] for day in days}


# The children table ----------------------------------------------------------------------------------
# The same figures for every child of a node at once: one grouped query per source and day, and each
# growth grouped by child.


def _first_by_child(s: Scope, **only) -> dict[str, int]:
    """{child path: people with a screening (of `only`) in the child's subtree dated D and none earlier
    there}: screened_new, or close_contacts_total's growth, of each child."""
    screenings = SOURCES["screening"](s).filter(**only).annotate(child_path=child_path("node__path", s.path))
    earlier = Screening.objects.filter(
        person=OuterRef("person"),
        screened_on__lt=s.day,
        node__path__startswith=OuterRef("child_path"),
        **only,
    )
    rows = (
        screenings.filter(screened_on=s.day)
        .filter(~Exists(earlier))
        .order_by()
        .values("child_path")
        .annotate(people=Count("person", distinct=True))
    )
    return {row["child_path"]: row["people"] for row in rows}


def _hospital_new_by_child(s: Scope) -> dict[str, int]:
    rows = (
        _hospital_new(s)
        .annotate(child_path=child_path("node__path", s.path))
        .order_by()
        .values("child_path")
        .annotate(measures=Count("pk"))
    )
    return {row["child_path"]: row["measures"] for row in rows}


def _step_children(
    node: Jurisdiction,
    before: dict[str, dict],
    day: dt.date,
    now: dt.datetime,
    residents: dict | None,
    changes: Changes,
    sums: Sums,
) -> dict:
    """{child path: figures of the day} from those of the day before; the children's residents' counts are
    not stepped when still valid for every child (`residents`: {child path: counts}), else from the shared
    `changes` (as for _step)."""
    scope = Scope(node=node, day=day, now=now)
    daily = compute_children(node, day, codes=[code for code in DAILY if code != "screened_new"], now=now)
    screened = _first_by_child(scope)
    contacts = _first_by_child(scope, reason=Reason.CLOSE_CONTACT)
    hospital = _hospital_new_by_child(scope)
    if residents is None:
        residents = population.forward_children(
            {path: figures[RESIDENTS] for path, figures in before.items()},
            node,
            day,
            now=now,
            changes=changes.of(node, day, now, sums),
        )
    result = {}
    for kid, figures in daily.items():
        figures["screened_new"] = screened.get(kid.path, 0)
        grown = {
            "screened_total": figures["screened_new"],
            "released_total": figures["released_new"],
            "hospital_total": hospital.get(kid.path, 0),
            "close_contacts_total": contacts.get(kid.path, 0),
        }
        for code in CUMULATIVE:
            figures[code] = before[kid.path][code] + grown[code]
        figures[RESIDENTS] = residents[kid.path]
        result[kid.path] = figures
    return result


def _children_figures(
    node: Jurisdiction,
    kids: list[Jurisdiction],
    day: dt.date,
    now: dt.datetime,
    changes: Changes,
    since: dt.date | None = None,
) -> dict:
    """{child path: figures} of the day: stepped from the latest day before it whose figures are kept
    for every child, or from the day before (or before `since`) counted for all the children at once;
    the closed days counted are kept."""
    sums = _seen(day)
    paths = {kid.pk: kid.path for kid in kids}

    residents: dict[dt.date, dict[str, dict]] = {}  # of the days not kept, the children's valid counts

    def complete(first: dt.date) -> dict[dt.date, dict[str, dict]]:
        """The days from `first` kept and valid for every child (and `residents`, the days whose
        residents' counts are still valid for every child)."""
        kept: dict[dt.date, dict[str, dict]] = {}
        counts: dict[dt.date, dict[str, dict]] = {}
        for row in KeptFigures.objects.filter(node__in=kids, day__gte=first, day__lte=day):
            records_fresh, residents_fresh = _fresh(row, sums, now)
            if records_fresh and residents_fresh:
                kept.setdefault(row.day, {})[paths[row.node_id]] = row.figures
            if residents_fresh:
                counts.setdefault(row.day, {})[paths[row.node_id]] = row.figures[RESIDENTS]
        whole = {kept_day: rows for kept_day, rows in kept.items() if len(rows) == len(kids)}
        residents.update(
            (counted_day, rows)
            for counted_day, rows in counts.items()
            if len(rows) == len(kids) and counted_day not in whole
        )
        return whole

    # Usually the day before is kept: look further back only if not.
    kept = complete(day - dt.timedelta(days=1))
    if not kept:
        kept = complete(day - dt.timedelta(days=LOOK_BACK))
    if day in kept:
        return kept[day]
    counted: dict[dt.date, dict[str, dict]] = {}
    base = max((kept_day for kept_day in kept if kept_day < day), default=None)
    if base is None:
        base = (since or day) - dt.timedelta(days=1)
        counted[base] = {
            kid.path: figures for kid, figures in compute_children(node, base, codes=FIGURES, now=now).items()
        }
        counts = residents.get(base) or population.counts_by_child(Scope(node=node, day=base, now=now))
        for path, figures in counted[base].items():
            figures[RESIDENTS] = counts[path]
    before = counted.get(base) or kept[base]
    for n in range(1, (day - base).days + 1):
        stepped = base + dt.timedelta(days=n)
        before = counted[stepped] = _step_children(
            node, before, stepped, now, residents.get(stepped), changes, sums
        )
    by_pk = {path: pk for pk, path in paths.items()}
    _keep(
        {
            (by_pk[path], counted_day): figures
            for counted_day, rows in counted.items()
            for path, figures in rows.items()
        },
        sums,
        now,
    )
    return counted[day]


def children(
    node: Jurisdiction,
    day: dt.date,
    *,
    codes: list[str],
    now: dt.datetime | None = None,
    changes: Changes | None = None,
) -> dict[Jurisdiction, dict]:
    """compute_children(node, day, codes=codes) (daily figures): the CODES from the children's figures
    of the day, the others by compute_children. `changes`: as for figures()."""
    now = now or timezone.now()
    kids = list(Jurisdiction.objects.filter(parent=node).order_by("path"))
    ours = [code for code in codes if code in CODES]
    others = [code for code in codes if code not in CODES]
    result = compute_children(node, day, codes=others, now=now) if others else {kid: {} for kid in kids}
    if not ours or not kids:
        return result
    figures = _children_figures(node, kids, day, now, changes or Changes())
    result = {kid: {**values(figures[kid.path]), **computed} for kid, computed in result.items()}
    return {kid: {code: kid_values[code] for code in codes} for kid, kid_values in result.items()}


# The scheduled job ------------------------------------------------------------------------------------
# Down to the townships: a village's or a grid's dashboard counts its few records quickly, and keeps its
# days itself when opened.
KEPT_LEVELS = [Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP]


def keep_closed_days(*, now: dt.datetime | None = None, days: int = trends.DAYS) -> dict[str, int]:
    """Count and keep what is missing or stale of the last `days` closed days of every node down to the
    townships and of their children (the dashboard's children table): after a night, or after the
    morning's late entries for yesterday, the first dashboard opened reads kept figures, and a day
    made stale is stepped from the day before it."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    last = today - dt.timedelta(days=1)
    if not closed(last, now):
        last -= dt.timedelta(days=1)
    span = [last - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]
    nodes = 0
    for node in Jurisdiction.objects.filter(level__in=KEPT_LEVELS).order_by("path"):
        changes = Changes()
        figures(node, span, now=now, changes=changes)
        kids = list(Jurisdiction.objects.filter(parent=node).order_by("path"))
        if kids:
            _children_figures(node, kids, last, now, changes, since=span[0])
        nodes += 1
    # Older rows are never stepped from (LOOK_BACK) nor shown.
    KeptFigures.objects.filter(day__lt=span[0] - dt.timedelta(days=LOOK_BACK)).delete()
    return {"nodes": nodes, "days": len(span), "rows_kept": KeptFigures.objects.filter(kept_at=now).count()}
