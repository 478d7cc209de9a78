"""A ledger sheet as a table: find the header row under title rows and merged cells, recognise the
columns by their common names and variants, report unknown ones, and drop the rows that are not data
(blank rows, pre-numbered empty rows, 合计 rows, signature lines, notes, a header repeated on each
printed page). Which columns a ledger has is the ledger's business (see measures/ledgers.py)."""

import datetime as dt
import hashlib
import json
import re
from collections.abc import Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from pathlib import Path

from fangkong.lib.errors import RuleError
from fangkong.lib.workbook import Book

from .values import half_width, text

HEADER_SCAN_ROWS = 30
# The reason column of a rejected-rows workbook: read back without complaint when it is re-imported.
REASON_COLUMN = "错误原因"

_NOT_DATA = re.compile(
    r"^(合计|总计|小计|共计|填表人|填报人|审核人|审核|审批人|制表人|制表|统计人|负责人|单位负责人|主要负责人|"
    r"分管领导|签字|签名|填表日期|填报日期|制表日期|填报单位|填表单位|报送单位|注[:：]|说明[:：]|备注[:：])"
)
_HEADER_JUNK = re.compile(r"[\s*＊★☆:：]")
_PARENTHESES = re.compile(r"[(（][^)）]*[)）]")


@dataclass(frozen=True)
class Column:
    """A column a ledger knows: `key` in code, `label` as the standard ledger heads it, `variants` as
    other places head it. `content` is False for columns that do not make a row a data row (序号)."""

    key: str
    label: str
    variants: tuple[str, ...] = ()
    content: bool = True


def header_key(raw) -> str:
    """What a header says, without spaces, required-field stars or a trailing colon."""
    return _HEADER_JUNK.sub("", half_width(text(raw))).replace("（", "(").replace("）", ")").lower()


class ColumnNames:
    def __init__(self, columns: Sequence[Column]):
        self.columns = {c.key: c for c in columns}
        self.exact: dict[str, str] = {}
        for column in columns:
            for name in (column.label, *column.variants):
                self.exact.setdefault(header_key(name), column.key)
        self.bare = {_PARENTHESES.sub("", name): key for name, key in self.exact.items()}

    def match(self, raw) -> str | None:
        """The key of the column a header names: exactly (after normalising), or without its
        parenthesised note (身份证号码（18位） → 身份证号码)."""
        name = header_key(raw)
        if not name:
            return None
        return self.exact.get(name) or self.bare.get(_PARENTHESES.sub("", name))


@dataclass
class Row:
    number: int  # as Excel shows it
    cells: list


@dataclass
class Table:
    sheet: str
    header_rows: tuple[int, int]  # first and last row of the header, as Excel numbers them
    headers: list[str]  # header text of each column, as written in the file
    columns: dict[str, int]  # key → column index
    labels: dict[str, str]  # key → standard label (for columns the file lacks)
    unknown: list[str] = field(default_factory=list)  # headers not recognised (reported, not fatal)
    duplicates: list[str] = field(default_factory=list)  # a second column for a key already found
    rows: list[Row] = field(default_factory=list)

    def value(self, row: Row, key: str):
        index = self.columns.get(key)
        return row.cells[index] if index is not None and index < len(row.cells) else None

    def label(self, key: str) -> str:
        """How the file heads the column (so a reason names the column the user sees)."""
        index = self.columns.get(key)
        return self.headers[index] if index is not None else self.labels.get(key, key)


# Where the table read from the file in hand is kept, when the caller keeps one (an upload: read once,
# then its preview reloads, the confirm and the rejected-rows download take the table kept).
_KEPT: ContextVar[Path | None] = ContextVar("kept_table", default=None)


@contextmanager
def kept_in(path: Path):
    """Within this block read_table keeps what it reads in `path` (JSON, private to the server account)
    and reads it from there next time; for a file that does not change, like an upload."""
    token = _KEPT.set(path)
    try:
        yield
    finally:
        _KEPT.reset(token)


def read_table(
    data: bytes, filename: str, columns: Sequence[Column], *, required: Sequence[str] = ()
) -> Table:
    """The table of the first sheet whose header names the most known columns. RuleError (field
    "file") when no sheet has the required columns."""
    path = _KEPT.get()
    if path is None:
        return _read_table(data, filename, columns, required)
    key = hashlib.sha256(
        json.dumps([[asdict(c) for c in columns], list(required), len(data)], ensure_ascii=False).encode()
    ).hexdigest()
    kept = _load_kept(path, key)
    if kept is not None:
        if "error" in kept:
            raise RuleError(kept["error"])
        return _table_from(kept["table"])
    try:
        table = _read_table(data, filename, columns, required)
    except RuleError as exc:
        _keep(path, {"key": key, "error": exc.errors})
        raise
    _keep(path, {"key": key, "table": asdict(table)})
    return table


def _load_kept(path: Path, key: str) -> dict | None:
    try:
        kept = json.loads(path.read_text(encoding="utf-8"), object_hook=_decode)
    except (OSError, ValueError):
        return None
    return kept if isinstance(kept, dict) and kept.get("key") == key else None


def _keep(path: Path, content: dict) -> None:
    path.touch(mode=0o600)
    path.write_text(json.dumps(content, ensure_ascii=False, default=_encode), encoding="utf-8")


def _encode(value):
    if isinstance(value, dt.datetime):  # the only cell value JSON has no type for
        return {"$datetime": value.isoformat()}
    raise TypeError(type(value).__name__)


