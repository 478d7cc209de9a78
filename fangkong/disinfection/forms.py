"""Forms of the disinfection pages: parse only; the rules are in actions.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.measures.forms.keypersons import datetime_field
from fangkong.registry.forms import Form, NodeChoiceField

from .models import DisinfectionMethod, PlaceKind


class PlaceForm(Form):
    node = NodeChoiceField(label=_("所属辖区"), queryset=None)
    name = forms.CharField(label=_("场所名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=PlaceKind.choices)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes


class EntryForm(Form):
    """On a phone: the times and what was used come filled in from the place's last entry."""

    started_at = datetime_field(_("开始时间"))
    ended_at = datetime_field(_("结束时间"))
    target = forms.CharField(label=_("区域/对象"), max_length=100, required=False)
    area_m2 = forms.DecimalField(label=_("面积（平方米）"), required=False, min_value=0, decimal_places=1)
    agent = forms.CharField(label=_("消毒剂"), max_length=50)
    concentration = forms.CharField(
        label=_("浓度"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如含氯500 mg/L")}),
    )
    method = forms.ChoiceField(label=_("方式"), choices=DisinfectionMethod.choices, widget=forms.RadioSelect)
    contact_minutes = forms.IntegerField(label=_("作用时间（分钟）"), required=False, min_value=0)
    done_by = forms.CharField(label=_("消毒人员"), max_length=50)
    checked_by = forms.CharField(label=_("复核人"), max_length=50, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
