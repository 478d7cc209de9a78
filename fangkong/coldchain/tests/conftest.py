"""A cold-chain world in the tiny world's county: the county's supervision warehouse, a township cold store,
a village cold store and a grid's cold store, each with its 库长; a lot of frozen shrimp arriving at the
warehouse."""

import datetime as dt
from dataclasses import dataclass

import pytest

from fangkong.coldchain import actions
from fangkong.coldchain.models import StoreKind

DAY = dt.date(2026, 11, 2)


@dataclass
class ColdWorld:
    warehouse: object
    township: object
    village: object
    grid: object
    lot: object


def documents(actor, lot, kinds=("inspection", "disinfection", "nat_report", "trace_info")):
    for n, kind in enumerate(kinds):
        actions.record_document(
            actor=actor, lot=lot, kind=kind, number=f"{kind.upper()}-{lot.pk}-{n}", issued_on=DAY
        )


@pytest.fixture
def cold(world):
    admin = world.county_admin
    stores = {
        "warehouse": actions.create_store(
            actor=admin,
            node=world.county,
            name="东昌府区进口冷链食品集中监管仓",
            kind=StoreKind.WAREHOUSE,
            enterprise="聊城冷链物流有限公司",
            manager="赵库长",
            capacity=500,
        ),
        "township": actions.create_store(
            actor=admin, node=world.township, name="梁水镇冷库", enterprise="梁水冻品批发部", manager="钱库长"
        ),
        "village": actions.create_store(
            actor=admin, node=world.village, name="前屯冷库", enterprise="前屯冷藏厂", manager="孙库长"
        ),
        "grid": actions.create_store(
            actor=admin,
            node=world.grid07,
            name="七网格冻品店冷柜",
            enterprise="七网格冻品店",
            manager="李库长",
        ),
    }
    lot = actions.register_lot(
        actor=admin,
        store=stores["warehouse"],
        product="冻南美白虾",
        origin_country="厄瓜多尔",
        quantity=1000,
        unit="千克",
        number="EC20261101",
        container="MSKU1234567",
        received_on=DAY,
    )
    return ColdWorld(lot=lot, **stores)


def clear_warehouse(actor, cold, lot=None, day=DAY):
    """Sampled negative and disinfected at the warehouse: ready to leave with an exit certificate."""
    lot = lot or cold.lot
    sample = actions.record_sample(
        actor=actor, store=cold.warehouse, kind="goods", code=f"W-{lot.pk}", sampled_on=day, lot=lot
    )
    actions.record_result(actor=actor, sample=sample, result="negative", result_on=day)
    actions.record_disinfection(actor=actor, lot=lot, on=day)
