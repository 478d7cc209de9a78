"""The policy form: a preset, the date it takes effect, and its values to adjust (fever threshold,
negative tests before release, the days of each step of each screening reason's regime, the tracing
clocks, the test days per measure, the key groups' testing frequency, the vaccine products' series,
the supplies windows and the disinfection frequency per place type)."""

import re

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from fangkong.grid.forms import name_length_limits, required_messages
from fangkong.lib.dates import DATE_INPUT_FORMATS

from .models import Kind, Reason
from .presets import DISINFECTION, PRESETS, TESTING
from .queries import (
    disinfection_values,
    supplies_values,
    surveillance_values,
    tracing_values,
    vaccination_values,
)

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
# The measures that have test days (§4), the key groups (testing/, §13) and the place types (disinfection/,
# §16) the form offers. Policy is below those apps, so their names are repeated here; testing's and
# disinfection's tests check that the codes agree with their models.
TEST_KINDS = (Kind.CENTRAL_QUARANTINE, Kind.HOME_QUARANTINE, Kind.HOME_MONITORING, Kind.SELF_MONITORING)
KEY_GROUPS = {
    "cold_chain": _("冷链从业人员"),
    "port": _("口岸从业人员"),
    "medical": _("医务人员"),
    "delivery": _("快递外卖人员"),
    "market": _("农贸市场从业人员"),
}
PLACE_KINDS = {
    "public_toilet": _("公共厕所"),
    "market": _("农贸市场"),
    "lift": _("电梯"),
    "bus": _("公交车"),
    "classroom": _("教室"),
    "quarantine_site": _("隔离点"),
    "waste_station": _("垃圾中转站"),
    "office": _("办公场所"),
    "square": _("广场"),
    "other": _("其他"),
}
SUPPLIES_FIELDS = ("use_days", "expiry_warning_days")
VACCINE_FIELDS = (
    ("doses", "primary_doses"),
    ("interval", "min_interval_days"),
    ("booster", "booster_after_days"),
)
TEST_DAY_MAX = 60
_DAY_SEPARATORS = re.compile(r"[\s,，、;；]+")


