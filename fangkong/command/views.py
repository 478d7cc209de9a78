"""Pages of the command: its groups and members, tasks with their deadlines (overdue ones up the tree),
the duty roster, one shift's log and its hand-over. Each view parses, finds through the scoped queries
(404 for "missing" and "not yours" alike), calls one action and renders."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.grid import scoping
from fangkong.grid.models import Level
from fangkong.imports.pages import ledger_import_urls, xlsx
from fangkong.lib.errors import RuleError
from fangkong.lib.pages import posted, render_page
from fangkong.registry.forms import add_rule_errors

from . import actions, forms, ledgers, queries, rules


def _home_node(user, capability=scoping.WRITE):
    nodes = scoping.nodes_with(user, capability)
    if not nodes:
        raise Http404
    return min(nodes, key=lambda node: len(node.path))


COMMAND_LEVELS = (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)


def _command_node(user, code: str | None = None):
    """The command node a form names (`code`), or the user's highest writable node down to a village (a
    grid keeps no command of its own: it works under its village's). 404 when it is not theirs."""
    nodes = [n for n in scoping.nodes_with(user, scoping.WRITE) if n.level in COMMAND_LEVELS]
    if code is not None:
        node = scoping.access_jurisdiction(user, code, capability=scoping.WRITE)
        if node.level not in COMMAND_LEVELS:
            raise Http404
        return node
    if not nodes:
        raise Http404
    return min(nodes, key=lambda node: len(node.path))


def _now_minute():
    return timezone.localtime(timezone.now()).replace(second=0, microsecond=0)


def command_home(request):
    now = timezone.now()
    groups = queries.groups_visible_to(request.user).filter(active=True).select_related("node")
    groups = groups.prefetch_related("members")
    tasks = queries.tasks_visible_to(request.user)
    context = {
        "groups": groups,
        "on_duty": queries.on_duty_for(request.user, now),
        "overdue": queries.filter_tasks(tasks, state="overdue", now=now)[:20],
        "open_count": queries.filter_tasks(tasks, state="open").count(),
        "may_write": bool(scoping.nodes_with(request.user, scoping.WRITE)),
        "command_node": _command_node_or_none(request.user),
    }
    return render(request, "command/command_home.html", context)


def _command_node_or_none(user):
    try:
        return _command_node(user)
    except Http404:
        return None


@require_POST
def group_preset(request):
    node = _command_node(request.user, request.POST.get("node", ""))
    try:
        made = actions.create_preset_groups(actor=request.user, node=node, request=request)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已设置工作组 %(n)s 个") % {"n": len(made)})
    return redirect("command_home")


