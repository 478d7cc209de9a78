"""Cold-chain rules as pure functions (DOMAIN.md §14): what a lot lacks before it may be sold, what the
supervision warehouse needs before a lot leaves it, quantities, and which workers handled a lot."""

import datetime as dt
from decimal import Decimal, InvalidOperation

# The four documents of 两证明一报告一信息, in the order people name them.
DOCUMENTS = ("inspection", "disinfection", "nat_report", "trace_info")
DOCUMENT_NAMES = {
    "inspection": "入境货物检验检疫证明",
    "disinfection": "消毒证明",
    "nat_report": "核酸检测报告",
    "trace_info": "追溯信息",
}
CENT = Decimal("0.01")


def missing_documents(present) -> list[str]:
    """The kinds of the four documents not in `present`, in the order of 两证明一报告一信息."""
    present = set(present)
    return [kind for kind in DOCUMENTS if kind not in present]


def release_refusal(missing: list[str]) -> str:
    """'' when nothing is missing, else the refusal naming each missing document."""
    if not missing:
        return ""
    names = "、".join(DOCUMENT_NAMES[kind] for kind in missing)
    return f"不能准予销售：“两证明一报告一信息”不全，缺少{names}"


def warehouse_exit_missing(
    *, disinfected: bool, sampled: bool, negative: bool, certificate: str
) -> list[str]:
    """What the supervision warehouse still owes before a lot leaves it (出仓): sampled with a negative
    result, disinfected, and the exit certificate (出仓证明) numbered."""
    missing = []
    if not sampled:
        missing.append("未抽样检测")
    elif not negative:
        missing.append("核酸检测结果未出或非阴性")
    if not disinfected:
        missing.append("未消毒")
    if not (certificate or "").strip():
        missing.append("未填写出仓证明编号")
    return missing


def check_quantity(value) -> Decimal:
    """A positive quantity with at most two decimals; ValueError (Chinese) otherwise."""
    try:
        quantity = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError("数量须为数字") from None
    if not quantity.is_finite() or quantity <= 0:
        raise ValueError("数量须大于0")
    if quantity != quantity.quantize(CENT):
        raise ValueError("数量最多两位小数")
    return quantity


def overlaps(*, since: dt.date, until: dt.date | None, start: dt.date, end: dt.date) -> bool:
    """Whether a worker's time at a store [since, until] meets the goods' time there [start, end]."""
    return since <= end and (until is None or until >= start)


def fmt(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
