"""Forms of the vaccination pages: they parse what was typed; the rules are in rules.py and actions.py,
whose RuleErrors go back next to their field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.measures.forms.keypersons import date_field
from fangkong.registry.forms import Form

from .models import DeferralKind


class SiteForm(Form):
    node = forms.ChoiceField(label=_("所属辖区"))
    name = forms.CharField(label=_("接种点名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.nodes = {n.code: n for n in nodes}
        self.fields["node"].choices = [(n.code, n.name) for n in nodes]


class DoseForm(Form):
    site = forms.ChoiceField(label=_("接种点"))
    product = forms.ChoiceField(label=_("疫苗产品"))
    given_on = date_field(_("接种日期"))
    dose_number = forms.IntegerField(label=_("剂次"), min_value=1, max_value=9)
    lot = forms.CharField(label=_("批号"), max_length=40, required=False)

    def __init__(self, *args, sites, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.sites = {str(s.pk): s for s in sites}
        self.fields["site"].choices = [(str(s.pk), s.name) for s in sites]
        self.fields["product"].choices = [
            (code, f"{p.manufacturer} · {p.name}") for code, p in products.items()
        ]


class DeferralForm(Form):
    kind = forms.ChoiceField(label=_("类型"), choices=DeferralKind.choices)
    reason = forms.CharField(label=_("原因"), max_length=200)
    until = date_field(_("暂缓至"), required=False)


class UploadForm(Form):
    site = forms.ChoiceField(label=_("接种点"))
    file = forms.FileField(label=_("接种登记表（Excel 或 CSV）"))

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.sites = {str(s.pk): s for s in sites}
        self.fields["site"].choices = [(str(s.pk), s.name) for s in sites]


class CorrectionForm(DoseForm):
    """A recorded dose corrected: its values as they should have been, and why."""

    reason = forms.CharField(label=_("更正原因"), max_length=200)


class VoidForm(Form):
    reason = forms.CharField(label=_("作废原因"), max_length=200)
