"""The cells of an uploaded sheet, whatever it was saved as: .xlsx (also when it was saved with an .xls
name, as WPS and some systems do), or .csv in UTF-8 or GBK (what Excel writes on a Chinese Windows).

.xlsx is read with a small streaming parser of the sheet XML rather than openpyxl's cell objects: a
10,000-row ledger reads four times faster, and the merged ranges (which openpyxl's read-only mode does
not give) come out of the same pass. openpyxl still decides what a date format is and converts serial
dates. Cell values are what openpyxl would give: str, int, float, bool, datetime or None.

A small .xlsx can inflate to gigabytes (one shared string of 300 MB in a 300 KB file), so nothing is
read unbounded: the parts' declared sizes are checked before reading and the bytes actually inflated
while reading, no run of text may be longer than a cell can hold (Excel's own 32,767 characters), no
DTD may declare entities, and merged ranges may not ask for more cells than a ledger can have."""

import csv
import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError, iterparse

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from fangkong.lib.errors import RuleError

MAX_ROWS = 100_000
MAX_COLUMNS = 256  # a ledger has a few dozen; cells and merges beyond this are ignored
# The XML a workbook may inflate to, all parts together: a 100,000-row ledger of 20 columns is ~70 MB.
MAX_XML_BYTES = 128 * 1024 * 1024
MAX_CELL_CHARS = 32_767  # what Excel lets a cell hold
# Bytes of XML between two tags: a cell's text, escaped (&amp; is five bytes for one character).
_MAX_TEXT_BYTES = MAX_CELL_CHARS * 6
MAX_MERGED_CELLS = 2_000_000  # cells that merged ranges may fill in (a ledger has a few thousand)
_MAIN = (
    "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}",
    "{http://purl.oclc.org/ooxml/spreadsheetml/main}",
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Built-in formats that are dates: 14–22 everywhere, 27–36 and 50–58 in Chinese, Japanese and Korean
# Excel (yyyy"年"m"月"d"日" is 31), 45–47 times.
_BUILTIN_DATES = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))


def _too_large() -> RuleError:
    return RuleError(
        {"file": f"文件解压后超过{MAX_XML_BYTES // 2**20} MB，超出导入的上限，请删除多余的工作表或分批导入"}
    )


def _cell_too_long() -> RuleError:
    return RuleError(
        {"file": f"文件中有单元格的内容超过{MAX_CELL_CHARS}个字符（Excel 每格的上限），无法导入"}
    )


class _Bounded:
    """A zip member read through a budget shared by the whole workbook, refusing as soon as the bytes
    inflated pass it, a run of text between two tags passes what a cell may hold, or a DTD appears."""

    def __init__(self, source, budget: list[int]):
        self.source, self.budget, self.run, self.tail = source, budget, 0, b""

    def read(self, size: int = 16 * 1024) -> bytes:
        data = self.source.read(size)
        self.budget[0] -= len(data)
        if self.budget[0] < 0:
            raise _too_large()
        # A DTD could declare entities that expand (billion laughs); no part of a workbook has one.
        if b"<!" in self.tail + data and (
            b"<!DOCTYPE" in self.tail + data or b"<!ENTITY" in self.tail + data
        ):
            raise _unreadable("文件中含有不允许的 XML 声明")
        self.tail = data[-9:]
        first = data.find(b"<")
        if first < 0:
            self.run += len(data)
        else:
            longest = max(self.run + first, _longest_text(data) if len(data) > _MAX_TEXT_BYTES else 0)
            if longest > _MAX_TEXT_BYTES:
                raise _cell_too_long()
            self.run = len(data) - data.rfind(b"<") - 1
        if self.run > _MAX_TEXT_BYTES:
            raise _cell_too_long()
        return data

    def close(self) -> None:
        self.source.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _longest_text(data: bytes) -> int:
    return max(len(piece) for piece in data.split(b"<"))


def _unreadable(detail: str = "") -> RuleError:
    return RuleError(
        {"file": "无法读取该文件" + (f"：{detail}" if detail else "，请用 Excel 另存为 .xlsx 后重试")}
    )


