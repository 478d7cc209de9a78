import datetime as dt
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Action

# 2022-03-01, 2022/3/1, 2022.3.1 and 2022年3月1日 (with or without 日).
_DATE = re.compile(r"^\s*(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?\s*$")


def parse_date(text: str) -> dt.date:
    """A date as people write it; ValueError for anything else or an impossible date."""
    match = _DATE.match(text or "")
    if not match:
        raise ValueError(text)
    return dt.date(*(int(part) for part in match.groups()))


class UserDateField(forms.CharField):
    """A date typed as 2022-03-01 or 2022年3月1日."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_date(value)
        except ValueError:
            raise forms.ValidationError(_("日期格式应为 2022-03-01 或 2022年3月1日")) from None


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("操作"), choices=[("", _("全部操作")), *Action.choices], required=False
    )
    actor = forms.CharField(label=_("操作人用户名"), required=False, max_length=150)
    date_from = UserDateField(label=_("起始日期"), required=False)
    date_to = UserDateField(label=_("截止日期"), required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return cleaned
