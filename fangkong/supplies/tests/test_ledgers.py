"""Messy 出入库台账 in, and the ledger out."""

import datetime as dt
import io
from decimal import Decimal as D

from django.utils import timezone
from openpyxl import Workbook, load_workbook

from fangkong.supplies import actions, ledgers
from fangkong.supplies.models import Item, Movement, Stock, SupplySource

HEADER = [
    "序号",
    "日期",
    "单据号",
    "物资名称",
    "规格",
    "单位",
    "来源",
    "批号",
    "有效期",
    "入库数量",
    "出库数量",
    "结存",
    "领用单位",
    "领用人",
    "审批人",
    "经手人",
]
VARIANT = [
    "编号",
    "出入库日期",
    "单号",
    "品名",
    "规格型号",
    "计量单位",
    "物资来源",
    "生产批号",
    "有效期至",
    "入库",
    "出库",
    "库存",
    "领取单位",
    "签收人",
    "批准人",
    "经办人",
]


def book(rows, header=HEADER, title=True) -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append(["梁水镇防疫物资出入库台账"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        ws.append(["填报单位：梁水镇物资点", None, None, None, None, None, None, None, "单位：只/套"])
    ws.append(header)
    for r in rows:
        ws.append(r)
    ws.append([])
    ws.append(["合计", None, None, None, None, None, None, None, None, 3000, 700])
    ws.append(["保管员：王五", None, None, None, "审核人：赵六"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def days_ago(n):
    return timezone.localdate() - dt.timedelta(days=n)


GOOD = [
    [
        1,
        days_ago(5),
        "RK001",
        "医用外科口罩",
        "",
        "只",
        "下拨",
        "20200101",
        days_ago(-200),
        2000,
        None,
        2000,
        None,
        None,
        None,
        "王五",
    ],
    [
        2,
        f"{days_ago(4):%Y年%m月%d日}",
        "RK002",
        "医用外科口罩",
        "",
        "只",
        "捐赠（聊城市爱心商会）",
        None,
        None,
        1000,
        None,
        3000,
        None,
        None,
        None,
        "王五",
    ],
    [None, None, None, None, None, None, None, None, None, None, None, None, None, None, None, None],
    [
        3,
        f"{days_ago(3):%Y.%m.%d}",
        "CK001",
        "医用外科口罩",
        "",
        "只",
        None,
        None,
        None,
        None,
        700,
        2300,
        "前屯小学",
        "王老师",
        "刘局长",
        "王五",
    ],
]


def test_a_messy_ledger_imports_once(world, supplies):
    data = book(GOOD)
    result = ledgers.import_ledger(
        actor=world.county_admin, store=supplies.township, data=data, filename="台账.xlsx"
    )
    assert not result.rejected, result.rejected
    assert (result.rows, result.created, result.written) == (3, 3, True)
    stock = Stock.objects.get(store=supplies.township, item=supplies.masks)
    assert stock.quantity == D(2300)
    assert stock.since == min(Movement.objects.filter(item=supplies.masks).values_list("on", flat=True))
    donation = Movement.objects.get(source=SupplySource.DONATED)
    assert donation.donor == "聊城市爱心商会"
    issue = Movement.objects.get(kind="issue")
    assert issue.recipient_unit == supplies.school and issue.approver == "刘局长"
    again = ledgers.import_ledger(
        actor=world.county_admin, store=supplies.township, data=data, filename="台账.xlsx"
    )
    assert (again.created, again.unchanged) == (0, 3)
    assert Movement.objects.count() == 3


def test_header_variants_are_recognised(world, supplies):
    result = ledgers.import_ledger(
        actor=world.county_admin,
        store=supplies.township,
        data=book(GOOD, header=VARIANT, title=False),
        filename="x.xlsx",
    )
    assert not result.rejected and result.created == 3


def test_bad_rows_are_reported_and_nothing_is_written(world, supplies):
    rows = [
        GOOD[0],
        [
            2,
            "2020-02-30",
            "RK9",
            "N95口罩",
            "",
            "只",
            "自购",
            None,
            None,
            100,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        [
            3,
            days_ago(2),
            "RK10",
            "N95口罩",
            "",
            "只",
            "自购",
            None,
            None,
            -50,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        [
            4,
            days_ago(2),
            "RK11",
            "N95口罩",
            "",
            "只",
            "路上捡的",
            None,
            None,
            50,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        [
            5,
            days_ago(2),
            "CK9",
            "N95口罩",
            "",
            "只",
            None,
            None,
            None,
            None,
            10,
            None,
            "前屯小学",
            None,
            None,
            None,
        ],
        [
            6,
            days_ago(2),
            "RK12",
            "N95口罩",
            "",
            "只",
            "捐赠",
            None,
            None,
            10,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
    ]
    result = ledgers.import_ledger(
        actor=world.county_admin, store=supplies.township, data=book(rows), filename="x.xlsx"
    )
    problems = {(p.row, p.column): p.reason for p in result.rejected}
    assert "不存在" in problems[(5, "日期")]
    assert "大于0" in problems[(6, "入库数量")]
    assert "无法识别的来源" in problems[(7, "来源")]
    assert "审批人" in problems[(8, "审批人")]
    assert "捐赠方" in problems[(9, "捐赠方")]
    assert not result.written and Movement.objects.count() == 0


def test_more_out_than_in_on_any_day_is_refused(world, supplies):
    rows = [
        [
            1,
            days_ago(5),
            "RK1",
            "医用外科口罩",
            "",
            "只",
            "自购",
            None,
            None,
            100,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        [
            2,
            days_ago(4),
            "CK1",
            "医用外科口罩",
            "",
            "只",
            None,
            None,
            None,
            None,
            150,
            None,
            "前屯小学",
            None,
            "刘局长",
            None,
        ],
        [
            3,
            days_ago(3),
            "RK2",
            "医用外科口罩",
            "",
            "只",
            "自购",
            None,
            None,
            500,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
    ]
    result = ledgers.import_ledger(
        actor=world.county_admin, store=supplies.township, data=book(rows), filename="x.xlsx"
    )
    assert [(p.row, p.column) for p in result.rejected] == [(5, "出库数量")]
    assert "库存不足" in result.rejected[0].reason
    assert Movement.objects.count() == 0


def test_an_unknown_item_is_added_by_the_county_only(world, supplies):
    rows = [
        [
            1,
            days_ago(1),
            "RK1",
            "测温枪",
            "",
            "把",
            "自购",
            None,
            None,
            20,
            None,
            None,
            None,
            None,
            None,
            None,
        ]
    ]
    refused = ledgers.import_ledger(
        actor=world.township_admin, store=supplies.township, data=book(rows), filename="x.xlsx"
    )
    assert "不在物资目录中" in refused.rejected[0].reason
    done = ledgers.import_ledger(
        actor=world.county_admin, store=supplies.township, data=book(rows), filename="x.xlsx"
    )
    assert done.written and Item.objects.get(name="测温枪").unit == "把"


def test_the_ledger_out_has_the_columns_and_the_running_balance(world, supplies):
    admin, s = world.county_admin, supplies
    actions.receive(
        actor=admin,
        store=s.reserve,
        item=s.masks,
        quantity=500,
        on=days_ago(2),
        source=SupplySource.DONATED,
        donor="某公司",
    )
    actions.issue(
        actor=admin,
        store=s.reserve,
        item=s.masks,
        quantity=120,
        on=days_ago(1),
        recipient_unit=s.school,
        approver="刘局长",
    )
    name, content = ledgers.export_ledger(actor=admin, store=s.reserve)
    rows = [list(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]
    header = rows.index(next(r for r in rows if r and r[0] == "序号"))
    assert rows[header][:12] == ledgers.HEADERS[:12]
    assert rows[header + 1][6] == "捐赠" and rows[header + 1][12] == 500
    assert rows[header + 2][11] == 120 and rows[header + 2][12] == 380 and rows[header + 2][13] == "前屯小学"
    # And it reads back in: a second store gets the same balance.
    other = actions.create_store(actor=admin, node=world.other_village, name="后屯村物资点", kind="village")
    result = ledgers.import_ledger(actor=admin, store=other, data=content, filename=name)
    assert not result.rejected and Stock.objects.get(store=other, item=s.masks).quantity == D(380)
