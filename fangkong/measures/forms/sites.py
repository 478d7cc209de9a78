"""Forms of the quarantine-site pages; measures.actions holds the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.registry.forms import Form, NodeChoiceField


class SiteForm(Form):
    node = NodeChoiceField(label=_("所属辖区"), queryset=None)
    name = forms.CharField(label=_("名称"), max_length=100, help_text=_("如 某某宾馆"))
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    unit = forms.ModelChoiceField(label=_("对应单位"), queryset=None, required=False)

    def __init__(self, *args, nodes, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes
        self.fields["unit"].queryset = units
        if len(nodes) == 1:
            self.fields["node"].initial = nodes[0]


class RoomsForm(Form):
    """Rooms in bulk: 101 to 120, each with the same number of beds."""

    prefix = forms.CharField(label=_("前缀"), max_length=8, required=False, help_text=_("可选，如 A座"))
    first = forms.IntegerField(label=_("起始房间号"), min_value=1)
    last = forms.IntegerField(label=_("结束房间号"), min_value=1)
    capacity = forms.IntegerField(label=_("每间床位"), min_value=1, initial=1)
