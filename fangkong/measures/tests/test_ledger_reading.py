"""Reading the 返乡人员登记表 with the generic machinery: finding the header, recognising columns,
skipping what is not data, reading the measure and the trip number out of free text. No database."""

import datetime as dt
import io
import re
import zipfile

import pytest

from fangkong.imports.reading import ColumnNames, read_table
from fangkong.imports.tests.sheets import STANDARD, id_number, row, workbook
from fangkong.lib.errors import RuleError
from fangkong.measures.ledgers import REQUIRED, RETURNEE_COLUMNS, measure_kind, split_transport

# What openpyxl gives for a date cell: Excel dates have no time zone.
EXCEL_DAY = dt.datetime(2020, 1, 28)  # noqa: DTZ001
TITLE = [
    ["东昌府区梁水镇前屯村返乡人员登记表"],
    ["填报单位：前屯村委会", None, None, None, None, None, None, "填报日期：2020年1月30日"],
]


def table_of(data: bytes, filename: str = "ledger.xlsx"):
    return read_table(data, filename, RETURNEE_COLUMNS, required=REQUIRED)


def test_it_finds_the_header_below_title_rows_and_merged_cells():
    data = workbook(
        [row(姓名="张三", 身份证号=id_number(11))],
        title_rows=TITLE,
        merges=["A1:M1", "A2:G2", "H2:M2"],
    )
    table = table_of(data)
    assert table.header_rows == (3, 3)
    assert [r.number for r in table.rows] == [4]
    assert table.value(table.rows[0], "name") == "张三"
    assert table.unknown == []


def test_it_recognises_the_common_variants_of_column_names():
    header = ["序号", "姓 名", "公民身份号码", "手机号码", "返乡日期", "交通工具", "从何地来", "管控方式"]
    values = ["1", "李四", id_number(13), "13812345678", "2020-01-28", "火车", "武汉", "居家隔离"]
    table = table_of(workbook([values], header=header))
    assert set(table.columns) == {
        "seq",
        "name",
        "id_number",
        "phone",
        "arrived_on",
        "transport",
        "origin",
        "measure",
    }
    assert table.label("id_number") == "公民身份号码"  # reasons name the column as the file heads it


@pytest.mark.parametrize(
    "header, key",
    [
        ("身份证号码", "id_number"),
        ("证件号码", "id_number"),
        ("身份证号码（18位）", "id_number"),
        ("电话", "phone"),
        ("联系电话", "phone"),
        ("抵达时间", "arrived_on"),
        ("返回时间", "arrived_on"),
        ("*姓名：", "name"),
    ],
)
def test_it_recognises_a_variant(header, key):
    assert ColumnNames(RETURNEE_COLUMNS).match(header) == key


def test_it_reports_unknown_columns_and_still_reads_the_rest():
    header = [*STANDARD, "工作单位", "是否接种疫苗"]
    table = table_of(workbook([row(header, 姓名="张三", 身份证号=id_number(11))], header=header))
    assert table.unknown == ["工作单位", "是否接种疫苗"]
    assert len(table.rows) == 1


def test_it_says_which_required_columns_it_cannot_find():
    with pytest.raises(RuleError) as exc:
        table_of(workbook([["张三", "13812345678"]], header=["姓名", "联系电话"]))
    assert "身份证号" in exc.value.errors["file"]


def test_it_skips_blank_rows_prenumbered_rows_totals_and_signature_lines_silently():
    rows = [
        row(序号=1, 姓名="张三", 身份证号=id_number(11)),
        [None] * len(STANDARD),
        row(序号=2),  # a pre-numbered empty line of the printed form
        row(序号=3, 姓名="李四", 身份证号=id_number(13)),
        row(序号="合计", 姓名="2人"),
        ["填表人：王五", None, None, None, "审核人：赵六", None, None, "填表日期：2020年1月30日"],
        ["注：请于每日17时前报送"],
    ]
    table = table_of(workbook(rows, title_rows=TITLE))
    assert [table.value(r, "name") for r in table.rows] == ["张三", "李四"]
    assert [r.number for r in table.rows] == [4, 7]


def test_it_skips_the_header_repeated_on_a_printed_page():
    rows = [row(姓名="张三", 身份证号=id_number(11)), STANDARD, row(姓名="李四", 身份证号=id_number(13))]
    assert [table_of(workbook(rows)).value(r, "name") for r in table_of(workbook(rows)).rows] == [
        "张三",
        "李四",
    ]


