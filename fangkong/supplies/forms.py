"""Forms of the supplies pages. They only parse; the rules (enough stock, an approver, a donor) are in
actions.py, whose RuleErrors go back next to their field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.measures.forms.keypersons import date_field
from fangkong.registry.forms import Form, NodeChoiceField

from .models import MovementKind, StoreKind, SupplySource


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj}（{obj.unit}）"


class ItemForm(Form):
    name = forms.CharField(label=_("物资名称"), max_length=60)
    spec = forms.CharField(label=_("规格"), max_length=60, required=False)
    unit = forms.CharField(label=_("单位"), max_length=10)
    threshold = forms.DecimalField(label=_("警戒库存"), min_value=0, decimal_places=2, required=False)


class StoreForm(Form):
    node = NodeChoiceField(label=_("所属辖区"), queryset=None)
    name = forms.CharField(label=_("库点名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=StoreKind.choices)
    unit = forms.ModelChoiceField(label=_("单位"), queryset=None, required=False)
    keeper = forms.CharField(label=_("保管人"), max_length=50, required=False)

    def __init__(self, *args, nodes, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes
        self.fields["unit"].queryset = units


class MovementForm(Form):
    """What every movement has: the item, how much, the day and the paper."""

    item = ItemChoiceField(label=_("物资"), queryset=None)
    quantity = forms.DecimalField(label=_("数量"), decimal_places=2, min_value=0.01)
    on = date_field(_("日期"))
    document = forms.CharField(label=_("单据号"), max_length=50, required=False)
    handler = forms.CharField(label=_("经手人"), max_length=50, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


class ReceiptForm(MovementForm):
    source = forms.ChoiceField(label=_("来源"), choices=SupplySource.choices)
    donor = forms.CharField(label=_("捐赠方"), max_length=100, required=False, help_text=_("捐赠物资必填"))
    batch_number = forms.CharField(label=_("批号"), max_length=50, required=False)
    expires_on = date_field(_("有效期至"), required=False)


class IssueForm(MovementForm):
    recipient_unit = forms.ModelChoiceField(label=_("领用单位"), queryset=None, required=False)
    recipient = forms.CharField(
        label=_("其他领用单位"), max_length=100, required=False, help_text=_("不在单位名录中时填写")
    )
    receiver = forms.CharField(label=_("领用人"), max_length=50, required=False)
    approver = forms.CharField(label=_("审批人"), max_length=50)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient_unit"].queryset = units


class TransferForm(MovementForm):
    target = forms.ModelChoiceField(label=_("调入库点"), queryset=None)

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = stores


class StocktakeForm(Form):
    item = ItemChoiceField(label=_("物资"), queryset=None)
    counted = forms.DecimalField(label=_("实盘数量"), decimal_places=2, min_value=0)
    on = date_field(_("盘点日期"))
    handler = forms.CharField(label=_("盘点人"), max_length=50, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


class MovementFilterForm(forms.Form):
    store = forms.ModelChoiceField(label=_("库点"), queryset=None, required=False)
    item = ItemChoiceField(label=_("物资"), queryset=None, required=False)
    kind = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部")), *MovementKind.choices], required=False
    )
    date_from = date_field(_("起始日期"), required=False)
    date_to = date_field(_("截止日期"), required=False)

    def __init__(self, *args, stores, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["item"].queryset = items

    def values(self) -> dict:
        """The filters that are valid (an invalid one is shown on the form and ignored)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if self.cleaned_data.get(name)}
