"""Pages of the daily reports: a user's reporting units, one unit's report for a day (figures read-only,
activities, note, one-tap zero report, corrections with their history), completeness of a node's
children, reporting units of a node, the Excel export and the user's reminders. Each view parses,
finds through scoping (404 for "missing" and "not yours" alike), calls one action or query and renders."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.imports.writing import XLSX_CONTENT_TYPE
from fangkong.lib.errors import RuleError
from fangkong.registry.forms import add_rule_errors
from fangkong.registry.queries import units_visible_to as registry_units_visible_to
from fangkong.reporting import actions as daily_actions
from fangkong.reporting import cases, completeness, forms, ledgers, reminders
from fangkong.reporting import queries as daily_queries
from fangkong.reporting.models import Reminder, ReportingUnit


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Http404 from None


def _yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def _report_url(unit_id: int, day: dt.date) -> str:
    return reverse("daily_report", kwargs={"pk": unit_id, "day": day.isoformat()})


def _posted(request):
    return request.POST if request.method == "POST" else None


# My reports ----------------------------------------------------------------------------------------------


@require_GET
def daily_list(request):
    day, readable = forms.parse_day(request.GET.get("date"), _yesterday())
    if not readable:
        messages.error(request, _("日期格式应为 2022-03-01 或 2022年3月1日"))
    units = daily_queries.units_visible_to(request.user, scoping.WRITE).filter(completeness.expected_on(day))
    page = Paginator(
        completeness.with_submissions(units, day).order_by("node__path", "name", "pk"), settings.PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = completeness.statuses(
        page.object_list,
        day,
        timezone.now(),
        completeness.Policies.for_paths({u.node.path for u in page.object_list}, day),
    )
    context = {
        "day": day,
        "today": timezone.localdate(),
        "yesterday": _yesterday(),
        "page": page,
        "rows": rows,
        "query": urlencode({"date": day.isoformat()}),
        "nodes": scoping.nodes_with(request.user),
    }
    return render(request, "reporting/daily_list.html", context)


def _report_context(request, unit: ReportingUnit, day: dt.date, form, zero_form) -> dict:
    now = timezone.now()
    values = daily_queries.figures(unit, day, now=now)
    rows = daily_queries.figure_rows(values)
    deadline = completeness.Policies.for_paths([unit.node.path], day).deadline(unit.node.path, day)
    revisions = daily_queries.history(unit, day)
    current = next((r for r in revisions if r.is_current), None)
    activities = form.activities
    first_at = revisions[-1].submitted_at if revisions else None
    return {
        "unit": unit,
        "day": day,
        "figures": [row for row in rows if row["code"] not in cases.CODES],
        "case_figures": [row for row in rows if row["code"] in cases.CODES],
        "node_figures": daily_queries.reports_node_figures(unit),
        "blockers": daily_queries.zero_report_blockers(values),
        "current": current,
        "history": [
            {"report": r, "activities": daily_queries.activities_text(r.activities, activities)}
            for r in revisions
        ],
        "deadline": deadline,
        "status": completeness.Status(completeness.status_of(first_at, deadline, now)),
        "can_submit": daily_queries.can_submit(request.user, unit),
        "owes": daily_queries.owes(unit, day) and day <= timezone.localdate(),
        "form": form,
        "zero_form": zero_form,
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1) if day < timezone.localdate() else None,
    }


def daily_report(request, pk, day):
    unit = daily_queries.access_unit(request.user, pk)
    day = _day(day)
    if request.method == "POST" and not daily_queries.can_submit(request.user, unit):
        raise PermissionDenied(_("只读账号不能报送日报告"))
    current = daily_queries.current_report(unit, day)
    form = forms.ReportForm(
        _posted(request),
        activities=daily_queries.activities_for(unit.node, day),
        submitted=current is not None,
        initial=forms.ReportForm.initial_from(current),
    )
    if form.is_valid():
        try:
            __, changed = daily_actions.submit_report(
                actor=request.user,
                reporting_unit=unit,
                day=day,
                activities=form.cleaned_activities(),
                note=form.cleaned_data["note"],
                reason=form.cleaned_data.get("reason", ""),
                request=request,
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("日报告已报送") if changed else _("内容与已报送的一致，未重复报送"))
            return redirect(_report_url(unit.pk, day))
    context = _report_context(request, unit, day, form, forms.ZeroForm())
    return render(request, "reporting/daily_report.html", context, status=400 if form.errors else 200)


@require_POST
def daily_zero(request, pk, day):
    unit = daily_queries.access_unit(request.user, pk, write=True)
    day = _day(day)
    zero_form = forms.ZeroForm(request.POST)
    zero_form.is_valid()
    try:
        __, changed = daily_actions.submit_zero_report(
            actor=request.user,
            reporting_unit=unit,
            day=day,
            reason=zero_form.cleaned_data.get("reason", ""),
            request=request,
        )
    except RuleError as exc:
        add_rule_errors(zero_form, exc)
        current = daily_queries.current_report(unit, day)
        form = forms.ReportForm(
            activities=daily_queries.activities_for(unit.node, day),
            submitted=current is not None,
            initial=forms.ReportForm.initial_from(current),
        )
        context = _report_context(request, unit, day, form, zero_form)
        return render(request, "reporting/daily_report.html", context, status=400)
    messages.success(request, _("零报告已报送") if changed else _("零报告已报送过，未重复报送"))
    return redirect(_report_url(unit.pk, day))


# Completeness --------------------------------------------------------------------------------------------


@require_GET
def completeness_view(request, code):
    node = scoping.access_jurisdiction(request.user, code)
    day, readable = forms.parse_day(request.GET.get("date"), _yesterday())
    if not readable:
        messages.error(request, _("日期格式应为 2022-03-01 或 2022年3月1日"))
    context = {
        "c": completeness.completeness(node, day),
        "node": node,
        "day": day,
        "day_iso": day.isoformat(),
        "today": timezone.localdate(),
        "yesterday": _yesterday(),
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1) if day < timezone.localdate() else None,
        "ancestors": [a for a in node.ancestors() if scoping.can(request.user, scoping.VIEW, a)],
        "export_form": forms.ExportForm(initial={"date_from": day, "date_to": day}),
    }
    return render(request, "reporting/completeness_node.html", context)


# Reporting units -----------------------------------------------------------------------------------------


def _unit_form(request, node: Jurisdiction):
    villages = Jurisdiction.objects.filter(
        path__startswith=node.path, level__in=[Level.TOWNSHIP, Level.VILLAGE]
    ).order_by("path")
    units = registry_units_visible_to(request.user).filter(node__path__startswith=node.path)
    return forms.ReportingUnitForm(
        _posted(request),
        nodes=villages,
        units=units.select_related("node").order_by("node__path", "name"),
        initial={"active_from": timezone.localdate()},
    )


def reporting_units(request, code):
    node = scoping.access_jurisdiction(request.user, code)
    manage = daily_queries.can_manage(request.user, node)
    if request.method == "POST" and not manage:
        raise PermissionDenied(_("只有本辖区的管理员可以设置报告单位"))
    form = _unit_form(request, node) if manage else None
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            unit = daily_actions.add_reporting_unit(
                actor=request.user,
                node=data["node"],
                unit=data["unit"],
                active_from=data["active_from"],
                request=request,
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已添加报告单位：{name}").format(name=unit.name))
            return redirect("reporting_units", code=node.code)
    units = daily_queries.units_visible_to(request.user).filter(node__path__startswith=node.path)
    page = Paginator(units.order_by("node__path", "name", "pk"), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "node": node,
        "page": page,
        "form": form,
        "manage": manage,
        "today": timezone.localdate(),
        "start_form": forms.StartForm(prefix="all", initial={"active_from": timezone.localdate()}),
    }
    return render(request, "reporting/units_list.html", context, status=400 if form and form.errors else 200)


@require_POST
def reporting_units_villages(request, code):
    node = scoping.access_jurisdiction(request.user, code)
    if not daily_queries.can_manage(request.user, node):
        raise PermissionDenied(_("只有本辖区的管理员可以设置报告单位"))
    form = forms.StartForm(request.POST, prefix="all")
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("reporting_units", code=node.code)
    created = daily_actions.add_village_reporting_units(
        actor=request.user, node=node, active_from=form.cleaned_data["active_from"], request=request
    )
    messages.success(request, _("已将{n}个村（社区）设为报告单位").format(n=len(created)))
    return redirect("reporting_units", code=node.code)


@require_POST
def reporting_unit_remove(request, pk):
    unit = daily_queries.access_unit(request.user, pk)
    if not daily_queries.can_manage(request.user, unit.node):
        raise PermissionDenied(_("只有本辖区的管理员可以设置报告单位"))
    form = forms.StopForm(request.POST)
    try:
        if not form.is_valid():
            raise RuleError({"active_until": "；".join(form.errors.get("active_until", []))})
        daily_actions.remove_reporting_unit(
            actor=request.user,
            reporting_unit=unit,
            active_until=form.cleaned_data["active_until"],
            request=request,
        )
    except RuleError as exc:
        messages.error(request, "；".join(exc.errors.values()))
    else:
        messages.success(request, _("{name}已停报").format(name=unit.name))
    return redirect("reporting_units", code=unit.node.code)


# Export --------------------------------------------------------------------------------------------------


@require_GET
def daily_export_view(request, code):
    node = scoping.access_jurisdiction(request.user, code)
    form = forms.ExportForm(request.GET or None)
    if form.is_valid():
        try:
            name, content = ledgers.export_daily(
                actor=request.user,
                node=node,
                start=form.cleaned_data["date_from"],
                end=form.cleaned_data["date_to"],
                request=request,
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
            response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
            return response
    status = 400 if form.errors else 200
    return render(request, "reporting/daily_export.html", {"node": node, "form": form}, status=status)


# Reminders -----------------------------------------------------------------------------------------------


def reminder_list(request):
    if request.method == "POST":  # 全部标为已读; the page is shown again (no redirect, nothing to re-send)
        reminders.mark_read(user=request.user)
    page = Paginator(Reminder.objects.filter(user=request.user), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "unread": reminders.unread_count(request.user)}
    return render(request, "reporting/daily_reminders.html", context)


@require_POST
def reminder_read(request, pk):
    reminder = get_object_or_404(Reminder, pk=pk, user=request.user)
    reminders.mark_read(user=request.user, reminder=reminder)
    return redirect(reminder.link or "reminder_list")


urlpatterns = [
    path("daily/", daily_list, name="daily_list"),
    path("daily/<int:pk>/<str:day>/", daily_report, name="daily_report"),
    path("daily/<int:pk>/<str:day>/zero/", daily_zero, name="daily_zero"),
    path("completeness/<str:code>/", completeness_view, name="completeness"),
    path("units/<str:code>/", reporting_units, name="reporting_units"),
    path("units/<str:code>/villages/", reporting_units_villages, name="reporting_units_villages"),
    path("units/stop/<int:pk>/", reporting_unit_remove, name="reporting_unit_remove"),
    path("export/<str:code>/", daily_export_view, name="daily_export"),
    path("reminders/", reminder_list, name="reminder_list"),
    path("reminders/<int:pk>/read/", reminder_read, name="reminder_read"),
]
