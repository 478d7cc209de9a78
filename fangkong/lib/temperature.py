"""Body temperatures as people type them at a follow-up, a checkpoint or in a policy's fever threshold."""

from decimal import ROUND_HALF_UP, Decimal

# Full-width digits and the full-width point and comma of Chinese input methods.
_FULL_WIDTH = {ord("０") + i: ord("0") + i for i in range(10)} | {ord("．"): ".", ord("，"): "."}


def check_temperature(raw) -> Decimal:
    """A body temperature as people type it (36.5, 36,5, ３６.５) with one decimal; ValueError in Chinese."""
    text = (
        str(raw or "")
        .strip()
        .translate(_FULL_WIDTH)
        .replace(",", ".")
        .replace("。", ".")
        .removesuffix("℃")
        .removesuffix("°C")
        .removesuffix("度")
        .strip()
    )
    try:
        # 四舍五入 as people round by hand: 37.25 is 37.3, not the banker's 37.2.
        value = Decimal(text).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except ArithmeticError:
        raise ValueError("体温应为数字，如 36.5") from None
    if not value.is_finite():  # "NaN" parses, and then cannot be compared
        raise ValueError("体温应为数字，如 36.5")
    if not Decimal("34.0") <= value <= Decimal("43.0"):
        raise ValueError(f"体温 {value}℃ 不在合理范围（34.0–43.0℃）内，请核对")
    return value
