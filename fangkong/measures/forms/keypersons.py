"""Forms of the key-person pages: they parse what was typed; the rules are in actions.py, whose
RuleErrors go back next to their field through registry.forms.add_rule_errors."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fangkong.lib.dates import DATE_INPUT_FORMATS
from fangkong.measures import divisions, queries
from fangkong.measures.models import ARRIVAL_REASONS, CaretakerRole, TestResult
from fangkong.policy.models import Kind, Reason
from fangkong.registry.forms import FilterForm, Form
from fangkong.registry.queries import persons_visible_to, search_filter

DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",  # <input type="datetime-local">
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M",
]
CONTACT_REASONS = (Reason.CLOSE_CONTACT, Reason.SECONDARY_CONTACT)


def date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


def datetime_field(label, **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        **kwargs,
    )


ALL = _("全部")


def _blank(choices, label=ALL) -> list:
    return [("", label)] + list(choices)


class PreviewMixin:
    def peek(self, name: str):
        """A field's value as typed, parsed, or None when empty or not valid yet: for previews (the
        planned end) on a form that has not been submitted."""
        field = self.fields.get(name)
        raw = self.data.get(name) if self.is_bound else self.initial.get(name)
        if field is None or raw in (None, ""):
            return None
        try:
            return field.clean(raw)
        except ValidationError:
            return None


class RoomField(forms.ModelChoiceField):
    """Any room of the user's active sites is accepted (start_measure says whether it is full); the
    <select> lists only those with a free bed, grouped by site."""

    def __init__(self, **kwargs):
        super().__init__(queryset=None, required=False, **kwargs)

    def set_rooms(self, user) -> None:
        self.queryset = queries.assignable_rooms(user)
        self.widget.choices = _blank(queries.room_choices(user), "—")


# The list ----------------------------------------------------------------------------------------------


class KeypersonFilterForm(FilterForm):
    text = forms.CharField(
        label=_("搜索"),
        required=False,
        help_text=_("姓名、拼音（zhangwei）、首字母（zw）、证件号或电话后4位"),
    )
    kind = forms.ChoiceField(label=_("措施"), required=False, choices=_blank(Kind.choices))
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=_blank(
            [
                (queries.ACTIVE, _("在管")),
                (queries.RELEASED, _("已解除")),
                (queries.SCREENED_ONLY, _("仅排查")),
            ]
        ),
    )
    reason = forms.ChoiceField(label=_("排查原因"), required=False, choices=_blank(Reason.choices))
    node_code = forms.ChoiceField(label=_("辖区"), required=False)


class PersonSearchForm(forms.Form):
    text = forms.CharField(label=_("查找人员"), required=False, help_text=_("姓名、拼音、证件号或电话后4位"))


# Screening ---------------------------------------------------------------------------------------------


ARRIVAL_FIELDS = (
    "origin_province",
    "origin_city",
    "origin_county",
    "origin_text",
    "departed_on",
    "arrived_on",
    "transport",
    "trip_number",
    "route",
)
CONTACT_FIELDS = ("contact_query", "contact_of", "contact_of_text", "reference_date")


class ScreeningForm(PreviewMixin, Form):
    reason = forms.ChoiceField(label=_("排查原因"), choices=_blank(Reason.choices, "—"))
    screened_on = date_field(_("排查日期"))
    origin_province = forms.ChoiceField(label=_("来源省"), required=False)
    origin_city = forms.ChoiceField(label=_("来源市"), required=False)
    origin_county = forms.ChoiceField(label=_("来源县（区）"), required=False)
    origin_text = forms.CharField(
        label=_("从何地返回"), max_length=100, required=False, help_text=_("不选地区时填写；选了地区可留空")
    )
    departed_on = date_field(_("出发日期"), required=False)
    arrived_on = date_field(_("抵达日期"), required=False)
    transport = forms.CharField(
        label=_("交通方式"), max_length=50, required=False, help_text=_("如 火车、飞机、自驾")
    )
    trip_number = forms.CharField(label=_("车次航班"), max_length=50, required=False)
    route = forms.CharField(label=_("途经地"), max_length=200, required=False)
    contact_query = forms.CharField(
        label=_("查找接触对象"), required=False, help_text=_("姓名、拼音或证件号后4位")
    )
    contact_of = forms.ModelChoiceField(label=_("接触对象"), queryset=None, required=False)
    contact_of_text = forms.CharField(
        label=_("接触对象（姓名）"), max_length=100, required=False, help_text=_("未在本系统登记的，填写姓名")
    )
    reference_date = date_field(_("末次接触日期"), required=False)
    notes = forms.CharField(label=_("备注"), max_length=300, required=False)
    kind = forms.ChoiceField(
        label=_("同时采取管控措施"),
        required=False,
        choices=_blank([(k, v) for k, v in Kind.choices if k != Kind.HOSPITAL], _("暂不采取")),
        help_text=_("集中隔离将在下一步选择隔离点和房间"),
    )

    def __init__(self, *args, user, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origin_province"].choices = _blank(divisions.provinces(), "—")
        province, city = self.chosen("origin_province"), self.chosen("origin_city")
        self.fields["origin_city"].choices = _blank(divisions.cities(province) if province else [], "—")
        self.fields["origin_county"].choices = _blank(divisions.counties(city) if city else [], "—")
        candidates = persons_visible_to(user).exclude(pk=person.pk).select_related("node")
        self.fields["contact_of"].queryset = candidates
        self.fields["contact_of"].widget.choices = _blank(self._contact_choices(candidates), "—")

    def _contact_choices(self, candidates) -> list:
        query = self.chosen("contact_query").strip()
        found = list(candidates.filter(search_filter(query))[:10]) if query else []
        chosen = self.chosen("contact_of")
        if chosen.isdigit() and all(str(p.pk) != chosen for p in found):
            found += list(candidates.filter(pk=chosen))
        return [(p.pk, f"{p.name}（{p.masked_id_number}，{p.node.name}）") for p in found]

    # Which groups of fields the reason asks for; with no reason chosen yet, both.
    @property
    def asks_arrival(self) -> bool:
        return self.chosen("reason") in ("", *ARRIVAL_REASONS)

    @property
    def asks_contact(self) -> bool:
        return self.chosen("reason") in ("", *CONTACT_REASONS)

    def group(self, names) -> list:
        return [self[name] for name in names]

    @property
    def arrival_fields(self) -> list:
        return self.group(ARRIVAL_FIELDS) if self.asks_arrival else []

    @property
    def contact_fields(self) -> list:
        return self.group(CONTACT_FIELDS) if self.asks_contact else []

    def clean(self):
        data = super().clean()
        reason = data.get("reason")
        if reason in ARRIVAL_REASONS and not data.get("arrived_on"):
            self.add_error("arrived_on", _("抵达日期不能为空"))
        if reason in CONTACT_REASONS:
            if not data.get("reference_date"):
                self.add_error("reference_date", _("末次接触日期不能为空"))
            if not data.get("contact_of") and not data.get("contact_of_text", "").strip():
                self.add_error("contact_of", _("请选择接触对象或填写其姓名"))
        return data

    def screening_fields(self) -> dict:
        """What record_screening takes, only the groups the reason asks for and only what was given."""
        data = self.cleaned_data
        reason = data["reason"]
        names = ["notes"]
        if reason in ARRIVAL_REASONS:
            names += list(ARRIVAL_FIELDS)
        if reason in CONTACT_REASONS:
            names += ["contact_of", "contact_of_text", "reference_date"]
        fields = {name: data[name] for name in names if data.get(name) not in (None, "")}
        if reason in ARRIVAL_REASONS and not fields.get("origin_text"):
            codes = (data.get("origin_province"), data.get("origin_city"), data.get("origin_county"))
            if any(codes):
                fields["origin_text"] = divisions.place_name(*codes)[:100]
        return fields

    @property
    def preview_reference(self):
        """The date day 1 follows, as record_screening will take it: the last exposure of a contact,
        the arrival of an arrival, else the screening date."""
        reason = self.peek("reason")
        reference = None
        if reason in CONTACT_REASONS:
            reference = self.peek("reference_date")
        elif reason in ARRIVAL_REASONS:
            reference = self.peek("arrived_on")
        return reference or self.peek("screened_on")


# Measures ----------------------------------------------------------------------------------------------


class MeasureStartForm(PreviewMixin, Form):
    kind = forms.ChoiceField(label=_("管控措施"), choices=_blank(Kind.choices, "—"))
    started_at = datetime_field(_("开始时间"))
    room = RoomField(label=_("隔离点和房间"), help_text=_("仅列出有空床的房间"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].set_rooms(user)

    @property
    def asks_room(self) -> bool:
        return self.chosen("kind") in ("", Kind.CENTRAL_QUARANTINE)

    @property
    def has_free_rooms(self) -> bool:
        return len(self.fields["room"].widget.choices) > 1

    def clean(self):
        data = super().clean()
        if data.get("kind") != Kind.CENTRAL_QUARANTINE:
            data["room"] = None
        return data


class CaretakerForm(Form):
    user = forms.ModelChoiceField(label=_("包保责任人"), queryset=None, empty_label="—")
    role = forms.ChoiceField(label=_("包保角色"), choices=_blank(CaretakerRole.choices, "—"))

    def __init__(self, *args, user, measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = queries.caretaker_candidates(user, measure)
        self.fields["user"].label_from_instance = lambda u: u.first_name or u.username


class TestResultForm(Form):
    sampled_at = datetime_field(_("采样时间"))
    outcome = forms.ChoiceField(label=_("结果"), choices=TestResult.Outcome.choices)


class ReleaseForm(Form):
    """Release when the conditions are met; an administrator may release earlier with a reason."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("解除原因"), max_length=200, initial=_("期满解除"))
    override = forms.BooleanField(
        label=_("条件未满足，仍然解除"),
        required=False,
        help_text=_("须写明依据，如 经专家组评估；将记入审计日志"),
    )

    def __init__(self, *args, may_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_override:
            del self.fields["override"]

    def clean(self):
        data = super().clean()
        if data.get("override") and data.get("reason", "").strip() in ("", "期满解除"):
            self.add_error("reason", _("提前解除须填写原因"))
        return data


class TransferForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("转为"), choices=_blank(Kind.choices, "—"))
    room = RoomField(label=_("隔离点和房间"), help_text=_("转为集中隔离时选择"))
    reason = forms.CharField(label=_("转运原因"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].set_rooms(user)

    def clean(self):
        data = super().clean()
        if data.get("kind") != Kind.CENTRAL_QUARANTINE:
            data["room"] = None
        return data
