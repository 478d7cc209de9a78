"""Forms of the market-supervision pages. They only parse; the rules are in actions.py, whose RuleErrors
go back next to their field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.measures.forms.keypersons import date_field, datetime_field
from fangkong.registry.forms import Form, NodeChoiceField

from .models import DrugClass


class PharmacyForm(Form):
    node = NodeChoiceField(label=_("所属网格"), queryset=None)
    name = forms.CharField(label=_("药店名称"), max_length=100)
    licence_no = forms.CharField(label=_("药品经营许可证号"), max_length=50)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("负责人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    monitored = forms.BooleanField(label=_("纳入销售监测（报送周报）"), required=False, initial=True)

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes


class PurchaseForm(Form):
    """The counter's form, on a phone: the ID number, the name, the class; the rest optional."""

    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    buyer_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(
        label=_("联系电话"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    drug_class = forms.ChoiceField(
        label=_("类别"), choices=DrugClass.choices, widget=forms.RadioSelect, initial=DrugClass.FEVER
    )
    drug = forms.CharField(label=_("药品名称"), max_length=100)
    quantity = forms.IntegerField(
        label=_("数量"),
        min_value=1,
        max_value=1000,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    symptoms = forms.CharField(label=_("症状"), max_length=100, required=False)
    purchased_at = datetime_field(_("购药时间"), required=False, help_text=_("空：现在"))


class WeeklyForm(Form):
    week_start = date_field(_("监测周（该周任一天）"))
    fever = forms.IntegerField(label=_("退热药"), min_value=0)
    cough = forms.IntegerField(label=_("止咳药"), min_value=0)
    antiviral = forms.IntegerField(label=_("抗病毒药"), min_value=0)
    antibiotic = forms.IntegerField(label=_("抗生素"), min_value=0)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class FollowUpDoneForm(Form):
    outcome = forms.CharField(
        label=_("核查结果"), max_length=300, help_text=_("如：已电话联系，体温正常；已引导至发热门诊")
    )


class FoundForm(Form):
    found_note = forms.CharField(label=_("查找结果"), max_length=200)


class GatheringForm(Form):
    node = NodeChoiceField(label=_("乡镇（街道）"), queryset=None)
    day = date_field(_("日期"))
    reported = forms.IntegerField(label=_("上报聚餐（起）"), min_value=0)
    cancelled = forms.IntegerField(label=_("取消聚餐（起）"), min_value=0)
    tables_cancelled = forms.IntegerField(label=_("劝停桌数"), min_value=0, required=False, initial=0)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes


class ImportForm(forms.Form):
    KINDS = [
        ("purchases", _("购药实名登记表（一家药店）")),
        ("weekly", _("药品销售监测周报（多家药店）")),
        ("gatherings", _("群体性聚餐取消情况统计表")),
    ]
    kind = forms.ChoiceField(label=_("台账"), choices=KINDS)
    pharmacy = forms.ModelChoiceField(label=_("药店（购药登记表）"), queryset=None, required=False)
    file = forms.FileField(label=_("文件（.xlsx / .xls / .csv）"))
    dry_run = forms.BooleanField(label=_("只检查，不写入"), required=False)

    def __init__(self, *args, pharmacies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pharmacy"].queryset = pharmacies

    def clean(self):
        data = super().clean()
        if data.get("kind") == "purchases" and not data.get("pharmacy"):
            self.add_error("pharmacy", _("导入购药登记表须选择药店"))
        return data


class PeriodForm(forms.Form):
    date_from = date_field(_("起始日期"), required=False)
    date_to = date_field(_("截止日期"), required=False)
