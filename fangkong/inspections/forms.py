"""Forms of the inspection pages: they parse what was typed; the rules are in rules.py and actions.py,
whose RuleErrors go back next to their field. An inspection's items are read from the POST by hand
(one radio, note and photo per item): their number depends on the template."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.measures.forms.keypersons import date_field, datetime_field
from fangkong.registry.forms import Form

from .models import InspectionKind

ALL = _("全部")
STATES = [
    ("", ALL),
    ("open", _("整改中")),
    ("overdue", _("已逾期")),
    ("escalated", _("已上报")),
    ("closed", _("已整改")),
]


class InspectionFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=[("", ALL), *InspectionKind.choices], required=False)
    q = forms.CharField(label=_("单位或场所"), required=False, max_length=50)
    date_from = date_field(_("检查日期自"), required=False)
    date_to = date_field(_("至"), required=False)

    def values(self) -> dict:
        self.is_valid()
        return getattr(self, "cleaned_data", {})


class OrderFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), choices=STATES, required=False)

    def values(self) -> dict:
        self.is_valid()
        return getattr(self, "cleaned_data", {})


class InspectionForm(Form):
    """The head of an inspection; the items come as item-<n> / note-<n> / photo-<n>."""

    inspected_at = datetime_field(_("检查时间"))
    inspectors = forms.CharField(label=_("检查人员"), max_length=200)
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = date_field(_("整改期限"), required=False, help_text=_("留空按政策默认天数"))
    owner = forms.CharField(
        label=_("整改责任人"), max_length=50, required=False, help_text=_("留空为单位联系人")
    )
    owner_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    requirement = forms.CharField(label=_("整改要求"), max_length=500, required=False)


class ReinspectForm(Form):
    inspected_at = datetime_field(_("复查时间"))
    inspectors = forms.CharField(label=_("检查人员"), max_length=200)
    new_deadline = date_field(
        _("新的整改期限"), required=False, help_text=_("仍未整改时可延期；留空则逾期上报")
    )
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class OrderForm(Form):
    deadline = date_field(_("整改期限"))
    owner = forms.CharField(label=_("整改责任人"), max_length=50)
    owner_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    requirement = forms.CharField(label=_("整改要求"), max_length=500, required=False)


class TemplateForm(Form):
    name = forms.CharField(label=_("检查表名称"), max_length=100)
    description = forms.CharField(label=_("说明"), max_length=300, required=False)
    items = forms.CharField(
        label=_("检查项"), widget=forms.Textarea(attrs={"rows": 10}), help_text=_("每行一项")
    )
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class ClosureForm(Form):
    reason = forms.CharField(label=_("关停原因"), max_length=300)
    closed_at = datetime_field(_("关停时间"))


class ReopenForm(Form):
    reopened_at = datetime_field(_("恢复营业时间"))
    note = forms.CharField(label=_("恢复说明"), max_length=300, required=False)
