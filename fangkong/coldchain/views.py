"""Pages of the cold chain: the area's stores, lots and samples; the notice board of stores and their 库长
(公示牌); a store with its lots, daily in/out and workers; a lot with its four documents, release, the
warehouse's steps and movements; samples and their results; and the goods trace, one click from a positive
result. Parse, access, one action, render."""

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.grid import scoping
from fangkong.grid.models import Level
from fangkong.imports.writing import XLSX_CONTENT_TYPE
from fangkong.lib.errors import RuleError
from fangkong.lib.pages import posted
from fangkong.registry.forms import add_rule_errors
from fangkong.registry.models import Unit
from fangkong.registry.queries import persons_visible_to, writable_nodes

from . import actions, forms, ledgers, queries, rules
from .models import DocumentKind, SampleResult

STORE_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GRID)
SHOWN = 100
IN_OUT_DAYS = 14


def area(request):
    code = request.GET.get("node") or request.GET.get("node_code", "")
    if code:
        return scoping.access_jurisdiction(request.user, code)
    tops = scoping.nodes_with(request.user)
    if not tops:
        raise PermissionDenied(_("您没有可查看的辖区"))
    return tops[0]


def coldchain_home(request):
    node = area(request)
    stores = queries.stores_visible_to(request.user).filter(node__path__startswith=node.path)
    lots = queries.lots_visible_to(request.user).filter(node__path__startswith=node.path)
    samples = queries.samples_visible_to(request.user).filter(store__node__path__startswith=node.path)
    context = {
        "node": node,
        "stores": stores,
        "lots": lots.order_by("-received_on", "-id")[:SHOWN],
        "positives": samples.filter(result=SampleResult.POSITIVE).order_by("-result_on", "-id")[:SHOWN],
        "pending": samples.filter(result=SampleResult.PENDING).count(),
        "can_create": writable_nodes(request.user, STORE_LEVELS).exists(),
    }
    return render(request, "coldchain/home.html", context)


def store_board(request):
    """公示牌: every store of the area with its enterprise, 库长 and supervisor, as the boards hang them."""
    node = area(request)
    stores = queries.stores_visible_to(request.user).filter(node__path__startswith=node.path)
    return render(request, "coldchain/store_board.html", {"node": node, "stores": stores})


