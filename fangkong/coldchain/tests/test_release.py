"""两证明一报告一信息: a lot without all four documents is not released for sale, and the refusal names each
missing document; the supervision warehouse lets a lot out only sampled, disinfected and with its exit
certificate."""

import pytest

from fangkong.coldchain import actions, rules
from fangkong.coldchain.models import Lot
from fangkong.lib.errors import RuleError

from .conftest import DAY, clear_warehouse, documents

ALL = ("inspection", "disinfection", "nat_report", "trace_info")


@pytest.mark.parametrize("missing", ALL)
def test_it_refuses_release_naming_each_missing_document(world, cold, missing):
    documents(world.county_admin, cold.lot, [k for k in ALL if k != missing])
    with pytest.raises(RuleError) as refused:
        actions.release_lot(actor=world.county_admin, lot=cold.lot)
    message = refused.value.errors["__all__"]
    assert rules.DOCUMENT_NAMES[missing] in message
    assert "缺少" in message
    for other in ALL:
        if other != missing:
            assert rules.DOCUMENT_NAMES[other] not in message
    assert Lot.objects.get(pk=cold.lot.pk).released_at is None


def test_it_names_all_four_when_none_recorded(world, cold):
    with pytest.raises(RuleError) as refused:
        actions.release_lot(actor=world.county_admin, lot=cold.lot)
    assert refused.value.errors["__all__"] == (
        "不能准予销售：“两证明一报告一信息”不全，缺少入境货物检验检疫证明、消毒证明、核酸检测报告、追溯信息"
    )


def test_it_releases_with_all_four_and_then_sells(world, cold):
    admin = world.county_admin
    documents(admin, cold.lot)
    lot = actions.release_lot(actor=admin, lot=cold.lot)
    assert lot.released_at is not None
    clear_warehouse(admin, cold)
    actions.move(
        actor=admin,
        lot=lot,
        source=cold.warehouse,
        target=cold.township,
        quantity=400,
        on=DAY,
        exit_certificate="CC-1",
    )
    sale = actions.move(actor=admin, lot=lot, source=cold.township, buyer="梁水镇某饭店", quantity=50, on=DAY)
    assert sale.buyer == "梁水镇某饭店"


def test_it_refuses_a_sale_of_a_lot_not_released(world, cold):
    admin = world.county_admin
    documents(admin, cold.lot, ALL[:3])
    clear_warehouse(admin, cold)
    actions.move(
        actor=admin,
        lot=cold.lot,
        source=cold.warehouse,
        target=cold.township,
        quantity=400,
        on=DAY,
        exit_certificate="CC-1",
    )
    with pytest.raises(RuleError) as refused:
        actions.move(actor=admin, lot=cold.lot, source=cold.township, buyer="某饭店", quantity=10, on=DAY)
    assert "追溯信息" in refused.value.errors["buyer"]


def test_the_warehouse_lets_out_only_sampled_disinfected_and_certified(world, cold):
    admin = world.county_admin
    with pytest.raises(RuleError) as refused:
        actions.move(
            actor=admin, lot=cold.lot, source=cold.warehouse, target=cold.township, quantity=1, on=DAY
        )
    assert refused.value.errors["exit_certificate"] == "不能出仓：未抽样检测、未消毒、未填写出仓证明编号"
    clear_warehouse(admin, cold)
    with pytest.raises(RuleError) as refused:
        actions.move(
            actor=admin, lot=cold.lot, source=cold.warehouse, target=cold.township, quantity=1, on=DAY
        )
    assert refused.value.errors["exit_certificate"] == "不能出仓：未填写出仓证明编号"
    actions.move(
        actor=admin,
        lot=cold.lot,
        source=cold.warehouse,
        target=cold.township,
        quantity=1,
        on=DAY,
        exit_certificate="CC-7",
    )
    assert Lot.objects.get(pk=cold.lot.pk).exit_certificate == "CC-7"


def test_a_document_recorded_again_replaces_the_first(world, cold):
    admin = world.county_admin
    actions.record_document(actor=admin, lot=cold.lot, kind="inspection", number="A1", issued_on=DAY)
    actions.record_document(actor=admin, lot=cold.lot, kind="inspection", number="A2", issued_on=DAY)
    assert list(cold.lot.documents.values_list("number", flat=True)) == ["A2"]
