"""JSON API for households and persons: the same queries and actions as the web pages. Rows come
only through registry.queries (scoped); anything outside the user's area answers 404 like a missing
row. Ids and codes inside a request body that the user cannot see are field errors (422)."""

from django.db.models import QuerySet
from django.http import Http404
from ninja import Query, Router
from ninja.responses import Status

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.grid.schemas import Id, error_responses
from fangkong.lib.errors import RuleError

from . import actions, queries
from .models import Household, Unit
from .schemas import (
    HouseholdFilterIn,
    HouseholdIn,
    HouseholdOut,
    HouseholdPageOut,
    HouseholdUpdateIn,
    MoveIn,
    PersonFilterIn,
    PersonIn,
    PersonOut,
    PersonPageOut,
    PersonSearchIn,
    PersonUpdateIn,
    RevealOut,
    VerifyIn,
)

router = Router(tags=["实有人口"])

READ_ERRORS = error_responses(401, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)


def _node(user, code: str, field: str) -> Jurisdiction:
    try:
        return scoping.access_jurisdiction(user, code)
    except Http404:  # missing or outside the area: said the same way
        raise RuleError({field: "辖区不存在"}) from None


def _household(user, pk: int | None, field: str = "household") -> Household | None:
    if pk is None:
        return None
    household = queries.households_visible_to(user).filter(pk=pk).first()
    if household is None:
        raise RuleError({field: "户不存在"})
    return household


def _unit(user, pk: int | None) -> Unit | None:
    if pk is None:
        return None
    unit = queries.units_visible_to(user).filter(pk=pk).first()
    if unit is None:
        raise RuleError({"unit": "单位不存在"})
    return unit


def _page(rows: QuerySet, limit: int, offset: int) -> dict:
    return {"count": rows.count(), "items": list(rows[offset : offset + limit])}


# Households


@router.get("/households", response={200: HouseholdPageOut, **READ_ERRORS}, summary="户列表")
def list_households(request, filters: Query[HouseholdFilterIn]):
    households = queries.households_visible_to(request.auth).select_related("node")
    if filters.node:
        node = scoping.access_jurisdiction(request.auth, filters.node)
        households = households.filter(node__path__startswith=node.path)
    if filters.q.strip():
        households = households.filter(address__contains=filters.q.strip())
    return _page(households, filters.limit, filters.offset)


@router.get("/households/{household_id}", response={200: HouseholdOut, **READ_ERRORS}, summary="一户")
def get_household(request, household_id: Id):
    return queries.access_household(request.auth, household_id)


@router.post("/households", response={201: HouseholdOut, **WRITE_ERRORS}, summary="登记一户")
def create_household(request, payload: HouseholdIn):
    household = actions.create_household(
        actor=request.auth,
        node=_node(request.auth, payload.node, "node"),
        address=payload.address,
        dwelling_type=payload.dwelling_type,
        notes=payload.notes,
        request=request,
    )
    return Status(201, household)


@router.put("/households/{household_id}", response={200: HouseholdOut, **WRITE_ERRORS}, summary="修改一户")
def update_household(request, household_id: Id, payload: HouseholdUpdateIn):
    return actions.update_household(
        actor=request.auth,
        household=queries.access_household(request.auth, household_id),
        version=payload.version,
        address=payload.address,
        dwelling_type=payload.dwelling_type,
        notes=payload.notes,
        request=request,
    )


# Persons


@router.get("/persons", response={200: PersonPageOut, **READ_ERRORS}, summary="人员列表与按姓名查找")
def list_persons(request, filters: Query[PersonFilterIn]):
    if queries.holds_number(filters.q):  # a number in a URL ends up in access logs
        raise RuleError({"q": "按证件号或电话查找请用 POST /api/v1/persons/search（号码放在请求体中）"})
    return _search_persons(request, filters)


@router.post(
    "/persons/search",
    response={200: PersonPageOut, **READ_ERRORS},
    summary="查找人员（可按证件号或电话，号码放在请求体中）",
)
def search_persons(request, filters: PersonSearchIn):
    return _search_persons(request, filters)


def _search_persons(request, filters: PersonFilterIn):
    persons = queries.search_persons(
        request.auth,
        text=filters.q,
        node_code=filters.node or "",
        verification=filters.verification or "",
        sex=filters.sex or "",
    )
    return _page(persons, filters.limit, filters.offset)


@router.get(
    "/persons/{person_id}",
    response={200: PersonOut, **READ_ERRORS},
    summary="一个人员（记入审计日志）",
)
def get_person(request, person_id: Id):
    person = queries.access_person(request.auth, person_id)
    actions.record_person_view(actor=request.auth, person=person, request=request)
    return person


@router.post("/persons", response={201: PersonOut, **WRITE_ERRORS}, summary="登记人员")
def create_person(request, payload: PersonIn):
    user = request.auth
    person = actions.register_person(
        actor=user,
        node=_node(user, payload.node, "node"),
        household=_household(user, payload.household),
        unit=_unit(user, payload.unit),
        request=request,
        **payload.model_dump(exclude={"node", "household", "unit"}),
    )
    return Status(201, person)


@router.put("/persons/{person_id}", response={200: PersonOut, **WRITE_ERRORS}, summary="修改人员信息")
def update_person(request, person_id: Id, payload: PersonUpdateIn):
    user = request.auth
    person = queries.access_person(user, person_id)
    fields = payload.model_dump(exclude={"household", "unit", "id_number", "phone"})
    return actions.update_person(
        actor=user,
        person=person,
        household=_household(user, payload.household),
        unit=_unit(user, payload.unit),
        id_number=person.id_number if payload.id_number is None else payload.id_number,
        phone=person.phone if payload.phone is None else payload.phone,
        request=request,
        **fields,
    )


@router.post(
    "/persons/{person_id}/reveal",
    response={200: RevealOut, **WRITE_ERRORS},
    summary="查看完整证件号码和电话（记入审计日志）",
)
def reveal_person(request, person_id: Id):
    person = queries.access_person(request.auth, person_id)
    return actions.reveal_person(actor=request.auth, person=person, request=request)


@router.post("/persons/{person_id}/move", response={200: PersonOut, **WRITE_ERRORS}, summary="迁移人员")
def move_person(request, person_id: Id, payload: MoveIn):
    user = request.auth
    return actions.move_person(
        actor=user,
        person=queries.access_person(user, person_id),
        to_node=_node(user, payload.to_node, "to_node"),
        household=_household(user, payload.household),
        reason=payload.reason,
        request=request,
    )


@router.post("/persons/{person_id}/verify", response={200: PersonOut, **WRITE_ERRORS}, summary="核查人员")
def verify_person(request, person_id: Id, payload: VerifyIn):
    return actions.verify_person(
        actor=request.auth,
        person=queries.access_person(request.auth, person_id),
        method=payload.method,
        request=request,
    )
