"""JSON API of the cold chain: stores, lots and their documents, release, the warehouse's disinfection,
movements, samples and results, and the goods trace, through the same actions as the pages (a release
without all four documents, a movement beyond the balance or of a sealed lot: 409)."""

from django.db.models import Q
from ninja import Query, Router
from ninja.responses import Status

from fangkong.grid import scoping
from fangkong.grid.schemas import Id, error_responses
from fangkong.registry.models import Unit

from . import actions, queries
from .schemas import (
    ColdMovementFilterIn,
    ColdMovementIn,
    ColdMovementOut,
    ColdMovementPageOut,
    ColdResultIn,
    ColdSampleIn,
    ColdSampleOut,
    ColdStoreIn,
    ColdStoreOut,
    DisinfectionIn,
    LotDocumentIn,
    LotDocumentOut,
    LotFilterIn,
    LotIn,
    LotOut,
    LotPageOut,
    TraceOut,
)

router = Router(tags=["冷链监管"])
READ_ERRORS = error_responses(401, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)


def _lot(request, pk):
    return queries.access_lot(request.auth, pk)


@router.get("/cold-stores", response={200: list[ColdStoreOut], **READ_ERRORS}, summary="冷库")
def list_stores(request):
    return list(queries.stores_visible_to(request.auth))


@router.post("/cold-stores", response={201: ColdStoreOut, **WRITE_ERRORS}, summary="登记冷库")
def create_store(request, payload: ColdStoreIn):
    data = payload.dict()
    node = scoping.access_jurisdiction(request.auth, data.pop("node"))
    unit = data.pop("unit")
    if unit is not None:
        unit = scoping.access(
            request.auth, Unit.objects.select_related("node"), unit, path_field="node__path"
        )
    return Status(
        201, actions.create_store(actor=request.auth, node=node, unit=unit, request=request, **data)
    )


@router.get("/cold-stores/{cold_store_id}", response={200: ColdStoreOut, **READ_ERRORS}, summary="冷库详情")
def get_store(request, cold_store_id: Id):
    return queries.access_store(request.auth, cold_store_id)


@router.get("/cold-lots", response={200: LotPageOut, **READ_ERRORS}, summary="进口冷链食品批次")
def list_lots(request, filters: Query[LotFilterIn]):
    lots = queries.lots_visible_to(request.auth).prefetch_related("documents").order_by("-received_on", "-id")
    if filters.node:
        lots = lots.filter(
            node__path__startswith=scoping.access_jurisdiction(request.auth, filters.node).path
        )
    if filters.sealed is not None:
        lots = lots.filter(sealed_at__isnull=not filters.sealed)
    return {"count": lots.count(), "items": list(lots[filters.offset : filters.offset + filters.limit])}


@router.post("/cold-lots", response={201: LotOut, **WRITE_ERRORS}, summary="登记入库批次")
def create_lot(request, payload: LotIn):
    data = payload.dict()
    store = queries.access_store(request.auth, data.pop("store"))
    return Status(201, actions.register_lot(actor=request.auth, store=store, request=request, **data))


@router.get("/cold-lots/{lot_id}", response={200: LotOut, **READ_ERRORS}, summary="批次详情")
def get_lot(request, lot_id: Id):
    return _lot(request, lot_id)


@router.post(
    "/cold-lots/{lot_id}/documents", response={201: LotDocumentOut, **WRITE_ERRORS}, summary="登记随附证明"
)
def add_document(request, lot_id: Id, payload: LotDocumentIn):
    lot = _lot(request, lot_id)
    return Status(
        201, actions.record_document(actor=request.auth, lot=lot, request=request, **payload.dict())
    )


@router.post("/cold-lots/{lot_id}/release", response={200: LotOut, **WRITE_ERRORS}, summary="准予销售")
def release(request, lot_id: Id):
    return actions.release_lot(actor=request.auth, lot=_lot(request, lot_id), request=request)


@router.post(
    "/cold-lots/{lot_id}/disinfection", response={200: LotOut, **WRITE_ERRORS}, summary="集中监管仓消毒"
)
def disinfect(request, lot_id: Id, payload: DisinfectionIn):
    return actions.record_disinfection(
        actor=request.auth, lot=_lot(request, lot_id), on=payload.on, request=request
    )