@dataclass
class SheetData:
    name: str
    rows: list[tuple[int, list]]  # (row number as Excel shows it, cell values from column A)
    merges: list[tuple[int, int, int, int]] = field(
        default_factory=list
    )  # min_row, min_col, max_row, max_col

    def filled(self) -> list[tuple[int, list]]:
        """The rows with every merged range's value copied into all of its cells (a 包保责任人 merged
        over a family's rows belongs to each of them)."""
        if not self.merges:
            return self.rows
        by_number = {number: cells for number, cells in self.rows}
        budget = MAX_MERGED_CELLS
        for min_row, min_col, max_row, max_col in self.merges:
            max_col = min(max_col, MAX_COLUMNS - 1)
            # What the range may fill is bounded by the rows that exist, not by what the range claims.
            budget -= max(0, max_col - min_col + 1) * min(max_row - min_row + 1, len(self.rows))
            if budget < 0:
                raise RuleError(
                    {"file": f"文件中的合并单元格超过{MAX_MERGED_CELLS}格，无法导入，请取消多余的合并"}
                )
            anchor = by_number.get(min_row)
            value = anchor[min_col] if anchor is not None and min_col < len(anchor) else None
            if value is None or value == "":
                continue
            for number in range(min_row, min(max_row, min_row + MAX_ROWS) + 1):
                cells = by_number.get(number)
                if cells is None:
                    continue
                if len(cells) <= max_col:
                    cells.extend([None] * (max_col + 1 - len(cells)))
                for col in range(min_col, max_col + 1):
                    if cells[col] is None or cells[col] == "":
                        cells[col] = value
        return self.rows


class Book:
    """An opened file: its visible sheets by name, each read on demand (the first rows to find the
    header, then the whole of the sheet that has it)."""

    def __init__(self, data: bytes, filename: str):
        if data[:4] == b"PK\x03\x04":
            self._xlsx = _XlsxReader(data)
            self.names = [name for name, _ in self._xlsx.sheet_parts]
        elif data[:8] == _OLE:
            raise RuleError(
                {"file": "这是旧版 Excel 97-2003（.xls）文件，请在 Excel 或 WPS 中“另存为”.xlsx 格式后再导入"}
            )
        elif data.lstrip()[:1] == b"<":
            raise RuleError({"file": "这不是 Excel 文件（可能是网页导出的表格），请另存为 .xlsx 后再导入"})
        else:
            self._xlsx = None
            self._csv = data
            self.names = [filename.rsplit("/", 1)[-1]]
        if not self.names:
            raise _unreadable("文件中没有可见的工作表")

    def read(self, index: int, *, max_rows: int | None = None) -> SheetData:
        if self._xlsx is None:
            return _read_csv(self._csv, self.names[0], max_rows)
        return self._xlsx.sheet(index, max_rows)


def _read_csv(data: bytes, filename: str, max_rows: int | None) -> SheetData:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            decoded = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _unreadable("不是 UTF-8 或 GBK 编码的文本")
    rows = []
    try:
        for number, record in enumerate(csv.reader(io.StringIO(decoded, newline="")), start=1):
            if max_rows is not None and number > max_rows:
                break
            if number > MAX_ROWS:
                raise RuleError({"file": f"文件超过{MAX_ROWS}行，请分批导入"})
            if any(len(cell) > MAX_CELL_CHARS for cell in record):
                raise _cell_too_long()
            rows.append((number, [cell if cell != "" else None for cell in record[:MAX_COLUMNS]]))
    except csv.Error as exc:  # a field longer than the csv module's own limit, or a stray NUL
        raise (_cell_too_long() if "field larger" in str(exc) else _unreadable()) from None
    return SheetData(name=filename.rsplit("/", 1)[-1], rows=rows)


def _column_index(ref: str) -> int:
    index = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            index = index * 26 + ord(ch) - 64
        else:
            break
    return index - 1


def _row_number(ref: str) -> int:
    return int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


