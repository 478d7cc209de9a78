"""Forms of the daily-report pages: the report (activity counts, note, correction reason), the zero
report's correction reason, reporting units, and the export's date range."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.grid.forms import UserDateField
from fangkong.grid.models import Jurisdiction
from fangkong.lib.dates import parse_date
from fangkong.registry.forms import node_label
from fangkong.registry.models import Unit
from fangkong.reporting.queries import MAX_COUNT, Activity

REASON_HELP = _("报告已报送，修改内容即为更正，须说明原因")


def parse_day(text: str | None, default: dt.date) -> tuple[dt.date, bool]:
    """A `date` query parameter as users write it; (default, False) when absent or unreadable."""
    if not text:
        return default, True
    try:
        return parse_date(text), True
    except ValueError:
        return default, False


class ReportForm(forms.Form):
    """One integer field per activity of the policy (empty counts as 0), the note and, once the report
    has been submitted, the reason for a correction."""

    note = forms.CharField(
        label=_("备注"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(label=_("更正原因"), required=False, max_length=200, help_text=REASON_HELP)

    def __init__(self, *args, activities: list[Activity], submitted: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.activities = activities
        fields = {}
        for activity in activities:
            fields[f"act_{activity.code}"] = forms.IntegerField(
                label=f"{activity.label}（{activity.unit}）" if activity.unit else activity.label,
                required=False,
                min_value=0,
                max_value=MAX_COUNT,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "step": 1}),
            )
        # Activities first, then the note and the reason.
        self.fields = {**fields, **self.fields}
        if not submitted:
            del self.fields["reason"]
        else:
            self.fields["reason"].widget.attrs["placeholder"] = _("如：漏填广播宣传次数")

    def activity_fields(self):
        return [self[f"act_{a.code}"] for a in self.activities]

    def cleaned_activities(self) -> dict[str, int]:
        return {a.code: self.cleaned_data.get(f"act_{a.code}") or 0 for a in self.activities}

    @staticmethod
    def initial_from(report) -> dict:
        if report is None:
            return {}
        return {f"act_{code}": value for code, value in report.activities.items()} | {"note": report.note}


class ZeroForm(forms.Form):
    reason = forms.CharField(label=_("更正原因"), required=False, max_length=200, help_text=REASON_HELP)


class NodeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return node_label(obj)


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.get_kind_display()}，{obj.node.name}）"


class ReportingUnitForm(forms.Form):
    node = NodeChoice(label=_("村（社区）"), queryset=Jurisdiction.objects.none(), required=False)
    unit = UnitChoice(label=_("或单位"), queryset=Unit.objects.none(), required=False)
    active_from = UserDateField(label=_("起报日期"), help_text=_("从这一天起每天报送，如 2022-03-01"))

    def __init__(self, *args, nodes, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes
        self.fields["unit"].queryset = units

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("node")) == bool(cleaned.get("unit")):
            raise forms.ValidationError(_("请选择一个村（社区）或一个单位"))
        return cleaned


class StopForm(forms.Form):
    active_until = UserDateField(label=_("停报日期"), help_text=_("从这一天起不再报送"))


class StartForm(forms.Form):
    active_from = UserDateField(label=_("起报日期"))


class ExportForm(forms.Form):
    date_from = UserDateField(label=_("起始日期"))
    date_to = UserDateField(label=_("截止日期"))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return cleaned
