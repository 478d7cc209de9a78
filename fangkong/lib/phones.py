"""Chinese phone numbers: mobiles (11 digits starting 1[3-9]) and landlines with an area code."""

import re

_FULL_WIDTH = {ord("０") + i: ord("0") + i for i in range(10)}
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw: str) -> str:
    """Strip spaces, dashes, brackets and a +86/0086 prefix; raise InvalidPhone (Chinese reason)."""
    digits = (raw or "").translate(_FULL_WIDTH)
    digits = re.sub(r"[\s\-()（）\u3000]", "", digits)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not digits:
        raise InvalidPhone("电话号码不能为空")
    if not digits.isdigit():
        raise InvalidPhone("电话号码只能包含数字")
    if _MOBILE.match(digits) or _LANDLINE.match(digits):
        return digits
    if digits.startswith("1"):
        raise InvalidPhone(f"手机号码应为以1开头的11位数字，现为{len(digits)}位")
    raise InvalidPhone("电话号码格式不正确：手机号11位，固定电话需带区号")
