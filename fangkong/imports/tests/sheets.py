"""Messy ledgers built the way people make them: title rows, merged cells, headers that vary."""

import datetime as dt
import io

from openpyxl import Workbook, load_workbook

from fangkong.lib.idcard import make

STANDARD = [
    "序号",
    "姓名",
    "性别",
    "身份证号",
    "联系电话",
    "现住址",
    "从何地返回",
    "返回时间",
    "交通方式及车次",
    "有无发热咳嗽症状",
    "管控措施",
    "包保责任人",
    "备注",
]


def id_number(sequence: int, birth=dt.date(1990, 3, 7), region: str = "371502") -> str:
    """A valid ID; odd sequence = male, even = female."""
    return make(region, birth, sequence)


def row(header=STANDARD, **values) -> list:
    """A row by column name: row(姓名="张三", 身份证号=…)."""
    unknown = set(values) - set(header)
    assert not unknown, unknown
    return [values.get(name) for name in header]


def workbook(
    rows: list[list],
    *,
    header=STANDARD,
    title_rows: list[list] = (),
    merges: list[str] = (),
    footer: list[list] = (),
    sheet_before: bool = False,
) -> bytes:
    wb = Workbook()
    ws = wb.active
    if sheet_before:
        ws.title = "填表说明"
        ws.append(["本表由村委会填写，每日17时前报镇指挥部"])
        ws = wb.create_sheet("返乡人员")
    for title in title_rows:
        ws.append(title)
    ws.append(header)
    for values in rows:
        ws.append(values)
    for values in footer:
        ws.append(values)
    for cells in merges:
        ws.merge_cells(cells)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def read_back(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]
