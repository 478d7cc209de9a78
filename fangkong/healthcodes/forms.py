"""Forms of the health-code pages. They only parse; the rules are in actions.py, whose
RuleErrors go back next to their field through registry.forms.add_rule_errors."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.healthcodes import rules
from fangkong.healthcodes.models import Colour, RiskLevel
from fangkong.lib.dates import DATE_INPUT_FORMATS
from fangkong.measures.rules import local_midnight
from fangkong.registry.forms import Form, node_label


def date_field(label, *, required=True, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


class RiskAreaForm(Form):
    level = forms.ChoiceField(label=_("风险等级"), choices=[("", "—"), *RiskLevel.choices])
    node_code = forms.ChoiceField(
        label=_("本辖区内的地方"), required=False, help_text=_("本县乡镇、村（社区）；外地地名请填下面两项")
    )
    division_code = forms.CharField(
        label=_("外地地名的区划代码"),
        max_length=12,
        required=False,
        help_text=_("如 420102（武汉市江岸区）；2、4、6、9或12位"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    name = forms.CharField(
        label=_("名称"), max_length=100, required=False, help_text=_("选择本辖区地方时可留空")
    )
    starts_on = date_field(_("起始日期"))
    ends_on = date_field(_("解除日期"), required=False)
    declared_by = forms.ChoiceField(label=_("发布辖区"))

    def __init__(self, *args, declaring, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.declaring = {n.code: n for n in declaring}
        self.places = {n.code: n for n in places}
        self.fields["declared_by"].choices = [(n.code, n.name) for n in declaring]
        if len(declaring) == 1:  # nothing to choose
            self.fields["declared_by"].required = False
            self.fields["declared_by"].widget = forms.HiddenInput()
        self.fields["node_code"].choices = [("", "—")] + [(n.code, node_label(n)) for n in places]

    def action_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        return {
            "declared_by": self.declaring[data.pop("declared_by") or next(iter(self.declaring))],
            "node": self.places.get(data.pop("node_code") or ""),
            **data,
        }


class EndRiskAreaForm(Form):
    ends_on = date_field(_("解除日期"))


class ManualColourForm(Form):
    colour = forms.ChoiceField(label=_("颜色"), choices=[("", "—"), *Colour.choices])
    reason = forms.CharField(label=_("原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))
    expires_on = date_field(_("有效至（当日24时失效）"))

    def expires_at(self) -> dt.datetime:
        return local_midnight(self.cleaned_data["expires_on"] + dt.timedelta(days=1))


class AppealForm(Form):
    text = forms.CharField(
        label=_("申诉理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("如：已于3月1日解除隔离，核酸阴性")}),
    )


class AppealHandleForm(Form):
    decision = forms.ChoiceField(
        label=_("处理结果"),
        choices=[("uphold", _("申诉成立（撤销人工赋码，或已更正记录）")), ("reject", _("维持原码"))],
        widget=forms.RadioSelect,
    )
    response = forms.CharField(label=_("处理意见"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


PARAM_LABELS = {
    "days": _("天数"),
    "hours": _("小时数"),
    "days_after_release": _("解除隔离后仍为红码的天数"),
}


class CodeRulesForm(Form):
    """Each rule of the table: on/off, its colour, its days or hours, and whether a negative test clears it."""

    effective_from = date_field(_("生效日期"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False, help_text=_("如 文件名称和文号"))

    def __init__(self, *args, table: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for key, rule in rules.RULES.items():
            params = table["rules"][key]
            names = []
            self.fields[f"{key}__on"] = forms.BooleanField(
                label=_("启用"), required=False, initial=params["on"]
            )
            if rule.has_colour:
                self.fields[f"{key}__colour"] = forms.ChoiceField(
                    label=_("颜色"),
                    choices=[(Colour.RED, Colour.RED.label), (Colour.YELLOW, Colour.YELLOW.label)],
                    initial=params["colour"],
                )
                names.append(f"{key}__colour")
            for name in rule.params:
                low, high = rules.PARAM_LIMITS[name]
                self.fields[f"{key}__{name}"] = forms.IntegerField(
                    label=PARAM_LABELS[name], min_value=low, max_value=high, initial=params[name]
                )
                names.append(f"{key}__{name}")
            if "test_clears" in params:
                self.fields[f"{key}__test_clears"] = forms.BooleanField(
                    label=_("核酸阴性即转绿"), required=False, initial=params["test_clears"]
                )
                names.append(f"{key}__test_clears")
            self.rows.append({"label": rule.label, "on": f"{key}__on", "fields": names})
        # The required messages name the field by its rule: "天数不能为空" says too little.
        name_required_messages(self)

    @property
    def rule_rows(self) -> list:
        return [
            {"label": row["label"], "on": self[row["on"]], "fields": [self[n] for n in row["fields"]]}
            for row in self.rows
        ]

    def rules(self) -> dict:
        out: dict[str, dict] = {}
        for name, value in self.cleaned_data.items():
            if "__" in name:
                key, param = name.split("__", 1)
                out.setdefault(key, {})[param] = value
        return out


def name_required_messages(form: Form) -> None:
    for name, field in form.fields.items():
        if "__" in name:
            key = name.split("__", 1)[0]
            field.error_messages["required"] = f"{rules.RULES[key].label}：{field.label}不能为空"


class IdentifyForm(Form):
    """A resident on the check-in page: who they are (once per phone and family member)."""

    name = forms.CharField(
        label=_("姓名"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
