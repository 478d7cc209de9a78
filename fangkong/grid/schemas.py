"""API schemas for the tree, and the pieces every API router shares: the error body and the wording of
validation errors, text that is safe to store, ids and dates as users write them."""

import datetime as dt
import re
from typing import Annotated

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from .models import Level

# NUL and other control characters (PostgreSQL refuses NUL in text) and lone surrogates (not UTF-8).
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_SAFE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # published in the schema
_CHINESE_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?\s*$")
MAX_ID = 2**63 - 1  # BigAutoField


def _safe(value: str) -> str:
    if _UNSAFE.search(value):
        raise ValueError("不能包含控制字符")
    return value


def text(max_length: int, *, description: str | None = None):
    """A string the database can store: no control characters, at most `max_length` characters."""
    return Annotated[
        str,
        Field(max_length=max_length, description=description, json_schema_extra={"pattern": _SAFE_PATTERN}),
        AfterValidator(_safe),
    ]


def required_text(max_length: int, *, description: str | None = None):
    """A string that must hold more than spaces. The action refuses a blank one, with its own reason
    ("地址不能为空"); the schema says the same (minLength and a pattern) so that what it accepts is what
    validation accepts."""
    return Annotated[
        str,
        Field(
            max_length=max_length,
            description=description,
            json_schema_extra={"minLength": 1, "pattern": _NONBLANK_PATTERN},
        ),
        AfterValidator(_safe),
    ]


_SAFE_CHAR = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_NONBLANK_PATTERN = rf"^{_SAFE_CHAR}*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f]{_SAFE_CHAR}*$"
_ISO_DATE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")


def _written_date(value):
    """2022-03-01 or 2022年3月1日, nothing else: pydantic alone would read 0 or "0" as a Unix time."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("日期格式不正确，如 2022-03-01 或 2022年3月1日")
    if found := _CHINESE_DATE.match(value):
        parts = found.groups()
    elif _ISO_DATE.match(value):
        parts = value.strip().split("-")
    else:
        raise ValueError("日期格式不正确，如 2022-03-01 或 2022年3月1日")
    try:
        day = dt.date(*(int(part) for part in parts))
    except ValueError:
        raise ValueError(f"日期{value.strip()}不存在") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        # Days near year 1 or 9999 overflow when the rules turn them into moments in Asia/Shanghai.
        raise ValueError(f"日期应在{FIRST_YEAR}年至{LAST_YEAR}年之间")
    return day


FIRST_YEAR, LAST_YEAR = 1900, 2099

# A date as users write it: 2022-03-01 or 2022年3月1日, from 1900 to 2099. The schema says format: date
# and a pattern for those years (the Chinese form is a convenience it does not advertise).
Date = Annotated[
    dt.date,
    BeforeValidator(_written_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}$"}),
]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1, description="读取时的 version；已被他人修改时返回 409")]
Code = text(32, description="辖区代码")


def local(value: dt.datetime | None) -> dt.datetime | None:
    """Times leave the API in Asia/Shanghai."""
    return timezone.localtime(value) if value else None


class ErrorOut(Schema):
    code: str = Field(description="invalid / duplicate / conflict / forbidden / not_found / unauthenticated")
    message: str
    errors: dict[str, str] = Field(default_factory=dict, description="字段名 → 原因；__all__ 为整体原因")


def error_responses(*codes: int) -> dict[int, type[ErrorOut]]:
    return {code: ErrorOut for code in codes}


_BOUNDS = {
    "less_than_equal": ("le", "不能大于{}"),
    "greater_than_equal": ("ge", "不能小于{}"),
    "less_than": ("lt", "应小于{}"),
    "greater_than": ("gt", "应大于{}"),
    "string_too_long": ("max_length", "不能超过{}个字符"),
    "string_too_short": ("min_length", "至少{}个字符"),
}
_PARSING = {
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "string_type": "应为文字",
    "bool_parsing": "应为 true 或 false",
    "date_parsing": "日期格式不正确，如 2022-03-01 或 2022年3月1日",
    "date_from_datetime_parsing": "日期格式不正确，如 2022-03-01 或 2022年3月1日",
    "date_type": "日期格式不正确，如 2022-03-01 或 2022年3月1日",
    "json_invalid": "不是有效的 JSON",
}


def pydantic_message(err: dict) -> str:
    """A pydantic error in the API's words (Chinese, the reason only: the field is the key it goes under)."""
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "必填项"
    if kind in _BOUNDS and _BOUNDS[kind][0] in ctx:
        key, template = _BOUNDS[kind]
        return template.format(ctx[key])
    if kind in _PARSING:
        return _PARSING[kind]
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "")).replace(" or ", ", ").replace(", ", "、")
        return f"取值应为 {expected}" if expected else "取值不在允许范围内"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])  # our own validators raise ValueError with a reason in Chinese
    if kind.endswith("_parsing") or kind.endswith("_type"):
        return "格式不正确"
    return "取值无效"


class JurisdictionOut(Schema):
    code: str
    name: str
    level: Level
    level_label: str
    parent: str | None = Field(description="上级辖区代码")
    has_children: bool

    @staticmethod
    def resolve_level_label(obj) -> str:
        return str(Level(obj.level).label)

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


class JurisdictionFilterIn(Schema):
    parent: Code | None = Field(None, description="列出该辖区的下级（须在本辖区内）")
    q: text(50, description="按名称查找（在本辖区或 parent 之下）") = ""
