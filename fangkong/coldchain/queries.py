"""Reads of the cold chain, scoped through grid.scoping: a user sees the stores of their subtree, the lots
registered there or held at one of those stores, and the samples taken at those stores.

The goods trace (trace): from the lot's arrival, the movements out of each store it reached, level by
level: a recursive query over the lot's movements (indexes coldchain_mv_lot_source / _lot_target), the same
text on SQLite and PostgreSQL, through lib/hot_sql (prepared on PostgreSQL). Its answer is checked against
a walk in Python (tests/test_trace.py)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from fangkong.grid import scoping
from fangkong.lib import hot_sql
from fangkong.measures.models import TestResult
from fangkong.measures.rules import SHANGHAI
from fangkong.policy.queries import policy_for
from fangkong.testing import rules as testing_rules
from fangkong.testing.models import KeyGroup
from fangkong.vaccination.models import Dose

from . import rules
from .models import ColdStore, Holding, Lot, Movement, Sample, SampleKind, TraceTest, Worker

ZERO = Decimal("0")
MAX_LEVELS = 50  # a lot moved back and forth between stores stops here


# Stores, lots, samples --------------------------------------------------------------------------------------


def stores_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[ColdStore]:
    return scoping.visible_to(
        user, ColdStore.objects.select_related("node", "unit"), path_field="node__path", capability=capability
    )


def access_store(user, pk, *, write: bool = False) -> ColdStore:
    return scoping.access(
        user, ColdStore.objects.select_related("node", "unit"), pk, path_field="node__path", write=write
    )


def lots_visible_to(user) -> QuerySet[Lot]:
    here = scoping.subtree_filter(user, scoping.VIEW, "node__path")
    if here is None:
        return Lot.objects.none()
    held = scoping.subtree_filter(user, scoping.VIEW, "store__node__path")
    return Lot.objects.filter(here | Exists(Holding.objects.filter(held, lot=OuterRef("pk")))).select_related(
        "node"
    )


def access_lot(user, pk) -> Lot:
    from django.http import Http404

    try:
        return lots_visible_to(user).get(pk=pk)
    except (Lot.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def samples_visible_to(user) -> QuerySet[Sample]:
    return scoping.visible_to(
        user, Sample.objects.select_related("store__node", "lot"), path_field="store__node__path"
    )


def access_sample(user, pk, *, write: bool = False) -> Sample:
    return scoping.access(
        user,
        Sample.objects.select_related("store__node", "lot"),
        pk,
        path_field="store__node__path",
        write=write,
    )


def movements_visible_to(user) -> QuerySet[Movement]:
    source = scoping.subtree_filter(user, scoping.VIEW, "source__node__path")
    if source is None:
        return Movement.objects.none()
    target = scoping.subtree_filter(user, scoping.VIEW, "target__node__path")
    return Movement.objects.filter(source | target).select_related("lot", "source", "target")


def holdings_of(store: ColdStore) -> QuerySet[Holding]:
    return (
        store.holdings.filter(quantity__gt=0)
        .select_related("lot")
        .order_by("-lot__received_on", "lot__number")
    )


def daily_in_out(store: ColdStore, *, since: dt.date, until: dt.date) -> list[dict]:
    """Daily in and out of each lot at the store (进出货台账): [{on, lot, in, out}], newest first."""
    rows: dict[tuple, dict] = {}
    ins = (
        Movement.objects.filter(target=store, on__range=(since, until))
        .values("on", "lot")
        .annotate(q=Sum("quantity"))
    )
    outs = (
        Movement.objects.filter(source=store, on__range=(since, until))
        .values("on", "lot")
        .annotate(q=Sum("quantity"))
    )
    for column, found in (("in", ins), ("out", outs)):
        for r in found:
            row = rows.setdefault(
                (r["on"], r["lot"]), {"on": r["on"], "lot": r["lot"], "in": ZERO, "out": ZERO}
            )
            row[column] = r["q"]
    lots = Lot.objects.in_bulk({key[1] for key in rows})
    for row in rows.values():
        row["lot"] = lots[row["lot"]]
    return sorted(rows.values(), key=lambda r: (r["on"], r["lot"].number), reverse=True)


# The goods trace --------------------------------------------------------------------------------------------

TRACE_SQL = f"""
WITH RECURSIVE steps(id, target_id, level) AS (
    SELECT id, target_id, 1 FROM coldchain_movement WHERE lot_id = %s AND source_id IS NULL
    UNION
    SELECT m.id, m.target_id, s.level + 1
    FROM steps s JOIN coldchain_movement m ON m.lot_id = %s AND m.source_id = s.target_id
    WHERE s.level < {MAX_LEVELS}
)
SELECT id, MIN(level) FROM steps GROUP BY id
"""


def trace_levels(lot_id: int) -> dict[int, int]:
    """movement id → its level (1: the lot's arrival; 2: out of the first store; …) for every movement
    reachable from the lot's arrival."""
    return dict(hot_sql.fetch(TRACE_SQL, [lot_id, lot_id]))


@dataclass
class StoreStep:
    store: ColdStore
    level: int
    came_in: Decimal = ZERO
    went_out: Decimal = ZERO
    first_in: dt.date | None = None
    last_out: dt.date | None = None
    balance: Decimal = ZERO
    workers: list = field(default_factory=list)

    @property
    def window(self) -> tuple[dt.date, dt.date | None]:
        """The goods were at the store from the first day in to the last day out once nothing is left,
        else to this day (None: still there)."""
        return self.first_in, (self.last_out if self.balance <= 0 else None)


@dataclass
class Trace:
    lot: Lot
    today: dt.date
    movements: list = field(default_factory=list)  # (level, movement), by level then date
    stores: list = field(default_factory=list)  # StoreStep, by level
    buyers: list = field(default_factory=list)  # movements to a buyer

    @property
    def levels(self) -> int:
        return max((level for level, _ in self.movements), default=0)

    @property
    def sold(self) -> Decimal:
        return sum((m.quantity for m in self.buyers), ZERO)


def trace(lot: Lot, *, today: dt.date | None = None, with_workers: bool = True) -> Trace:
    """Everywhere the lot's parts went: every store (level, quantities, dates, what it still holds) and
    every buyer, and the workers of each store while the goods were there."""
    from django.utils import timezone

    out = Trace(lot=lot, today=today or timezone.localdate())
    levels = trace_levels(lot.pk)
    movements = list(Movement.objects.filter(pk__in=list(levels)).order_by())
    # The few stores of the trace once each (not joined to every movement).
    ids = ({m.source_id for m in movements} | {m.target_id for m in movements}) - {None}
    stores = ColdStore.objects.select_related("node").in_bulk(ids)
    steps: dict[int, StoreStep] = {}
    for m in movements:
        m.lot = lot
        m.source = stores.get(m.source_id)
        m.target = stores.get(m.target_id)
        level = levels[m.pk]
        out.movements.append((level, m))
        if m.target_id is not None:
            step = steps.setdefault(m.target_id, StoreStep(store=m.target, level=level))
            step.level = min(step.level, level)
            step.came_in += m.quantity
            step.first_in = m.on if step.first_in is None else min(step.first_in, m.on)
        else:
            out.buyers.append(m)
        if m.source_id is not None:
            step = steps.setdefault(m.source_id, StoreStep(store=m.source, level=level - 1))
            step.went_out += m.quantity
            step.last_out = m.on if step.last_out is None else max(step.last_out, m.on)
    for step in steps.values():
        step.balance = step.came_in - step.went_out
    out.movements.sort(key=lambda pair: (pair[0], pair[1].on, pair[1].pk))
    out.stores = sorted(steps.values(), key=lambda s: (s.level, s.store.name))
    out.buyers.sort(key=lambda m: (m.on, m.pk))
    if with_workers:
        _attach_workers(out)
    return out


def _attach_workers(out: Trace) -> None:
    by_store = {step.store.pk: step for step in out.stores}
    workers = (
        Worker.objects.filter(store_id__in=list(by_store))
        .select_related("person")
        .only("store_id", "person_id", "role", "since", "until", "person__name", "person__node_id")
        .order_by()
    )
    for worker in workers:
        step = by_store[worker.store_id]
        worker.store = step.store
        start, end = step.window
        if start is None:
            continue
        if rules.overlaps(since=worker.since, until=worker.until, start=start, end=end or out.today):
            step.workers.append(worker)
    for step in out.stores:
        step.workers.sort(key=lambda w: (w.person.name, w.pk))


def workers_of_trace(traces: list[Trace]) -> list[Worker]:
    seen, found = set(), []
    for t in traces:
        for step in t.stores:
            for w in step.workers:
                if w.person_id not in seen:
                    seen.add(w.person_id)
                    found.append(w)
    return found


def lots_of_sample(sample: Sample) -> list[Lot]:
    """The lots a positive sample seals: its own, else (environment, sewage) the lots the store held."""
    if sample.lot_id is not None:
        return [sample.lot]
    return list(Lot.objects.filter(holdings__store=sample.store, holdings__quantity__gt=0).order_by("pk"))


def trace_of_sample(sample: Sample, *, today: dt.date | None = None) -> list[Trace]:
    return [trace(lot, today=today) for lot in lots_of_sample(sample)]


# Workers' tests and vaccinations ----------------------------------------------------------------------------


@dataclass
class WorkerHealth:
    worker: Worker
    last_test: dt.date | None
    last_outcome: str
    next_due: dt.date
    overdue: bool
    doses: int
    last_dose: dt.date | None


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def worker_health(workers: list[Worker], *, today: dt.date) -> list[WorkerHealth]:
    """Each worker's last test (testing's TestResult of the registry person), the next one due at the
    cold-chain key group's frequency (the policy's), overdue when past; and their vaccine doses."""
    persons = {w.person_id for w in workers}
    tests: dict[int, tuple[dt.date, str]] = {}
    for person_id, at, outcome in (
        TestResult.objects.filter(person_id__in=persons)
        .order_by("sampled_at")
        .values_list("person_id", "sampled_at", "outcome")
    ):
        tests[person_id] = (local_date(at), outcome)
    doses: dict[int, list[dt.date]] = defaultdict(list)
    for person_id, given_on in Dose.objects.filter(person_id__in=persons).values_list(
        "person_id", "given_on"
    ):
        doses[person_id].append(given_on)
    every_by_node: dict[int, int] = {}
    out = []
    for w in workers:
        node = w.person.node
        if node.pk not in every_by_node:
            days = testing_rules.key_group_days(policy_for(node, today).values)
            every_by_node[node.pk] = int(days.get(KeyGroup.COLD_CHAIN, 7))
        last, outcome = tests.get(w.person_id, (None, ""))
        due = testing_rules.key_group_next(last_tested=last, since=w.since, every=every_by_node[node.pk])
        given = sorted(doses.get(w.person_id, []))
        out.append(
            WorkerHealth(
                worker=w,
                last_test=last,
                last_outcome=outcome,
                next_due=due,
                overdue=w.until is None and due < today,
                doses=len(given),
                last_dose=given[-1] if given else None,
            )
        )
    return out


def trace_tests_due(*, user, today: dt.date, node=None) -> list[tuple]:
    """For testing's schedule (testing/sources.py): workers of a trace with no test sampled since it was
    asked, that the user may see."""
    rows = scoping.visible_to(
        user, TraceTest.objects.filter(requested_on__lte=today), path_field="person__node__path"
    ).select_related("person__node", "sample", "store")
    if node is not None:
        rows = rows.filter(person__node__path__startswith=node.path)
    rows = list(rows)
    if not rows:
        return []
    tested: dict[int, dt.date] = {}
    for person_id, at in TestResult.objects.filter(person_id__in={r.person_id for r in rows}).values_list(
        "person_id", "sampled_at"
    ):
        day = local_date(at)
        tested[person_id] = max(day, tested.get(person_id, day))
    due = []
    for r in rows:
        if tested.get(r.person_id, dt.date.min) < r.requested_on:
            due.append((r.person, f"冷链阳性样本{r.sample.code}追溯（{r.store.name}）", r.requested_on))
    return due


def samples_filter(rows: QuerySet[Sample], *, result: str = "", kind: str = "") -> QuerySet[Sample]:
    if result:
        rows = rows.filter(result=result)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


GOODS_KINDS = (SampleKind.GOODS, SampleKind.PACKAGING)
POSITIVE_ANY = Q(result="positive")
