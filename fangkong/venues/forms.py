"""Forms of the venue and check-in pages. They only parse; the rules are in actions.py,
whose RuleErrors go back next to their field through registry.forms.add_rule_errors."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.lib.dates import DATE_INPUT_FORMATS
from fangkong.registry.forms import FilterForm, Form, NodeChoiceField
from fangkong.venues.models import VenueKind


class VenueFilterForm(FilterForm):
    text = forms.CharField(label=_("名称或地址"), required=False)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部")), *VenueKind.choices])
    node_code = forms.ChoiceField(label=_("辖区"), required=False)
    active = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), ("1", _("启用")), ("0", _("已停用"))]
    )


class VenueForm(Form):
    name = forms.CharField(label=_("场所名称"), max_length=100)
    kind = forms.ChoiceField(label=_("场所类型"), choices=[("", "—"), *VenueKind.choices])
    node = NodeChoiceField(label=_("所属辖区"), queryset=None)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    dwell_minutes = forms.IntegerField(
        label=_("默认停留时间（分钟）"),
        required=False,
        min_value=1,
        max_value=24 * 60,
        help_text=_("未登记离开时按此时长计算在场时间；留空则按防控政策中该类场所的默认值"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes
        self.fields["dwell_minutes"].error_messages.update(
            {
                "invalid": _("默认停留时间应为整数（分钟）"),
                "min_value": _("默认停留时间至少1分钟"),
                "max_value": _("默认停留时间不能超过1440分钟（24小时）"),
            }
        )
        if len(nodes) == 1:
            self.fields["node"].initial = nodes[0].pk


class PostersForm(forms.Form):
    """A batch of posters: every active venue under the chosen node."""

    node_code = forms.ChoiceField(label=_("辖区"))

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node_code"].choices = [(n.code, n.name) for n in nodes]


class CheckInFilterForm(forms.Form):
    day = forms.DateField(
        label=_("日期"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("日期格式不正确，如 2022-03-01 或 2022年3月1日")},
    )
