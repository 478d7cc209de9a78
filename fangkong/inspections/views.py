"""Pages of inspections: the list, a new inspection of a unit or venue (item by item, with photos), one
inspection, the orders with their deadlines and escalation, re-inspection, closures, checklist templates.
Each view parses, finds through the scoped queries (404 for "missing" and "not yours" alike), calls one
action and renders; an HTMX request to the same URL gets the fragment."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.grid import scoping
from fangkong.imports.pages import ledger_import_urls, xlsx
from fangkong.lib.errors import RuleError
from fangkong.lib.pages import posted, render_page
from fangkong.registry.forms import add_rule_errors

from . import actions, forms, ledgers, photos, queries, rules
from .models import OrderStatus, Result


def _now_minute():
    return timezone.localtime(timezone.now()).replace(second=0, microsecond=0)


def _target(request, *, write=False):
    """The unit (?unit=) or venue (?venue=) of the request, scoped; None when neither is given."""
    unit_id, venue_id = request.GET.get("unit"), request.GET.get("venue")
    if not unit_id and not venue_id:
        return None
    return queries.access_target(request.user, unit_id=unit_id, venue_id=venue_id, write=write)


def _target_query(target) -> str:
    return f"unit={target.pk}" if target.__class__.__name__ == "Unit" else f"venue={target.pk}"


def _home_node(user):
    nodes = scoping.nodes_with(user, scoping.WRITE)
    if not nodes:
        raise Http404
    return min(nodes, key=lambda node: len(node.path))


# Inspections ---------------------------------------------------------------------------------------------


def inspection_list(request):
    filters = forms.InspectionFilterForm(request.GET or None)
    values = filters.values()
    rows = queries.inspections_visible_to(request.user).select_related("node", "unit", "venue", "template")
    if values.get("kind"):
        rows = rows.filter(kind=values["kind"])
    if values.get("q"):
        rows = rows.filter(Q(unit__name__contains=values["q"]) | Q(venue__name__contains=values["q"]))
    if values.get("date_from"):
        rows = rows.filter(inspected_at__gte=rules.local_midnight(values["date_from"]))
    if values.get("date_to"):
        rows = rows.filter(inspected_at__lt=rules.due_end(values["date_to"]))
    rows = rows.prefetch_related("results")
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "query": query.urlencode()}
    return render_page(request, "inspections/inspection_list.html", context, fragment="results")


def inspection_pick(request):
    """Choose the unit or venue to inspect (or re-inspect, or close): `then` says which page follows."""
    q = request.GET.get("q", "").strip()[:50]
    then = request.GET.get("then", "inspection_create")
    if then not in ("inspection_create", "reinspect", "closure_create"):
        raise Http404
    units = queries.units_visible_to(request.user, scoping.WRITE).select_related("node")
    venues = queries.venues_visible_to(request.user, scoping.WRITE).select_related("node")
    if q:
        units, venues = units.filter(name__contains=q), venues.filter(name__contains=q)
    context = {"units": units[:50], "venues": venues[:50], "q": q, "then": then}
    return render_page(request, "inspections/inspection_pick.html", context, fragment="found")


def _posted_results(request, items) -> list[dict]:
    results = []
    for index, item in enumerate(items):
        answer = request.POST.get(f"item-{index}")
        upload = request.FILES.get(f"photo-{index}")
        results.append(
            {
                "item": item,
                "text": item.text,
                "passed": {"pass": True, "fail": False}.get(answer),
                "note": request.POST.get(f"note-{index}", "").strip(),
                "photo": photos.save(upload.read(), field=f"results.{index}") if upload else "",
            }
        )
    return results


def inspection_create(request):
    target = _target(request, write=True)
    if target is None:
        return redirect("inspection_pick")
    templates = list(queries.templates_for(request.user).filter(active=True))
    chosen = request.GET.get("template") or request.POST.get("template")
    template = next((t for t in templates if str(t.pk) == str(chosen)), templates[0] if templates else None)
    items = queries.active_items(template) if template else []
    form = forms.InspectionForm(posted(request), initial={"inspected_at": _now_minute()})
    errors = {}
    if request.method == "POST" and form.is_valid() and template is not None:
        data = form.cleaned_data
        try:
            results = _posted_results(request, items)
            inspection = actions.record_inspection(
                actor=request.user,
                target=target,
                template=template,
                results=results,
                request=request,
                **{k: data[k] for k in ("inspected_at", "inspectors", "note", "deadline", "requirement")},
                owner=data["owner"],
                owner_phone=data["owner_phone"],
            )
        except RuleError as exc:
            errors = {k: v for k, v in exc.errors.items() if k.startswith("results")}
            add_rule_errors(
                form,
                RuleError(
                    {k: v for k, v in exc.errors.items() if k not in errors}
                    or {"__all__": _("请检查各检查项")}
                ),
            )
        else:
            messages.success(request, _("已保存检查记录"))
            return redirect("inspection_detail", pk=inspection.pk)
    rows = [
        {
            "index": index,
            "item": item,
            "answer": request.POST.get(f"item-{index}", ""),
            "note": request.POST.get(f"note-{index}", ""),
            "error": errors.get(f"results.{index}", ""),
        }
        for index, item in enumerate(items)
    ]
    context = {
        "form": form,
        "target": target,
        "target_query": _target_query(target),
        "target_param": _target_query(target).split("=")[0],
        "templates": templates,
        "template": template,
        "rows": rows,
        "closure": queries.open_closure_of(target),
        "open_orders": queries.open_orders_of(target).count(),
    }
    return render(request, "inspections/inspection_create.html", context)


def inspection_detail(request, pk):
    inspection = queries.access_inspection(request.user, pk)
    results = list(inspection.results.all())
    context = {
        "inspection": inspection,
        "results": results,
        "target_query": _target_query(inspection.target),
        "may_write": scoping.can(request.user, scoping.WRITE, inspection.node),
        "today": timezone.localdate(),
    }
    return render(request, "inspections/inspection_detail.html", context)


def result_photo(request, pk):
    result = Result.objects.filter(pk=pk).values("inspection_id", "photo").first()
    if result is None:
        raise Http404
    queries.access_inspection(request.user, result["inspection_id"])
    found = photos.open_photo(result["photo"])
    if found is None:
        raise Http404
    data, content_type = found
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# Orders --------------------------------------------------------------------------------------------------


def order_list(request):
    filters = forms.OrderFilterForm(request.GET or None)
    now = timezone.now()
    orders = queries.filter_orders(queries.orders_visible_to(request.user), **filters.values(), now=now)
    page = Paginator(orders, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "order": o,
            "overdue": o.status == OrderStatus.OPEN and rules.is_overdue(o.deadline, now),
            "days_left": rules.days_left(o.deadline, now),
        }
        for o in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "escalated_to_me": queries.escalated_to_user(request.user)[:20],
    }
    return render_page(request, "inspections/order_list.html", context, fragment="results")


def order_detail(request, pk):
    order = queries.access_order(request.user, pk, write=request.method == "POST")
    form = forms.OrderForm(
        posted(request),
        initial={
            "deadline": order.deadline,
            "owner": order.owner,
            "owner_phone": order.owner_phone,
            "requirement": order.requirement,
        },
    )
    if form.is_valid():
        try:
            actions.update_order(actor=request.user, order=order, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已修改整改单"))
            return redirect("order_detail", pk=order.pk)
    now = timezone.now()
    context = {
        "order": order,
        "form": form,
        "overdue": order.status == OrderStatus.OPEN and rules.is_overdue(order.deadline, now),
        "checks": order.checks.select_related("inspection").order_by("inspection__inspected_at"),
        "target_query": _target_query(order.target),
        "may_write": scoping.can(request.user, scoping.WRITE, order.node),
    }
    return render(request, "inspections/order_detail.html", context)


def _posted_checks(request, orders) -> list[dict]:
    checks = []
    for order in orders:
        answer = request.POST.get(f"order-{order.pk}")
        if answer not in ("pass", "fail"):
            continue  # not looked at this time
        upload = request.FILES.get(f"photo-{order.pk}")
        checks.append(
            {
                "order": order,
                "passed": answer == "pass",
                "note": request.POST.get(f"note-{order.pk}", ""),
                "photo": photos.save(upload.read()) if upload else "",
            }
        )
    return checks


def reinspect(request):
    target = _target(request, write=True)
    if target is None:
        return redirect(reverse("inspection_pick") + "?then=reinspect")
    orders = list(queries.open_orders_of(target).select_related("finding"))
    form = forms.ReinspectForm(posted(request), initial={"inspected_at": _now_minute()})
    if request.method == "POST" and form.is_valid():
        try:
            inspection = actions.reinspect(
                actor=request.user,
                target=target,
                checks=_posted_checks(request, orders),
                request=request,
                **form.cleaned_data,
            )
        except RuleError as exc:
            add_rule_errors(form, RuleError({"__all__": str(exc)}))
        else:
            messages.success(request, _("已保存复查记录"))
            return redirect("inspection_detail", pk=inspection.pk)
    context = {
        "form": form,
        "target": target,
        "orders": orders,
        "target_query": _target_query(target),
        "now": timezone.now(),
    }
    return render(request, "inspections/reinspect.html", context)


# Closures ------------------------------------------------------------------------------------------------


def closure_list(request):
    closures = queries.closures_visible_to(request.user).select_related("node", "unit", "venue")
    if request.GET.get("state") == "closed":
        closures = closures.filter(reopened_at__isnull=True)
    page = Paginator(closures, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(request, "inspections/closure_list.html", {"page": page}, fragment="results")


def closure_create(request):
    target = _target(request, write=True)
    if target is None:
        return redirect(reverse("inspection_pick") + "?then=closure_create")
    form = forms.ClosureForm(posted(request), initial={"closed_at": _now_minute()})
    if form.is_valid():
        try:
            actions.close_object(actor=request.user, target=target, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已责令停业整顿"))
            return redirect("closure_list")
    return render(request, "inspections/closure_create.html", {"form": form, "target": target})


@require_POST
def closure_reopen(request, pk):
    closure = queries.access_closure(request.user, pk, write=True)
    form = forms.ReopenForm(request.POST)
    if form.is_valid():
        try:
            actions.reopen_object(actor=request.user, closure=closure, request=request, **form.cleaned_data)
        except RuleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已恢复营业"))
    else:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("closure_list")


# Templates -----------------------------------------------------------------------------------------------


def template_list(request):
    templates = queries.templates_for(request.user).order_by("node__path", "name")
    return render(request, "inspections/template_list.html", {"templates": templates})


def template_create(request):
    code = request.POST.get("node", "") if request.method == "POST" else None
    node = (
        _home_node(request.user)
        if code is None
        else scoping.access_jurisdiction(request.user, code, capability=scoping.WRITE)
    )
    form = forms.TemplateForm(posted(request))
    if form.is_valid():
        try:
            template = actions.create_template(
                actor=request.user,
                node=node,
                name=form.cleaned_data["name"],
                items=form.item_list(),
                description=form.cleaned_data["description"],
                request=request,
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            return redirect("template_detail", pk=template.pk)
    return render(request, "inspections/template_detail.html", {"form": form, "node": node, "template": None})


def template_detail(request, pk):
    template = queries.access_template(request.user, pk)
    items = [item.text for item in queries.active_items(template)]
    may_edit = template.node is not None and scoping.can(request.user, scoping.WRITE, template.node)
    if request.method == "POST" and not may_edit:
        raise Http404
    form = forms.TemplateForm(
        posted(request),
        initial={
            "name": template.name,
            "description": template.description,
            "items": "\n".join(items),
            "active": template.active,
        },
    )
    if form.is_valid():
        try:
            actions.update_template(
                actor=request.user,
                template=template,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                active=form.cleaned_data["active"],
                items=form.item_list(),
                request=request,
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已保存检查表"))
            return redirect("template_detail", pk=template.pk)
    context = {
        "template": template,
        "items": items,
        "form": form,
        "may_edit": may_edit,
        "may_copy": bool(scoping.nodes_with(request.user, scoping.WRITE)),
        "home": _home_node_view(request.user),
    }
    return render(request, "inspections/template_detail.html", context)


@require_POST
def template_copy(request, pk):
    template = queries.access_template(request.user, pk)
    try:
        copy = actions.copy_template(
            actor=request.user, template=template, node=_home_node(request.user), request=request
        )
    except RuleError as exc:
        messages.error(request, str(exc))
        return redirect("template_detail", pk=template.pk)
    messages.success(request, _("已复制到本辖区，可编辑"))
    return redirect("template_detail", pk=copy.pk)


def inspections_export(request):
    """The ledger of the user's area (or ?node=), ?date_from= / ?date_to= optional."""
    code = request.GET.get("node")
    node = scoping.access_jurisdiction(request.user, code) if code else _home_node_view(request.user)
    form = forms.InspectionFilterForm(request.GET or None)
    values = form.values()
    filename, content = ledgers.export_inspections(
        actor=request.user,
        node=node,
        date_from=values.get("date_from"),
        date_to=values.get("date_to"),
        request=request,
    )
    return xlsx(filename, content)


