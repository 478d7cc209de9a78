"""The goods trace of a positive sample: a lot split three levels down (warehouse → township → village →
grid store and buyers), sealed whole, every part listed with its level, every worker who was at a store
while the goods were there (and no one else) put on the test list."""

import datetime as dt
from collections import deque
from decimal import Decimal

import pytest

from fangkong.coldchain import actions, queries
from fangkong.coldchain.models import Holding, Lot, Movement, TraceTest
from fangkong.lib.errors import RuleError
from fangkong.testing import queries as testing_queries
from fangkong.testing.models import KeyGroupMember

from .conftest import DAY, clear_warehouse, documents


def _walk(lot):
    """An independent route: breadth-first over the lot's movements in Python."""
    levels = {}
    queue = deque((m, 1) for m in Movement.objects.filter(lot=lot, source=None))
    while queue:
        m, level = queue.popleft()
        if m.pk in levels and levels[m.pk] <= level:
            continue
        levels[m.pk] = level
        for nxt in Movement.objects.filter(lot=lot, source_id=m.target_id):
            queue.append((nxt, level + 1))
    return levels


@pytest.fixture
def split(world, cold, people):
    """1000 kg in; 600 to the township, 200 to the village, 80 to the grid store, and sales on the way."""
    admin = world.county_admin
    documents(admin, cold.lot)
    actions.release_lot(actor=admin, lot=cold.lot)
    clear_warehouse(admin, cold)
    d = lambda n: DAY + dt.timedelta(days=n)  # noqa: E731
    actions.move(
        actor=admin,
        lot=cold.lot,
        source=cold.warehouse,
        target=cold.township,
        quantity=600,
        on=d(1),
        exit_certificate="CC-1",
    )
    actions.move(
        actor=admin, lot=cold.lot, source=cold.warehouse, buyer="县第一中学食堂", quantity=100, on=d(1)
    )
    actions.move(actor=admin, lot=cold.lot, source=cold.township, target=cold.village, quantity=200, on=d(2))
    actions.move(actor=admin, lot=cold.lot, source=cold.township, buyer="梁水镇饭店", quantity=400, on=d(3))
    actions.move(actor=admin, lot=cold.lot, source=cold.village, target=cold.grid, quantity=80, on=d(4))
    actions.move(actor=admin, lot=cold.lot, source=cold.grid, buyer="七网格居民王某", quantity=5, on=d(5))
    # Workers: zhang at the village store the whole time; li at the grid store, but left before the goods
    # came; wang at the township store from d(2).
    actions.add_worker(
        actor=admin, store=cold.village, person=people["zhang"], since=DAY - dt.timedelta(days=30)
    )
    li = actions.add_worker(
        actor=admin, store=cold.grid, person=people["li"], since=DAY - dt.timedelta(days=30)
    )
    actions.end_worker(actor=admin, worker=li, until=d(3))
    actions.add_worker(actor=admin, store=cold.township, person=people["wang"], since=d(2))
    return d


def test_the_trace_of_a_lot_split_three_levels_down(world, cold, people, split):
    t = queries.trace(cold.lot, today=split(6))
    assert (
        t.levels == 5
    )  # arrival, then out of the warehouse, the township, the village, the grid store (a sale)
    by_store = {s.store.name: s for s in t.stores}
    assert [(s.store.name, s.level) for s in t.stores] == [
        ("东昌府区进口冷链食品集中监管仓", 1),
        ("梁水镇冷库", 2),
        ("前屯冷库", 3),
        ("七网格冻品店冷柜", 4),
    ]
    assert by_store["梁水镇冷库"].came_in == 600 and by_store["梁水镇冷库"].balance == 0
    assert by_store["前屯冷库"].balance == 120
    assert by_store["七网格冻品店冷柜"].balance == 75
    assert [b.buyer for b in t.buyers] == ["县第一中学食堂", "梁水镇饭店", "七网格居民王某"]
    # Recount: the recursive query's levels equal a walk in Python, and quantity is conserved.
    assert {m.pk: level for level, m in t.movements} == _walk(cold.lot)
    held = sum(Holding.objects.filter(lot=cold.lot).values_list("quantity", flat=True), Decimal(0))
    assert held + t.sold == cold.lot.quantity == 1000
    assert held == sum((s.balance for s in t.stores), Decimal(0))


def test_a_positive_sample_seals_the_lot_and_lists_the_workers_who_handled_it(world, cold, people, split):
    admin = world.county_admin
    sample = actions.record_sample(
        actor=admin, store=cold.grid, kind="packaging", code="P-1", sampled_on=split(5), lot=cold.lot
    )
    actions.record_result(actor=admin, sample=sample, result="positive", result_on=split(6))
    lot = Lot.objects.get(pk=cold.lot.pk)
    assert lot.sealed and lot.sealed_by == sample
    # Every part is sealed: no store may move any of it.
    with pytest.raises(RuleError) as refused:
        actions.move(actor=admin, lot=lot, source=cold.village, target=cold.grid, quantity=1, on=split(6))
    assert "封存" in refused.value.errors["lot"]
    # zhang (village, always there) and wang (township, from d(2), when the goods were there) handled it;
    # li left the grid store on d(3), before the goods came on d(4).
    owed = {t.person.name for t in TraceTest.objects.filter(sample=sample)}
    assert owed == {"张伟", "王芳"}
    assert (
        set(KeyGroupMember.objects.filter(group="cold_chain").values_list("person__name", flat=True)) >= owed
    )
    schedule = testing_queries.schedule(admin, today=split(6))
    traced = [r for r in schedule.rows if "P-1" in r.why]
    assert {r.person.name for r in traced} == {"张伟", "王芳"}


def test_an_out_larger_than_the_balance_is_refused(world, cold, split):
    with pytest.raises(RuleError) as refused:
        actions.move(
            actor=world.county_admin,
            lot=cold.lot,
            source=cold.village,
            target=cold.grid,
            quantity=121,
            on=split(6),
        )
    assert (
        refused.value.errors["quantity"] == "超出结存：前屯冷库现有批次EC20261101共120千克，不能出货121千克"
    )
    assert Holding.objects.get(store=cold.village, lot=cold.lot).quantity == 120


def test_an_environment_sample_seals_the_lots_its_store_holds(world, cold, split):
    admin = world.county_admin
    sample = actions.record_sample(
        actor=admin, store=cold.village, kind="environment", code="E-1", sampled_on=split(6)
    )
    actions.record_result(actor=admin, sample=sample, result="positive", result_on=split(6))
    assert Lot.objects.get(pk=cold.lot.pk).sealed_by == sample
