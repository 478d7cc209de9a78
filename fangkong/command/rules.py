"""Rules of tasks and the duty roster as pure functions (no database).

A duty shift of day D starts at the policy's time on D (08:30 by default) and lasts its hours (24): a
moment belongs to the shift whose [start, end) holds it, so 08:29 on the 2nd is still the 1st's shift and
08:30 is the 2nd's. A task is overdue from its deadline on while not done or cancelled.
"""

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def parse_time(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def shift_bounds(day: dt.date, starts: dt.time, hours: int) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, starts, tzinfo=SHANGHAI)
    return start, start + dt.timedelta(hours=hours)


def shift_day(moment: dt.datetime, starts: dt.time) -> dt.date:
    """The day of the 24-hour shift on duty at `moment`."""
    local = moment.astimezone(SHANGHAI)
    return local.date() if local.time() >= starts else local.date() - dt.timedelta(days=1)


def task_overdue(deadline: dt.datetime, status: str, now: dt.datetime) -> bool:
    return status not in ("done", "cancelled") and now >= deadline


# 一办七组 (DOMAIN.md §16): the preset a command starts from; names vary, each group can be renamed.
PRESET_GROUPS = [
    ("综合办公室", "统筹协调、信息汇总、文件起草、会议组织"),
    ("综合协调组", "上下衔接、部门联络、督办落实"),
    ("疫情防控组", "排查管控、流调溯源、隔离观察、核酸检测"),
    ("医疗救治组", "病例转运、定点救治、发热门诊"),
    ("物资保障组", "防疫物资采购、调拨、储备与发放"),
    ("宣传组", "政策宣传、舆情引导、信息发布"),
    ("社会稳定组", "卡口值守、市场秩序、治安维护"),
    ("督导检查组", "督导检查、问题整改、责任追究"),
]


def in_shift(moment: dt.datetime, start: dt.datetime, end: dt.datetime) -> bool:
    """A log entry belongs to a shift when its time is in [start, end)."""
    return start <= moment < end


# How task ledgers write a status, beside the status's own name (compared without spaces).
STATUS_WORDS = {
    "open": ("待办", "未办", "未开始", "交办", "open"),
    "in_progress": ("办理中", "进行中", "正在办理", "推进中", "in_progress"),
    "done": ("已办结", "办结", "已完成", "完成", "已落实", "done"),
    "cancelled": ("已撤销", "撤销", "取消", "已取消", "cancelled"),
}


def status_of(raw: str) -> str | None:
    """The task status a ledger cell names; an empty cell is 待办; None when not recognised."""
    word = "".join((raw or "").split()).lower()
    if not word:
        return "open"
    for status, words in STATUS_WORDS.items():
        if word in words:
            return status
    return None
