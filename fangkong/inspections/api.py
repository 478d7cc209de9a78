"""JSON API of inspections, rectification orders, closures and checklists: the same scoped queries and
actions as the pages. A list holds only rows of the caller's area; an id outside it answers 404 like a
missing one; an account that may see but not change gets 403 from the action."""

from django.http import Http404
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status

from fangkong.grid.schemas import Id, error_responses
from fangkong.lib.errors import RuleError

from . import actions, queries, rules
from .models import ChecklistItem
from .schemas import (
    ChecklistOut,
    ClosureIn,
    ClosureOut,
    InspectionDetailOut,
    InspectionFilterIn,
    InspectionIn,
    InspectionPageOut,
    OrderFilterIn,
    OrderOut,
    OrderPageOut,
    ReinspectionIn,
    ReopenIn,
    aware,
)

router = Router(tags=["督查整改"])
READ_ERRORS = error_responses(401, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)


def _page(rows, limit: int, offset: int) -> dict:
    return {"count": rows.count(), "items": list(rows[offset : offset + limit])}


def _target(request, payload, *, write=True):
    return queries.access_target(request.auth, unit_id=payload.unit, venue_id=payload.venue, write=write)


@router.get("/inspections", response={200: InspectionPageOut, **READ_ERRORS}, summary="检查记录列表")
def list_inspections(request, filters: Query[InspectionFilterIn]):
    rows = queries.inspections_visible_to(request.auth).select_related("node")
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.date_from:
        rows = rows.filter(inspected_at__gte=rules.local_midnight(filters.date_from))
    if filters.date_to:
        rows = rows.filter(inspected_at__lt=rules.due_end(filters.date_to))
    return _page(rows, filters.limit, filters.offset)


@router.post(
    "/inspections",
    response={201: InspectionDetailOut, **WRITE_ERRORS},
    summary="记录一次检查",
    description="每项合格或不合格；不合格项自动生成整改单（期限不填按政策默认天数，责任人不填为单位联系人）。",
)
def create_inspection(request, payload: InspectionIn):
    target = _target(request, payload)
    template = queries.access_template(request.auth, payload.template) if payload.template else None
    items = {
        i.pk: i for i in ChecklistItem.objects.filter(pk__in=[r.item for r in payload.results if r.item])
    }
    results = []
    for index, r in enumerate(payload.results):
        item = items.get(r.item) if r.item else None
        if r.item and (item is None or template is None or item.template_id != template.pk):
            raise RuleError({f"results.{index}.item": "检查项不属于所选检查表"})
        text = item.text if item else r.text.strip()
        if not text:
            raise RuleError({f"results.{index}.text": "检查内容不能为空"})
        results.append({"item": item, "text": text, "passed": r.passed, "note": r.note})
    inspection = actions.record_inspection(
        actor=request.auth,
        target=target,
        template=template,
        inspected_at=aware(payload.inspected_at),
        inspectors=payload.inspectors,
        results=results,
        note=payload.note,
        deadline=payload.deadline,
        owner=payload.owner,
        owner_phone=payload.owner_phone,
        requirement=payload.requirement,
    )
    return Status(201, queries.access_inspection(request.auth, inspection.pk))


@router.post(
    "/inspections/reinspections",
    response={201: InspectionDetailOut, **WRITE_ERRORS},
    summary="复查整改单",
    description="已整改的销号；仍未整改的可给新期限，否则已逾期的上报上一级。",
)
def create_reinspection(request, payload: ReinspectionIn):
    target = _target(request, payload)
    checks = []
    for index, c in enumerate(payload.checks):
        try:
            order = queries.access_order(request.auth, c.order, write=True)
        except Http404:
            raise RuleError({f"checks.{index}.order": "整改单不存在"}, code="not_found") from None
        checks.append({"order": order, "passed": c.passed, "note": c.note})
    inspection = actions.reinspect(
        actor=request.auth,
        target=target,
        inspected_at=aware(payload.inspected_at),
        inspectors=payload.inspectors,
        checks=checks,
        new_deadline=payload.new_deadline,
        note=payload.note,
    )
    return Status(201, queries.access_inspection(request.auth, inspection.pk))


@router.get(
    "/inspections/{inspection_id}", response={200: InspectionDetailOut, **READ_ERRORS}, summary="一次检查"
)
def get_inspection(request, inspection_id: Id):
    return queries.access_inspection(request.auth, inspection_id)


@router.get("/rectifications", response={200: OrderPageOut, **READ_ERRORS}, summary="整改单列表")
def list_orders(request, filters: Query[OrderFilterIn]):
    rows = queries.filter_orders(
        queries.orders_visible_to(request.auth), state=filters.state, now=timezone.now()
    )
    return _page(rows.select_related("finding"), filters.limit, filters.offset)


@router.get("/rectifications/{order_id}", response={200: OrderOut, **READ_ERRORS}, summary="一张整改单")
def get_order(request, order_id: Id):
    return queries.access_order(request.auth, order_id)


@router.get("/checklists", response={200: list[ChecklistOut], **READ_ERRORS}, summary="可用的检查表")
def list_checklists(request):
    return list(queries.templates_for(request.auth).filter(active=True).prefetch_related("items"))


@router.get("/closures", response={200: list[ClosureOut], **READ_ERRORS}, summary="停业整顿记录")
def list_closures(request, open_only: bool = False):
    rows = queries.closures_visible_to(request.auth).select_related("node", "unit", "venue")
    if open_only:
        rows = rows.filter(reopened_at__isnull=True)
    return list(rows[:500])


@router.post("/closures", response={201: ClosureOut, **WRITE_ERRORS}, summary="责令停业整顿")
def create_closure(request, payload: ClosureIn):
    closure = actions.close_object(
        actor=request.auth,
        target=_target(request, payload),
        reason=payload.reason,
        closed_at=aware(payload.closed_at),
    )
    return Status(201, closure)


@router.post("/closures/{closure_id}/reopen", response={200: ClosureOut, **WRITE_ERRORS}, summary="恢复营业")
def reopen_closure(request, closure_id: Id, payload: ReopenIn):
    closure = queries.access_closure(request.auth, closure_id, write=True)
    return actions.reopen_object(
        actor=request.auth, closure=closure, reopened_at=aware(payload.reopened_at), note=payload.note
    )
