"""Files built to exhaust the server: a few hundred KB that inflate to hundreds of MB (one enormous
shared string, parts that declare more than the bound, text that never closes), a DTD with entities,
merged ranges over the whole sheet. Each is refused with a Chinese reason naming the limit, and the
reading stays within a small fraction of what the file would inflate to (measured with tracemalloc)."""

import io
import tracemalloc
import zipfile

import pytest

from fangkong.imports.reading import read_table
from fangkong.imports.tests.sheets import id_number, row
from fangkong.imports.tests.sheets import workbook as make_workbook
from fangkong.lib import workbook
from fangkong.lib.errors import RuleError
from fangkong.measures.ledgers import REQUIRED, RETURNEE_COLUMNS

MB = 1024 * 1024
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _with_part(data: bytes, name: str, chunks, *, rels: bytes = b"") -> bytes:
    """The workbook with one part replaced (or added), written from `chunks` without holding it whole."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename == name:
                continue
            content = source.read(item.filename)
            if rels and item.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(b"</Relationships>", rels + b"</Relationships>")
            target.writestr(item, content)
        with target.open(name, "w", force_zip64=True) as part:
            for chunk in chunks:
                part.write(chunk)
    return out.getvalue()


SHARED_RELS = (
    b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/sharedStrings"/>'
)


def _one_huge_string(size: int):
    yield f'<sst xmlns="{NS}"><si><t>'.encode()
    block = b"A" * MB
    for _ in range(size // MB):
        yield block
    yield b"</t></si></sst>"


def _ledger() -> bytes:
    return make_workbook([row(姓名="张三", 身份证号=id_number(11))])


def _refused_within(data: bytes, bound: int) -> tuple[RuleError, int]:
    tracemalloc.start()
    try:
        with pytest.raises(RuleError) as caught:
            read_table(data, "hostile.xlsx", RETURNEE_COLUMNS, required=REQUIRED)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < bound, f"peak {peak / MB:.1f} MB"
    return caught.value, peak


def test_it_refuses_one_enormous_shared_string_quickly_and_in_little_memory():
    data = _with_part(_ledger(), "xl/sharedStrings.xml", _one_huge_string(100 * MB), rels=SHARED_RELS)
    assert len(data) < 1 * MB  # 100 MB of text in a file under 1 MB
    error, _peak = _refused_within(data, 4 * MB)  # 1/25 of what it inflates to
    assert "32767个字符" in error.errors["file"]


def test_it_refuses_parts_that_declare_more_than_the_bound_before_reading_them():
    size = workbook.MAX_XML_BYTES + MB
    data = _with_part(_ledger(), "xl/sharedStrings.xml", _one_huge_string(size), rels=SHARED_RELS)
    error, _peak = _refused_within(data, 2 * MB)
    assert f"{workbook.MAX_XML_BYTES // MB} MB" in error.errors["file"]


def test_it_refuses_a_sheet_whose_many_short_cells_inflate_past_the_bound():
    cell = b'<c t="inlineStr"><is><t>x</t></is></c>'

    def sheet():
        yield f'<worksheet xmlns="{NS}"><sheetData><row r="1">'.encode()
        block = cell * (MB // len(cell))
        for _ in range(workbook.MAX_XML_BYTES // len(block) + 2):
            yield block
        yield b"</row></sheetData></worksheet>"

    data = _with_part(_ledger(), "xl/worksheets/sheet1.xml", sheet())
    # Declared honestly, so refused before reading; the reader's own count is tested below.
    _refused_within(data, 2 * MB)


def test_it_counts_what_is_really_inflated_whatever_the_parts_declare(monkeypatch):
    monkeypatch.setattr(workbook, "MAX_XML_BYTES", 10 * 1024)
    source = io.BytesIO(b"<a>" + b"<b>x</b>" * 5000 + b"</a>")
    reader = workbook._Bounded(source, [workbook.MAX_XML_BYTES])
    with pytest.raises(RuleError, match="0 MB"):
        while reader.read(4096):
            pass


def test_it_refuses_entity_declarations():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">]>'
        + f'<sst xmlns="{NS}"><si><t>&b;</t></si></sst>'.encode()
    )
    data = _with_part(_ledger(), "xl/sharedStrings.xml", [bomb], rels=SHARED_RELS)
    with pytest.raises(RuleError, match="不允许的 XML 声明"):
        read_table(data, "hostile.xlsx", RETURNEE_COLUMNS, required=REQUIRED)


def test_it_refuses_merged_ranges_over_the_whole_sheet():
    rows = [row(姓名=f"张{i}", 身份证号=id_number(11)) for i in range(200)]
    merges = "".join(f'<mergeCell ref="A{i}:IV1048576"/>' for i in range(1, 20_000))
    data = make_workbook(rows)
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        sheet = source.read("xl/worksheets/sheet1.xml")
    sheet = sheet.replace(b"</worksheet>", f"<mergeCells>{merges}</mergeCells></worksheet>".encode())
    data = _with_part(data, "xl/worksheets/sheet1.xml", [sheet])
    assert len(data) < 300 * 1024
    with pytest.raises(RuleError, match="合并单元格"):
        read_table(data, "hostile.xlsx", RETURNEE_COLUMNS, required=REQUIRED)


def test_it_refuses_a_csv_cell_longer_than_a_cell_can_hold():
    data = ("姓名,身份证号\n张三," + "1" * (workbook.MAX_CELL_CHARS + 1) + "\n").encode()
    with pytest.raises(RuleError, match="32767个字符"):
        read_table(data, "hostile.csv", RETURNEE_COLUMNS, required=REQUIRED)


def test_a_ledger_of_ordinary_size_still_reads():
    data = make_workbook([row(姓名="张三", 身份证号=id_number(11), 备注="说明" * 5000)])
    table = read_table(data, "ok.xlsx", RETURNEE_COLUMNS, required=REQUIRED)
    assert table.value(table.rows[0], "notes") == "说明" * 5000


def test_the_grid_import_reads_with_the_same_bounds():
    from fangkong.grid.actions import read_grid_rows

    data = _with_part(_ledger(), "xl/sharedStrings.xml", _one_huge_string(100 * MB), rels=SHARED_RELS)
    tracemalloc.start()
    try:
        with pytest.raises(RuleError) as caught:
            read_grid_rows(data, "grids.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MB and "32767个字符" in caught.value.errors["file"]
