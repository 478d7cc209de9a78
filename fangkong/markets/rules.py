"""Rules of market supervision as pure functions (no database)."""

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The market-supervision checklist preset (DOMAIN.md §14), written by migrations/0002 into the
# inspections app's tables. An inspection counts as market supervision when its checklist is this preset
# or a copy of it (a copy keeps the name: inspections.actions.copy_template).
CHECKLIST_NAME = "市场监管疫情防控检查表"
CHECKLIST_DESCRIPTION = "农贸市场、商场超市、冻品店、餐饮店、药店等经营户疫情防控检查"
CHECKLIST_ITEMS = [
    "消毒：经营场所每日消毒并有消杀记录",
    "体温检测：入口设测温点，对进入人员测温",
    "口罩：从业人员和顾客规范佩戴口罩",
    "进货台账：进货查验记录和购销台账完整",
    "从业人员健康：建立从业人员健康监测登记",
    "通风：经营场所定时通风",
    "野生动物：无野生动物交易、无活禽现场宰杀",
    "药店实名登记：退热、止咳等四类药品实名登记销售",
]

# Problems by kind, as the 市场监管局 report names them: a failed item is of the first kind whose words it
# holds (an edited copy of the checklist keeps being classified by its words).
PROBLEM_KINDS = [
    ("no_disinfection", "未进行消毒", ("消毒", "消杀")),
    ("no_temperature", "未进行体温检测", ("体温", "测温")),
    ("no_masks", "未正确佩戴口罩", ("口罩",)),
    ("ledger", "进货台账不规范", ("台账",)),
    ("real_name", "药品未实名登记", ("实名",)),
]
OTHER_KIND = ("other", "其他问题")


def problem_kind(text: str) -> tuple[str, str]:
    """(code, label) of a failed item's text."""
    for code, label, words in PROBLEM_KINDS:
        if any(word in text for word in words):
            return code, label
    return OTHER_KIND


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week the day falls in: a weekly report covers Monday to Sunday."""
    return day - dt.timedelta(days=day.weekday())


def week_days(monday: dt.date) -> list[dt.date]:
    return [monday + dt.timedelta(days=i) for i in range(7)]


def followup_due(purchased_at: dt.datetime, *, hours: int) -> dt.datetime:
    """When the community should have contacted a fever-medicine buyer."""
    if hours < 0:
        raise ValueError("核查时限不能为负数")
    return purchased_at + dt.timedelta(hours=hours)


def is_overdue(due_at: dt.datetime, *, done: bool, now: dt.datetime) -> bool:
    return not done and now >= due_at


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI)


def check_gathering_counts(*, reported: int, cancelled: int, tables: int) -> dict[str, str]:
    """Field → reason for counts that cannot be: negative, or more cancelled than reported."""
    errors = {}
    for field, value, label in (
        ("reported", reported, "上报聚餐"),
        ("cancelled", cancelled, "取消聚餐"),
        ("tables_cancelled", tables, "劝停桌数"),
    ):
        if value is None or value < 0:
            errors[field] = f"{label}应为不小于0的整数"
    if not errors and cancelled > reported:
        errors["cancelled"] = f"取消聚餐（{cancelled}起）不能多于上报聚餐（{reported}起）"
    return errors