class _XlsxReader:
    def __init__(self, data: bytes):
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            if sum(item.file_size for item in self.zip.infolist()) > MAX_XML_BYTES:
                raise _too_large()  # as declared; what is really inflated is counted while reading
            self.budget = [MAX_XML_BYTES]
            names = set(self.zip.namelist())
            self.workbook_path = (
                "xl/workbook.xml"
                if "xl/workbook.xml" in names
                else next(n for n in names if n.endswith("workbook.xml"))
            )
            self._read_workbook()
            self.strings = self._read_strings()
            self.date_styles = self._read_styles()
        except (zipfile.BadZipFile, StopIteration, KeyError, ParseError, ValueError, EOFError, OSError):
            raise _unreadable() from None

    def _open(self, name: str) -> _Bounded:
        return _Bounded(self.zip.open(name), self.budget)

    def _part(self, target: str) -> str:
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join(posixpath.dirname(self.workbook_path), target))

    def _read_workbook(self) -> None:
        base = posixpath.dirname(self.workbook_path)
        rels_path = posixpath.join(base, "_rels", posixpath.basename(self.workbook_path) + ".rels")
        targets = {}
        self.parts = {"sharedStrings": self._part("sharedStrings.xml"), "styles": self._part("styles.xml")}
        if rels_path in self.zip.namelist():
            for _, el in iterparse(self._open(rels_path)):
                if _local(el.tag) == "Relationship":
                    targets[el.get("Id")] = el.get("Target")
                    kind = el.get("Type", "").rpartition("/")[2]
                    if kind in self.parts:
                        self.parts[kind] = self._part(el.get("Target"))
        self.epoch = CALENDAR_WINDOWS_1900
        self.sheet_parts: list[tuple[str, str]] = []
        for _, el in iterparse(self._open(self.workbook_path)):
            name = _local(el.tag)
            if name == "workbookPr" and el.get("date1904") in ("1", "true"):
                self.epoch = CALENDAR_MAC_1904
            elif name == "sheet" and el.get("state", "visible") == "visible":
                rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
                if rid in targets:
                    self.sheet_parts.append((el.get("name", ""), self._part(targets[rid])))

    def _read_strings(self) -> list[str]:
        path = self.parts["sharedStrings"]
        if path not in self.zip.namelist():
            return []
        strings = []
        for _, el in iterparse(self._open(path)):
            if _local(el.tag) == "si":
                strings.append(_rich_text(el))
                el.clear()
        return strings

    def _read_styles(self) -> set[int]:
        path = self.parts["styles"]
        if path not in self.zip.namelist():
            return set()
        custom, xfs, in_cell_xfs = {}, [], False
        for event, el in iterparse(self._open(path), events=("start", "end")):
            name = _local(el.tag)
            if name == "cellXfs":
                in_cell_xfs = event == "start"
            elif event == "end" and name == "numFmt":
                custom[int(el.get("numFmtId"))] = el.get("formatCode", "")
            elif event == "end" and name == "xf" and in_cell_xfs:
                xfs.append(int(el.get("numFmtId", 0)))
        dates = set()
        for index, fmt in enumerate(xfs):
            code = custom.get(fmt, BUILTIN_FORMATS.get(fmt))
            if (fmt in _BUILTIN_DATES and fmt not in custom) or (code and is_date_format(code)):
                dates.add(index)
        return dates

    def sheet(self, index: int, max_rows: int | None) -> SheetData:
        try:
            return self._read_sheet(*self.sheet_parts[index], max_rows)
        except (KeyError, ParseError, ValueError, IndexError, zipfile.BadZipFile, EOFError, OSError):
            raise _unreadable() from None

    def _read_sheet(self, name: str, part: str, max_rows: int | None) -> SheetData:
        rows, merges, counter = [], [], 0
        with self._open(part) as source:
            for _, el in iterparse(source):
                tag = el.tag
                if tag.endswith("}row") or tag == "row":
                    ns = tag[:-3]
                    counter = int(el.get("r") or counter + 1)
                    if max_rows is not None and counter > max_rows:
                        break
                    if counter > MAX_ROWS:
                        raise RuleError({"file": f"文件超过{MAX_ROWS}行，请分批导入"})
                    rows.append((counter, self._cells(el, ns)))
                    el.clear()
                elif tag.endswith("}mergeCell"):
                    first, _, last = el.get("ref", "").partition(":")
                    if first and last:
                        merges.append(
                            (_row_number(first), _column_index(first), _row_number(last), _column_index(last))
                        )
                elif tag.endswith("}sheetData") and max_rows is not None:
                    break
        return SheetData(name=name, rows=rows, merges=merges)

    def _cells(self, row_el, ns: str) -> list:
        cells: list = []
        position = -1
        for c in row_el.iter(ns + "c"):
            ref = c.get("r")
            position = _column_index(ref) if ref else position + 1
            value = self._value(c, ns)
            if value is None or position >= MAX_COLUMNS:
                continue
            if position >= len(cells):
                cells.extend([None] * (position + 1 - len(cells)))
            cells[position] = value
        return cells

    def _value(self, c, ns: str):
        kind = c.get("t", "n")
        if kind == "inlineStr":
            node = c.find(ns + "is")
            return _rich_text(node) if node is not None else None
        raw = c.findtext(ns + "v")
        if raw is None or raw == "":
            return None
        if kind == "s":
            return self.strings[int(raw)]
        if kind in ("str", "d"):
            return raw
        if kind == "b":
            return raw in ("1", "true")
        if kind == "e":
            return None
        number = int(raw) if raw.lstrip("-").isdigit() else float(raw)
        style = c.get("s")
        if style and int(style) in self.date_styles:
            try:
                return from_excel(number, self.epoch)
            except (ValueError, OverflowError):
                return number
        return number


def _rich_text(el) -> str:
    """The text of a shared or inline string: plain <t>, or rich-text runs <r><t>; phonetic <rPh> skipped."""
    parts = []
    for child in el:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    value = "".join(parts)
    if len(value) > MAX_CELL_CHARS:  # many runs, each short enough
        raise _cell_too_long()
    return value
