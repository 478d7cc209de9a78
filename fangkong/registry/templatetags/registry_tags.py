"""Display filters for personal data that has no masked_* property on its model."""

import datetime as dt

from django import template

from fangkong.lib.dates import age_on, today_in_shanghai
from fangkong.lib.masking import mask_phone

register = template.Library()


@register.filter
def masked_phone(value: str) -> str:
    """A unit's contact phone, masked like a person's."""
    return mask_phone(value or "")


@register.filter
def age(birth_date: dt.date | None) -> int | None:
    """Full years today (Asia/Shanghai). Shown instead of the birth date, which with the masked ID
    number (first 6 and last 4) would give the whole number back."""
    if birth_date is None:
        return None
    return age_on(birth_date, today_in_shanghai())
