"""Forms of the tracing pages: they parse what was typed; the rules (transitions, windows, what a
decision creates) are in rules.py and actions/, whose RuleErrors go back next to their field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.lib.idcard import normalize
from fangkong.measures.forms.keypersons import date_field, datetime_field
from fangkong.registry.forms import Form
from fangkong.tracing.models import (
    CandidateSource,
    CaseKind,
    ClinicalType,
    Decision,
    EntryKind,
    EventKind,
    Source,
)

ALL = _("全部")


def _blank(choices, label=ALL) -> list:
    return [("", label)] + list(choices)


# Lists ---------------------------------------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    """The case list's filters, by GET; an invalid one is shown and ignored."""

    kind = forms.ChoiceField(label=_("病例类别"), choices=_blank(CaseKind.choices), required=False)
    source = forms.ChoiceField(label=_("感染来源"), choices=_blank(Source.choices), required=False)
    date_from = date_field(_("诊断日期自"), required=False)
    date_to = date_field(_("至"), required=False)

    def values(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) or None for name in self.fields}


class CandidateFilterForm(forms.Form):
    """Narrows the candidates of a case; the bulk decision applies to exactly what is shown."""

    venue = forms.TypedChoiceField(label=_("场所"), coerce=int, required=False, empty_value=None)
    min_minutes = forms.IntegerField(label=_("重叠至少（分钟）"), min_value=0, required=False)
    decision = forms.ChoiceField(label=_("判定"), choices=_blank(Decision.choices), required=False)
    source = forms.ChoiceField(label=_("来源"), choices=_blank(CandidateSource.choices), required=False)

    def __init__(self, data, *, venues):
        super().__init__(data)
        self.fields["venue"].choices = _blank([(v.pk, v.name) for v in venues])

    def values(self) -> dict:
        """The filters as candidates_of takes them; invalid ones are dropped."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "venue": data.get("venue") or None,
            "min_minutes": data.get("min_minutes"),
            "decision": data.get("decision") or None,
            "source": data.get("source") or None,
        }


# One case ------------------------------------------------------------------------------------------------


class PersonLookupForm(forms.Form):
    """Who the case is: a name (or pinyin) searched in the registry, or an ID number that finds the
    person or, when they are not registered here, their code identity."""

    text = forms.CharField(label=_("姓名或身份证号"), max_length=50)

    def id_number(self) -> str:
        text = self.cleaned_data.get("text", "").strip()
        return normalize(text) if any(ch.isdigit() for ch in text) else ""


class CaseFactsForm(Form):
    """The facts of a case a user types; the kind changes only through events."""

    clinical_type = forms.ChoiceField(
        label=_("临床分型"), choices=_blank(ClinicalType.choices, "—"), required=False
    )
    source = forms.ChoiceField(label=_("感染来源"), choices=Source.choices)
    origin_text = forms.CharField(label=_("输入来源地"), max_length=100, required=False)
    onset_on = date_field(_("发病日期"), required=False)
    sampled_at = datetime_field(_("采样时间"), required=False)
    diagnosed_at = datetime_field(_("诊断时间"))
    reported_at = datetime_field(_("网络直报时间"), required=False)
    isolated_at = datetime_field(_("隔离管控时间"), required=False)
    found_by_routine_testing = forms.BooleanField(label=_("常规检测发现"), required=False)
    last_negative_at = datetime_field(_("末次阴性采样时间"), required=False)
    hospital = forms.CharField(label=_("收治医院"), max_length=100, required=False)
    notes = forms.CharField(label=_("备注"), max_length=500, required=False)

    def facts(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in CaseFactsForm.base_fields}


class CaseCreateForm(CaseFactsForm):
    kind = forms.ChoiceField(label=_("病例类别"), choices=CaseKind.choices)
    number = forms.CharField(
        label=_("病例编号"), max_length=30, required=False, help_text=_("留空则自动编号")
    )
    field_order = ["kind", "number", "diagnosed_at"]


class CaseEditForm(CaseFactsForm):
    infected_by = forms.CharField(
        label=_("传染来源病例编号"), max_length=30, required=False, help_text=_("已查明由哪一病例传染时填写")
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = cases  # the cases the user sees: the source must be one of them

    def clean_infected_by(self):
        number = self.cleaned_data["infected_by"].strip()
        if not number:
            return None
        source = self.cases.filter(number=number).first() if self.cases is not None else None
        if source is None:
            raise forms.ValidationError(_("传染来源病例不存在"))
        return source


class EventForm(Form):
    kind = forms.ChoiceField(label=_("事件"), choices=EventKind.choices)
    at = datetime_field(_("时间"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class InvestigationForm(Form):
    core_at = datetime_field(_("核心信息流调完成时间"), required=False)
    report_at = datetime_field(_("流调报告完成时间"), required=False)


class EntryForm(Form):
    kind = forms.ChoiceField(label=_("类别"), choices=EntryKind.choices)
    starts_at = datetime_field(_("开始时间"))
    ends_at = datetime_field(_("结束时间"), required=False)
    place = forms.CharField(label=_("地点"), max_length=200)
    vehicle = forms.CharField(label=_("车次/车牌"), max_length=50, required=False)
    seat = forms.CharField(label=_("座位"), max_length=20, required=False)
    notes = forms.CharField(label=_("说明"), max_length=300, required=False)


class NamedContactForm(Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    relation = forms.CharField(label=_("与病例关系"), max_length=100, required=False)


class DecideForm(forms.Form):
    """A decision for the ticked candidates, for every candidate the filters show (`all`), or for one
    row (`one`: "<candidate id>:<decision>", the buttons on each row)."""

    # Not "decision": that is the filter of the candidates shown, posted along with it.
    decide_as = forms.ChoiceField(
        label=_("判定为"), choices=[c for c in Decision.choices if c[0] != Decision.PENDING], required=False
    )
    candidates = forms.TypedMultipleChoiceField(coerce=int, required=False)
    all = forms.BooleanField(required=False)
    one = forms.CharField(required=False, max_length=40)

    def __init__(self, data, *, shown, secondary=()):
        super().__init__(data)
        self.shown = shown
        self.secondary = list(secondary)  # decided by ticking, never by "all": they are a separate list
        self.fields["candidates"].choices = [(c.pk, c.pk) for c in [*shown, *self.secondary]]

    def clean(self):
        data = super().clean()
        if data.get("one"):
            pk, _sep, decision = data["one"].partition(":")
            if decision not in Decision.values or decision == Decision.PENDING or not pk.isdigit():
                raise forms.ValidationError(_("判定无效"))
            data.update(decide_as=decision, candidates=[int(pk)], all=False)
        if not data.get("decide_as"):
            raise forms.ValidationError(_("请选择判定结果"))
        if not data.get("all") and not data.get("candidates"):
            raise forms.ValidationError(_("请勾选要判定的人员，或选择“判定全部筛选结果”"))
        return data

    def picked(self) -> list:
        """The candidates to decide, all among those shown: a ticked id the filters no longer show is
        not decided behind the user's back."""
        if self.cleaned_data["all"]:
            return list(self.shown)
        chosen = set(self.cleaned_data["candidates"])
        return [c for c in [*self.shown, *self.secondary] if c.pk in chosen]
