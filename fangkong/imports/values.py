"""Cell values as people type them, made plain: text without stray spaces or full-width digits, dates in
the many ways a ledger writes them, numbers that Excel stored instead of text. Pure functions; the
reasons they raise are Chinese sentences that name what is wrong."""

import datetime as dt
import re

from openpyxl.utils.datetime import from_excel

# Full-width digits and Latin letters (input methods type them) → ASCII; the ideographic and the
# no-break space → a plain space. Full-width punctuation stays: （） and ， are ordinary Chinese text.
_HALF_WIDTH = (
    {ord("０") + i: ord("0") + i for i in range(10)}
    | {ord("Ａ") + i: ord("A") + i for i in range(26)}
    | {ord("ａ") + i: ord("a") + i for i in range(26)}
    | {ord("\u3000"): ord(" "), ord("\u00a0"): ord(" "), ord("．"): ord(".")}
)
_SPACES = re.compile(r"\s+")


def half_width(text: str) -> str:
    return text.translate(_HALF_WIDTH)


def text(value) -> str:
    """Any cell as one line of text: numbers without a trailing .0, dates as 2020-01-28."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d}" if value.time() == dt.time(0) else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return _SPACES.sub(" ", half_width(str(value))).strip()


def compact(value) -> str:
    """Text with every space removed: names (张 伟), ID numbers, phone numbers."""
    return text(value).replace(" ", "")


class NumberLostDigits(ValueError):
    pass


def code_text(value, *, label: str) -> str:
    """A long number that must stay text (ID number). Excel keeps only 15 significant digits of a
    number, so an 18-digit ID typed into a number cell has lost its last digits: say so."""
    if isinstance(value, float) and not value.is_integer():
        raise NumberLostDigits(f"{label}被存成了小数，请把该列设为文本后重新填写")
    if isinstance(value, float | int) and not isinstance(value, bool):
        digits = str(int(value))
        if len(digits) > 15:
            raise NumberLostDigits(
                f"{label}被 Excel 存成了数字，后几位已丢失（显示为{digits}），请把该列设为文本后重新填写"
            )
        return digits
    return compact(value)


_DATE_YMD = re.compile(
    r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*[日号]?(?:\s*\d{1,2}[:时].*)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_MD = re.compile(r"^(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*[日号]?$")
# Excel serial days: 1 is 1900-01-01; up to 2173, well past anything a ledger holds.
_SERIAL_RANGE = (1, 100_000)


def parse_date(value, *, today: dt.date) -> tuple[dt.date | None, str]:
    """A date from a cell: a date or datetime cell, an Excel serial number, or text such as
    2020年1月28日, 2020.1.28, 2020/01/28, 2020-1-28, 20200128. Text without a year (1月28日) is taken
    as the latest such day not after today, with a note saying so. Returns (date, note); (None, "")
    for an empty cell; ValueError (Chinese) for anything else."""
    if value is None or value == "":
        return None, ""
    if isinstance(value, dt.datetime):
        return value.date(), ""
    if isinstance(value, dt.date):
        return value, ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, int) or value.is_integer():
            match = _DATE_COMPACT.match(str(int(value)))
            if match:
                return _ymd(*match.groups(), raw=str(int(value))), ""
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            return from_excel(value).date(), ""
        raise ValueError(f"无法识别的日期“{text(value)}”，请写成2020年1月28日或2020-01-28")
    raw = text(value)
    if not raw:
        return None, ""
    if match := _DATE_YMD.match(raw) or _DATE_COMPACT.match(raw):
        return _ymd(*match.groups(), raw=raw), ""
    if match := _DATE_MD.match(raw):
        month, day = int(match[1]), int(match[2])
        for year in (today.year, today.year - 1):
            try:
                candidate = dt.date(year, month, day)
            except ValueError:
                continue
            if candidate <= today:
                return candidate, f"日期“{raw}”未写年份，按{year}年计"
        raise ValueError(f"日期“{raw}”不存在")
    if raw.isdigit() and _SERIAL_RANGE[0] <= int(raw) <= _SERIAL_RANGE[1] and len(raw) == 5:
        return from_excel(int(raw)).date(), ""
    raise ValueError(f"无法识别的日期“{raw}”，请写成2020年1月28日或2020-01-28")


def _ymd(year: str, month: str, day: str, *, raw: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"日期“{raw}”不存在") from None


def format_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
