"""The inspection ledger in and out with messy real-looking files: a merged title row, header variants,
blank and 合计 rows, bad dates; row errors name the row, the column and the reason; nothing is written
when a row is bad; importing the same file again changes nothing; the export reads back."""

import datetime as dt

import pytest
from django.utils import timezone

from fangkong.audit.models import AuditEvent
from fangkong.imports.tests.sheets import read_back, workbook
from fangkong.inspections import ledgers
from fangkong.inspections.models import Inspection, Rectification
from fangkong.lib.errors import RuleError

from .conftest import inspect

HEADER = [
    "序 号",
    "督查日期",
    "经营户名称",
    "检查人",
    "发现问题",
    "检查结果",
    "整改措施",
    "整改时限",
    "责任人",
    "电话",
]
TITLE = [["梁水镇复工复产督查检查台账"], ["填报单位：梁水镇督查组"]]


def sheet(rows, header=HEADER):
    return workbook(
        rows, header=header, title_rows=TITLE, merges=["A1:J1", "A2:J2"], footer=[["合计", "3家次"]]
    )


def run(world, data, *, dry_run=False, actor=None):
    return ledgers.import_inspections(
        actor=actor or world.county_admin,
        node=world.township,
        data=data,
        filename="督查.xlsx",
        dry_run=dry_run,
    )


@pytest.fixture
def days():
    today = timezone.localdate()
    return today - dt.timedelta(days=3), today - dt.timedelta(days=2)


def test_it_imports_a_messy_ledger_once(world, shop, stall, days):
    d1, d2 = days
    rows = [
        [
            1,
            d1,
            "第七网格惠民超市",
            "王督查",
            "无消杀记录",
            "不合格",
            "每日消杀并登记",
            d1 + dt.timedelta(days=3),
            "刘店长",
            "13700001111",
        ],
        [None] * 10,
        [2, f"{d2.year}年{d2.month}月{d2.day}日", "八组农贸摊位", "王督查", "", "合格", "", "", "", ""],
        [3, d2.strftime("%Y.%m.%d"), "第七网格惠民超市", "李检查", "无", "", "", "", "", ""],
    ]
    data = sheet(rows)
    preview = run(world, data, dry_run=True)
    assert (preview.rows, preview.created, preview.rejected) == (3, 3, [])
    assert not Inspection.objects.exists()
    result = run(world, data)
    assert result.written and result.created == 3
    assert Inspection.objects.count() == 3
    order = Rectification.objects.get()
    assert (order.problem, order.deadline, order.requirement) == (
        "检查发现问题：无消杀记录",
        d1 + dt.timedelta(days=3),
        "每日消杀并登记",
    )
    assert (
        timezone.localdate(
            Inspection.objects.get(unit=shop, import_key__gt="", results__passed=False).inspected_at
        )
        == d1
    )
    again = run(world, data)
    assert (again.created, again.unchanged) == (0, 3)
    assert Inspection.objects.count() == 3
    assert AuditEvent.objects.filter(action="import").count() == 2


def test_it_reports_bad_rows_and_writes_nothing(world, shop, days):
    d1, _ = days
    future = timezone.localdate() + dt.timedelta(days=2)
    rows = [
        [1, d1, "第七网格惠民超市", "王督查", "无消杀记录", "不合格", "", d1 + dt.timedelta(days=3), "", ""],
        [2, "2022年2月30日", "第七网格惠民超市", "王督查", "", "合格", "", "", "", ""],
        [3, "上周三", "第七网格惠民超市", "王督查", "", "", "", "", "", ""],
        [4, future, "第七网格惠民超市", "王督查", "", "", "", "", "", ""],
        [5, d1, "不存在的饭店", "王督查", "", "", "", "", "", ""],
        [6, d1, "第七网格惠民超市", "王督查", "未戴口罩", "不合格", "", d1 - dt.timedelta(days=1), "", ""],
        [7, d1, "第七网格惠民超市", "王督查", "", "基本合格", "", "", "", ""],
    ]
    result = run(world, sheet(rows))
    by_row = {(p.row, p.column): p.reason for p in result.rejected}
    assert by_row[(5, "督查日期")] == "日期“2022年2月30日”不存在"
    assert "无法识别的日期“上周三”" in by_row[(6, "督查日期")]
    assert by_row[(7, "督查日期")] == "检查日期不能晚于今天"
    assert by_row[(8, "经营户名称")] == "未找到“不存在的饭店”，请先在单位或场所中登记"
    assert by_row[(9, "整改时限")] == "整改期限不能早于检查日期"
    assert "基本合格" in by_row[(10, "检查结果")]
    assert {p.row for p in result.rejected} == {5, 6, 7, 8, 9, 10}  # title rows 1–2, header 3: data from 4
    assert not result.written and not Inspection.objects.exists()
    content = ledgers.rejected_rows_workbook(result)
    back = read_back(content)
    assert any("第5行" in str(cell) for r in back for cell in r if cell)


def test_it_refuses_a_file_without_the_needed_columns_and_a_node_not_the_users(world, shop):
    with pytest.raises(RuleError) as caught:
        run(world, workbook([["x", "y"]], header=["姓名", "电话"]))
    assert "file" in caught.value.errors
    with pytest.raises(RuleError) as caught:
        run(world, sheet([]), actor=world.grid07_worker)
    assert caught.value.code == "forbidden"


def test_it_exports_the_ledger_of_the_area(world, preset, shop, stall):
    inspect(world, shop, preset, {1: "未测温", 2: "无登记"})
    inspect(world, stall, preset, owner="老赵")
    filename, content = ledgers.export_inspections(actor=world.county_admin, node=world.county)
    rows = read_back(content)
    assert rows[2][0] == "序号" and filename.startswith("检查记录台账_东昌府区")
    data = rows[3:]
    assert len(data) == 3  # two failed items of the shop, one clean inspection of the stall
    assert sorted(r[7] for r in data) == ["不合格", "不合格", "合格"]
    assert "共2家次" in rows[1][0]
    with pytest.raises(RuleError):
        ledgers.export_inspections(actor=world.grid08_worker, node=world.grid07)