def test_it_reads_a_two_row_header_under_merged_group_cells():
    top = ["序号", "姓名", "身份证号", "返乡信息", None, None, "管控措施"]
    sub = [None, None, None, "从何地返回", "返回时间", "交通方式及车次", None]
    data = workbook(
        [[1, "张三", id_number(11), "湖北省武汉市", "2020-01-28", "G1234", "居家隔离"]],
        header=top,
        title_rows=[["返乡人员登记表"]],
        merges=["A2:A3", "B2:B3", "C2:C3", "D2:F2", "G2:G3"],
    )
    # the merged group row is the header's first row; the sub-header row completes it
    wb_rows = data
    table = table_of(_insert_row(wb_rows, 3, sub))
    assert table.header_rows == (2, 3)
    assert {"origin", "arrived_on", "transport", "measure", "name"} <= set(table.columns)
    assert table.value(table.rows[0], "origin") == "湖北省武汉市"
    assert table.unknown == []


def _insert_row(data: bytes, at: int, values: list) -> bytes:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    merges = [str(m) for m in ws.merged_cells.ranges]
    for m in merges:
        ws.unmerge_cells(m)
    ws.insert_rows(at)
    for col, value in enumerate(values, start=1):
        ws.cell(row=at, column=col, value=value)
    for m in merges:
        ws.merge_cells(m)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_it_copies_a_merged_cell_into_every_row_it_covers():
    rows = [
        row(姓名="张三", 身份证号=id_number(11), 包保责任人="王五"),
        row(姓名="张小三", 身份证号=id_number(12, dt.date(2015, 1, 1))),
    ]
    table = table_of(workbook(rows, merges=["L2:L3"]))
    assert [table.value(r, "caretakers") for r in table.rows] == ["王五", "王五"]


def test_it_picks_the_sheet_that_has_the_ledger():
    table = table_of(workbook([row(姓名="张三", 身份证号=id_number(11))], sheet_before=True))
    assert table.sheet == "返乡人员"
    assert len(table.rows) == 1


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_it_reads_csv_as_excel_saves_it_on_chinese_windows(encoding):
    content = f"返乡人员登记表\n序号,姓名,身份证号码,手机号码\n1,张三,{id_number(11)},138 1234 5678\n"
    table = table_of(content.encode(encoding), "ledger.csv")
    assert table.value(table.rows[0], "name") == "张三"
    assert table.rows[0].number == 3


def test_it_reads_an_xlsx_that_was_saved_with_an_xls_name():
    table = table_of(workbook([row(姓名="张三", 身份证号=id_number(11))]), "返乡人员登记表.xls")
    assert len(table.rows) == 1


def test_it_asks_for_xlsx_when_given_an_old_binary_xls():
    with pytest.raises(RuleError) as exc:
        table_of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "old.xls")
    assert "另存为" in exc.value.errors["file"]


def test_it_says_so_when_the_file_is_not_a_workbook():
    with pytest.raises(RuleError):
        table_of(b"PK\x03\x04 not really a zip", "broken.xlsx")


def _with_shared_strings(data: bytes) -> bytes:
    """The workbook as Excel would save it: text moved from inline strings into sharedStrings.xml."""
    strings: list[str] = []

    def shared(match: re.Match) -> str:
        strings.append(match[2])
        return f'<c r="{match[1]}" t="s"><v>{len(strings) - 1}</v></c>'

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                pattern = r'<c r="([A-Z]+\d+)" t="inlineStr"><is><t>([^<]*)</t></is></c>'
                content = re.sub(pattern, shared, content.decode()).encode()
            elif item.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings"/></Relationships>',
                )
            target.writestr(item, content)
        items = "".join(f"<si><t>{s}</t></si>" for s in strings)
        target.writestr(
            "xl/sharedStrings.xml",
            f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{items}</sst>',
        )
    assert strings
    return out.getvalue()


def test_it_reads_shared_strings_and_date_styles_as_excel_writes_them():
    data = workbook([row(姓名="张三", 身份证号=id_number(11), 返回时间=EXCEL_DAY)])
    table = table_of(_with_shared_strings(data))
    assert table.value(table.rows[0], "name") == "张三"
    assert table.value(table.rows[0], "arrived_on") == EXCEL_DAY


def test_it_reads_the_measure_and_the_trip_number_out_of_free_text():
    assert measure_kind("居家隔离14天") == ("home_quarantine", True)
    assert measure_kind("居家健康监测") == ("home_monitoring", True)
    assert measure_kind("自我健康监测") == ("self_monitoring", True)
    assert measure_kind("无") == (None, True)
    assert measure_kind("劝返") == (None, False)
    assert split_transport("火车 G1234") == ("火车", "G1234")
    assert split_transport("飞机ca1234") == ("飞机", "CA1234")
    assert split_transport("自驾（鲁P12345）") == ("自驾", "鲁P12345")
    assert split_transport("大巴") == ("大巴", "")