@router.post(
    "/cold-lots/{lot_id}/movements",
    response={201: ColdMovementOut, **WRITE_ERRORS},
    summary="出货（调出或售出）",
)
def move(request, lot_id: Id, payload: ColdMovementIn):
    lot = _lot(request, lot_id)
    data = payload.dict()
    source = queries.access_store(request.auth, data.pop("source"))
    target = data.pop("target")
    if target is not None:
        target = queries.access_store(request.auth, target)
    return Status(
        201, actions.move(actor=request.auth, lot=lot, source=source, target=target, request=request, **data)
    )


@router.get("/cold-movements", response={200: ColdMovementPageOut, **READ_ERRORS}, summary="进出货台账")
def list_movements(request, filters: Query[ColdMovementFilterIn]):
    rows = queries.movements_visible_to(request.auth).order_by("-on", "-id")
    if filters.lot:
        rows = rows.filter(lot_id=filters.lot)
    if filters.store:
        rows = rows.filter(Q(source_id=filters.store) | Q(target_id=filters.store))
    if filters.date_from:
        rows = rows.filter(on__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(on__lte=filters.date_to)
    return {"count": rows.count(), "items": list(rows[filters.offset : filters.offset + filters.limit])}


@router.get("/cold-samples", response={200: list[ColdSampleOut], **READ_ERRORS}, summary="冷链样本")
def list_samples(request, result: str = "", kind: str = ""):
    rows = queries.samples_filter(queries.samples_visible_to(request.auth), result=result, kind=kind)
    return list(rows[:500])


@router.post("/cold-samples", response={201: ColdSampleOut, **WRITE_ERRORS}, summary="登记采样")
def create_sample(request, payload: ColdSampleIn):
    data = payload.dict()
    store = queries.access_store(request.auth, data.pop("store"))
    lot = data.pop("lot")
    if lot is not None:
        lot = _lot(request, lot)
    return Status(
        201, actions.record_sample(actor=request.auth, store=store, lot=lot, request=request, **data)
    )


@router.post(
    "/cold-samples/{cold_sample_id}/result",
    response={200: ColdSampleOut, **WRITE_ERRORS},
    summary="登记检测结果",
)
def record_result(request, cold_sample_id: Id, payload: ColdResultIn):
    sample = queries.access_sample(request.auth, cold_sample_id)
    return actions.record_result(actor=request.auth, sample=sample, request=request, **payload.dict())


MOVEMENT_FIELDS = ("id", "lot_id", "source_id", "target_id", "buyer", "on", "quantity", "document", "handler")


def _trace_out(t) -> dict:
    return {
        "lot": t.lot.pk,
        "lot_number": t.lot.number,
        "sealed": t.lot.sealed,
        "levels": t.levels,
        "stores": [
            {
                "store": s.store.pk,
                "store_name": s.store.name,
                "node": s.store.node.code,
                "level": s.level,
                "came_in": s.came_in,
                "went_out": s.went_out,
                "balance": s.balance,
                "first_in": s.first_in,
                "until": s.window[1],
                "workers": [w.person_id for w in s.workers],
            }
            for s in t.stores
        ],
        "movements": [
            {f: getattr(m, f) for f in MOVEMENT_FIELDS} | {"level": level} for level, m in t.movements
        ],
        "buyers": t.buyers,
        "sold": t.sold,
    }


@router.get("/cold-lots/{lot_id}/trace", response={200: TraceOut, **READ_ERRORS}, summary="批次追溯")
def lot_trace(request, lot_id: Id):
    return _trace_out(queries.trace(_lot(request, lot_id)))


@router.get(
    "/cold-samples/{cold_sample_id}/trace",
    response={200: list[TraceOut], **READ_ERRORS},
    summary="阳性样本追溯",
)
def sample_trace(request, cold_sample_id: Id):
    sample = queries.access_sample(request.auth, cold_sample_id)
    return [_trace_out(t) for t in queries.trace_of_sample(sample)]
