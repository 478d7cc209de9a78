"""Pages of schools: the completeness of the checks (school × check, by township) with the alerts and
overdue absences, a school with its classes, a class's morning or noon check on a phone, the illness
absences, the 14 days before opening, the class list import and the check ledger out."""

import datetime as dt
from decimal import Decimal
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.dateparse import parse_date
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.imports.writing import XLSX_CONTENT_TYPE
from fangkong.lib.errors import RuleError
from fangkong.lib.pages import posted
from fangkong.policy.queries import policy_for, schools_values
from fangkong.registry.forms import add_rule_errors

from . import actions, forms, ledgers, queries, rules
from .models import Check, Member, Slot, Status

LIST_LIMIT = 200


def _day(request, default: dt.date | None = None) -> dt.date:
    raw = request.GET.get("day") or request.POST.get("day") or ""
    try:
        return parse_date(raw) or default or timezone.localdate()
    except ValueError:
        return default or timezone.localdate()


def schools_home(request):
    """The education bureau's, the township's or the teacher's view of the checks of a day."""
    code = request.GET.get("node") or request.GET.get("node_code")  # node_code: the reports' links
    node = queries.area_node(request.user, code) if code else queries.default_area(request.user)
    day = _day(request)
    if node is None:
        raise PermissionDenied(_("您没有可查看的学校"))
    table = queries.completeness(request.user, node, day)
    for township in table:
        township.rows_html = _school_rows(township.schools, day)
    schools = queries.schools_visible_to(request.user).filter(node__path__startswith=node.path)
    context = {
        "node": node,
        "day": day,
        "day_iso": day.isoformat(),
        "table": table,
        "total": {
            "classes": sum(r.classes for r in table),
            "checks": sum(r.checks for r in table),
            "zero_reports": sum(r.zero_reports for r in table),
            "expected": sum(r.expected for r in table),
        },
        "alerts": queries.alerts_visible_to(request.user)
        .filter(resolved_at__isnull=True, school__node__path__startswith=node.path)
        .order_by("-raised_at")[:50],
        "overdue": queries.overdue_absences(request.user, today=timezone.localdate())
        .filter(school__node__path__startswith=node.path)
        .select_related("member__school_class", "school")[:50],
        "schools_count": schools.count(),
        "can_create": bool(_creatable_nodes(request.user).exists()),
        "managed_bureaus": list(queries.bureaus_managed_by(request.user)),
    }
    return render(request, "schools/home.html", context)


def _school_rows(schools, day: dt.date):
    """The completeness table's school rows, written in one pass: a county has 300 schools, and the
    template language spends more on 300 × 7 cells than the three queries behind them. Only the school's
    name is text; it is escaped, the rest are numbers."""
    labels = [
        escape(label)
        for label in (
            _("学校"),
            _("班级数"),
            _("晨检已报"),
            _("其中零报告"),
            _("午检已报"),
            _("其中零报告"),
            _("未报"),
        )
    ]
    base, iso = escape(reverse("schools_home")), day.isoformat()
    rows = []
    for s in schools:
        missing = f'<span class="tag warn">{s.missing}</span>' if s.missing else "0"
        cells = (
            f'<a href="{base}{int(s.school_id)}/?day={iso}">{escape(s.name)}</a>',
            int(s.classes),
            int(s.morning),
            int(s.zero_morning),
            int(s.noon),
            int(s.zero_noon),
            missing,
        )
        rows.append(
            "<tr>"
            + "".join(f'<td data-label="{lb}">{c}</td>' for lb, c in zip(labels, cells, strict=True))
            + "</tr>"
        )
    return mark_safe("".join(rows))  # built above from escaped text and integers only


def _creatable_nodes(user):
    q = scoping.subtree_filter(user, scoping.WRITE, "path")
    for bureau in queries.bureaus_of(user):
        q = (q or Q()) | Q(path__startswith=bureau.county.path)
    if q is None:
        return Jurisdiction.objects.none()
    return Jurisdiction.objects.filter(q, level__in=actions.SCHOOL_LEVELS).order_by("path")


