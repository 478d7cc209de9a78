"""Dates as people in China write and reckon them."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Dates as people write them: 2022-03-01, 2022年3月1日, 2022/3/1, 2022.3.1, 20220301.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y年%m月%d日", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"]


def today_in_shanghai() -> dt.date:
    return dt.datetime.now(SHANGHAI).date()


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Full years on `day`."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# 2022-03-01, 2022/3/1, 2022.3.1 and 2022年3月1日 (with or without 日).
_DATE = re.compile(r"^\s*(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?\s*$")


def parse_date(text: str) -> dt.date:
    """A date as people write it; ValueError for anything else or an impossible date."""
    match = _DATE.match(text or "")
    if not match:
        raise ValueError(text)
    return dt.date(*(int(part) for part in match.groups()))
