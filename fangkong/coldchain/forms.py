"""Forms of the cold-chain pages. They only parse; the rules (all four documents, the balance, the
warehouse's exit) are in actions.py, whose RuleErrors go back next to their field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.measures.forms.keypersons import date_field
from fangkong.registry.forms import Form, NodeChoiceField

from .models import DocumentKind, SampleKind, StoreKind


class StoreForm(Form):
    node = NodeChoiceField(label=_("所属辖区"), queryset=None)
    name = forms.CharField(label=_("冷库名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=StoreKind.choices)
    unit = forms.ModelChoiceField(label=_("企业（单位名录）"), queryset=None, required=False)
    enterprise = forms.CharField(
        label=_("经营企业"), max_length=100, required=False, help_text=_("不在单位名录中时填写")
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    capacity = forms.DecimalField(label=_("库容（吨）"), decimal_places=2, required=False)
    manager = forms.CharField(label=_("库长"), max_length=50)
    manager_phone = forms.CharField(label=_("库长电话"), max_length=20, required=False)
    supervisor = forms.CharField(label=_("监管责任人"), max_length=50, required=False)

    def __init__(self, *args, nodes, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes
        self.fields["unit"].queryset = units


class LotForm(Form):
    product = forms.CharField(label=_("品名"), max_length=100)
    origin_country = forms.CharField(label=_("原产国"), max_length=50)
    quantity = forms.DecimalField(label=_("数量"), decimal_places=2)
    unit = forms.CharField(label=_("单位"), max_length=10, initial="千克")
    number = forms.CharField(label=_("批号"), max_length=60)
    container = forms.CharField(label=_("集装箱号"), max_length=30, required=False)
    received_on = date_field(_("入库日期"))
    document = forms.CharField(label=_("单据号"), max_length=60, required=False)


class DocumentForm(Form):
    kind = forms.ChoiceField(label=_("证明类别"), choices=DocumentKind.choices)
    number = forms.CharField(label=_("编号"), max_length=80)
    issued_on = date_field(_("出具日期"))
    file = forms.FileField(label=_("附件"), required=False)


class MoveForm(Form):
    source = forms.ModelChoiceField(label=_("调出库"), queryset=None)
    target = forms.ModelChoiceField(label=_("调入库"), queryset=None, required=False)
    buyer = forms.CharField(label=_("购货方"), max_length=100, required=False, help_text=_("售出时填写"))
    buyer_phone = forms.CharField(label=_("购货方电话"), max_length=20, required=False)
    quantity = forms.DecimalField(label=_("数量"), decimal_places=2)
    on = date_field(_("日期"))
    document = forms.CharField(label=_("单据号"), max_length=60, required=False)
    handler = forms.CharField(label=_("经手人"), max_length=50, required=False)
    exit_certificate = forms.CharField(
        label=_("出仓证明编号"), max_length=60, required=False, help_text=_("从集中监管仓出仓时填写")
    )

    def __init__(self, *args, sources, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources
        self.fields["target"].queryset = targets


class SampleForm(Form):
    store = forms.ModelChoiceField(label=_("采样地点"), queryset=None)
    kind = forms.ChoiceField(label=_("样本类型"), choices=SampleKind.choices)
    lot = forms.ModelChoiceField(label=_("批次"), queryset=None, required=False)
    code = forms.CharField(label=_("样本编号"), max_length=40)
    sampled_on = date_field(_("采样日期"))
    lab = forms.CharField(label=_("检测机构"), max_length=100, required=False)

    def __init__(self, *args, stores, lots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["lot"].queryset = lots


class ResultForm(Form):
    result = forms.ChoiceField(
        label=_("检测结果"), choices=[("negative", _("阴性")), ("positive", _("阳性"))]
    )
    result_on = date_field(_("出结果日期"))


class WorkerForm(Form):
    id_number = forms.CharField(label=_("身份证号"), max_length=18)
    role = forms.CharField(label=_("岗位"), max_length=30, required=False)
    since = date_field(_("上岗日期"))


class DisinfectionForm(Form):
    on = date_field(_("消毒日期"))
