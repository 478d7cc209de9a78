"""Forms of the registry pages. They only parse what was typed; the rules live in actions.py, whose
RuleErrors are put back on the form next to their field by `add_rule_errors`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.grid.forms import name_length_limits, required_messages
from fangkong.grid.models import Level
from fangkong.lib.dates import DATE_INPUT_FORMATS
from fangkong.lib.errors import RuleError

from . import queries
from .models import DocumentType, DwellingType, Household, Relation, Sex, UnitKind, Verification


def add_rule_errors(form: forms.Form, exc: RuleError) -> None:
    """Show an action's reasons on the form: next to the field when the form has it, else at the top."""
    for field, reason in exc.errors.items():
        form.add_error(field if field in form.fields else None, reason)


def node_label(node) -> str:
    if node.level == Level.GRID and node.parent_id:
        return f"{node.parent.name} · {node.name}"
    return node.name


class NodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return node_label(obj)


class HouseholdChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.address


class Form(forms.Form):
    """A form whose "required" messages name the field: 姓名不能为空 / 请选择所属网格."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        required_messages(self)
        name_length_limits(self)

    def chosen(self, name: str) -> str:
        """The raw value of a field as submitted (bound) or prefilled (initial), for dependent choices."""
        value = self.data.get(name) if self.is_bound else self.initial.get(name)
        return str(getattr(value, "pk", value) or "")


class FilterForm(forms.Form):
    """A GET form of list filters; an invalid filter is shown on the form and ignored."""

    def __init__(self, data, *, nodes):
        super().__init__(data)
        self.fields["node_code"].choices = [("", _("全部辖区"))] + [(n.code, node_label(n)) for n in nodes]

    def values(self) -> dict:
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}


def _blank(choices) -> list:
    return [("", _("全部"))] + list(choices)


class HouseholdFilterForm(FilterForm):
    text = forms.CharField(label=_("地址"), required=False)
    node_code = forms.ChoiceField(label=_("辖区"), required=False)


class PersonFilterForm(FilterForm):
    text = forms.CharField(
        label=_("搜索"),
        required=False,
        help_text=_("姓名、拼音（zhangwei）、首字母（zw）、证件号或电话后4位"),
    )
    node_code = forms.ChoiceField(label=_("辖区"), required=False)
    verification = forms.ChoiceField(
        label=_("核查状态"), required=False, choices=_blank(Verification.choices)
    )
    sex = forms.ChoiceField(label=_("性别"), required=False, choices=_blank(Sex.choices))


class UnitFilterForm(FilterForm):
    text = forms.CharField(label=_("名称"), required=False)
    node_code = forms.ChoiceField(label=_("辖区"), required=False)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=_blank(UnitKind.choices))


class HouseholdForm(Form):
    node = NodeChoiceField(label=_("所属网格"), queryset=None)
    address = forms.CharField(label=_("地址"), max_length=200)
    dwelling_type = forms.ChoiceField(
        label=_("房屋类型"), choices=DwellingType.choices, initial=DwellingType.OWNED
    )
    notes = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes
        if len(nodes) == 1:
            self.fields["node"].initial = nodes[0].pk


class HouseholdEditForm(Form):
    version = forms.IntegerField(label=_("版本"), widget=forms.HiddenInput)
    address = forms.CharField(label=_("地址"), max_length=200)
    dwelling_type = forms.ChoiceField(
        label=_("房屋类型"), choices=DwellingType.choices, initial=DwellingType.OWNED
    )
    notes = forms.CharField(label=_("备注"), max_length=300, required=False)


class PersonFields(Form):
    """What is asked about a person on both the register and the edit page. For a 居民身份证 the number
    decides sex and birth date, so those two are only asked for other documents."""

    household = HouseholdChoiceField(label=_("户"), queryset=None, required=False)
    relation = forms.ChoiceField(label=_("与户主关系"), choices=Relation.choices, initial=Relation.OTHER)
    name = forms.CharField(label=_("姓名"), max_length=50)
    document_type = forms.ChoiceField(
        label=_("证件类型"), choices=DocumentType.choices, initial=DocumentType.RESIDENT_ID
    )
    id_number = forms.CharField(label=_("证件号码"), max_length=40)
    sex = forms.ChoiceField(label=_("性别"), choices=[("", "—"), *Sex.choices], required=False)
    birth_date = forms.DateField(
        label=_("出生日期"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(format="%Y-%m-%d"),
        help_text=_("如 1980-05-04 或 1980年5月4日"),
    )
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    occupation = forms.CharField(label=_("职业"), max_length=50, required=False)
    unit = forms.ModelChoiceField(label=_("工作单位"), queryset=None, required=False)
    notes = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args, user, node=None, **kwargs):
        super().__init__(*args, **kwargs)
        node_id = str(node.pk) if node is not None else self.chosen("node")
        households = (
            queries.households_visible_to(user).filter(node_id=node_id) if node_id.isdigit() else None
        )
        self.fields["household"].queryset = households if households is not None else Household.objects.none()
        self.fields["unit"].queryset = queries.units_visible_to(user)
        if not self.asks_sex_and_birth_date:
            del self.fields["sex"], self.fields["birth_date"]

    @property
    def asks_sex_and_birth_date(self) -> bool:
        return (self.chosen("document_type") or DocumentType.RESIDENT_ID) != DocumentType.RESIDENT_ID

    def clean_sex(self):
        return self.cleaned_data.get("sex") or None


class PersonForm(PersonFields):
    node = NodeChoiceField(label=_("所属网格"), queryset=None)
    field_order = ["node"]

    def __init__(self, *args, user, nodes, **kwargs):
        if len(nodes) == 1:  # a grid worker registers on their own grid: no need to choose
            kwargs["initial"] = {"node": nodes[0].pk, **(kwargs.get("initial") or {})}
        super().__init__(*args, user=user, **kwargs)
        self.fields["node"].queryset = nodes


class PersonEditForm(PersonFields):
    """The ID and phone numbers are not put in the page (they stay masked without a reveal): left
    empty, they keep their current value."""

    version = forms.IntegerField(label=_("版本"), widget=forms.HiddenInput)

    def __init__(self, *args, user, person, **kwargs):
        super().__init__(*args, user=user, node=person.node, **kwargs)
        self.person = person
        keep = _("留空则保持不变：{}")
        for name, masked in (("id_number", person.masked_id_number), ("phone", person.masked_phone)):
            self.fields[name].required = False
            self.fields[name].widget.attrs["placeholder"] = masked
            self.fields[name].help_text = keep.format(masked) if masked else ""

    def clean_id_number(self):
        return self.cleaned_data["id_number"] or self.person.id_number

    def clean_phone(self):
        return self.cleaned_data["phone"] or self.person.phone


class MoveForm(Form):
    to_node = NodeChoiceField(label=_("迁入网格"), queryset=None)
    household = HouseholdChoiceField(label=_("迁入户"), queryset=None, required=False)
    reason = forms.CharField(label=_("迁移原因"), max_length=200, required=False)

    def __init__(self, *args, user, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_node"].queryset = nodes
        node_id = self.chosen("to_node")
        households = (
            queries.households_visible_to(user).filter(node_id=node_id) if node_id.isdigit() else None
        )
        self.fields["household"].queryset = households if households is not None else Household.objects.none()


class UnitForm(Form):
    kind = forms.ChoiceField(label=_("类型"), choices=[("", "—"), *UnitKind.choices])
    node = NodeChoiceField(label=_("所属辖区"), queryset=None)
    name = forms.CharField(label=_("名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes
        if len(nodes) == 1:
            self.fields["node"].initial = nodes[0].pk
