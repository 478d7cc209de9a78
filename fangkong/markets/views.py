"""Pages of market supervision: the overview (weekly-report completeness, market inspection figures,
gatherings), pharmacies with the counter's purchase form and the weekly report, the communities' list of
fever-medicine buyers to contact, the townships' list of unregistered buyers to find, the gatherings
ledger, the imports. Parse, access, one action, render."""

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.grid import scoping
from fangkong.grid.models import Level
from fangkong.imports.writing import XLSX_CONTENT_TYPE
from fangkong.lib.dates import parse_date
from fangkong.lib.errors import RuleError
from fangkong.lib.pages import posted
from fangkong.registry.forms import add_rule_errors
from fangkong.registry.queries import writable_nodes

from . import actions, forms, ledgers, queries, rules
from .models import DrugClass, TaskStatus

PAGE = 200
PERIOD_DAYS = 30  # the overview's default period of market inspections


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _node(request):
    code = request.GET.get("node") or request.GET.get("node_code", "")
    if code:
        return scoping.access_jurisdiction(request.user, code)
    tops = scoping.nodes_with(request.user)
    if not tops:
        raise PermissionDenied(_("您没有可查看的辖区"))
    return tops[0]


def _date(request, name: str, default: dt.date) -> dt.date:
    try:
        return parse_date(request.GET[name]) if request.GET.get(name) else default
    except ValueError:
        return default


def markets_home(request):
    node = _node(request)
    today = timezone.localdate()
    week = rules.week_start(_date(request, "week", today - dt.timedelta(days=7)))
    date_to = _date(request, "date_to", today)
    date_from = _date(request, "date_from", date_to - dt.timedelta(days=PERIOD_DAYS - 1))
    figures = queries.market_figures(node, date_from, date_to)
    gatherings = queries.gatherings_visible_to(request.user).filter(
        node__path__startswith=node.path, day__gte=date_from, day__lte=date_to
    )
    context = {
        "node": node,
        "week": week,
        "week_end": week + dt.timedelta(days=6),
        "completeness": queries.weekly_completeness(node, week),
        "figures": figures,
        "date_from": date_from,
        "date_to": date_to,
        "gathering_totals": {
            "reported": sum(g.reported for g in gatherings),
            "cancelled": sum(g.cancelled for g in gatherings),
            "tables": sum(g.tables_cancelled for g in gatherings),
        },
        "followups_open": queries.followups_visible_to(request.user)
        .filter(node__path__startswith=node.path, status=TaskStatus.OPEN)
        .count(),
        "unregistered": queries.unregistered_fever_buyers(request.user)
        .filter(node__path__startswith=node.path)
        .count(),
        "checklist": rules.CHECKLIST_NAME,
    }
    return render(request, "markets/home.html", context)


def weekly_export(request):
    node = _node(request)
    week = _date(request, "week", timezone.localdate() - dt.timedelta(days=7))
    filename, content = ledgers.export_weekly(actor=request.user, node=node, monday=week, request=request)
    return _download(content, filename)


# Pharmacies ----------------------------------------------------------------------------------------------


def pharmacy_list(request):
    nodes = writable_nodes(request.user, actions.PHARMACY_LEVELS)
    form = forms.PharmacyForm(posted(request), nodes=nodes)
    if form.is_valid():
        try:
            pharmacy = actions.create_pharmacy(actor=request.user, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已登记药店"))
            return redirect("pharmacy_detail", pharmacy.pk)
    rows = queries.pharmacies_visible_to(request.user)
    status = 422 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "markets/pharmacy_list.html",
        {"form": form, "rows": rows[:PAGE], "count": rows.count(), "may_add": nodes.exists()},
        status=status,
    )


def _pharmacy_page(request, pharmacy, *, purchase_form=None, weekly_form=None, status=200):
    today = timezone.localdate()
    may_write = scoping.can(request.user, scoping.WRITE, pharmacy.node)
    week = rules.week_start(today)
    if weekly_form is None:
        suggested = queries.purchase_counts_by_class(pharmacy, week - dt.timedelta(days=7))
        weekly_form = forms.WeeklyForm(initial={"week_start": week - dt.timedelta(days=7), **suggested})
    purchases = pharmacy.purchases.select_related("followup").order_by("-purchased_at", "-id")
    context = {
        "pharmacy": pharmacy,
        "may_write": may_write,
        "purchase_form": purchase_form or forms.PurchaseForm(),
        "weekly_form": weekly_form,
        "purchases": purchases[:50],
        "purchase_count": purchases.count(),
        "weekly": pharmacy.weekly.order_by("-week_start")[:12],
    }
    return render(request, "markets/pharmacy_detail.html", context, status=status)


