"""JSON API of market supervision: pharmacies, their weekly reports and real-name purchases, the
communities' fever-buyer follow-ups, the townships' gatherings. The same scoped queries and actions as
the pages: a list holds only rows of the caller's area, an id outside it answers 404, a viewer gets 403
from the action. The Excel ledgers in and out are on the pages (/markets/import/ and the exports)."""

import datetime as dt

from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status

from fangkong.grid import scoping
from fangkong.grid.schemas import Id, error_responses

from . import actions, queries, rules
from .schemas import (
    FeverFollowUpDoneIn,
    FeverFollowUpFilterIn,
    FeverFollowUpOut,
    FeverFollowUpPageOut,
    GatheringFilterIn,
    GatheringIn,
    GatheringOut,
    GatheringPageOut,
    PharmacyIn,
    PharmacyOut,
    PurchaseFilterIn,
    PurchaseIn,
    PurchaseOut,
    PurchasePageOut,
    WeeklyIn,
    WeeklyOut,
)

router = Router(tags=["市场监管"])
READ_ERRORS = error_responses(401, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)


def _aware(value):
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


@router.get("/pharmacies", response={200: list[PharmacyOut], **READ_ERRORS}, summary="药店")
def list_pharmacies(request):
    return list(queries.pharmacies_visible_to(request.auth))


@router.post("/pharmacies", response={201: PharmacyOut, **WRITE_ERRORS}, summary="登记药店")
def create_pharmacy(request, payload: PharmacyIn):
    data = payload.dict()
    node = scoping.access_jurisdiction(request.auth, data.pop("node"))
    return Status(201, actions.create_pharmacy(actor=request.auth, node=node, request=request, **data))


@router.get(
    "/pharmacies/{pharmacy_id}/weekly-reports",
    response={200: list[WeeklyOut], **READ_ERRORS},
    summary="药店的药品销售监测周报",
)
def list_weekly(request, pharmacy_id: Id):
    pharmacy = queries.access_pharmacy(request.auth, pharmacy_id)
    return list(pharmacy.weekly.order_by("-week_start"))


@router.post(
    "/pharmacies/{pharmacy_id}/weekly-reports",
    response={200: WeeklyOut, 201: WeeklyOut, **WRITE_ERRORS},
    summary="报送药品销售监测周报（同一周再次报送即更正）",
)
def submit_weekly(request, pharmacy_id: Id, payload: WeeklyIn):
    pharmacy = queries.access_pharmacy(request.auth, pharmacy_id)
    report, state = actions.submit_weekly(
        actor=request.auth, pharmacy=pharmacy, request=request, **payload.dict()
    )
    return Status(201 if state == "created" else 200, report)


@router.get("/pharmacy-purchases", response={200: PurchasePageOut, **READ_ERRORS}, summary="购药实名登记")
def list_purchases(request, filters: Query[PurchaseFilterIn]):
    rows = queries.purchases_visible_to(request.auth).select_related("followup")
    if filters.pharmacy:
        rows = rows.filter(pharmacy_id=filters.pharmacy)
    if filters.drug_class:
        rows = rows.filter(drug_class=filters.drug_class)
    if filters.date_from:
        rows = rows.filter(purchased_at__gte=rules.local_midnight(filters.date_from))
    if filters.date_to:
        rows = rows.filter(purchased_at__lt=rules.local_midnight(filters.date_to + dt.timedelta(days=1)))
    rows = rows.order_by("-purchased_at", "-id")
    return {"count": rows.count(), "items": list(rows[filters.offset : filters.offset + filters.limit])}


@router.post(
    "/pharmacies/{pharmacy_id}/purchases",
    response={201: PurchaseOut, **WRITE_ERRORS},
    summary="登记购药（退热药且购药人已登记：推送至其社区核查）",
)
def record_purchase(request, pharmacy_id: Id, payload: PurchaseIn):
    pharmacy = queries.access_pharmacy(request.auth, pharmacy_id)
    data = payload.dict()
    data["purchased_at"] = _aware(data["purchased_at"])
    purchase = actions.record_purchase(actor=request.auth, pharmacy=pharmacy, request=request, **data)
    return Status(201, purchase)


@router.get(
    "/fever-followups",
    response={200: FeverFollowUpPageOut, **READ_ERRORS},
    summary="购退热药人员核查（社区）",
)
def list_followups(request, filters: Query[FeverFollowUpFilterIn]):
    rows = queries.filter_followups(queries.followups_visible_to(request.auth), filters.state, timezone.now())
    rows = rows.order_by("status", "due_at", "id")
    return {"count": rows.count(), "items": list(rows[filters.offset : filters.offset + filters.limit])}


@router.post(
    "/fever-followups/{followup_id}/done",
    response={200: FeverFollowUpOut, **WRITE_ERRORS},
    summary="记录核查结果",
)
def followup_done(request, followup_id: Id, payload: FeverFollowUpDoneIn):
    task = queries.access_followup(request.auth, followup_id)
    return actions.complete_followup(
        actor=request.auth, followup=task, request=request, outcome=payload.outcome
    )


@router.get(
    "/fever-buyers-unregistered",
    response={200: PurchasePageOut, **READ_ERRORS},
    summary="未登记的购退热药人员（药店所在乡镇查找）",
)
def list_unregistered(request, filters: Query[PurchaseFilterIn]):
    rows = queries.unregistered_fever_buyers(request.auth).order_by("-purchased_at", "-id")
    if filters.pharmacy:
        rows = rows.filter(pharmacy_id=filters.pharmacy)
    return {"count": rows.count(), "items": list(rows[filters.offset : filters.offset + filters.limit])}


@router.get("/gatherings", response={200: GatheringPageOut, **READ_ERRORS}, summary="群体性聚餐（乡镇每日）")
def list_gatherings(request, filters: Query[GatheringFilterIn]):
    rows = queries.gatherings_visible_to(request.auth)
    if filters.node:
        node = scoping.access_jurisdiction(request.auth, filters.node)
        rows = rows.filter(node__path__startswith=node.path)
    if filters.date_from:
        rows = rows.filter(day__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(day__lte=filters.date_to)
    rows = rows.order_by("-day", "node__path")
    return {"count": rows.count(), "items": list(rows[filters.offset : filters.offset + filters.limit])}


@router.post(
    "/gatherings",
    response={200: GatheringOut, 201: GatheringOut, **WRITE_ERRORS},
    summary="上报群体性聚餐（同一乡镇同一天再次上报即更正）",
)
def record_gatherings(request, payload: GatheringIn):
    data = payload.dict()
    node = scoping.access_jurisdiction(request.auth, data.pop("node"))
    row, state = actions.record_gatherings(actor=request.auth, node=node, request=request, **data)
    return Status(201 if state == "created" else 200, row)