def parse_test_days(raw: str) -> list[int]:
    """Test days as typed ("1,2,3,5,7", "1、4、7", "1 4 7"): day numbers of the measure, sorted, each once.
    Empty: no test required. Raises ValueError with the reason in Chinese."""
    days = set()
    for part in _DAY_SEPARATORS.split((raw or "").strip()):
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= TEST_DAY_MAX:
            raise ValueError(f"检测日应为第1至{TEST_DAY_MAX}天的天数，用逗号分隔（“{part}”不是）")
        days.add(int(part))
    return sorted(days)


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
        self._add_sections(values)
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

    def _add_sections(self, values: dict) -> None:
        """The sections of the later modules: test days per measure, key-group frequencies, vaccine
        products, supplies windows, disinfection frequencies. A field the post leaves out keeps its value."""
        tests = values.get("tests", {})
        for kind in TEST_KINDS:
            self.fields[f"tests_{kind}"] = forms.CharField(
                label=Kind(kind).label,
                required=False,
                max_length=100,
                initial="、".join(str(d) for d in tests.get(kind, [])),
                help_text=_("第几天检测，用逗号分隔；留空为不要求"),
            )
        self.testing = {**TESTING, **(values.get("testing") or {})}
        self.testing["key_group_days"] = {
            **TESTING["key_group_days"],
            **self.testing.get("key_group_days", {}),
        }
        for group, label in KEY_GROUPS.items():
            self.fields[f"kg_{group}"] = forms.IntegerField(
                label=format_lazy(_("{}（每几天一检）"), label),
                min_value=1,
                max_value=60,
                required=False,
                initial=self.testing["key_group_days"].get(group),
            )
        self.vaccination = vaccination_values(values)
        self.vaccine_rows = []
        for code, product in self.vaccination["products"].items():
            limits = {"doses": (1, 5), "interval": (0, 365), "booster": (0, 730)}
            labels = {"doses": _("全程剂次"), "interval": _("最短间隔（天）"), "booster": _("加强间隔（天）")}
            names = []
            for short, key in VACCINE_FIELDS:
                name = f"vac_{code}_{short}"
                low, high = limits[short]
                self.fields[name] = forms.IntegerField(
                    label=labels[short], min_value=low, max_value=high, required=False, initial=product[key]
                )
                names.append(name)
            self.vaccine_rows.append(
                {"product": f"{product['name']}（{product['manufacturer']}）", "fields": names}
            )
        self.supplies = supplies_values(values)
        self.fields["use_days"] = forms.IntegerField(
            label=_("可用天数按近几天日均消耗计"), min_value=1, max_value=90, required=False
        )
        self.fields["expiry_warning_days"] = forms.IntegerField(
            label=_("临期预警天数"), min_value=0, max_value=365, required=False
        )
        for name in SUPPLIES_FIELDS:
            self.fields[name].initial = self.supplies[name]
        self.disinfection = disinfection_values(values)
        for kind, label in PLACE_KINDS.items():
            rule = self.disinfection.get(kind, DISINFECTION["other"])
            self.fields[f"dis_{kind}_times"] = forms.IntegerField(
                label=format_lazy(_("{}：消毒次数"), label),
                min_value=1,
                max_value=24,
                required=False,
                initial=rule["times"],
            )
            self.fields[f"dis_{kind}_every"] = forms.IntegerField(
                label=_("每几天"), min_value=1, max_value=30, required=False, initial=rule["every_days"]
            )

    def _given(self, name: str):
        """A field's cleaned value, or None when the post left it out or empty (keep the value)."""
        value = self.cleaned_data.get(name)
        return None if value in (None, "") else value

    def clean(self):
        data = super().clean()
        self.test_days = {}
        for kind in TEST_KINDS:
            name = f"tests_{kind}"
            if name not in self.data:
                continue
            try:
                self.test_days[kind] = parse_test_days(data.get(name) or "")
            except ValueError as exc:
                self.add_error(name, str(exc))
        return data

    def _sections(self) -> dict:
        tests = {k: list(v) for k, v in self.values.get("tests", {}).items()}
        for kind, days in self.test_days.items():
            if days:
                tests[kind] = days
            else:
                tests.pop(kind, None)
        key_group_days = dict(self.testing["key_group_days"])
        for group in KEY_GROUPS:
            if (days := self._given(f"kg_{group}")) is not None:
                key_group_days[group] = days
        products = {}
        for code, product in self.vaccination["products"].items():
            products[code] = dict(product)
            for short, key in VACCINE_FIELDS:
                if (value := self._given(f"vac_{code}_{short}")) is not None:
                    products[code][key] = value
        supplies = {**self.supplies}
        for name in SUPPLIES_FIELDS:
            if (value := self._given(name)) is not None:
                supplies[name] = value
        disinfection = {k: dict(v) for k, v in self.disinfection.items()}
        for kind in PLACE_KINDS:
            rule = disinfection.setdefault(kind, dict(DISINFECTION["other"]))
            if (times := self._given(f"dis_{kind}_times")) is not None:
                rule["times"] = times
            if (every := self._given(f"dis_{kind}_every")) is not None:
                rule["every_days"] = every
        return {
            "tests": tests,
            "testing": {**self.testing, "key_group_days": key_group_days},
            "vaccination": {**self.vaccination, "products": products},
            "supplies": supplies,
            "disinfection": disinfection,
        }

    @property
    def test_fields(self) -> list:
        return [self[f"tests_{kind}"] for kind in TEST_KINDS]

    @property
    def key_group_fields(self) -> list:
        return [self[f"kg_{group}"] for group in KEY_GROUPS]

    @property
    def vaccine_fields(self) -> list:
        return [
            {"product": row["product"], "fields": [self[n] for n in row["fields"]]}
            for row in self.vaccine_rows
        ]

    @property
    def supplies_fields(self) -> list:
        return [self[name] for name in SUPPLIES_FIELDS]

    @property
    def disinfection_fields(self) -> list:
        return [(self[f"dis_{kind}_times"], self[f"dis_{kind}_every"]) for kind in PLACE_KINDS]

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
            **self._sections(),
        }