def pharmacy_detail(request, pk):
    pharmacy = queries.access_pharmacy(request.user, pk)
    return _pharmacy_page(request, pharmacy)


def purchase_new(request, pk):
    """The counter: one purchase from a phone, then the empty form again for the next buyer."""
    pharmacy = queries.access_pharmacy(request.user, pk, write=True)
    form = forms.PurchaseForm(posted(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            purchase = actions.record_purchase(actor=request.user, pharmacy=pharmacy, request=request, **data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            if purchase.drug_class != DrugClass.FEVER:
                note = ""
            elif purchase.person_id:
                note = _("已推送至购药人所在社区核查")
            else:
                note = _("购药人未在本系统登记，已列入乡镇查找名单")
            messages.success(
                request,
                _("已登记 {name} {drug}").format(name=purchase.masked_name, drug=purchase.drug)
                + (f"；{note}" if note else ""),
            )
            return redirect("pharmacy_detail", pharmacy.pk)
    if request.method != "POST":
        return redirect("pharmacy_detail", pharmacy.pk)
    return _pharmacy_page(request, pharmacy, purchase_form=form, status=422)


def weekly_new(request, pk):
    pharmacy = queries.access_pharmacy(request.user, pk, write=True)
    form = forms.WeeklyForm(posted(request))
    if form.is_valid():
        try:
            _report, state = actions.submit_weekly(
                actor=request.user, pharmacy=pharmacy, request=request, **form.cleaned_data
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("周报已报送") if state != "unchanged" else _("周报与此前报送的相同"))
            return redirect("pharmacy_detail", pharmacy.pk)
    if request.method != "POST":
        return redirect("pharmacy_detail", pharmacy.pk)
    return _pharmacy_page(request, pharmacy, weekly_form=form, status=422)


def pharmacy_export(request, pk):
    pharmacy = queries.access_pharmacy(request.user, pk)
    filename, content = ledgers.export_purchases(
        actor=request.user,
        pharmacy=pharmacy,
        purchases=pharmacy.purchases.order_by("purchased_at", "id"),
        request=request,
    )
    return _download(content, filename)


# Fever-medicine buyers -------------------------------------------------------------------------------------


def followup_list(request):
    now = timezone.now()
    state = request.GET.get("state", "open")
    tasks = queries.filter_followups(queries.followups_visible_to(request.user), state, now).order_by(
        "status", "due_at", "id"
    )
    rows = [{"task": t, "state": queries.followup_state(t, now)} for t in tasks[:PAGE]]
    return render(
        request,
        "markets/followup_list.html",
        {"rows": rows, "count": tasks.count(), "state": state, "form": forms.FollowUpDoneForm()},
    )


def followup_done(request, pk):
    task = queries.access_followup(request.user, pk, write=True)
    form = forms.FollowUpDoneForm(posted(request))
    if form.is_valid():
        try:
            actions.complete_followup(actor=request.user, followup=task, request=request, **form.cleaned_data)
        except RuleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已记录核查结果"))
    elif request.method == "POST":
        messages.error(request, _("请填写核查结果"))
    return redirect("fever_followup_list")


def unregistered_list(request):
    rows = queries.unregistered_fever_buyers(request.user).order_by("-purchased_at", "-id")
    return render(
        request,
        "markets/unregistered_list.html",
        {"rows": rows[:PAGE], "count": rows.count(), "form": forms.FoundForm()},
    )


def purchase_found(request, pk):
    purchase = queries.access_purchase(request.user, pk, write=True)
    form = forms.FoundForm(posted(request))
    if form.is_valid():
        try:
            actions.mark_found(
                actor=request.user, purchase=purchase, request=request, note=form.cleaned_data["found_note"]
            )
        except RuleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已记录查找结果"))
    elif request.method == "POST":
        messages.error(request, _("请填写查找结果"))
    return redirect("unregistered_buyer_list")


def unregistered_match(request):
    """Buyers registered since their purchase: linked and passed on (a redirect); none: the list again."""
    if request.method == "POST":
        made = actions.match_registered(
            actor=request.user,
            purchases=queries.unregistered_fever_buyers(request.user),
            request=request,
        )
        if made:
            messages.success(request, _("已匹配 {n} 人并推送至其社区").format(n=made))
            return redirect("unregistered_buyer_list")
        messages.info(request, _("没有新登记的购药人员"))
        return unregistered_list(request)
    return redirect("unregistered_buyer_list")


# Gatherings -------------------------------------------------------------------------------------------------


def gathering_list(request):
    nodes = writable_nodes(request.user, (Level.TOWNSHIP,))
    form = forms.GatheringForm(posted(request), nodes=nodes, initial={"day": timezone.localdate()})
    if form.is_valid():
        data = form.cleaned_data
        data["tables_cancelled"] = data.get("tables_cancelled") or 0
        try:
            _row, state = actions.record_gatherings(actor=request.user, request=request, **data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已上报") if state != "unchanged" else _("与此前上报的相同"))
            return redirect("gathering_list")
    node = _node(request)
    rows = queries.gatherings_visible_to(request.user).filter(node__path__startswith=node.path)
    date_from, date_to = request.GET.get("date_from"), request.GET.get("date_to")
    if date_from:
        rows = rows.filter(day__gte=_date(request, "date_from", timezone.localdate()))
    if date_to:
        rows = rows.filter(day__lte=_date(request, "date_to", timezone.localdate()))
    if request.GET.get("format") == "xlsx":
        filename, content = ledgers.export_gatherings(
            actor=request.user, node=node, rows=list(rows.order_by("day", "node__path")), request=request
        )
        return _download(content, filename)
    status = 422 if request.method == "POST" and form.errors else 200
    totals = {
        "reported": sum(g.reported for g in rows),
        "cancelled": sum(g.cancelled for g in rows),
        "tables": sum(g.tables_cancelled for g in rows),
    }
    return render(
        request,
        "markets/gathering_list.html",
        {"form": form, "rows": rows[:PAGE], "node": node, "totals": totals, "may_add": nodes.exists()},
        status=status,
    )


# Imports ------------------------------------------------------------------------------------------------------


def markets_import(request):
    pharmacies = queries.pharmacies_visible_to(request.user, scoping.WRITE)
    form = forms.ImportForm(posted(request), request.FILES or None, pharmacies=pharmacies)
    result = None
    if form.is_valid():
        upload, kind = form.cleaned_data["file"], form.cleaned_data["kind"]
        common = {
            "actor": request.user,
            "data": upload.read(),
            "filename": upload.name,
            "dry_run": form.cleaned_data["dry_run"],
            "request": request,
        }
        try:
            if kind == "purchases":
                result = ledgers.import_purchases(pharmacy=form.cleaned_data["pharmacy"], **common)
            elif kind == "weekly":
                result = ledgers.import_weekly(**common)
            else:
                result = ledgers.import_gatherings(**common)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            if result.written:
                messages.success(
                    request,
                    _("已导入：新增 {n} 条，更正 {u} 条，此前已导入 {same} 条").format(
                        n=result.created, u=result.updated, same=result.unchanged
                    ),
                )
    status = 422 if request.method == "POST" and (form.errors or (result and result.rejected)) else 200
    return render(request, "markets/import.html", {"form": form, "result": result}, status=status)


urlpatterns = [
    path("", markets_home, name="markets_home"),
    path("weekly.xlsx", weekly_export, name="weekly_export"),
    path("pharmacies/", pharmacy_list, name="pharmacy_list"),
    path("pharmacies/<int:pk>/", pharmacy_detail, name="pharmacy_detail"),
    path("pharmacies/<int:pk>/purchase/", purchase_new, name="purchase_new"),
    path("pharmacies/<int:pk>/weekly/", weekly_new, name="weekly_new"),
    path("pharmacies/<int:pk>/register.xlsx", pharmacy_export, name="pharmacy_export"),
    path("fever-buyers/", followup_list, name="fever_followup_list"),
    path("fever-buyers/<int:pk>/done/", followup_done, name="fever_followup_done"),
    path("unregistered/", unregistered_list, name="unregistered_buyer_list"),
    path("unregistered/match/", unregistered_match, name="unregistered_buyer_match"),
    path("purchases/<int:pk>/found/", purchase_found, name="purchase_found"),
    path("gatherings/", gathering_list, name="gathering_list"),
    path("import/", markets_import, name="markets_import"),
]
