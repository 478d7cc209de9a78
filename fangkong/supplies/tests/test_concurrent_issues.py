"""Two issues of the same store and item that race never drive the balance below zero: on PostgreSQL the
second waits on the row lock of the first (SELECT … FOR UPDATE on supplies.Stock) and then sees what the
first left. Real concurrent transactions, each on its own connection; PostgreSQL only (on SQLite one
writer at a time serialises them anyway)."""

import threading
import time
from decimal import Decimal as D

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from fangkong.lib.errors import RuleError
from fangkong.supplies import actions
from fangkong.supplies.models import Movement, MovementKind, Stock, SupplySource

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL"),
]


def _issue(actor, store, item, quantity, outcome: list, *, hold: float = 0.0, started=None):
    try:
        with transaction.atomic():
            actions.issue(
                actor=actor,
                store=store,
                item=item,
                quantity=quantity,
                on=timezone.localdate(),
                recipient="前屯小学",
                approver="刘局长",
            )
            if started is not None:
                started.set()
            time.sleep(hold)  # keep the lock while the other issue starts
        outcome.append("issued")
    except RuleError as exc:
        outcome.append(str(exc))
    finally:
        connections.close_all()


def test_the_second_of_two_racing_issues_waits_and_is_refused(world, supplies):
    admin, s = world.county_admin, supplies
    actions.receive(
        actor=admin,
        store=s.village,
        item=s.masks,
        quantity=100,
        on=timezone.localdate(),
        source=SupplySource.BOUGHT,
    )
    first, second = [], []
    holding = threading.Event()
    a = threading.Thread(
        target=_issue, args=(admin, s.village, s.masks, 70, first), kwargs={"hold": 1.0, "started": holding}
    )
    a.start()
    assert holding.wait(10)
    began = time.monotonic()
    b = threading.Thread(target=_issue, args=(admin, s.village, s.masks, 70, second))
    b.start()
    a.join(20)
    b.join(20)
    assert first == ["issued"]
    assert len(second) == 1 and "库存不足" in second[0] and "现有医用外科口罩30只" in second[0]
    assert time.monotonic() - began > 0.5  # it waited for the first to commit
    assert Stock.objects.get(store=s.village, item=s.masks).quantity == D(30)
    assert Movement.objects.filter(kind=MovementKind.ISSUE).count() == 1


def test_many_racing_issues_take_exactly_the_stock(world, supplies):
    admin, s = world.county_admin, supplies
    actions.receive(
        actor=admin,
        store=s.village,
        item=s.n95,
        quantity=50,
        on=timezone.localdate(),
        source=SupplySource.BOUGHT,
    )
    outcomes: list = []
    gate = threading.Barrier(8)

    def run():
        gate.wait()
        _issue(admin, s.village, s.n95, 10, outcomes)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcomes.count("issued") == 5
    assert len(outcomes) == 8
    assert Stock.objects.get(store=s.village, item=s.n95).quantity == D(0)
    assert -sum(m.quantity for m in Movement.objects.filter(kind=MovementKind.ISSUE)) == D(50)
