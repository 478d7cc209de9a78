"""The rules of measures and follow-ups as plain functions (DOMAIN.md §4 and §9). No database here:
callers pass the records and the policy values."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING, EVENING = "morning", "evening"
SYMPTOMS = ["发热", "干咳", "乏力", "咽痛", "嗅（味）觉减退", "腹泻", "其他"]


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI)


def slot_bounds(day: dt.date, slot: str) -> tuple[dt.datetime, dt.datetime]:
    """Morning is [00:00, 12:00), evening [12:00, 24:00) of the day, Asia/Shanghai."""
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=SHANGHAI)
    return (
        (local_midnight(day), noon) if slot == MORNING else (noon, local_midnight(day + dt.timedelta(days=1)))
    )


def slot_of(taken_at: dt.datetime) -> tuple[dt.date, str]:
    local = taken_at.astimezone(SHANGHAI)
    return local.date(), MORNING if local.hour < 12 else EVENING


def is_active_at(started_at: dt.datetime, released_at: dt.datetime | None, moment: dt.datetime) -> bool:
    return started_at <= moment and (released_at is None or released_at > moment)


def owes_slot(started_at: dt.datetime, released_at: dt.datetime | None, slot_end: dt.datetime) -> bool:
    """A slot is owed when its end finds the measure active (DOMAIN.md §9), except that a measure that
    starts exactly at the end owes nothing: no follow-up could be taken inside the slot (a reading at
    12:00 belongs to the evening), so counting it due would make a slot that can only be missed."""
    return started_at < slot_end and is_active_at(started_at, released_at, slot_end)


def due_slots(started_at: dt.datetime, released_at: dt.datetime | None, day: dt.date) -> list[str]:
    """The slots of `day` a measure owes a follow-up for: those whose end finds the measure active."""
    return [
        slot for slot in (MORNING, EVENING) if owes_slot(started_at, released_at, slot_bounds(day, slot)[1])
    ]


def planned_steps(
    reference_date: dt.date, steps: list[list]
) -> list[tuple[str, dt.datetime, dt.datetime, int]]:
    """Each step of a regime as (kind, start, end, days). Day 1 is the day after the reference date;
    a step of N days ends at 24:00 of its day N, and the next step starts then."""
    out = []
    start = local_midnight(reference_date + dt.timedelta(days=1))
    for kind, days in steps:
        end = start + dt.timedelta(days=int(days))
        out.append((kind, start, end, int(days)))
        start = end
    return out


def planned_end(
    *, kind: str, reason: str, reference_date: dt.date, started_at: dt.datetime, policy: dict
) -> tuple[dt.datetime | None, int | None]:
    """When a measure of `kind` for a screening `reason` ends under `policy`, and its length in days.
    The step of that kind in the reason's regime gives the end; a kind the regime does not name runs the
    policy's default length from the start day. Hospital stays have no planned end."""
    for step_kind, _start, end, days in planned_steps(reference_date, policy["regimes"].get(reason, [])):
        if step_kind == kind:
            return end, days
    days = policy["default_days"].get(kind)
    if days is None:
        return None, None
    return local_midnight(started_at.astimezone(SHANGHAI).date() + dt.timedelta(days=int(days))), int(days)


def is_fever(temperature: Decimal, threshold: Decimal | str) -> bool:
    """Fever is temperature ≥ threshold (37.3 ℃ by default), inclusive."""
    return Decimal(temperature) >= Decimal(str(threshold))


def is_abnormal(temperature: Decimal, symptoms: list[str], threshold: Decimal | str) -> bool:
    return is_fever(temperature, threshold) or bool(symptoms)


def telling_reading(readings):
    """The one reading a slot is shown by when it has several (all of them stay recorded): an abnormal
    one before a normal one, then the highest temperature, then the latest. None for no reading."""
    return max(readings, key=lambda r: (r.is_abnormal, r.temperature, r.taken_at), default=None)


def release_blockers(
    *,
    now: dt.datetime,
    planned_end: dt.datetime | None,
    negatives_in_period: int,
    required_negatives: int,
    pending_tests: int,
) -> list[str]:
    """What stands between a measure and its release, in Chinese; empty when it may be released."""
    blockers = []
    if planned_end is not None and now < planned_end:
        blockers.append(f"观察期未满：{planned_end.astimezone(SHANGHAI):%Y年%m月%d日%H时}期满")
    if negatives_in_period < required_negatives:
        blockers.append(f"解除前需{required_negatives}次核酸阴性结果，现有{negatives_in_period}次")
    if pending_tests:
        blockers.append(f"尚有{pending_tests}次核酸检测未出结果")
    return blockers
