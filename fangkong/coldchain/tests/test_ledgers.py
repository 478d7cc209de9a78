"""The in/out ledger and a lab's results through imports/: every problem named by row, column and reason,
nothing written while one remains, a file imported again changes nothing; the exports in ledger columns."""

import io

from openpyxl import load_workbook

from fangkong.coldchain import ledgers
from fangkong.coldchain.models import Holding, Lot, Movement, Sample

from .conftest import DAY, clear_warehouse, documents

HEADER = "日期,单据号,品名,批号,原产国,集装箱号,调出冷库,调入冷库,购货方,数量,单位,经手人"


def _csv(*lines) -> bytes:
    return "\n".join([HEADER, *lines]).encode()


def test_an_in_out_ledger_with_a_bad_row_writes_nothing(world, cold):
    data = _csv(
        f"{DAY},R1,冻牛腱,BR01,巴西,TCLU1,,梁水镇冷库,,500,千克,张三",
        f"{DAY},R2,冻牛腱,BR01,,,梁水镇冷库,前屯冷库,,600,千克,张三",  # more than the 500 held
        f"{DAY},R3,冻牛腱,BR01,,,梁水镇冷库,火星冷库,,1,千克,张三",
        f"{DAY},R4,冻牛腱,BR01,,,,,,abc,千克,张三",
    )
    result = ledgers.import_movements(actor=world.county_admin, data=data, filename="ledger.csv")
    assert not result.written
    problems = {(p.row, p.column, p.reason) for p in result.rejected}
    assert (4, "调入冷库", "冷库“火星冷库”未登记") in problems
    assert (5, "数量", "数量须为数字") in problems
    assert (5, "调入冷库", "请填写调入冷库（入库）或调出冷库（出货）") in problems
    assert not Lot.objects.filter(number="BR01").exists()


def test_a_good_ledger_is_written_once_in_order_and_refused_beyond_the_balance(world, cold):
    good = _csv(
        f"{DAY},R1,冻牛腱,BR01,巴西,TCLU1,,梁水镇冷库,,500,千克,张三",
        f"{DAY},R2,冻牛腱,BR01,,,梁水镇冷库,前屯冷库,,200,千克,张三",
    )
    result = ledgers.import_movements(actor=world.county_admin, data=good, filename="ledger.csv")
    assert result.written and result.created == 2, result.rejected
    lot = Lot.objects.get(number="BR01")
    assert Holding.objects.get(store=cold.township, lot=lot).quantity == 300
    again = ledgers.import_movements(actor=world.county_admin, data=good, filename="ledger.csv")
    assert again.written and again.created == 0 and again.unchanged == 2
    assert Movement.objects.filter(lot=lot).count() == 2
    too_much = _csv(f"{DAY},R3,冻牛腱,BR01,,,梁水镇冷库,前屯冷库,,301,千克,张三")
    refused = ledgers.import_movements(actor=world.county_admin, data=too_much, filename="more.csv")
    assert not refused.written
    assert [(p.row, p.column) for p in refused.rejected] == [(2, "数量")]
    assert "超出结存" in refused.rejected[0].reason
    assert Movement.objects.filter(lot=lot).count() == 2


def test_a_lab_sheet_of_results(world, cold):
    admin = world.county_admin
    documents(admin, cold.lot)
    clear_warehouse(admin, cold)
    from fangkong.coldchain import actions

    for code in ("S-1", "S-2"):
        actions.record_sample(
            actor=admin, store=cold.warehouse, kind="goods", code=code, sampled_on=DAY, lot=cold.lot
        )
    bad = (
        "样本编号,检测结果,出结果日期,检测机构\nS-1,阴性,2026-11-03,区疾控\nS-9,阳性,,\nS-2,不知道,,".encode()
    )
    result = ledgers.import_results(actor=admin, data=bad, filename="lab.csv")
    assert not result.written
    assert {(p.row, p.column) for p in result.rejected} == {(3, "样本编号"), (4, "检测结果")}
    assert Sample.objects.get(code="S-1").result == "pending"
    good = "样本编号,检测结果,出结果日期,检测机构\nS-1,阴性,2026-11-03,区疾控\nS-2,阳性,2026-11-03,区疾控".encode()
    assert ledgers.import_results(actor=admin, data=good, filename="lab.csv").created == 2
    assert Lot.objects.get(pk=cold.lot.pk).sealed
    assert ledgers.import_results(actor=admin, data=good, filename="lab.csv").unchanged == 2


def test_the_exports_use_the_ledger_columns(world, cold):
    name, content = ledgers.export_movements(
        actor=world.county_admin, node=world.county, movements=Movement.objects.all()
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[3]] == ledgers.MOVEMENT_HEADERS
    assert sheet[4][3].value == "冻南美白虾" and sheet[4][8].value == "东昌府区进口冷链食品集中监管仓"
    name, content = ledgers.export_lots(actor=world.county_admin, node=world.county, lots=Lot.objects.all())
    sheet = load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[3]][9:13] == [
        "入境货物检验检疫证明",
        "消毒证明",
        "核酸检测报告",
        "追溯信息",
    ]
    assert sheet[4][9].value == "缺"
