"""Forms of the checkpoint pages. They only parse; the rules (plates, temperatures, fevers, who may be
on a shift) are in actions.py, whose RuleErrors go back next to their field."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from fangkong.checkpoints.models import CheckpointKind, Direction, Outcome
from fangkong.measures.forms.followups import temperature_field
from fangkong.measures.forms.keypersons import date_field, datetime_field
from fangkong.registry.forms import Form, NodeChoiceField


class CheckpointForm(Form):
    node = NodeChoiceField(label=_("所属辖区"), queryset=None)
    name = forms.CharField(label=_("卡口名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=CheckpointKind.choices)
    address = forms.CharField(label=_("位置"), max_length=200, required=False)

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        full = obj.get_full_name() or obj.first_name
        return f"{full}（{obj.get_username()}）" if full else obj.get_username()


class ShiftForm(Form):
    user = UserChoiceField(label=_("值守人员"), queryset=get_user_model().objects.none())
    starts_at = datetime_field(_("上岗时间"))
    ends_at = datetime_field(_("下岗时间"), help_text=_("一个班次不超过24小时"))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates


class LookupForm(forms.Form):
    """A scanned code (the token, filled in by the camera script or pasted), or a typed ID number."""

    token = forms.CharField(
        label=_("健康码"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("扫码后自动填入，也可粘贴")}),
    )
    id_number = forms.CharField(
        label=_("身份证号"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    name = forms.CharField(label=_("姓名"), required=False, max_length=50, help_text=_("首次登记时填写"))
    phone = forms.CharField(
        label=_("手机号"), required=False, max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )

    def clean(self):
        data = super().clean()
        if not data.get("token", "").strip() and not data.get("id_number", "").strip():
            raise forms.ValidationError(_("请扫描健康码或输入身份证号"))
        return data


def passengers_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("同车人数"),
        required=False,
        min_value=0,
        max_value=99,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class PassageForm(Form):
    """A person's passage after a verification (`subject`), or a vehicle with nobody scanned."""

    subject = forms.CharField(required=False, widget=forms.HiddenInput)
    direction = forms.ChoiceField(
        label=_("进/出"), choices=Direction.choices, initial=Direction.IN, widget=forms.RadioSelect
    )
    temperature = temperature_field()
    plate = forms.CharField(label=_("车牌号"), required=False, max_length=16)
    passengers = passengers_field()
    origin = forms.CharField(label=_("来自何地"), required=False, max_length=100)
    destination = forms.CharField(label=_("去往何地"), required=False, max_length=100)
    purpose = forms.CharField(label=_("事由"), required=False, max_length=100)
    outcome = forms.ChoiceField(
        label=_("处置结果"), choices=Outcome.choices, initial=Outcome.PASS, widget=forms.RadioSelect
    )

    def __init__(self, *args, vehicle: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if vehicle:
            del self.fields["subject"]
            self.fields["plate"].required = True
            self.fields["plate"].error_messages["required"] = _("车牌号不能为空")
            self.fields["temperature"].required = False
            self.fields["temperature"].label = _("驾驶员体温（℃）")


class DayForm(forms.Form):
    day = date_field(_("日期"), required=False)
