"""Writing ledgers as .xlsx the way people print them: a title row across the table, a header row,
then the rows; ID and phone columns stored as text so that Excel does not turn them into 3.7E+17.
And the rejected-rows workbook: the rows as they came, the header as it was, and a reason column,
ready to be fixed and imported again.

Every cell of every export is written through `put` (or `write_only_cell` for streamed sheets): a
string is always a text cell, never a formula, whatever it starts with. Addresses, origins, notes and
imported cells are typed by anyone, and `=HYPERLINK("http://…"&A1,"…")` in a ledger must come back
as those characters, not as a live link that sends the row to someone's server when clicked."""

import datetime as dt
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from .reading import REASON_COLUMN, Table

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(vertical="center", wrap_text=True)
# What spreadsheet programs read as the start of a formula when a cell is typed or a CSV is opened.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def put(cell, value):
    """Set a cell's value, a string always as text: openpyxl would store "=…" as a formula. Control
    characters that the file format cannot hold are dropped rather than failing the whole export."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True  # Excel keeps it text when the cell is edited too
    return cell


def write_only_cell(sheet, value, **style):
    """A cell of a write-only (streamed) sheet, through `put`, with the given style attributes."""
    cell = put(WriteOnlyCell(sheet), value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


class LedgerSheet:
    """One sheet being written, row by row from the top."""

    def __init__(self, sheet_title: str = "Sheet1"):
        self.workbook = Workbook()
        self.ws = self.workbook.active
        self.ws.title = sheet_title[:31]
        self.row = 0

    def title(self, text: str, *, width: int, size: int = 14) -> None:
        self.row += 1
        cell = put(self.ws.cell(row=self.row, column=1), text)
        cell.font = Font(bold=True, size=size)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        if width > 1:
            self.ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=width)
        self.ws.row_dimensions[self.row].height = 26 if size >= 14 else 18

    def line(self, text: str, *, width: int) -> None:
        self.row += 1
        put(self.ws.cell(row=self.row, column=1), text).alignment = Alignment(horizontal="left")
        if width > 1:
            self.ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=width)

    def header(self, headers: Sequence[str], *, widths: Sequence[int] = ()) -> None:
        self.row += 1
        for index, name in enumerate(headers, start=1):
            cell = put(self.ws.cell(row=self.row, column=index), name)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = _BORDER
            width = widths[index - 1] if index <= len(widths) else max(8, 2 * len(str(name)) + 2)
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.ws.freeze_panes = self.ws.cell(row=self.row + 1, column=1)

    def rows(self, rows: Iterable[Sequence], *, text_columns: Iterable[int] = ()) -> int:
        """Append rows; `text_columns` (0-based) are stored as text. Returns how many were written."""
        as_text = set(text_columns)
        count = 0
        for values in rows:
            self.row += 1
            count += 1
            for index, value in enumerate(values):
                if index in as_text and value not in (None, ""):
                    value = str(value)
                cell = put(self.ws.cell(row=self.row, column=index + 1), value)
                cell.border = _BORDER
                cell.alignment = _WRAP
                if index in as_text:
                    cell.number_format = "@"
                elif isinstance(value, dt.datetime | dt.date):
                    cell.number_format = "yyyy-mm-dd"
        return count

    def pairs(self, pairs: Sequence[tuple[str, str]], *, width: int) -> None:
        """Label–value lines of a sheet's header block (姓名：张伟)."""
        for label, value in pairs:
            self.row += 1
            put(self.ws.cell(row=self.row, column=1), label).font = Font(bold=True)
            put(self.ws.cell(row=self.row, column=2), value).alignment = Alignment(wrap_text=True)
            if width > 2:
                self.ws.merge_cells(start_row=self.row, start_column=2, end_row=self.row, end_column=width)

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


def rejected_workbook(table: Table, reasons: dict[int, list[str]], *, title: str) -> bytes:
    """The rejected rows with the file's own header and a reason column: fix, save, import again.
    Every cell is written as text, as it was read (an ID number stays 18 characters)."""
    headers = [h or "" for h in table.headers]
    sheet = LedgerSheet("未导入的行")
    width = len(headers) + 1
    sheet.title(title, width=width)
    sheet.header([*headers, REASON_COLUMN])
    rows = [
        [
            *_as_written(row.cells, len(headers)),
            "；".join(f"第{row.number}行：{r}" for r in reasons[row.number]),
        ]
        for row in table.rows
        if row.number in reasons
    ]
    sheet.rows(rows, text_columns=range(len(headers)))
    sheet.ws.column_dimensions[get_column_letter(width)].width = 60
    return sheet.save()


def _as_written(cells: list, width: int) -> list:
    out = []
    for value in (cells + [None] * width)[:width]:
        if isinstance(value, dt.datetime):
            value = f"{value:%Y-%m-%d}" if value.time() == dt.time(0) else f"{value:%Y-%m-%d %H:%M}"
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        out.append(value)
    return out
