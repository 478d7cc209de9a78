"""Rules of inspections and rectification as pure functions (no database).

A rectification order's deadline is a date: the unit has until 24:00 of that day, Asia/Shanghai. From
00:00 of the next day the order is overdue and climbs one level up the tree; every further
`escalate_every_days` days overdue it climbs one more, up to the county (the top it may reach).
"""

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI)


def deadline_for(ordered_on: dt.date, days: int) -> dt.date:
    """The default deadline of an order made on `ordered_on` with `days` to fix it."""
    if days < 0:
        raise ValueError("days must not be negative")
    return ordered_on + dt.timedelta(days=days)


def due_end(deadline: dt.date) -> dt.datetime:
    """The moment the deadline runs out: 24:00 of the deadline day."""
    return local_midnight(deadline + dt.timedelta(days=1))


def is_overdue(deadline: dt.date, now: dt.datetime) -> bool:
    return now >= due_end(deadline)


def days_left(deadline: dt.date, now: dt.datetime) -> int:
    """Whole days left including today (0 on the deadline day's end and after, negative when late)."""
    return (deadline - now.astimezone(SHANGHAI).date()).days + 1


def escalation_steps(deadline: dt.date, now: dt.datetime, every_days: int) -> int:
    """How many levels up an open order should stand at `now`: 0 until it is overdue, 1 from the first
    moment overdue, one more for every further `every_days` days (every_days < 1: one step only)."""
    if not is_overdue(deadline, now):
        return 0
    if every_days < 1:
        return 1
    late = now - due_end(deadline)
    return 1 + int(late // dt.timedelta(days=every_days))


def escalation_target(chain: list, steps: int):
    """The node `steps` levels above the first of `chain` (the object's node, then its ancestors up to
    the highest that may follow an order), capped at the last; None for no step."""
    if steps <= 0 or len(chain) < 2:
        return None
    return chain[min(steps, len(chain) - 1)]


def check_results(results: list[dict]) -> dict[str, str]:
    """Errors of an inspection's results (each {"text", "passed", "note"}): every item answered, a
    failed item says what is wrong."""
    errors = {}
    if not results:
        errors["results"] = "检查结果不能为空：至少一项"
    for index, result in enumerate(results):
        if result.get("passed") is None:
            errors[f"results.{index}"] = f"第{index + 1}项“{result.get('text', '')}”未填写是否合格"
        elif not result["passed"] and not (result.get("note") or "").strip():
            errors[f"results.{index}"] = f"第{index + 1}项“{result.get('text', '')}”不合格，请填写存在的问题"
    return errors
