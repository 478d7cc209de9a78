"""Receipts, issues, transfers and stock-takes through the actions, balances checked by a plain recount."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.audit.models import AuditEvent
from fangkong.lib.errors import RuleError
from fangkong.supplies import actions, queries
from fangkong.supplies.models import Movement, MovementKind, Stock, SupplySource


def today():
    return timezone.localdate()


def test_receipts_and_an_issue_to_a_school(world, supplies):
    admin, s = world.county_admin, supplies
    day = today() - dt.timedelta(days=3)
    actions.receive(
        actor=admin, store=s.reserve, item=s.masks, quantity=5000, on=day, source=SupplySource.ALLOCATED
    )
    actions.receive(
        actor=admin,
        store=s.reserve,
        item=s.masks,
        quantity=2000,
        on=day,
        source=SupplySource.DONATED,
        donor="梁水商会",
    )
    out = actions.issue(
        actor=admin,
        store=s.reserve,
        item=s.masks,
        quantity=1200,
        on=day + dt.timedelta(days=1),
        recipient_unit=s.school,
        receiver="王老师",
        approver="刘局长",
    )
    assert out[0].recipient == "前屯小学" and out[0].quantity == D(-1200)
    assert Stock.objects.get(store=s.reserve, item=s.masks).quantity == D(5800)
    held = queries.balances(queries.in_subtree(world.county.path), day)
    assert held[(s.reserve.pk, s.masks.pk)] == D(7000)  # before the issue
    assert queries.balances(queries.in_subtree(world.county.path), today())[(s.reserve.pk, s.masks.pk)] == D(
        5800
    )
    assert AuditEvent.objects.filter(target_type="Movement").count() == 3


def test_an_issue_larger_than_the_stock_is_refused(world, supplies):
    admin, s = world.county_admin, supplies
    actions.receive(
        actor=admin, store=s.village, item=s.n95, quantity=100, on=today(), source=SupplySource.BOUGHT
    )
    with pytest.raises(RuleError, match="库存不足") as refused:
        actions.issue(
            actor=admin,
            store=s.village,
            item=s.n95,
            quantity=101,
            on=today(),
            recipient="村卫生室",
            approver="村支书",
        )
    assert "现有N95口罩100只" in str(refused.value)
    assert Stock.objects.get(store=s.village, item=s.n95).quantity == D(100)
    assert Movement.objects.filter(kind=MovementKind.ISSUE).count() == 0


def test_a_back_dated_issue_may_not_empty_an_earlier_day(world, supplies):
    admin, s = world.county_admin, supplies
    d = today() - dt.timedelta(days=5)
    actions.receive(actor=admin, store=s.village, item=s.n95, quantity=100, on=d, source=SupplySource.BOUGHT)
    actions.issue(
        actor=admin,
        store=s.village,
        item=s.n95,
        quantity=80,
        on=d + dt.timedelta(days=2),
        recipient="a",
        approver="b",
    )
    actions.receive(
        actor=admin,
        store=s.village,
        item=s.n95,
        quantity=500,
        on=d + dt.timedelta(days=3),
        source=SupplySource.BOUGHT,
    )
    # 520 in stock now, but on day 2 only 20 were left: an issue of 50 dated day 1 would make day 2 −30.
    with pytest.raises(RuleError, match="及以后各日的结存"):
        actions.issue(
            actor=admin,
            store=s.village,
            item=s.n95,
            quantity=50,
            on=d + dt.timedelta(days=1),
            recipient="a",
            approver="b",
        )
    actions.issue(
        actor=admin,
        store=s.village,
        item=s.n95,
        quantity=20,
        on=d + dt.timedelta(days=1),
        recipient="a",
        approver="b",
    )


def test_an_issue_needs_an_approver_and_a_recipient(world, supplies):
    admin, s = world.county_admin, supplies
    actions.receive(
        actor=admin, store=s.village, item=s.n95, quantity=10, on=today(), source=SupplySource.BOUGHT
    )
    with pytest.raises(RuleError) as refused:
        actions.issue(actor=admin, store=s.village, item=s.n95, quantity=1, on=today(), approver="")
    assert set(refused.value.errors) == {"approver", "recipient"}


def test_a_donation_needs_its_donor(world, supplies):
    with pytest.raises(RuleError, match="捐赠方"):
        actions.receive(
            actor=world.county_admin,
            store=supplies.reserve,
            item=supplies.masks,
            quantity=1,
            on=today(),
            source=SupplySource.DONATED,
        )


def test_only_ones_own_stores(world, supplies):
    with pytest.raises(RuleError):
        actions.receive(
            actor=world.grid08_worker,
            store=supplies.reserve,
            item=supplies.masks,
            quantity=1,
            on=today(),
            source=SupplySource.BOUGHT,
        )


def test_transfers_move_the_batches_first_expiry_first(world, supplies):
    admin, s = world.county_admin, supplies
    d = today() - dt.timedelta(days=2)
    actions.receive(
        actor=admin,
        store=s.reserve,
        item=s.masks,
        quantity=300,
        on=d,
        source=SupplySource.ALLOCATED,
        batch_number="B-LATE",
        expires_on=dt.date(2030, 1, 1),
    )
    actions.receive(
        actor=admin,
        store=s.reserve,
        item=s.masks,
        quantity=200,
        on=d,
        source=SupplySource.ALLOCATED,
        batch_number="B-EARLY",
        expires_on=today() + dt.timedelta(days=10),
    )
    moved = actions.transfer(
        actor=admin, source=s.reserve, target=s.township, item=s.masks, quantity=250, on=today()
    )
    assert [(m.kind, m.batch.number, m.quantity) for m in moved] == [
        (MovementKind.TRANSFER_OUT, "B-EARLY", D(-200)),
        (MovementKind.TRANSFER_IN, "B-EARLY", D(200)),
        (MovementKind.TRANSFER_OUT, "B-LATE", D(-50)),
        (MovementKind.TRANSFER_IN, "B-LATE", D(50)),
    ]
    stores = queries.stores_visible_to(admin)
    near = queries.expiring(stores, today(), warning_days=30)
    assert [(e.store.name, e.batch.number, e.quantity) for e in near] == [("梁水镇物资点", "B-EARLY", D(200))]
    with pytest.raises(RuleError, match="库存不足"):
        actions.transfer(
            actor=admin, source=s.reserve, target=s.township, item=s.masks, quantity=251, on=today()
        )


def test_a_stocktake_records_the_difference(world, supplies):
    admin, s = world.county_admin, supplies
    actions.receive(
        actor=admin, store=s.village, item=s.suits, quantity=60, on=today(), source=SupplySource.BOUGHT
    )
    diff = actions.stocktake(
        actor=admin, store=s.village, item=s.suits, counted=57, on=today(), note="破损3套"
    )
    assert diff.quantity == D(-3) and diff.counted == D(57)
    assert actions.stocktake(actor=admin, store=s.village, item=s.suits, counted=57, on=today()) is None
    assert Stock.objects.get(store=s.village, item=s.suits).quantity == D(57)


def test_days_of_supply_and_low_stock(world, supplies):
    admin, s = world.county_admin, supplies
    d = today() - dt.timedelta(days=10)
    actions.receive(
        actor=admin, store=s.reserve, item=s.masks, quantity=2000, on=d, source=SupplySource.ALLOCATED
    )
    for back in range(7):  # 100 a day over the last seven days; one older issue does not count
        actions.issue(
            actor=admin,
            store=s.reserve,
            item=s.masks,
            quantity=100,
            on=today() - dt.timedelta(days=back),
            recipient="x",
            approver="y",
        )
    actions.issue(actor=admin, store=s.reserve, item=s.masks, quantity=500, on=d, recipient="x", approver="y")
    lines = queries.stock_lines(queries.stores_visible_to(admin), today(), use_days=7)
    (line,) = lines
    assert line.balance == D(800) and line.used == D(700) and line.days_of_supply == D("8.0")
    assert line.low  # 800 < 1000


# ── the arithmetic against a plain recount, on random sequences ───────────────────────────────────────

operation = st.tuples(
    st.sampled_from(["receive", "issue", "transfer", "stocktake"]),
    st.integers(0, 2),  # store
    st.integers(0, 1),  # item
    st.integers(1, 400),  # quantity (or count)
    st.integers(-1, 9),  # days back (-1: tomorrow, as the actions allow)
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=1, max_size=25))
def test_balances_match_a_plain_recount(world, supplies, ops):
    admin, s = world.county_admin, supplies
    Movement.objects.all().delete()
    Stock.objects.all().delete()
    stores, items = [s.reserve, s.township, s.village], [s.masks, s.n95]
    book: list[tuple[int, int, dt.date, int]] = []  # (store, item, day, signed quantity) as we expect them

    def balance(store, item, until=None):
        return sum(
            q for st_, it, d, q in book if st_ == store and it == item and (until is None or d <= until)
        )

    def lowest_from(store, item, day, change):
        days = sorted({d for st_, it, d, _ in book if st_ == store and it == item and d >= day} | {day})
        return min(balance(store, item, d) + change for d in days)

    for kind, si, ii, q, back in ops:
        day = today() - dt.timedelta(days=back)
        store, item = stores[si], items[ii]
        if kind == "receive":
            actions.receive(
                actor=admin, store=store, item=item, quantity=q, on=day, source=SupplySource.BOUGHT
            )
            book.append((si, ii, day, q))
        elif kind == "issue":
            ok = lowest_from(si, ii, day, -q) >= 0
            try:
                actions.issue(
                    actor=admin, store=store, item=item, quantity=q, on=day, recipient="单位", approver="审批"
                )
            except RuleError:
                assert not ok
            else:
                assert ok
                book.append((si, ii, day, -q))
        elif kind == "transfer":
            ti = (si + 1) % 3
            ok = lowest_from(si, ii, day, -q) >= 0
            try:
                actions.transfer(actor=admin, source=store, target=stores[ti], item=item, quantity=q, on=day)
            except RuleError:
                assert not ok
            else:
                assert ok
                book += [(si, ii, day, -q), (ti, ii, day, q)]
        else:
            counted = q // 2
            change = counted - balance(si, ii, day)
            ok = change >= 0 or lowest_from(si, ii, day, change) >= 0
            try:
                actions.stocktake(actor=admin, store=store, item=item, counted=counted, on=day)
            except RuleError:
                assert not ok
            else:
                assert ok
                if change:
                    book.append((si, ii, day, change))
    where = queries.in_subtree(world.county.path)
    for back in range(10):
        day = today() - dt.timedelta(days=back)
        held = queries.balances(where, day)
        for si in range(3):
            for ii in range(2):
                expected = balance(si, ii, day)
                assert held.get((stores[si].pk, items[ii].pk), D(0)) == expected
                assert expected >= 0
    for stock in Stock.objects.all():
        assert stock.quantity == balance(stores.index(stock.store), items.index(stock.item))
        mine = [d for st_, it, d, _ in book if (stores[st_], items[it]) == (stock.store, stock.item)]
        assert stock.since == (min(mine) if mine else None)
    # The area's page, from the kept balances, says what the sums of movements say, on every day.
    visible = queries.stores_visible_to(admin)
    for back in range(-2, 11):
        day = today() - dt.timedelta(days=back)
        for node in (world.county, world.township):
            area_stores = visible.filter(node__path__startswith=node.path)
            lines = queries.stock_lines(area_stores, day, use_days=7)
            area = queries.area_stock(area_stores, day, use_days=7)
            assert area.totals == queries.item_totals(lines, 7)
            low = sorted((ln for ln in lines if ln.low), key=lambda ln: ln.balance / ln.item.threshold)
            assert area.low == low and area.low_count == len(low)
            shown = queries.area_stock(area_stores, day, use_days=7, shown=2)
            assert shown.low == low[:2] and shown.low_count == len(low) and shown.totals == area.totals
