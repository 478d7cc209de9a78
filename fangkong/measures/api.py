"""JSON API for key persons, follow-ups and alerts: the same scoped queries and actions as the web
pages. A list holds only rows of the caller's area; an id outside it answers 404 like a missing one; a
read-only account that may see a record but not change it gets 403 from the action."""

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status

from fangkong.grid import scoping
from fangkong.grid.schemas import Id, error_responses
from fangkong.measures import actions, queries
from fangkong.measures.models import Caretaker
from fangkong.measures.schemas import (
    AlertFilterIn,
    AlertOut,
    AlertPageOut,
    FollowUpIn,
    FollowUpOut,
    KeypersonDetailOut,
    KeypersonFilterIn,
    KeypersonPageOut,
    ResolveIn,
)
from fangkong.measures.views.followups import access_alert
from fangkong.registry import actions as registry_actions
from fangkong.registry import queries as registry_queries

router = Router()

READ_ERRORS = error_responses(401, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)


def _page(rows, limit: int, offset: int) -> dict:
    return {"count": rows.count(), "items": list(rows[offset : offset + limit])}


# Key persons ---------------------------------------------------------------------------------------------


@router.get(
    "/keypersons",
    response={200: KeypersonPageOut, **READ_ERRORS},
    summary="重点人员列表",
    description="本辖区排查过或采取过措施的人员，每人附最近一次措施和排查。",
    tags=["重点人员"],
)
def list_keypersons(request, filters: Query[KeypersonFilterIn]):
    status = {True: queries.ACTIVE, False: queries.RELEASED, None: ""}[filters.active]
    people = queries.search_keypersons(
        request.auth,
        text=filters.q.strip(),
        kind=filters.kind or "",
        status=status,
        reason=filters.reason or "",
        node_code=filters.node or "",
    )
    page = _page(people, filters.limit, filters.offset)
    queries.label_keypersons(page["items"])
    return page


@router.get(
    "/keypersons/{person_id}",
    response={200: KeypersonDetailOut, **READ_ERRORS},
    summary="一个重点人员：排查、措施与包保责任人（记入审计日志）",
    tags=["重点人员"],
)
def get_keyperson(request, person_id: Id):
    user = request.auth
    person = registry_queries.access_person(user, person_id)
    screenings = list(
        queries.screenings_visible_to(user).filter(person=person).select_related("node").order_by("-pk")
    )
    caretakers = Prefetch("caretakers", queryset=Caretaker.objects.select_related("user").order_by("pk"))
    measures = list(
        queries.measures_visible_to(user)
        .filter(person=person)
        .select_related("node")
        .prefetch_related(caretakers)
        .order_by("-started_at", "-pk")
    )
    if not screenings and not measures:
        raise Http404  # a registered person who is not a key person
    registry_actions.record_person_view(actor=user, person=person, request=request)
    return {
        "id": person.pk,
        "name": person.name,
        "masked_id_number": person.masked_id_number,
        "masked_phone": person.masked_phone,
        "node": person.node.code,
        "node_name": person.node.name,
        "screenings": screenings,
        "measures": measures,
    }


# Follow-ups ----------------------------------------------------------------------------------------------


@router.post(
    "/measures/{measure_id}/followups",
    response={201: FollowUpOut, **WRITE_ERRORS},
    summary="登记一次随访（体温与症状）",
    description=(
        "时段由测量时间决定（12:00 前为上午）。同一时段再次登记会替换该时段的读数（更正），"
        "重发相同的数据不改变任何记录。发热或有症状时立即发出预警（alert 为其 id）。"
    ),
    tags=["随访"],
)
def record_follow_up(request, measure_id: Id, payload: FollowUpIn):
    measure = queries.access_measure(request.auth, measure_id)
    taken_at = payload.taken_at
    if taken_at is not None and timezone.is_naive(taken_at):
        taken_at = timezone.make_aware(taken_at)  # a device's local time: Asia/Shanghai
    follow_up = actions.record_follow_up(
        actor=request.auth,
        measure=measure,
        temperature=str(payload.temperature),
        symptoms=list(payload.symptoms),
        taken_at=taken_at,
        notes=payload.notes,
        request=request,
    )
    return Status(201, follow_up)


# Alerts --------------------------------------------------------------------------------------------------


@router.get(
    "/alerts",
    response={200: AlertPageOut, **READ_ERRORS},
    summary="未处置的预警",
    tags=["预警"],
)
def list_alerts(request, filters: Query[AlertFilterIn]):
    alerts = queries.open_alerts(request.auth)
    if filters.node:
        node = scoping.access_jurisdiction(request.auth, filters.node)
        alerts = alerts.filter(measure__node__path__startswith=node.path)
    return _page(alerts.order_by("-raised_at", "-pk"), filters.limit, filters.offset)


@router.post(
    "/alerts/{alert_id}/resolve",
    response={200: AlertOut, **WRITE_ERRORS},
    summary="处置预警",
    description="填写处置结果后预警关闭；已处置的预警返回 409。",
    tags=["预警"],
)
def resolve_alert(request, alert_id: Id, payload: ResolveIn):
    alert = access_alert(request.auth, alert_id)
    return actions.resolve_alert(
        actor=request.auth, alert=alert, resolution=payload.resolution, request=request
    )
