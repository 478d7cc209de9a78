"""The checkpoint API: checkpoints, sightings and passages (卡口).

A checkpoint phone or terminal: list the checkpoints one sees (and where one is on duty), verify a code
or a typed ID number at a checkpoint (its `subject` goes back with the passage), record passages
(idempotent on client_id) and list a day's passages. The same actions as the web pages."""

import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.responses import Status

from fangkong.checkpoints import actions, queries
from fangkong.checkpoints.models import DutyShift
from fangkong.checkpoints.schemas import (
    CheckpointFilterIn,
    CheckpointPageOut,
    PassageFilterIn,
    PassageIn,
    PassageOut,
    PassagePageOut,
    SightIn,
    SightOut,
)
from fangkong.grid import scoping
from fangkong.grid.schemas import Id, error_responses
from fangkong.healthcodes.actions import TooManyVerifications
from fangkong.lib.errors import RuleError

router = Router()


_CHECKPOINTS = ["卡口"]


@router.get(
    "/checkpoints",
    response={200: CheckpointPageOut, **error_responses(401, 404, 422)},
    summary="卡口列表（本辖区的卡口，以及本人此刻值守的卡口）",
    tags=_CHECKPOINTS,
    operation_id="fangkong_codes_api_list_checkpoints",  # as published before the split of codes/
)
def list_checkpoints(request, filters: Query[CheckpointFilterIn]):
    now = timezone.now()
    checkpoints = actions.checkpoints_visible_to(request.auth, at=now)
    if filters.node:
        node = scoping.access_jurisdiction(request.auth, filters.node)
        checkpoints = checkpoints.filter(node__path__startswith=node.path)
    on_duty = DutyShift.objects.filter(
        checkpoint=OuterRef("pk"), user=request.auth, starts_at__lte=now, ends_at__gt=now
    )
    checkpoints = checkpoints.annotate(on_duty=Exists(on_duty)).order_by("node__path", "name", "pk")
    return {
        "count": checkpoints.count(),
        "items": list(checkpoints[filters.offset : filters.offset + filters.limit]),
    }


def _sight_token(request, checkpoint, token: str) -> actions.Sighting:
    try:
        return actions.sight_token(actor=request.auth, checkpoint=checkpoint, token=token, request=request)
    except TooManyVerifications as exc:
        raise HttpError(429, str(exc)) from None


def _sight(request, checkpoint, payload: SightIn) -> actions.Sighting:
    if payload.token.strip():
        return _sight_token(request, checkpoint, payload.token)
    if payload.id_number.strip():
        return actions.sight_id_number(
            actor=request.auth,
            checkpoint=checkpoint,
            id_number=payload.id_number,
            name=payload.name,
            phone=payload.phone,
            request=request,
        )
    raise RuleError({"token": "请扫描健康码或输入身份证号"})


@router.post(
    "/checkpoints/{checkpoint_id}/verify",
    response={200: SightOut, **error_responses(401, 403, 404, 422, 429)},
    summary="卡口核验：扫健康码或输入身份证号",
    description="本辖区人员返回姓名、原因和预计转绿日期；其他人员只返回颜色和脱敏姓名。记入审计日志。",
    tags=_CHECKPOINTS,
    operation_id="fangkong_codes_api_verify_at_checkpoint",  # as published before the split of codes/
)
def verify_at_checkpoint(request, checkpoint_id: Id, payload: SightIn):
    checkpoint = actions.access_checkpoint(request.auth, checkpoint_id, record=True)
    sighting = _sight(request, checkpoint, payload)
    return {
        "colour": sighting.colour,
        "colour_label": sighting.colour_label,
        "name": sighting.name,
        "masked_id_number": sighting.masked_id_number,
        "in_area": sighting.in_area,
        "reasons": sighting.reasons,
        "green_on": sighting.green_on,
        "subject": sighting.subject,
    }


@router.post(
    "/checkpoints/{checkpoint_id}/passages",
    response={201: PassageOut, 200: PassageOut, **error_responses(401, 403, 404, 409, 422, 429)},
    summary="登记通行（人员或车辆）",
    description=(
        "人员：传核验接口返回的 subject（或有效期内的健康码令牌）；仅登记车辆：不传 subject，填车牌号。"
        "新登记返回 201；同一 client_id 重发返回 200 和原记录。体温≥发热标准时不能放行，"
        "本辖区登记人员自动登记发热排查。"
    ),
    tags=_CHECKPOINTS,
    operation_id="fangkong_codes_api_create_passage",  # as published before the split of codes/
)
def create_passage(request, checkpoint_id: Id, payload: PassageIn):
    user = request.auth
    checkpoint = actions.access_checkpoint(user, checkpoint_id, record=True)
    identity = None
    if payload.client_id and (replay := actions.replay(user, checkpoint, payload.client_id)):
        return Status(200, replay.passage)
    if payload.subject.strip():
        identity = actions.read_subject(actor=user, checkpoint=checkpoint, subject=payload.subject)
    elif payload.token.strip():
        identity = _sight_token(request, checkpoint, payload.token).identity
    at = payload.at
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at)  # a device's local time: Asia/Shanghai
    done = actions.record_passage(
        actor=user,
        checkpoint=checkpoint,
        identity=identity,
        request=request,
        at=at,
        temperature=None if payload.temperature is None else str(payload.temperature),
        **payload.model_dump(exclude={"subject", "token", "at", "temperature"}),
    )
    return Status(201 if done.created else 200, done.passage)


@router.get(
    "/checkpoints/{checkpoint_id}/passages",
    response={200: PassagePageOut, **error_responses(401, 404, 422)},
    summary="卡口某日的通行记录",
    tags=_CHECKPOINTS,
    operation_id="fangkong_codes_api_list_passages",  # as published before the split of codes/
)
def list_passages(request, checkpoint_id: Id, filters: Query[PassageFilterIn]):
    checkpoint = actions.access_checkpoint(request.auth, checkpoint_id)
    day: dt.date = filters.day or timezone.localdate()
    passages = queries.passages_on(checkpoint, day)
    return {
        "count": passages.count(),
        "items": list(passages[filters.offset : filters.offset + filters.limit]),
    }
