"""Compliance of disinfection as pure functions (DOMAIN.md §16: compliance = done ÷ required).

A place type requires `times` disinfections every `every_days` days (policy). An entry counts on the day,
Asia/Shanghai, it started: 23:59 belongs to that day, 00:00 to the next.
- Every day (`every_days` = 1): `times` are required on each day, and at most `times` of the day's
  entries count as done (a third round does not make up for yesterday).
- Every k days (k > 1): one is required on day D when the place had no entry on the k − 1 days before D;
  so a place disinfected on the 1st of a weekly round is next due on the 8th, and due again each day
  after until it is done.
A place counts from the day it was set up (`since`): nothing is required before it existed. A day's
shortfall is missed once the day has ended."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Frequency:
    times: int
    every_days: int

    @classmethod
    def of(cls, value: dict) -> "Frequency":
        return cls(
            times=max(int(value.get("times", 1)), 0), every_days=max(int(value.get("every_days", 1)), 1)
        )


@dataclass(frozen=True)
class Day:
    required: int
    done: int

    @property
    def short(self) -> int:
        return self.required - self.done


def check_times(*, started_at: dt.datetime, ended_at: dt.datetime, now: dt.datetime) -> dict[str, str]:
    """Reasons (Chinese) why the times of an entry cannot be right; empty when they can."""
    errors = {}
    if started_at.tzinfo is None or ended_at.tzinfo is None:
        return {"started_at": "时间须带时区"}
    if started_at > now + dt.timedelta(minutes=5):
        errors["started_at"] = "开始时间不能晚于现在"
    if ended_at < started_at:
        errors["ended_at"] = "结束时间不能早于开始时间"
    elif ended_at - started_at > dt.timedelta(hours=24):
        errors["ended_at"] = "一次消杀不应超过24小时，请分次登记"
    return errors


def day_of(frequency: Frequency, *, day: dt.date, since: dt.date, count: Callable[[dt.date], int]) -> Day:
    """What a place owed and did on `day`; `count(d)`: its entries on d."""
    if day < since or frequency.times == 0:
        return Day(0, 0)
    if frequency.every_days == 1:
        required = frequency.times
    else:
        window = [day - dt.timedelta(days=back) for back in range(1, frequency.every_days)]
        required = 0 if any(count(d) for d in window if d >= since) else 1
    return Day(required, min(count(day), required))


def percent(done: int, required: int) -> float | None:
    return None if required == 0 else round(done * 100.0 / required, 1)