def _home_node_view(user):
    nodes = scoping.nodes_with(user)
    if not nodes:
        raise Http404
    return min(nodes, key=lambda node: len(node.path))


urlpatterns = [
    path("", inspection_list, name="inspection_list"),
    path("export/", inspections_export, name="export_inspections"),
    path("pick/", inspection_pick, name="inspection_pick"),
    path("new/", inspection_create, name="inspection_create"),
    path("<int:pk>/", inspection_detail, name="inspection_detail"),
    path("results/<int:pk>/photo/", result_photo, name="result_photo"),
    path("orders/", order_list, name="order_list"),
    path("orders/<int:pk>/", order_detail, name="order_detail"),
    path("reinspect/", reinspect, name="reinspect"),
    path("closures/", closure_list, name="closure_list"),
    path("closures/new/", closure_create, name="closure_create"),
    path("closures/<int:pk>/reopen/", closure_reopen, name="closure_reopen"),
    path("templates/", template_list, name="template_list"),
    path("templates/new/", template_create, name="template_create"),
    path("templates/<int:pk>/", template_detail, name="template_detail"),
    path("templates/<int:pk>/copy/", template_copy, name="template_copy"),
]
urlpatterns += ledger_import_urls(
    name="inspections",
    title=ledgers.LEDGER,
    importer=ledgers.import_inspections,
    rejected_workbook=ledgers.rejected_rows_workbook,
    hint=gettext_lazy("表头如“被检查单位/经营户名称”“检查日期/日期”均可识别。"),
)