def group_create(request):
    node = _command_node(request.user, request.POST.get("node", "") if request.method == "POST" else None)
    form = forms.GroupForm(posted(request))
    if form.is_valid():
        try:
            group = actions.create_group(
                actor=request.user,
                node=node,
                name=form.cleaned_data["name"],
                duties=form.cleaned_data["duties"],
                request=request,
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            return redirect("group_detail", pk=group.pk)
    return render(request, "command/group_detail.html", {"form": form, "group": None, "node": node})


def group_detail(request, pk):
    group = queries.access_group(request.user, pk, write=request.method == "POST")
    form = forms.GroupForm(
        posted(request) if "save_group" in request.POST else None,
        initial={"name": group.name, "duties": group.duties, "active": group.active},
    )
    member_form = forms.MemberForm(posted(request) if "add_member" in request.POST else None)
    if form.is_bound and form.is_valid():
        try:
            actions.update_group(actor=request.user, group=group, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            return redirect("group_detail", pk=group.pk)
    if member_form.is_bound and member_form.is_valid():
        try:
            actions.add_member(actor=request.user, group=group, request=request, **member_form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(member_form, exc)
        else:
            return redirect("group_detail", pk=group.pk)
    if "remove_member" in request.POST:
        member = group.members.filter(pk=request.POST.get("remove_member")).first()
        if member is None:
            raise Http404
        actions.remove_member(actor=request.user, member=member, request=request)
        return redirect("group_detail", pk=group.pk)
    context = {
        "group": group,
        "form": form,
        "member_form": member_form,
        "may_write": scoping.can(request.user, scoping.WRITE, group.node),
        "tasks": group.tasks.all()[:50],
    }
    return render(request, "command/group_detail.html", context)


def task_list(request):
    filters = forms.TaskFilterForm(request.GET or None)
    now = timezone.now()
    tasks = queries.filter_tasks(queries.tasks_visible_to(request.user), **filters.values(), now=now)
    page = Paginator(tasks, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"task": t, "overdue": rules.task_overdue(t.deadline, t.status, now)} for t in page]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "rows": rows, "query": query.urlencode()}
    return render_page(request, "command/task_list.html", context, fragment="results")


def task_create(request):
    nodes = list(scoping.visible_jurisdictions(request.user, scoping.WRITE).order_by("path")[:500])
    if not nodes:
        raise Http404
    groups = list(queries.groups_visible_to(request.user).filter(active=True))
    form = forms.TaskForm(posted(request), nodes=nodes, groups=groups, initial={"node": nodes[0].code})
    if form.is_valid():
        data = form.cleaned_data
        try:
            task = actions.create_task(
                actor=request.user,
                node=form.nodes[data["node"]],
                group=form.groups.get(data["group"]),
                title=data["title"],
                owner=data["owner"],
                deadline=data["deadline"],
                detail=data["detail"],
                request=request,
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已交办任务"))
            return redirect("task_detail", pk=task.pk)
    return render(request, "command/task_create.html", {"form": form})


def task_detail(request, pk):
    task = queries.access_task(request.user, pk, write=request.method == "POST")
    form = forms.TaskStatusForm(posted(request), initial={"status": task.status, "note": task.note})
    if form.is_valid():
        try:
            actions.set_task_status(actor=request.user, task=task, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已更新任务状态"))
            return redirect("task_detail", pk=task.pk)
    context = {
        "task": task,
        "form": form,
        "overdue": rules.task_overdue(task.deadline, task.status, timezone.now()),
        "may_write": scoping.can(request.user, scoping.WRITE, task.node),
    }
    return render(request, "command/task_detail.html", context)


def duty_roster(request):
    today = timezone.localdate()
    shifts = queries.shifts_visible_to(request.user).select_related("node")
    shifts = shifts.filter(day__gte=today - dt.timedelta(days=7), day__lte=today + dt.timedelta(days=30))
    node = None
    writable = scoping.nodes_with(request.user, scoping.WRITE)
    if writable:
        node = min(writable, key=lambda n: len(n.path))
    form = forms.ShiftForm(posted(request), initial={"day": today})
    if request.method == "POST":
        # The node the form was shown for: a roster is written where the form says, never by default.
        node = scoping.access_jurisdiction(
            request.user, request.POST.get("node", ""), capability=scoping.WRITE
        )
        if form.is_valid():
            try:
                actions.schedule_shift(actor=request.user, node=node, request=request, **form.cleaned_data)
            except RuleError as exc:
                add_rule_errors(form, exc)
            else:
                messages.success(request, _("已排班"))
                return redirect("duty_roster")
    context = {
        "shifts": shifts.order_by("day", "node__path"),
        "form": form,
        "node": node,
        "on_duty": queries.on_duty_for(request.user),
    }
    return render(request, "command/duty_roster.html", context)


def duty_shift(request, pk):
    shift = queries.access_shift(request.user, pk, write=request.method == "POST")
    entry_form = forms.LogEntryForm(
        posted(request) if "add_entry" in request.POST else None, initial={"at": _now_minute()}
    )
    handover_form = forms.HandOverForm(posted(request) if "hand_over" in request.POST else None)
    for form, act in (
        (entry_form, lambda d: actions.add_log_entry(actor=request.user, shift=shift, request=request, **d)),
        (handover_form, lambda d: actions.hand_over(actor=request.user, shift=shift, request=request, **d)),
    ):
        if form.is_bound and form.is_valid():
            try:
                act(form.cleaned_data)
            except RuleError as exc:
                add_rule_errors(form, exc)
            else:
                return redirect("duty_shift", pk=shift.pk)
    if request.method == "POST" and not entry_form.is_bound and not handover_form.is_bound:
        raise Http404
    context = {
        "shift": shift,
        "entries": list(shift.entries.all()),
        "entry_form": entry_form,
        "handover_form": handover_form,
        "may_write": scoping.can(request.user, scoping.WRITE, shift.node),
    }
    return render(request, "command/duty_shift.html", context)


def _export_node(request):
    code = request.GET.get("node")
    return scoping.access_jurisdiction(request.user, code) if code else _home_node(request.user, scoping.VIEW)


def duty_export(request):
    today = timezone.localdate()
    node = _export_node(request)
    first = today.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    filename, content = ledgers.export_duty(
        actor=request.user, node=node, date_from=first, date_to=last, request=request
    )
    return xlsx(filename, content)


def tasks_export(request):
    filename, content = ledgers.export_tasks(actor=request.user, node=_export_node(request), request=request)
    return xlsx(filename, content)


urlpatterns = [
    path("", command_home, name="command_home"),
    path("duty/export/", duty_export, name="export_duty"),
    path("tasks/export/", tasks_export, name="export_tasks"),
    path("groups/preset/", group_preset, name="group_preset"),
    path("groups/new/", group_create, name="group_create"),
    path("groups/<int:pk>/", group_detail, name="group_detail"),
    path("tasks/", task_list, name="task_list"),
    path("tasks/new/", task_create, name="task_create"),
    path("tasks/<int:pk>/", task_detail, name="task_detail"),
    path("duty/", duty_roster, name="duty_roster"),
    path("duty/<int:pk>/", duty_shift, name="duty_shift"),
]
urlpatterns += ledger_import_urls(
    name="duty",
    title=ledgers.LEDGER,
    importer=ledgers.import_duty,
    rejected_workbook=ledgers.rejected_rows_workbook,
)
urlpatterns += ledger_import_urls(
    name="tasks",
    title=ledgers.TASK_LEDGER,
    importer=ledgers.import_tasks,
    hint=gettext_lazy(
        "列：任务、工作组、承办辖区（空为所选辖区）、责任人、完成时限、状态、办理情况、办结时间，与导出的台账相同。"
    ),
)
