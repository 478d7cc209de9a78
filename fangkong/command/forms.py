"""Forms of the command pages: they parse what was typed; the rules are in rules.py and actions.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.measures.forms.keypersons import date_field, datetime_field
from fangkong.registry.forms import Form

from .models import MemberRole, TaskStatus

TASK_STATES = [("", _("全部")), ("open", _("未办结")), ("overdue", _("已超时")), ("done", _("已办结"))]


class TaskFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), choices=TASK_STATES, required=False)

    def values(self) -> dict:
        self.is_valid()
        return getattr(self, "cleaned_data", {})


class GroupForm(Form):
    name = forms.CharField(label=_("组名"), max_length=50)
    duties = forms.CharField(label=_("职责"), max_length=300, required=False)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class MemberForm(Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    role = forms.ChoiceField(label=_("职务"), choices=MemberRole.choices, initial=MemberRole.MEMBER)
    title = forms.CharField(label=_("单位及职务"), max_length=100, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)


class TaskForm(Form):
    title = forms.CharField(label=_("任务"), max_length=200)
    node = forms.ChoiceField(label=_("承办辖区"))
    group = forms.ChoiceField(label=_("工作组"), required=False)
    owner = forms.CharField(label=_("责任人"), max_length=50)
    deadline = datetime_field(_("完成时限"))
    detail = forms.CharField(label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, nodes, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.nodes = {n.code: n for n in nodes}
        self.groups = {str(g.pk): g for g in groups}
        self.fields["node"].choices = [(n.code, n.name) for n in nodes]
        self.fields["group"].choices = [("", "—")] + [(str(g.pk), g.name) for g in groups]


class TaskStatusForm(Form):
    status = forms.ChoiceField(label=_("状态"), choices=TaskStatus.choices)
    note = forms.CharField(label=_("办理情况"), max_length=500, required=False)


class ShiftForm(Form):
    day = date_field(_("值班日期"))
    leader = forms.CharField(label=_("带班领导"), max_length=50)
    leader_phone = forms.CharField(label=_("带班领导电话"), max_length=20, required=False)
    officers = forms.CharField(label=_("值班人员"), max_length=200)
    phone = forms.CharField(label=_("值班电话"), max_length=20, required=False)


class LogEntryForm(Form):
    at = datetime_field(_("时间"))
    text = forms.CharField(label=_("事项"), max_length=500)
    action_taken = forms.CharField(label=_("处理情况"), max_length=500, required=False)


class HandOverForm(Form):
    received_by = forms.CharField(label=_("接班人"), max_length=50)
    note = forms.CharField(label=_("交接事项"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
