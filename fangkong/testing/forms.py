"""What the testing pages parse; the rules stay in actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import KeyGroup, Result, SampleKind

SIZE_CHOICES = [(5, _("5人混采")), (10, _("10人混采")), (20, _("20人混采"))]
RESULT_CHOICES = [
    (Result.NEGATIVE, Result.NEGATIVE.label),
    (Result.POSITIVE, Result.POSITIVE.label),
    (Result.INVALID, Result.INVALID.label),
]


class StartForm(forms.Form):
    tube_code = forms.CharField(
        label=_("试管编码"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "inputmode": "text",
                "placeholder": _("扫描或输入试管条码"),
            }
        ),
    )
    kind = forms.ChoiceField(label=_("采样方式"), choices=SampleKind.choices, initial=SampleKind.POOL)
    capacity = forms.TypedChoiceField(
        label=_("混管人数"), choices=SIZE_CHOICES, coerce=int, initial=10, required=False
    )
    node = forms.ChoiceField(label=_("采样辖区"))
    point = forms.TypedChoiceField(label=_("采样点"), coerce=int, required=False, empty_value=None)
    round = forms.TypedChoiceField(label=_("全员核酸轮次"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, nodes=(), points=(), rounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(n.code, n.name) for n in nodes]
        self.fields["point"].choices = [("", _("（不指定）"))] + [(p.pk, p.name) for p in points]
        self.fields["round"].choices = [("", _("（日常检测）"))] + [(r.pk, r.name) for r in rounds]


class AddForm(forms.Form):
    q = forms.CharField(
        label=_("健康码、身份证号或姓名"),
        max_length=400,
        required=False,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "placeholder": _("扫健康码，或输入身份证号、姓名、拼音"),
            }
        ),
    )
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ResultForm(forms.Form):
    result = forms.ChoiceField(label=_("检测结果"), choices=RESULT_CHOICES)
    ct_orf1ab = forms.CharField(label=_("Ct值（ORF1ab）"), max_length=20, required=False)
    ct_n = forms.CharField(label=_("Ct值（N）"), max_length=20, required=False)
    lab = forms.CharField(label=_("检测机构"), max_length=100, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("检测结果文件（Excel或CSV）"))
    lab = forms.CharField(label=_("检测机构"), max_length=100, required=False)


class RoundForm(forms.Form):
    name = forms.CharField(label=_("轮次名称"), max_length=100)
    node = forms.ChoiceField(label=_("范围"))
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, nodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(n.code, n.name) for n in nodes]


class PointForm(forms.Form):
    name = forms.CharField(label=_("采样点名称"), max_length=100)
    node = forms.ChoiceField(label=_("所属辖区"))
    address = forms.CharField(label=_("地址"), max_length=200, required=False)

    def __init__(self, *args, nodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(n.code, n.name) for n in nodes]


class KeyGroupForm(forms.Form):
    group = forms.ChoiceField(label=_("重点人群"), choices=KeyGroup.choices)


class KeyGroupAddForm(forms.Form):
    """A person into a key group: found by ID number, name or pinyin (a tap when several fit)."""

    q = forms.CharField(
        label=_("身份证号或姓名"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("输入身份证号、姓名、拼音")}),
    )
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    group = forms.ChoiceField(label=_("重点人群"), choices=KeyGroup.choices)
    since = forms.DateField(label=_("纳入日期"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("q") and not data.get("person"):
            self.add_error("q", _("请输入身份证号或姓名"))
        return data
