"""Forms of the grid pages. They only parse input; the rules live in grid.actions, whose RuleError
messages are put back on the form with `add_rule_errors`."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from fangkong.audit.models import Action
from fangkong.lib.dates import parse_date
from fangkong.lib.errors import RuleError

from .models import Level, Role

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def add_rule_errors(form: forms.Form, exc: RuleError) -> None:
    """Show an action's errors on the form: on the field they name, else above the form."""
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


def required_messages(form: forms.Form) -> None:
    """An empty required field is told with the field's name: 姓名不能为空 / 请选择所属网格."""
    for field in form.fields.values():
        if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            message = format_lazy(_("请选择{label}"), label=field.label)
        else:
            message = format_lazy(_("{label}不能为空"), label=field.label)
        field.error_messages["required"] = message


def name_length_limits(form: forms.Form) -> None:
    """Too long an entry is told with the field's name and its limit (姓名不能超过50个字), not
    Django's stock sentence that names no field."""
    for field in form.fields.values():
        if getattr(field, "max_length", None):
            field.error_messages["max_length"] = format_lazy(
                _("{label}不能超过{limit}个字（现有%(show_value)d个）"),
                label=field.label,
                limit=field.max_length,
            )


class Form(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_length_limits(self)


class NodeChoiceField(forms.ModelChoiceField):
    """A node picked from a scoped queryset, indented by level so the tree shows in a plain select."""

    def label_from_instance(self, obj):
        return "\u3000" * max(obj.depth - 2, 0) + f"{obj.name}（{Level(obj.level).label}）"


class GridForm(Form):
    local_code = forms.CharField(label=_("网格编号"), max_length=8, help_text=_("1至8位数字或字母，如 07"))
    name = forms.CharField(label=_("网格名称"), max_length=100)


class GridImportForm(Form):
    file = forms.FileField(
        label=_("网格表（.xlsx 或 .csv）"),
        help_text=_("列：村（社区）代码、网格编号、网格名称"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件不能超过5MB"))
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("请上传 .xlsx 或 .csv 文件"))
        return upload


class MembershipForm(Form):
    node = NodeChoiceField(label=_("辖区"), queryset=None, to_field_name="code")
    role = forms.ChoiceField(label=_("角色"), choices=[("", "---------"), *Role.choices])

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes


class UserCreateForm(MembershipForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=150)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("再次输入密码"), widget=forms.PasswordInput, strip=False)

    field_order = ["username", "full_name", "node", "role", "password", "password2"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") != cleaned.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致"))
        return cleaned


class PasswordResetForm(Form):
    password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("再次输入新密码"), widget=forms.PasswordInput, strip=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") != cleaned.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致"))
        return cleaned


class TokenForm(Form):
    name = forms.CharField(label=_("用途"), max_length=100, help_text=_("如：村卫生室平板"))


# Audit log ----------------------------------------------------------------------------------------


class UserDateField(forms.CharField):
    """A date typed as 2022-03-01 or 2022年3月1日."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_date(value)
        except ValueError:
            raise forms.ValidationError(_("日期格式应为 2022-03-01 或 2022年3月1日")) from None


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("操作"), choices=[("", _("全部操作")), *Action.choices], required=False
    )
    actor = forms.CharField(label=_("操作人用户名"), required=False, max_length=150)
    date_from = UserDateField(label=_("起始日期"), required=False)
    date_to = UserDateField(label=_("截止日期"), required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return cleaned