def school_create(request):
    nodes = _creatable_nodes(request.user)
    if not nodes.exists():
        raise PermissionDenied(_("您没有登记学校的权限"))
    form = forms.SchoolForm(posted(request), nodes=nodes)
    if form.is_valid():
        try:
            school = actions.create_school(actor=request.user, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已登记学校"))
            return redirect("school_detail", pk=school.pk)
    return render(request, "schools/school_create.html", {"form": form})


def school_detail(request, pk):
    school = queries.access_school(request.user, pk)
    day = _day(request)
    classes = list(school.classes.all())
    checks = {(c.school_class_id, c.slot): c for c in Check.objects.filter(school=school, day=day)}
    rows = [(k, checks.get((k.pk, Slot.MORNING)), checks.get((k.pk, Slot.NOON))) for k in classes]
    enrolled = dict(
        Member.objects.filter(school=school, active=True, kind="pupil")
        .values_list("school_class_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    context = {
        "school": school,
        "day": day,
        "rows": [(k, enrolled.get(k.pk, 0), m, n) for k, m, n in rows],
        "may_write": queries.can_write(request.user, school),
        "may_manage_users": queries.schools_managed_by(request.user).filter(pk=school.pk).exists(),
        "staff_count": Member.objects.filter(school=school, kind="staff").count(),
        "open_absences": school.absences.filter(returned_on__isnull=True).select_related(
            "member__school_class"
        ),
        "alerts": school.alerts.filter(resolved_at__isnull=True),
        "opening_form": forms.OpeningForm(initial={"opening_date": school.opening_date}),
    }
    return render(request, "schools/school_detail.html", context)


@require_POST
def school_opening(request, pk):
    school = queries.access_school(request.user, pk, write=True)
    form = forms.OpeningForm(request.POST)
    if form.is_valid():
        actions.update_school(
            actor=request.user, school=school, opening_date=form.cleaned_data["opening_date"], request=request
        )
        messages.success(request, _("已保存开学日期"))
    return redirect("school_pre_opening", pk=school.pk)


def _marks_from(request, roster: list[Member]) -> list[rules.Mark]:
    marks = []
    for m in roster:
        status = request.POST.get(f"s_{m.pk}", "")
        if not status:
            continue
        temperature = request.POST.get(f"t_{m.pk}", "").strip() or None
        marks.append(
            rules.Mark(
                member_id=m.pk,
                status=status,
                symptoms=tuple(request.POST.getlist(f"y_{m.pk}")),
                temperature=temperature,
                saw_doctor=bool(request.POST.get(f"v_{m.pk}")),
                diagnosis=request.POST.get(f"g_{m.pk}", ""),
            )
        )
    return marks


def class_check(request, pk):
    """A class's check on a phone: everyone present; tap a pupil to mark them absent or symptomatic."""
    school_class = queries.access_class(request.user, pk)
    day = _day(request)
    slot = (
        request.GET.get("slot")
        or request.POST.get("slot")
        or (Slot.MORNING if timezone.localtime().hour < 12 else Slot.NOON)
    )
    if slot not in Slot.values:
        raise Http404
    roster = queries.roster(school_class)
    check = queries.check_of(school_class, day, slot)
    errors = []
    posted_marks = None
    if request.method == "POST":
        if not queries.can_write(request.user, school_class.school):
            raise PermissionDenied(_("无权填报该班级的晨午检"))
        version = request.POST.get("version")
        posted_marks = _marks_from(request, roster)
        try:
            result = actions.submit_check(
                actor=request.user,
                school_class=school_class,
                day=day,
                slot=slot,
                marks=posted_marks,
                version=int(version) if version else None,
                request=request,
            )
        except RuleError as exc:
            errors = list(exc.errors.values())
        else:
            c = result.check
            if c.zero_report:
                messages.success(
                    request,
                    _(
                        "已提交%(slot)s零报告：应到%(enrolled)s人，实到%(present)s人，因病缺勤%(ill)s人，无症状学生"
                    )
                    % {
                        "slot": c.get_slot_display(),
                        "enrolled": c.enrolled,
                        "present": c.present,
                        "ill": c.absent_illness,
                    },
                )
            else:
                messages.warning(
                    request,
                    _(
                        "已提交%(slot)s：应到%(enrolled)s人，实到%(present)s人，因病缺勤%(ill)s人，有症状%(sym)s人"
                    )
                    % {
                        "slot": c.get_slot_display(),
                        "enrolled": c.enrolled,
                        "present": c.present,
                        "ill": c.absent_illness,
                        "sym": c.symptomatic,
                    },
                )
            for alert in result.alerts:
                messages.error(request, alert.summary)
            return redirect(
                f"{reverse('class_check', args=[school_class.pk])}?day={day.isoformat()}&slot={slot}"
            )
    stored = {e.member_id: e for e in check.entries.all()} if check else {}
    if posted_marks is not None:
        shown = {m.member_id: m for m in posted_marks}
    else:
        shown = stored
    rows = []
    for m in roster:
        mark = shown.get(m.pk)
        rows.append(
            {
                "member": m,
                "status": getattr(mark, "status", ""),
                "symptoms": set(getattr(mark, "symptoms", ()) or ()),
                "temperature": getattr(mark, "temperature", None) or "",
                "saw_doctor": getattr(mark, "saw_doctor", False),
                "diagnosis": getattr(mark, "diagnosis", ""),
            }
        )
    context = {
        "school_class": school_class,
        "school": school_class.school,
        "day": day,
        "slot": slot,
        "slots": Slot.choices,
        "check": check,
        "rows": rows,
        "errors": errors,
        "statuses": [("", _("到校")), *Status.choices],
        "symptoms": list(rules.SYMPTOMS.items()),
        "may_write": queries.can_write(request.user, school_class.school),
    }
    return render(request, "schools/class_check.html", context, status=400 if errors else 200)


def school_checks_export(request, pk):
    school = queries.access_school(request.user, pk)
    end = _day(request)
    start = parse_date(request.GET.get("start") or "") or end - dt.timedelta(days=6)
    if start > end or (end - start).days > 200:
        raise Http404
    name, content = ledgers.export_checks(
        actor=request.user, school=school, start=start, end=end, request=request
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def roster_import(request, pk):
    school = queries.access_school(request.user, pk, write=True)
    form = forms.RosterImportForm(posted(request), request.FILES or None)
    result = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = ledgers.import_roster(
                actor=request.user,
                school=school,
                data=upload.read(),
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
                request=request,
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
    return render(request, "schools/roster_import.html", {"school": school, "form": form, "result": result})


def absence_list(request):
    today = timezone.localdate()
    overdue = request.GET.get("overdue") == "1"
    rows = (
        queries.overdue_absences(request.user, today=today)
        if overdue
        else queries.absences_visible_to(request.user).filter(
            Q(returned_on__isnull=True) | Q(certificate=False)
        )
    )
    rows = list(rows.select_related("member__school_class", "school").order_by("-first_day")[:LIST_LIMIT])
    for a in rows:
        a.overdue = rules.absence_overdue(
            expected_return=a.expected_return,
            returned_on=a.returned_on,
            certificate=a.certificate,
            today=today,
        )
    return render(
        request, "schools/absence_list.html", {"rows": rows, "overdue": overdue, "limit": LIST_LIMIT}
    )


def absence_edit(request, pk):
    absence = queries.access_absence(request.user, pk, write=request.method == "POST")
    initial = {
        f: getattr(absence, f)
        for f in (
            "reason",
            "onset",
            "saw_doctor",
            "diagnosis",
            "expected_return",
            "returned_on",
            "certificate",
            "certificate_note",
        )
    }
    form = forms.AbsenceForm(posted(request), initial=initial)
    if form.is_valid():
        try:
            actions.update_absence(actor=request.user, absence=absence, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已保存因病缺勤追踪"))
            return redirect("absence_list")
    return render(request, "schools/absence_edit.html", {"absence": absence, "form": form})


def school_pre_opening(request, pk):
    """开学前14天健康监测 (一人一档): each pupil and staff member × the days before opening."""
    school = queries.access_school(request.user, pk)
    days_n = schools_values(policy_for(school.node, school.opening_date or timezone.localdate()).values)[
        "pre_opening_days"
    ]
    days, rows = queries.pre_opening(school, days=days_n)
    form = None
    if school.opening_date and queries.can_write(request.user, school):
        form = forms.PreOpeningForm(
            posted(request), members=Member.objects.filter(school=school, active=True), days=days
        )
        if form.is_valid():
            try:
                actions.record_pre_opening(actor=request.user, request=request, **form.cleaned_data)
            except RuleError as exc:
                add_rule_errors(form, exc)
            else:
                messages.success(request, _("已记录"))
                return redirect("school_pre_opening", pk=school.pk)
    complete = sum(1 for r in rows if r.complete)
    context = {
        "school": school,
        "days": days,
        "rows": rows,
        "complete": complete,
        "form": form,
        "opening_form": forms.OpeningForm(initial={"opening_date": school.opening_date}),
        "may_write": queries.can_write(request.user, school),
        "fever": Decimal(
            str(policy_for(school.node, timezone.localdate()).values.get("fever_threshold") or "37.3")
        ),
    }
    return render(request, "schools/pre_opening.html", context)


@require_POST
def alert_resolve(request, pk):
    alert = queries.alerts_visible_to(request.user).filter(pk=pk).first()
    if alert is None:
        raise Http404
    try:
        actions.resolve_alert(
            actor=request.user, alert=alert, resolution=request.POST.get("resolution", ""), request=request
        )
    except RuleError as exc:
        for reason in exc.errors.values():
            messages.error(request, reason)
    else:
        messages.success(request, _("已处置"))
    return redirect("school_detail", pk=alert.school_id)


# Accounts of teachers and of the education bureau ----------------------------------------------------


def _accounts_page(request, *, school=None, bureau=None):
    """List the school's staff (or the bureau's officers) and make a new account. A generated password
    is in this response only."""
    form = forms.SchoolUserForm(posted(request))
    generated = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            user = actions.create_school_user(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                password=data["password"],
                school=school,
                bureau=bureau,
                request=request,
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已创建账号 %(u)s") % {"u": user.username})
            if not data["generate"]:
                return redirect(request.path)
            generated = (user.username, data["password"])
            form = forms.SchoolUserForm()
    people = (school.staff if school is not None else bureau.members).order_by("username")
    context = {"school": school, "bureau": bureau, "people": people, "form": form, "generated": generated}
    response = render(request, "schools/accounts.html", context)
    add_never_cache_headers(response)
    return response


def school_users(request, pk):
    return _accounts_page(request, school=queries.access_school_users(request.user, pk))


def bureau_users(request, pk):
    return _accounts_page(request, bureau=queries.access_bureau_users(request.user, pk))


def _remove(request, user_id, *, school=None, bureau=None):
    people = school.staff if school is not None else bureau.members
    subject = people.filter(pk=user_id).first()
    if subject is None:
        raise Http404
    try:
        actions.remove_school_user(
            actor=request.user, user=subject, school=school, bureau=bureau, request=request
        )
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已移除账号 %(u)s") % {"u": subject.username})


@require_POST
def school_user_remove(request, pk, user_id):
    school = queries.access_school_users(request.user, pk)
    _remove(request, user_id, school=school)
    return redirect("school_users", pk=school.pk)


@require_POST
def bureau_user_remove(request, pk, user_id):
    bureau = queries.access_bureau_users(request.user, pk)
    _remove(request, user_id, bureau=bureau)
    return redirect("bureau_users", pk=bureau.pk)


urlpatterns = [
    path("", schools_home, name="schools_home"),
    path("new/", school_create, name="school_create"),
    path("<int:pk>/", school_detail, name="school_detail"),
    path("<int:pk>/opening/", school_opening, name="school_opening"),
    path("<int:pk>/pre-opening/", school_pre_opening, name="school_pre_opening"),
    path("<int:pk>/roster/import/", roster_import, name="roster_import"),
    path("<int:pk>/checks.xlsx", school_checks_export, name="school_checks_export"),
    path("classes/<int:pk>/check/", class_check, name="class_check"),
    path("absences/", absence_list, name="absence_list"),
    path("absences/<int:pk>/", absence_edit, name="absence_edit"),
    path("alerts/<int:pk>/resolve/", alert_resolve, name="school_alert_resolve"),
    path("<int:pk>/users/", school_users, name="school_users"),
    path("<int:pk>/users/<int:user_id>/remove/", school_user_remove, name="school_user_remove"),
    path("bureaus/<int:pk>/users/", bureau_users, name="bureau_users"),
    path("bureaus/<int:pk>/users/<int:user_id>/remove/", bureau_user_remove, name="bureau_user_remove"),
]
