"""supplies_* and disinfection_* (reporting/operations.py) against a plain recount of the records."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from fangkong.disinfection import actions as disinfection_actions
from fangkong.disinfection.models import Place
from fangkong.lib.dates import SHANGHAI
from fangkong.reporting import indicators, operations
from fangkong.supplies import actions as supply_actions
from fangkong.supplies.models import Movement, Stock


@pytest.fixture
def ops(world):
    admin = world.county_admin
    today = timezone.localdate()
    d = today - dt.timedelta(days=2)
    masks = supply_actions.create_item(actor=admin, name="口罩", unit="只", threshold=100)
    suits = supply_actions.create_item(actor=admin, name="防护服", unit="套", threshold=0)
    town = supply_actions.create_store(actor=admin, node=world.township, name="镇物资点", kind="township")
    village = supply_actions.create_store(actor=admin, node=world.village, name="村物资点", kind="village")
    supply_actions.receive(
        actor=admin,
        store=town,
        item=masks,
        quantity=500,
        on=d,
        source="allocated",
        batch_number="B1",
        expires_on=d + dt.timedelta(days=20),
    )
    supply_actions.receive(
        actor=admin, store=town, item=suits, quantity=5, on=d, source="donated", donor="商会"
    )
    supply_actions.receive(actor=admin, store=village, item=masks, quantity=120, on=d, source="bought")
    supply_actions.issue(
        actor=admin, store=village, item=masks, quantity=30, on=d, recipient="小学", approver="刘"
    )
    supply_actions.transfer(actor=admin, source=town, target=village, item=masks, quantity=450, on=today)
    toilet = disinfection_actions.create_place(
        actor=admin, node=world.grid07, name="公厕", kind="public_toilet"
    )
    room = disinfection_actions.create_place(
        actor=admin, node=world.other_village, name="教室", kind="classroom"
    )
    Place.objects.update(created_at=timezone.now() - dt.timedelta(days=5))
    for place, hour in ((toilet, 8), (room, 9), (room, 15)):
        start = dt.datetime.combine(d, dt.time(hour), tzinfo=SHANGHAI)
        disinfection_actions.record_entry(
            actor=admin,
            place=place,
            started_at=start,
            ended_at=start + dt.timedelta(minutes=20),
            agent="84",
            method="spray",
            done_by="李",
        )
    return {"d": d, "today": today, "masks": masks}


def recount_low(path: str, day: dt.date) -> int:
    totals: dict = {}
    for m in Movement.objects.filter(store__node__path__startswith=path, on__lte=day).select_related("item"):
        totals[(m.store_id, m.item_id)] = totals.get((m.store_id, m.item_id), Decimal(0)) + m.quantity
    from fangkong.supplies.models import Item

    return sum(
        1
        for (_, item), q in totals.items()
        if Item.objects.get(pk=item).threshold > 0 and q < Item.objects.get(pk=item).threshold
    )


def test_supplies_figures_recounted(world, ops):
    d, today = ops["d"], ops["today"]
    on_d = indicators.compute(world.county, d, codes=operations.CODES)
    assert on_d["supplies_low_stock"] == recount_low(world.county.path, d) == 1  # the village: 90 < 100
    assert on_d["supplies_receipts_new"] == Movement.objects.filter(kind="receipt", on=d).count() == 3
    assert on_d["supplies_donations_new"] == 1
    assert on_d["supplies_issues_new"] == 1
    assert on_d["supplies_near_expiry"] == 1  # B1 expires 20 days after D, within 30
    now = indicators.compute(world.county, today, codes=operations.CODES)
    assert now["supplies_low_stock"] == recount_low(world.county.path, today) == 1  # the town: 50 < 100
    assert Stock.objects.get(store__name="村物资点").quantity == 540
    assert now["supplies_near_expiry"] == 2  # B1 now in both stores
    village = indicators.compute(world.village, today, codes=operations.CODES)
    assert village["supplies_low_stock"] == 0


def test_disinfection_figures_recounted(world, ops):
    d = ops["d"]
    values = indicators.compute(world.county, d, codes=operations.CODES)
    # Toilet: 2 required, 1 done; classroom: 1 required, 1 counted of 2.
    assert (values["disinfection_required"], values["disinfection_done"]) == (3, 2)
    assert values["disinfection_compliance_pct"] == round(200 / 3, 1)
    assert values["disinfection_missed"] == 1
    grid = indicators.compute(world.grid07, d, codes=operations.CODES)
    assert (grid["disinfection_required"], grid["disinfection_done"], grid["disinfection_missed"]) == (
        2,
        1,
        1,
    )
    today = indicators.compute(world.county, ops["today"], codes=operations.CODES)
    assert today["disinfection_missed"] == 0  # the day has not ended
    as_of = dt.datetime.combine(d, dt.time(12), tzinfo=SHANGHAI)
    morning = indicators.compute(world.county, d, codes=operations.CODES, as_of=as_of)
    assert morning["disinfection_done"] == 0  # entered today, after that noon