def _decode(obj: dict):
    return dt.datetime.fromisoformat(obj["$datetime"]) if obj.keys() == {"$datetime"} else obj


def _table_from(kept: dict) -> Table:
    kept["header_rows"] = tuple(kept["header_rows"])
    kept["rows"] = [Row(**r) for r in kept["rows"]]
    return Table(**kept)


def _read_table(data: bytes, filename: str, columns: Sequence[Column], required: Sequence[str]) -> Table:
    names = ColumnNames(columns)
    book = Book(data, filename)
    best = None  # (score, sheet index, header rows)
    for index in range(len(book.names)):
        found = _find_header(book.read(index, max_rows=HEADER_SCAN_ROWS).filled(), names)
        if found and (best is None or found[0] > best[0]):
            best = (found[0], index, found[1])
    table = None
    if best is not None:
        sheet = book.read(best[1])
        table = _table(sheet.name, sheet.filled(), best[2], names)
    missing = [names.columns[k].label for k in required if table is None or k not in table.columns]
    if missing:
        wanted = "；".join(
            f"“{names.columns[k].label}”（也可写作{'、'.join(names.columns[k].variants[:3])}）"
            if names.columns[k].variants
            else f"“{names.columns[k].label}”"
            for k in required
        )
        raise RuleError(
            {"file": f"找不到表头中的{'、'.join(missing)}列。表头须有{wanted}；表头可以在标题行下面。"}
        )
    return table


def _header_keys(cells: list, names: ColumnNames) -> list[str | None]:
    return [names.match(c) if c is not None else None for c in cells]


def _find_header(rows: list[tuple[int, list]], names: ColumnNames) -> tuple[int, tuple[int, int]] | None:
    """The header among the first rows: the row naming the most distinct known columns, together
    with the row below when that one holds sub-headers (a two-row header under merged group cells)."""
    best = None
    for position, (number, cells) in enumerate(rows):
        keys = _header_keys(cells, names)
        score = len({k for k in keys if k})
        last = number
        if position + 1 < len(rows):
            below_number, below = rows[position + 1]
            below_keys = _header_keys(below, names)
            combined = len({b or k for k, b in _zip_longest(keys, below_keys) if b or k})
            # Only when the pair names more than the lower row alone: a title above is not a header.
            if combined > len({k for k in below_keys if k}) and _is_sub_header(keys, below, below_keys):
                score, last = combined, below_number
        if score >= 2 and (best is None or score > best[0]):
            best = (score, (number, last))
    return best


def _zip_longest(a: list, b: list):
    size = max(len(a), len(b))
    return zip(a + [None] * (size - len(a)), b + [None] * (size - len(b)), strict=True)


def _is_sub_header(keys, below, below_keys) -> bool:
    """The row below the header continues it when it names a column the header row does not, and
    holds nothing else under the header's known columns but those same names (merged down)."""
    new = {k for k in below_keys if k} - {k for k in keys if k}
    if not new:
        return False
    for index, key in enumerate(keys):
        if key and index < len(below) and below[index] not in (None, "") and below_keys[index] is None:
            return False
    return True


def _table(sheet: str, rows: list[tuple[int, list]], header_rows: tuple[int, int], names) -> Table:
    first, last = header_rows
    header_cells = [cells for number, cells in rows if first <= number <= last]
    width = max((len(cells) for cells in header_cells), default=0)
    headers, keys = [], []
    for index in range(width):
        chosen_text, chosen_key = "", None
        # The lowest header cell that names a known column wins; else the lowest non-empty one.
        for cells in header_cells:
            raw = cells[index] if index < len(cells) else None
            key = names.match(raw) if raw is not None else None
            if key:
                chosen_text, chosen_key = text(raw), key
            elif raw not in (None, "") and not chosen_key:
                chosen_text = text(raw)
        headers.append(chosen_text)
        keys.append(chosen_key)
    table = Table(
        sheet=sheet,
        header_rows=header_rows,
        headers=headers,
        columns={},
        labels={k: c.label for k, c in names.columns.items()},
    )
    for index, key in enumerate(keys):
        if key and key in table.columns:
            table.duplicates.append(headers[index])
        elif key:
            table.columns[key] = index
        elif headers[index] and header_key(headers[index]) != header_key(REASON_COLUMN):
            table.unknown.append(headers[index])
    content = [i for k, i in table.columns.items() if names.columns[k].content]
    # A header repeated on a printed page is a copy of the header cells: compared as written.
    repeated = [
        (i, cells[i]) for cells in header_cells[-1:] for i in table.columns.values() if i < len(cells)
    ]
    for number, cells in rows:
        if number > last and not _is_noise(cells, content, repeated):
            table.rows.append(Row(number=number, cells=cells))
    return table


def _is_noise(cells: list, content: list[int], header_cells: list[tuple[int, object]]) -> bool:
    """Rows that are not people: blank (or only a pre-filled 序号), 合计, signatures, notes, and the
    header again (printed ledgers repeat it on every page)."""
    if not any(i < len(cells) and cells[i] not in (None, "") for i in content):
        return True
    first = next((c for c in cells if c not in (None, "") and (not isinstance(c, str) or c.strip())), "")
    if isinstance(first, str) and _NOT_DATA.match(text(first).replace(" ", "")):
        return True
    return sum(1 for i, h in header_cells if i < len(cells) and cells[i] == h) >= 2
