"""JSON API for supplies: the catalogue, stores and their balances, the ledger, and writes of receipts,
issues, transfers and stock-takes through the same actions as the pages (an issue beyond the stock: 409)."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status

from fangkong.grid import scoping
from fangkong.grid.schemas import Date, Id, error_responses
from fangkong.registry.models import Unit

from . import actions, queries
from .models import Item
from .schemas import (
    BalanceOut,
    IssueIn,
    ItemOut,
    MovementFilterIn,
    MovementOut,
    MovementPageOut,
    ReceiptIn,
    StocktakeIn,
    StoreOut,
    TransferIn,
)

router = Router(tags=["防疫物资"])
READ_ERRORS = error_responses(401, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)


@router.get("/supply-items", response={200: list[ItemOut], **READ_ERRORS}, summary="物资目录")
def list_items(request):
    return list(queries.items())


@router.get("/supply-stores", response={200: list[StoreOut], **READ_ERRORS}, summary="库点")
def list_stores(request):
    return list(queries.stores_visible_to(request.auth))


@router.get(
    "/supply-stores/{store_id}/balances",
    response={200: list[BalanceOut], **READ_ERRORS},
    summary="库点的库存",
)
def store_balances(request, store_id: Id, day: Date | None = None):
    store = queries.access_store(request.auth, store_id)
    day = day or timezone.localdate()
    settings = queries.settings_for(store.node, day)
    lines = queries.stock_lines(
        queries.stores_visible_to(request.auth).filter(pk=store.pk), day, use_days=settings["use_days"]
    )
    return [
        {
            "item": ln.item.pk,
            "item_name": str(ln.item),
            "unit": ln.item.unit,
            "balance": ln.balance,
            "used": ln.used,
            "days_of_supply": ln.days_of_supply,
            "low": ln.low,
        }
        for ln in lines
    ]


@router.get("/supply-movements", response={200: MovementPageOut, **READ_ERRORS}, summary="出入库台账")
def list_movements(request, filters: Query[MovementFilterIn]):
    rows = queries.filter_movements(
        queries.movements_visible_to(request.auth),
        store=filters.store,
        item=filters.item,
        kind=filters.kind,
        date_from=filters.date_from,
        date_to=filters.date_to,
    ).order_by("-on", "-id")
    return {"count": rows.count(), "items": list(rows[filters.offset : filters.offset + filters.limit])}


def _item(pk) -> Item:
    return get_object_or_404(Item, pk=pk)


@router.post(
    "/supply-stores/{store_id}/receipts", response={201: MovementOut, **WRITE_ERRORS}, summary="入库"
)
def receive(request, store_id: Id, payload: ReceiptIn):
    store = queries.access_store(request.auth, store_id)
    data = payload.dict()
    movement = actions.receive(
        actor=request.auth, store=store, item=_item(data.pop("item")), request=request, **data
    )
    return Status(201, movement)


@router.post(
    "/supply-stores/{store_id}/issues", response={201: list[MovementOut], **WRITE_ERRORS}, summary="领用出库"
)
def issue(request, store_id: Id, payload: IssueIn):
    store = queries.access_store(request.auth, store_id)
    data = payload.dict()
    unit = data.pop("recipient_unit")
    if unit is not None:
        unit = scoping.access(request.auth, Unit.objects.all(), unit, path_field="node__path")
    movements = actions.issue(
        actor=request.auth,
        store=store,
        item=_item(data.pop("item")),
        recipient_unit=unit,
        request=request,
        **data,
    )
    return Status(201, movements)


@router.post(
    "/supply-stores/{store_id}/transfers", response={201: list[MovementOut], **WRITE_ERRORS}, summary="调拨"
)
def transfer(request, store_id: Id, payload: TransferIn):
    store = queries.access_store(request.auth, store_id)
    data = payload.dict()
    target = queries.access_store(request.auth, data.pop("target"))
    movements = actions.transfer(
        actor=request.auth, source=store, target=target, item=_item(data.pop("item")), request=request, **data
    )
    return Status(201, movements)


@router.post(
    "/supply-stores/{store_id}/stocktakes",
    response={201: list[MovementOut], **WRITE_ERRORS},
    summary="盘点（返回差额记录，无差额时为空）",
)
def stocktake(request, store_id: Id, payload: StocktakeIn):
    store = queries.access_store(request.auth, store_id)
    data = payload.dict()
    movement = actions.stocktake(
        actor=request.auth, store=store, item=_item(data.pop("item")), request=request, **data
    )
    return Status(201, [movement] if movement else [])
