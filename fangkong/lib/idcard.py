"""Citizen ID numbers (GB 11643-1999), see DOMAIN.md §3.

18 characters: 6-digit address code, birth date YYYYMMDD, 3-digit sequence (odd = male, even = female),
check character by ISO 7064 MOD 11-2. Unknown address codes are accepted: old codes stay valid.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

# Full-width digits and letters typed by Chinese input methods, mapped to ASCII.
_FULL_WIDTH = {ord("０") + i: ord("0") + i for i in range(10)} | {ord("Ｘ"): ord("X"), ord("ｘ"): ord("X")}
_SPACES = {ord(c): None for c in " \t\u3000\u00a0-"}


class InvalidIdNumber(ValueError):
    """The reason is a sentence in Chinese, fit to show to the person who typed the number."""


@dataclass(frozen=True)
class IdNumber:
    normalized: str
    birth_date: dt.date
    sex: str  # "male" | "female"
    region: str


def normalize(raw: str) -> str:
    return raw.translate(_FULL_WIDTH).translate(_SPACES).upper()


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def parse(raw: str, *, today: dt.date | None = None) -> IdNumber:
    """Normalise and validate an ID number; raise InvalidIdNumber with the reason in Chinese."""
    number = normalize(raw or "")
    if not number:
        raise InvalidIdNumber("身份证号不能为空")
    if len(number) == 15 and number.isdigit():
        raise InvalidIdNumber("15位身份证号已停止使用，请填写18位身份证号")
    if len(number) != 18:
        raise InvalidIdNumber(f"身份证号应为18位，现为{len(number)}位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber("身份证号前17位应为数字，最后一位应为数字或X")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(f"身份证号中的出生日期{number[6:14]}不存在") from None
    today = today or dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    if birth > today:
        raise InvalidIdNumber(f"身份证号中的出生日期{birth:%Y年%m月%d日}晚于今天")
    if birth.year < 1880:
        raise InvalidIdNumber(f"身份证号中的出生日期{birth:%Y年%m月%d日}不合理")
    if check_char(number[:17]) != number[17]:
        raise InvalidIdNumber("身份证号校验位错误，请核对号码")
    sex = "male" if int(number[16]) % 2 else "female"
    return IdNumber(normalized=number, birth_date=birth, sex=sex, region=number[:6])


def make(region: str, birth_date: dt.date, sequence: int) -> str:
    """Build a valid number (for demo data and tests): sequence 0–999, odd for men, even for women."""
    first17 = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
