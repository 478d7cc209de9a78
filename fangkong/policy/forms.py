"""The policy form: a preset, the date it takes effect, and its values to adjust (fever threshold,
negative tests before release, and the days of each step of each screening reason's regime)."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from fangkong.grid.forms import name_length_limits, required_messages
from fangkong.lib.dates import DATE_INPUT_FORMATS

from .models import Kind, Reason
from .presets import PRESETS
from .queries import surveillance_values, tracing_values

TRACING_FIELDS = (
    "lookback_days",
    "report_hours",
    "core_hours",
    "investigation_hours",
    "contacts_hours",
    "secondary_determined",
    "cluster_days",
)


SURVEILLANCE_FIELDS = ("si_mean", "si_sd")


class PolicyForm(forms.Form):
    preset = forms.ChoiceField(label=_("基于预设"), choices=[(k, v["label"]) for k, v in PRESETS.items()])
    effective_from = forms.DateField(
        label=_("生效日期"),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    fever_threshold = forms.DecimalField(
        label=_("发热标准（℃，不低于此值即为发热）"), max_digits=3, decimal_places=1
    )
    release_tests = forms.IntegerField(label=_("解除前需核酸阴性次数"), min_value=0, max_value=10)
    # The tracing section (DOMAIN.md §5, §12): the look-back window and the case clocks.
    lookback_days = forms.IntegerField(
        label=_("流调回溯天数（发病或采样前）"), min_value=1, max_value=14, required=False
    )
    report_hours = forms.IntegerField(
        label=_("网络直报时限（小时）"), min_value=1, max_value=72, required=False
    )
    core_hours = forms.IntegerField(
        label=_("核心信息流调时限（小时）"), min_value=1, max_value=72, required=False
    )
    investigation_hours = forms.IntegerField(
        label=_("流调报告时限（小时）"), min_value=1, max_value=168, required=False
    )
    contacts_hours = forms.IntegerField(
        label=_("密接判定并管控时限（小时）"), min_value=1, max_value=168, required=False
    )
    # A choice, not a checkbox: a form posted without it keeps the value instead of switching it off.
    secondary_determined = forms.ChoiceField(
        label=_("密接的密接"), choices=[("yes", _("判定")), ("no", _("不再判定"))], required=False
    )
    cluster_days = forms.IntegerField(
        label=_("聚集性疫情判定天数"), min_value=1, max_value=28, required=False
    )
    # The early-warning section (DOMAIN.md §17): the serial interval of R_t, a discretised gamma.
    si_mean = forms.FloatField(label=_("代际间隔均值（天）"), min_value=1.1, max_value=60, required=False)
    si_sd = forms.FloatField(label=_("代际间隔标准差（天）"), min_value=0.1, max_value=30, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False, help_text=_("如 文件名称和文号"))

    def __init__(self, *args, values: dict, **kwargs):
        """`values`: the policy the form starts from (the one in force, or the chosen preset)."""
        super().__init__(*args, **kwargs)
        required_messages(self)
        name_length_limits(self)
        self.values = values
        self.fields["fever_threshold"].initial = values["fever_threshold"]
        self.fields["release_tests"].initial = values.get("release_tests", 0)
        self.tracing = tracing_values(values)
        for name in TRACING_FIELDS:
            self.fields[name].initial = self.tracing[name]
        self.fields["secondary_determined"].initial = "yes" if self.tracing["secondary_determined"] else "no"
        self.surveillance = surveillance_values(values)
        for name in SURVEILLANCE_FIELDS:
            self.fields[name].initial = self.surveillance[name]
        self.step_rows = []
        for reason, label in Reason.choices:
            names = []
            for i, (kind, days) in enumerate(values["regimes"].get(reason, [])):
                name = f"days_{reason}_{i}"
                self.fields[name] = forms.IntegerField(
                    label=format_lazy(_("{}（天）"), Kind(kind).label),
                    min_value=1,
                    max_value=60,
                    initial=days,
                )
                self.fields[name].error_messages["required"] = _("天数不能为空")
                names.append(name)
            self.step_rows.append({"reason": label, "fields": names})

    def _tracing(self, data: dict) -> dict:
        """The tracing section; a value left empty keeps the one the form started from."""
        given = {name: data.get(name) for name in TRACING_FIELDS if data.get(name) not in (None, "")}
        if "secondary_determined" in given:
            given["secondary_determined"] = given["secondary_determined"] == "yes"
        return {**self.tracing, **given}

    def _surveillance(self, data: dict) -> dict:
        """The early-warning section; a value left empty keeps the one the form started from."""
        given = {name: data.get(name) for name in SURVEILLANCE_FIELDS if data.get(name) not in (None, "")}
        return {**self.surveillance, **given}

    @property
    def surveillance_fields(self) -> list:
        return [self[name] for name in SURVEILLANCE_FIELDS]

    @property
    def tracing_fields(self) -> list:
        return [self[name] for name in TRACING_FIELDS]

    @property
    def step_fields(self) -> list:
        """Per screening reason, its steps' day fields (empty: nothing is required for that reason)."""
        return [
            {"reason": row["reason"], "fields": [self[n] for n in row["fields"]]} for row in self.step_rows
        ]

    def overrides(self) -> dict:
        data = self.cleaned_data
        regimes = {
            reason: [[kind, data[f"days_{reason}_{i}"]] for i, (kind, _days) in enumerate(steps)]
            for reason, steps in self.values["regimes"].items()
        }
        return {
            "fever_threshold": str(data["fever_threshold"]),
            "release_tests": data["release_tests"],
            "regimes": regimes,
            "tracing": self._tracing(data),
            "surveillance": self._surveillance(data),
        }
