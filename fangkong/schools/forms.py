"""Parse what was typed on the school pages; the rules stay in actions."""

import datetime as dt
import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import Stage

SYMPTOM_CHOICES = [(code, label) for code, label in rules.SYMPTOMS.items()]


class SchoolForm(forms.Form):
    node = forms.ModelChoiceField(queryset=None, label=_("所属辖区"))
    name = forms.CharField(label=_("学校名称"), max_length=100)
    stage = forms.ChoiceField(label=_("学段"), choices=Stage.choices)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    opening_date = forms.DateField(
        label=_("开学日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes


class AbsenceForm(forms.Form):
    reason = forms.CharField(label=_("缺勤原因"), max_length=100, required=False)
    onset = forms.DateField(
        label=_("发病时间"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    saw_doctor = forms.BooleanField(label=_("是否就诊"), required=False)
    diagnosis = forms.CharField(label=_("诊断"), max_length=100, required=False)
    expected_return = forms.DateField(
        label=_("预计返校日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    returned_on = forms.DateField(
        label=_("返校时间"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    certificate = forms.BooleanField(label=_("已交复课证明"), required=False)
    certificate_note = forms.CharField(label=_("证明说明"), max_length=100, required=False)


class PreOpeningForm(forms.Form):
    member = forms.ModelChoiceField(queryset=None, label=_("姓名"))
    day = forms.TypedChoiceField(label=_("日期"), choices=[])
    temperature = forms.CharField(label=_("体温"), max_length=10, required=False)
    symptoms = forms.MultipleChoiceField(
        label=_("症状"), choices=SYMPTOM_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    away = forms.CharField(label=_("离开本地情况"), max_length=100, required=False)

    def __init__(self, *args, members, days, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["day"].choices = [(d.isoformat(), f"{d:%m-%d}") for d in days]
        self.fields["day"].coerce = dt.date.fromisoformat


class RosterImportForm(forms.Form):
    file = forms.FileField(label=_("班级花名册（Excel或CSV）"))
    dry_run = forms.BooleanField(label=_("只检查，不写入"), required=False)


class OpeningForm(forms.Form):
    opening_date = forms.DateField(
        label=_("开学日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class SchoolUserForm(forms.Form):
    """A teacher's or an officer's account: the password typed twice, or one generated and shown once."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=150)
    generate = forms.BooleanField(label=_("自动生成密码（只显示一次）"), required=False)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, strip=False, required=False)
    password2 = forms.CharField(
        label=_("再次输入密码"), widget=forms.PasswordInput, strip=False, required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("generate"):
            cleaned["password"] = secrets.token_urlsafe(9)  # 12 characters
        elif not cleaned.get("password"):
            self.add_error("password", _("请填写初始密码，或选择自动生成密码"))
        elif cleaned.get("password") != cleaned.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致"))
        return cleaned
