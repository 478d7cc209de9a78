"""Two movements out of the same store and lot that race never take more than the lot's balance there: on
PostgreSQL the second waits on the row lock of the first (SELECT … FOR UPDATE on coldchain.Holding) and
then sees what the first left. Real concurrent transactions, each on its own connection; PostgreSQL only
(on SQLite one writer at a time serialises them anyway)."""

import threading
import time
from decimal import Decimal as D

import pytest
from django.db import connection, connections, transaction

from fangkong.coldchain import actions
from fangkong.coldchain.models import Holding, Movement
from fangkong.lib.errors import RuleError

from .conftest import DAY, clear_warehouse, documents

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL"),
]


def _move(actor, lot, source, target, quantity, outcome: list, *, hold: float = 0.0, started=None):
    try:
        with transaction.atomic():
            actions.move(actor=actor, lot=lot, source=source, target=target, quantity=quantity, on=DAY)
            if started is not None:
                started.set()
            time.sleep(hold)
        outcome.append("moved")
    except RuleError as exc:
        outcome.append(str(exc))
    finally:
        connections.close_all()


@pytest.fixture
def at_township(world, cold):
    admin = world.county_admin
    documents(admin, cold.lot)
    actions.release_lot(actor=admin, lot=cold.lot)
    clear_warehouse(admin, cold)
    actions.move(
        actor=admin,
        lot=cold.lot,
        source=cold.warehouse,
        target=cold.township,
        quantity=100,
        on=DAY,
        exit_certificate="C",
    )
    return cold


def test_the_second_of_two_racing_moves_waits_and_is_refused(world, at_township):
    c, admin = at_township, world.county_admin
    first, second = [], []
    holding = threading.Event()
    a = threading.Thread(
        target=_move,
        args=(admin, c.lot, c.township, c.village, 70, first),
        kwargs={"hold": 1.0, "started": holding},
    )
    a.start()
    assert holding.wait(10)
    began = time.monotonic()
    b = threading.Thread(target=_move, args=(admin, c.lot, c.township, c.grid, 70, second))
    b.start()
    a.join(20)
    b.join(20)
    assert first == ["moved"]
    assert len(second) == 1 and "超出结存" in second[0] and "共30千克" in second[0]
    assert time.monotonic() - began > 0.5
    assert Holding.objects.get(store=c.township, lot=c.lot).quantity == D(30)


def test_many_racing_moves_take_exactly_the_balance(world, at_township):
    c, admin = at_township, world.county_admin
    outcomes: list = []
    gate = threading.Barrier(8)

    def run(n):
        gate.wait()
        _move(admin, c.lot, c.township, c.village if n % 2 else c.grid, 30, outcomes)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcomes.count("moved") == 3
    assert Holding.objects.get(store=c.township, lot=c.lot).quantity == D(10)
    assert Movement.objects.filter(source=c.township).count() == 3
