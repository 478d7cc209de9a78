"""Testing rules as pure functions (DOMAIN.md §4, §13): how a lab writes a result and a Ct value, which
pool sizes exist, what a tube's result does to its members, and when a test is due."""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from fangkong.policy.presets import PRESETS, TESTING

POOL_SIZES = (5, 10, 20)
PENDING, NEGATIVE, POSITIVE, INVALID = "pending", "negative", "positive", "invalid"

# How labs write results; compared after removing spaces and lower-casing.
_RESULT_WORDS = {
    NEGATIVE: {"阴性", "阴", "negative", "neg", "-", "（-）", "(-)", "n", "未检出", "阴性(-)", "阴性（-）"},
    POSITIVE: {"阳性", "阳", "positive", "pos", "+", "（+）", "(+)", "p", "检出", "阳性(+)", "阳性（+）"},
    INVALID: {"无效", "invalid", "重采", "需重采", "样本无效", "不合格", "复采"},
}
_WORD_TO_RESULT = {word: result for result, words in _RESULT_WORDS.items() for word in words}
_CT_NUMBER = re.compile(r"(\d+(?:[.,]\d+)?)")
_CT_NONE = {"", "-", "/", "—", "无", "未检出", "n/a", "na", "undetermined", "undet", "noct", "none", ">40"}


def parse_result(raw: str) -> str | None:
    """negative, positive or invalid as a lab writes it (阴性、阴、negative、-); None when unreadable."""
    word = re.sub(r"\s", "", str(raw or "")).lower()
    return _WORD_TO_RESULT.get(word)


def parse_ct(raw) -> Decimal | None:
    """A Ct value as a lab writes it: 28.5, "28.50", "Ct=28,5", "28.5（N）"; None for none (-, 无, N/A).
    Stored, not interpreted: the cut-off is the kit's. ValueError when it is not a Ct value."""
    if raw is None:
        return None
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        value = Decimal(str(raw))
    else:
        text = re.sub(r"\s", "", str(raw)).lower()
        if text in _CT_NONE:
            return None
        match = _CT_NUMBER.search(text)
        if not match or len(_CT_NUMBER.findall(text)) > 1:
            raise ValueError("Ct值应为数字")
        try:
            value = Decimal(match.group(1).replace(",", "."))
        except InvalidOperation:
            raise ValueError("Ct值应为数字") from None
    if not Decimal("0") < value < Decimal("60"):
        raise ValueError("Ct值应在0到60之间")
    return value.quantize(Decimal("0.01"))


def check_capacity(*, kind: str, capacity: int) -> str:
    """'' when the tube's size is allowed, else the reason (Chinese)."""
    if kind == "single":
        return "" if capacity == 1 else "单采每管1人"
    if capacity not in POOL_SIZES:
        return "混采每管5人、10人或20人"
    return ""


@dataclass(frozen=True)
class Effect:
    """What a tube's result does to its members."""

    personal: str | None  # the outcome each member's own result takes; None: the member has no result
    retest: str | None  # a re-test asked of each member (its reason), or None
    control: bool  # members put under control where they are
    alert: bool  # reported to the county
    suspected_case: bool  # a suspected case opened for the (single) person


def effect_of(*, kind: str, result: str) -> Effect:
    """DOMAIN.md §13: a negative tube is each member's negative; a positive pool is never a person's result:
    its members are controlled where they are and sampled singly; a positive single test is reported and
    opens a suspected case; an invalid result asks for a new sample."""
    if result == NEGATIVE:
        return Effect(NEGATIVE, None, False, False, False)
    if result == INVALID:
        return Effect(None, "invalid", False, False, False)
    if result == POSITIVE and kind == "pool":
        return Effect(None, "pool_positive", True, True, False)
    if result == POSITIVE:
        return Effect(POSITIVE, None, False, True, True)
    return Effect(PENDING, None, False, False, False)


# Schedules -----------------------------------------------------------------------------------------------


def measure_test_dates(*, kind: str, day_one: dt.date, values: dict) -> list[dt.date]:
    """The dates a person under a measure of `kind` is due for a test: the policy's test days (day 1 is
    `day_one`)."""
    days = values.get("tests", {}).get(kind, [])
    return [day_one + dt.timedelta(days=int(n) - 1) for n in sorted(set(days))]


def key_group_days(values: dict) -> dict[str, int]:
    """Days between two tests of each key group: the policy's, over its preset's, over the default."""
    preset = PRESETS.get(values.get("preset", ""), {})
    return {
        **TESTING["key_group_days"],
        **preset.get("testing", {}).get("key_group_days", {}),
        **(values.get("testing") or {}).get("key_group_days", {}),
    }


DONE, DUE, OVERDUE, UPCOMING = "done", "due", "overdue", "upcoming"


def schedule_state(*, due_on: dt.date, tested_on: set[dt.date], today: dt.date) -> str:
    """A measure's test day: done when a sample was taken that day, due today, overdue once past."""
    if due_on in tested_on:
        return DONE
    if due_on > today:
        return UPCOMING
    return DUE if due_on == today else OVERDUE


def key_group_next(*, last_tested: dt.date | None, since: dt.date, every: int) -> dt.date:
    """When a key-group member's next test is due: `every` days after the last one; at once when they
    were never tested since joining."""
    if last_tested is None or last_tested < since:
        return since
    return last_tested + dt.timedelta(days=every)


def percent(part: int, whole: int) -> float | None:
    return None if not whole else round(part * 100.0 / whole, 1)


# Words a member list uses for each key group (重点人群), beside the group's own name.
KEY_GROUP_WORDS = {
    "cold_chain": ("冷链", "进口冷链", "冷库", "coldchain"),
    "port": ("口岸", "港口", "码头", "海关", "port"),
    "medical": ("医务", "医护", "医疗", "医院", "medical"),
    "delivery": ("快递", "外卖", "物流", "配送", "骑手", "delivery"),
    "market": ("农贸", "市场", "集贸", "商超", "market"),
}


def key_group_of(text: str, labels: dict[str, str]) -> str | None:
    """The key group a ledger cell names: the group's code, its name (`labels`: code → name), or a word
    of KEY_GROUP_WORDS in it ("冷链从业人员", "快递员", "医护"). None when no group or two groups fit."""
    raw = "".join((text or "").split()).lower()
    if not raw:
        return None
    for code, label in labels.items():
        if raw in (code, label.lower()):
            return code
    found = {code for code, words in KEY_GROUP_WORDS.items() if any(w in raw for w in words)}
    return found.pop() if len(found) == 1 else None