def store_create(request):
    nodes = writable_nodes(request.user, STORE_LEVELS)
    if not nodes.exists():
        raise PermissionDenied(_("您在任何辖区都没有登记冷库的权限"))
    units = scoping.visible_to(
        request.user, Unit.objects.all(), path_field="node__path", capability=scoping.WRITE
    )
    form = forms.StoreForm(posted(request), nodes=nodes, units=units)
    if form.is_valid():
        try:
            store = actions.create_store(actor=request.user, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已登记冷库"))
            return redirect("coldstore_detail", pk=store.pk)
    return render(request, "coldchain/store_create.html", {"form": form})


def store_detail(request, pk):
    store = queries.access_store(request.user, pk)
    today = timezone.localdate()
    workers = list(store.workers.filter(until=None).select_related("person__node"))
    context = {
        "store": store,
        "holdings": queries.holdings_of(store),
        "in_out": queries.daily_in_out(store, since=today - dt.timedelta(days=IN_OUT_DAYS - 1), until=today),
        "health": queries.worker_health(workers, today=today),
        "samples": store.samples.select_related("lot").order_by("-sampled_on", "-id")[:30],
        "may_write": scoping.can(request.user, scoping.WRITE, store.node),
        "lot_form": forms.LotForm(initial={"received_on": today, "unit": "千克"}),
        "worker_form": forms.WorkerForm(initial={"since": today}),
    }
    return render(request, "coldchain/store_detail.html", context)


def lot_create(request, pk):
    store = queries.access_store(request.user, pk, write=True)
    form = forms.LotForm(posted(request), initial={"received_on": timezone.localdate(), "unit": "千克"})
    if form.is_valid():
        try:
            lot = actions.register_lot(actor=request.user, store=store, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已登记入库批次"))
            return redirect("lot_detail", pk=lot.pk)
    return render(request, "coldchain/lot_create.html", {"form": form, "store": store})


def worker_add(request, pk):
    store = queries.access_store(request.user, pk, write=True)
    form = forms.WorkerForm(posted(request), initial={"since": timezone.localdate()})
    if form.is_valid():
        id_number = form.cleaned_data["id_number"].strip().upper()
        person = persons_visible_to(request.user).filter(id_number=id_number).first()
        if person is None:
            form.add_error("id_number", _("实有人口中未找到该身份证号，请先登记人员"))
        else:
            try:
                actions.add_worker(
                    actor=request.user,
                    store=store,
                    person=person,
                    since=form.cleaned_data["since"],
                    role=form.cleaned_data["role"],
                    request=request,
                )
            except RuleError as exc:
                add_rule_errors(form, exc)
            else:
                messages.success(request, _("已登记从业人员"))
                return redirect("coldstore_detail", pk=store.pk)
    return render(request, "coldchain/worker_add.html", {"form": form, "store": store})


def _lot_context(request, lot, **forms_):
    today = timezone.localdate()
    documents = {d.kind: d for d in lot.documents.all()}
    holdings = lot.holdings.filter(quantity__gt=0).select_related("store__node")
    writable = [h.store for h in holdings if scoping.can(request.user, scoping.WRITE, h.store.node)]
    sources = queries.stores_visible_to(request.user, scoping.WRITE).filter(pk__in=[s.pk for s in writable])
    return {
        "lot": lot,
        "documents": [(kind, label, documents.get(kind)) for kind, label in DocumentKind.choices],
        "missing": [rules.DOCUMENT_NAMES[k] for k in rules.missing_documents(documents)],
        "holdings": holdings,
        "movements": lot.movements.select_related("source", "target").order_by("on", "id"),
        "samples": lot.samples.select_related("store").order_by("-sampled_on", "-id"),
        "may_write": bool(writable) or scoping.can(request.user, scoping.WRITE, lot.node),
        "document_form": forms_.get("document_form") or forms.DocumentForm(initial={"issued_on": today}),
        "move_form": forms_.get("move_form")
        or forms.MoveForm(
            initial={"on": today}, sources=sources, targets=queries.stores_visible_to(request.user)
        ),
        "disinfection_form": forms.DisinfectionForm(initial={"on": today}),
        "sources": sources,
    }


def lot_detail(request, pk):
    lot = queries.access_lot(request.user, pk)
    return render(request, "coldchain/lot_detail.html", _lot_context(request, lot))


@require_POST
def lot_document(request, pk):
    lot = queries.access_lot(request.user, pk)
    form = forms.DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.record_document(actor=request.user, lot=lot, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已登记证明"))
            return redirect("lot_detail", pk=lot.pk)
    return render(
        request, "coldchain/lot_detail.html", _lot_context(request, lot, document_form=form), status=422
    )


@require_POST
def lot_release(request, pk):
    lot = queries.access_lot(request.user, pk)
    try:
        actions.release_lot(actor=request.user, lot=lot, request=request)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已准予销售"))
    return redirect("lot_detail", pk=lot.pk)


@require_POST
def lot_disinfect(request, pk):
    lot = queries.access_lot(request.user, pk)
    form = forms.DisinfectionForm(request.POST)
    if form.is_valid():
        try:
            actions.record_disinfection(
                actor=request.user, lot=lot, on=form.cleaned_data["on"], request=request
            )
        except RuleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已登记消毒"))
    return redirect("lot_detail", pk=lot.pk)


@require_POST
def lot_move(request, pk):
    lot = queries.access_lot(request.user, pk)
    context = _lot_context(request, lot)
    form = forms.MoveForm(
        request.POST, sources=context["sources"], targets=queries.stores_visible_to(request.user)
    )
    if form.is_valid():
        try:
            actions.move(actor=request.user, lot=lot, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已登记出货"))
            return redirect("lot_detail", pk=lot.pk)
    context["move_form"] = form
    return render(request, "coldchain/lot_detail.html", context, status=422)


def lot_trace(request, pk):
    lot = queries.access_lot(request.user, pk)
    return render(request, "coldchain/trace.html", {"traces": [queries.trace(lot)], "sample": None})


def sample_list(request):
    node = area(request)
    samples = queries.samples_visible_to(request.user).filter(store__node__path__startswith=node.path)
    samples = queries.samples_filter(
        samples, result=request.GET.get("result", ""), kind=request.GET.get("kind", "")
    )
    return render(request, "coldchain/sample_list.html", {"node": node, "samples": samples[:200]})


def sample_create(request):
    stores = queries.stores_visible_to(request.user, scoping.WRITE)
    if not stores.exists():
        raise PermissionDenied(_("您没有可登记采样的冷库"))
    lots = queries.lots_visible_to(request.user).order_by("-received_on", "-id")
    initial = {
        "sampled_on": timezone.localdate(),
        "store": request.GET.get("store"),
        "lot": request.GET.get("lot"),
    }
    form = forms.SampleForm(posted(request), stores=stores, lots=lots, initial=initial)
    if form.is_valid():
        try:
            sample = actions.record_sample(actor=request.user, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已登记样本"))
            return redirect("coldsample_detail", pk=sample.pk)
    return render(request, "coldchain/sample_create.html", {"form": form})


def sample_detail(request, pk):
    sample = queries.access_sample(request.user, pk)
    may_write = scoping.can(request.user, scoping.WRITE, sample.store.node)
    form = forms.ResultForm(posted(request), initial={"result_on": timezone.localdate()})
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.record_result(actor=request.user, sample=sample, request=request, **form.cleaned_data)
            except RuleError as exc:
                add_rule_errors(form, exc)
            else:
                messages.success(request, _("已登记检测结果"))
                return redirect("coldsample_detail", pk=sample.pk)
    return render(
        request, "coldchain/sample_detail.html", {"sample": sample, "form": form, "may_write": may_write}
    )


def sample_trace(request, pk):
    """The whole trace of a positive sample: each lot it sealed, everywhere its parts went, the workers."""
    sample = queries.access_sample(request.user, pk)
    today = timezone.localdate()
    traces = queries.trace_of_sample(sample, today=today)
    owed = sample.trace_tests.select_related("person", "store").order_by("store__name", "person__name")
    return render(request, "coldchain/trace.html", {"traces": traces, "sample": sample, "owed": owed})


def _download(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def export_lots(request):
    node = area(request)
    lots = queries.lots_visible_to(request.user).filter(node__path__startswith=node.path)
    return _download(*ledgers.export_lots(actor=request.user, node=node, lots=lots, request=request))


def export_movements(request):
    node = area(request)
    movements = queries.movements_visible_to(request.user).filter(
        Q(source__node__path__startswith=node.path) | Q(target__node__path__startswith=node.path)
    )
    return _download(
        *ledgers.export_movements(actor=request.user, node=node, movements=movements, request=request)
    )


def ledger_import(request):
    """进出货台账 or a lab's results: checked first (nothing written while a row is wrong), then written."""
    if not queries.stores_visible_to(request.user, scoping.WRITE).exists():
        raise PermissionDenied(_("您没有可登记的冷库"))
    result = None
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        run = ledgers.import_results if request.POST.get("ledger") == "results" else ledgers.import_movements
        result = run(actor=request.user, data=upload.read(), filename=upload.name, request=request)
    return render(request, "coldchain/import.html", {"result": result})
