"""Pages of supplies: the stock of an area (balances, days of supply, alerts), a store with its forms
(receive, issue, transfer, stock-take), the ledger and the donations list with their Excel, the
catalogue, and the ledger import. Parse, access, one action, render."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.grid import scoping
from fangkong.grid.models import Level
from fangkong.imports.pages import ledger_import_urls, target_among
from fangkong.imports.writing import XLSX_CONTENT_TYPE
from fangkong.lib.dates import parse_date
from fangkong.lib.errors import RuleError
from fangkong.lib.pages import posted
from fangkong.registry.forms import add_rule_errors
from fangkong.registry.models import Unit
from fangkong.registry.queries import writable_nodes

from . import actions, forms, ledgers, queries

STORE_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GRID)
PAGE = 200
SHOWN = 100  # alerts listed on the area's page, the most short first; the store pages have the rest


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def area_and_day(request):
    """The node (?node=code, else the user's first) and the day (?day=, else today) a page is about."""
    code = request.GET.get("node") or request.GET.get("node_code", "")  # node_code: the reports' links
    if code:
        node = scoping.access_jurisdiction(request.user, code)
    else:
        tops = scoping.nodes_with(request.user)
        if not tops:
            raise PermissionDenied(_("您没有可查看的辖区"))
        node = tops[0]
    try:
        day = parse_date(request.GET.get("day", "")) if request.GET.get("day") else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return node, day


def supplies_home(request):
    node, day = area_and_day(request)
    settings = queries.settings_for(node, day)
    stores = queries.stores_visible_to(request.user).filter(node__path__startswith=node.path)
    area = queries.area_stock(stores, day, use_days=settings["use_days"], shown=SHOWN)
    context = {
        "node": node,
        "day": day,
        "settings": settings,
        "totals": area.totals,
        "low": area.low,
        "low_count": area.low_count,
        "expiring": queries.expiring(stores, day, warning_days=settings["expiry_warning_days"]),
        "stores": stores,
        "can_create": writable_nodes(request.user, STORE_LEVELS).exists(),
        "children": node.children.order_by("code"),
    }
    return render(request, "supplies/stock.html", context)


def store_create(request):
    nodes = writable_nodes(request.user, STORE_LEVELS)
    if not nodes.exists():
        raise PermissionDenied(_("您在任何辖区都没有设立库点的权限"))
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
            messages.success(request, _("已设立库点"))
            return redirect("store_detail", pk=store.pk)
    return render(request, "supplies/store_create.html", {"form": form})


def store_detail(request, pk):
    store = queries.access_store(request.user, pk)
    day = timezone.localdate()
    settings = queries.settings_for(store.node, day)
    lines = queries.stock_lines(
        queries.stores_visible_to(request.user).filter(pk=store.pk), day, use_days=settings["use_days"]
    )
    context = {
        "store": store,
        "lines": lines,
        "settings": settings,
        "expiring": queries.expiring(
            queries.stores_visible_to(request.user).filter(pk=store.pk),
            day,
            warning_days=settings["expiry_warning_days"],
        ),
        "movements": store.movements.select_related("item", "batch").order_by("-on", "-id")[:30],
        "may_write": scoping.can(request.user, scoping.WRITE, store.node),
    }
    return render(request, "supplies/store_detail.html", context)


def _movement_page(request, pk, *, form_class, title: str, run, done: str, **extra):
    store = queries.access_store(request.user, pk, write=True)
    kwargs = {"items": queries.items(), **{k: v(request, store) for k, v in extra.items()}}
    initial = {
        "on": timezone.localdate(),
        **({"item": request.GET["item"]} if request.GET.get("item") else {}),
    }
    form = form_class(posted(request), initial=initial, **kwargs)
    if form.is_valid():
        try:
            run(request, store, form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("store_detail", pk=store.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "supplies/movement_form.html", {"store": store, "form": form, "title": title}, status=status
    )


def _units(request, store):
    return scoping.visible_to(request.user, Unit.objects.all(), path_field="node__path").order_by("name")


def _other_stores(request, store):
    return queries.stores_visible_to(request.user).exclude(pk=store.pk)


def store_receive(request, pk):
    def run(request, store, data):
        actions.receive(actor=request.user, store=store, request=request, **data)

    return _movement_page(
        request, pk, form_class=forms.ReceiptForm, title=_("入库"), run=run, done=_("已入库")
    )


def store_issue(request, pk):
    def run(request, store, data):
        actions.issue(actor=request.user, store=store, request=request, **data)

    return _movement_page(
        request, pk, form_class=forms.IssueForm, title=_("领用出库"), run=run, done=_("已出库"), units=_units
    )


def store_transfer(request, pk):
    def run(request, store, data):
        actions.transfer(actor=request.user, source=store, request=request, **data)

    return _movement_page(
        request,
        pk,
        form_class=forms.TransferForm,
        title=_("调拨"),
        run=run,
        done=_("已调拨"),
        stores=_other_stores,
    )


def store_stocktake(request, pk):
    def run(request, store, data):
        actions.stocktake(actor=request.user, store=store, request=request, **data)

    return _movement_page(
        request, pk, form_class=forms.StocktakeForm, title=_("盘点"), run=run, done=_("已记录盘点")
    )


def store_export(request, pk):
    store = queries.access_store(request.user, pk)
    filename, content = ledgers.export_ledger(actor=request.user, store=store, request=request)
    return _download(content, filename)


def movement_list(request):
    stores = queries.stores_visible_to(request.user)
    form = forms.MovementFilterForm(request.GET or None, stores=stores, items=queries.items())
    rows = queries.filter_movements(queries.movements_visible_to(request.user), **form.values()).order_by(
        "-on", "-id"
    )
    return render(
        request, "supplies/movement_list.html", {"form": form, "rows": rows[:PAGE], "count": rows.count()}
    )


def donation_list(request):
    node, _day = area_and_day(request)
    rows = queries.donations(queries.in_subtree(node.path))
    if request.GET.get("format") == "xlsx":
        filename, content = ledgers.export_donations(
            actor=request.user, node=node, movements=rows.filter(donor_public=True), request=request
        )
        return _download(content, filename)
    public_url = None
    if scoping.can(request.user, scoping.WRITE, node):
        token = queries.donations_token(node)
        public_url = request.build_absolute_uri(reverse("public_donations", args=[token]))
    return render(
        request, "supplies/donation_list.html", {"node": node, "rows": rows, "public_url": public_url}
    )


@login_not_required
def public_donations(request, token):
    """The donations list as published: login-free, reached by the signed link the staff page gives."""
    node = queries.donations_node(token)
    if node is None:
        raise Http404
    rows = queries.public_donations(node)
    return render(request, "supplies/donation_public.html", {"node": node, "rows": rows})


def item_list(request):
    form = forms.ItemForm(posted(request))
    if form.is_valid():
        try:
            actions.create_item(actor=request.user, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已添加物资品种"))
            return redirect("supply_item_list")
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, "supplies/item_list.html", {"form": form, "items": queries.items()}, status=status)


urlpatterns = [
    path("", supplies_home, name="supplies_home"),
    path("stores/new/", store_create, name="store_create"),
    path("stores/<int:pk>/", store_detail, name="store_detail"),
    path("stores/<int:pk>/receive/", store_receive, name="store_receive"),
    path("stores/<int:pk>/issue/", store_issue, name="store_issue"),
    path("stores/<int:pk>/transfer/", store_transfer, name="store_transfer"),
    path("stores/<int:pk>/stocktake/", store_stocktake, name="store_stocktake"),
    path("stores/<int:pk>/ledger.xlsx", store_export, name="store_export"),
    path("movements/", movement_list, name="movement_list"),
    path("donations/", donation_list, name="donation_list"),
    path("items/", item_list, name="supply_item_list"),
]
urlpatterns += ledger_import_urls(
    name="supplies",
    title=ledgers.LEDGER,
    importer=ledgers.import_ledger,
    hint=gettext_lazy(
        "列：日期、单据号、物资名称、规格、单位、来源（下拨/自购/捐赠）、批号、有效期、入库数量、出库数量、结存、"
        "领用单位、领用人、审批人、经手人。"
    ),
    target=target_among(
        kwarg="store",
        label=gettext_lazy("库点"),
        visible=queries.stores_visible_to,
        access=queries.access_store,
    ),
    prefix="import/",
    upload_name="supplies_import",
)
