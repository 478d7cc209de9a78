from ninja import Router

router = Router()


# Health codes ─────────────────────────────────────────────────────────────────────────────────────────
# A checkpoint phone, a venue door keeper's account or a partner system verifies a resident's code: the
# same healthcode_actions.verify_token as the checkpoint pages (rate-limited per account, audited).
from ninja.errors import AuthenticationError, HttpError  # noqa: E402
from ninja.responses import Status as _Status  # noqa: E402

from fangkong.grid.schemas import error_responses as _errors  # noqa: E402

from . import healthcode_actions  # noqa: E402
from .healthcode_schemas import CodeVerifyIn, CodeVerifyOut  # noqa: E402


def token_in(text: str) -> str:
    """The token alone, also when a scanner passes the whole verification URL (…/r/code/v/<token>/)."""
    text = text.strip()
    return text.rstrip("/").rsplit("/", 1)[-1] if "/code/v/" in text else text


@router.post(
    "/codes/verify",
    response={200: CodeVerifyOut, **_errors(401, 403, 410, 422, 429)},
    summary="核验健康码",
    description=(
        "令牌 → 颜色、脱敏姓名；持码人在核验人辖区内时另返回赋码原因、预计转绿日期和脱敏身份证号。"
        "伪造、改动的令牌返回 422，过期的返回 410（原因见 message）；每个账号每分钟核验次数有上限（429）。"
    ),
    tags=["健康码"],
)
def verify_code(request, payload: CodeVerifyIn):
    try:
        verified = healthcode_actions.verify_token(request.auth, token_in(payload.token), request=request)
    except healthcode_actions.TooManyVerifications as exc:
        raise HttpError(429, str(exc)) from None
    except healthcode_actions.tokens.InvalidToken as exc:
        if exc.code != "expired":
            raise
        return _Status(410, {"code": "expired", "message": exc.message, "errors": exc.errors})
    return verified


# Venues and check-ins ─────────────────────────────────────────────────────────────────────────────────
# A venue kiosk or a device uploading scans authenticates with an API token of a staff account that may
# write at the venue's node; the same actions as the resident page (checkin_actions) do the work.
from django.utils import timezone  # noqa: E402
from ninja import Query  # noqa: E402
from ninja.responses import Status  # noqa: E402
from pydantic import ValidationError as _ItemInvalid  # noqa: E402

from fangkong.grid import scoping  # noqa: E402
from fangkong.grid.api_auth import SessionAuth, TokenAuth, UncheckedToken, user_for_token  # noqa: E402
from fangkong.grid.schemas import error_responses, pydantic_message  # noqa: E402
from fangkong.lib.errors import RuleError  # noqa: E402

from . import checkin_actions, venue_queries  # noqa: E402
from .venue_schemas import (  # noqa: E402
    BatchIn,
    BatchOut,
    CheckInIn,
    CheckInOut,
    VenueFilterIn,
    VenuePageOut,
    checkin_out,
    scanned_out,
)


@router.get(
    "/venues",
    response={200: VenuePageOut, **error_responses(401, 404, 422)},
    summary="场所列表（含今日扫码人次）",
    tags=["场所码"],
)
def list_venues(request, filters: Query[VenueFilterIn]):
    venues = venue_queries.venues_visible_to(request.auth).select_related("node")
    if filters.node:
        node = scoping.access_jurisdiction(request.auth, filters.node)
        venues = venues.filter(node__path__startswith=node.path)
    if filters.active is not None:
        venues = venues.filter(active=filters.active)
    venues = venue_queries.with_counts(venues, timezone.localdate()).order_by("node__path", "name", "pk")
    return {"count": venues.count(), "items": list(venues[filters.offset : filters.offset + filters.limit])}


@router.post(
    "/checkins",
    response={201: CheckInOut, 200: CheckInOut, **error_responses(401, 403, 422)},
    summary="登记一次扫码（场所终端）",
    description="新登记返回 201；同一 client_id 重发、或同一人几分钟内在同一场所重复扫码，返回 200 和原记录。",
    tags=["场所码"],
    auth=[TokenAuth(checked_by_operation=True), SessionAuth()],
)
def post_checkin(request, payload: CheckInIn):
    item, actor = payload.item(), request.auth
    if isinstance(actor, UncheckedToken):
        scanned = checkin_actions.write_common_scan(token=actor, item=item)
        if scanned is not None:
            return Status(201, scanned_out(scanned))
        actor = user_for_token(actor.raw)
        if actor is None:
            raise AuthenticationError
    [outcome] = checkin_actions.record_checkins(
        actor=actor, items=[item], source=checkin_actions.Source.KIOSK, with_colour=True
    )
    if outcome.errors:
        raise RuleError(outcome.errors)
    return Status(200 if outcome.duplicate else 201, checkin_out(outcome))


def _item_errors(exc: _ItemInvalid) -> dict[str, str]:
    return {".".join(str(p) for p in err["loc"]) or "__all__": pydantic_message(err) for err in exc.errors()}


@router.post(
    "/checkins/batch",
    response={200: BatchOut, **error_responses(401, 403, 422)},
    summary="批量上传扫码记录",
    description="逐条校验：有误的条目按序号返回原因，其余照常登记。按 client_id 幂等，重发整批不会重复登记。",
    tags=["场所码"],
)
def post_checkins_batch(request, payload: BatchIn):
    checkin_actions.check_batch_size(len(payload.items))
    parsed, failed = [], []
    for index, raw in enumerate(payload.items):
        try:
            parsed.append((index, CheckInIn.model_validate(raw).item()))
        except _ItemInvalid as exc:
            client_id = raw.get("client_id")
            failed.append(
                checkin_actions.ItemOutcome(
                    index=index,
                    client_id=client_id if isinstance(client_id, str) else "",
                    errors=_item_errors(exc),
                )
            )
    written = []
    if parsed:
        written = checkin_actions.record_checkins(actor=request.auth, items=[item for _, item in parsed])
        for (index, _item), outcome in zip(parsed, written, strict=True):
            outcome.index = index
    results = sorted(written + failed, key=lambda o: o.index)
    return {
        "created": sum(1 for o in results if o.checkin and not o.duplicate),
        "duplicates": sum(1 for o in results if o.duplicate),
        "failed": sum(1 for o in results if o.errors),
        "results": [
            {
                "index": o.index,
                "client_id": o.client_id,
                "id": o.checkin.pk if o.checkin else None,
                "duplicate": o.duplicate,
                "errors": o.errors,
            }
            for o in results
        ],
    }


# Checkpoints ──────────────────────────────────────────────────────────────────────────────────────────
# A checkpoint phone or terminal: list the checkpoints one sees (and where one is on duty), verify a code
# or a typed ID number at a checkpoint (its `subject` goes back with the passage), record passages
# (idempotent on client_id) and list a day's passages. The same checkpoint_actions as the web pages.
import datetime as _dt  # noqa: E402

from django.db.models import Exists as _Exists  # noqa: E402
from django.db.models import OuterRef as _OuterRef  # noqa: E402
from ninja.errors import HttpError as _HttpError  # noqa: E402

from fangkong.grid.schemas import Id as _Id  # noqa: E402

from . import checkpoint_actions, checkpoint_queries  # noqa: E402
from .checkpoint_schemas import (  # noqa: E402
    CheckpointFilterIn,
    CheckpointPageOut,
    PassageFilterIn,
    PassageIn,
    PassageOut,
    PassagePageOut,
    SightIn,
    SightOut,
)
from .healthcode_actions import TooManyVerifications as _TooManyVerifications  # noqa: E402
from .models import DutyShift as _DutyShift  # noqa: E402

_CHECKPOINTS = ["卡口"]


@router.get(
    "/checkpoints",
    response={200: CheckpointPageOut, **error_responses(401, 404, 422)},
    summary="卡口列表（本辖区的卡口，以及本人此刻值守的卡口）",
    tags=_CHECKPOINTS,
)
def list_checkpoints(request, filters: Query[CheckpointFilterIn]):
    now = timezone.now()
    checkpoints = checkpoint_actions.checkpoints_visible_to(request.auth, at=now)
    if filters.node:
        node = scoping.access_jurisdiction(request.auth, filters.node)
        checkpoints = checkpoints.filter(node__path__startswith=node.path)
    on_duty = _DutyShift.objects.filter(
        checkpoint=_OuterRef("pk"), user=request.auth, starts_at__lte=now, ends_at__gt=now
    )
    checkpoints = checkpoints.annotate(on_duty=_Exists(on_duty)).order_by("node__path", "name", "pk")
    return {
        "count": checkpoints.count(),
        "items": list(checkpoints[filters.offset : filters.offset + filters.limit]),
    }


def _sight_token(request, checkpoint, token: str) -> checkpoint_actions.Sighting:
    try:
        return checkpoint_actions.sight_token(
            actor=request.auth, checkpoint=checkpoint, token=token, request=request
        )
    except _TooManyVerifications as exc:
        raise _HttpError(429, str(exc)) from None


def _sight(request, checkpoint, payload: SightIn) -> checkpoint_actions.Sighting:
    if payload.token.strip():
        return _sight_token(request, checkpoint, payload.token)
    if payload.id_number.strip():
        return checkpoint_actions.sight_id_number(
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
)
def verify_at_checkpoint(request, checkpoint_id: _Id, payload: SightIn):
    checkpoint = checkpoint_actions.access_checkpoint(request.auth, checkpoint_id, record=True)
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
)
def create_passage(request, checkpoint_id: _Id, payload: PassageIn):
    user = request.auth
    checkpoint = checkpoint_actions.access_checkpoint(user, checkpoint_id, record=True)
    identity = None
    if payload.client_id and (replay := checkpoint_actions.replay(user, checkpoint, payload.client_id)):
        return Status(200, replay.passage)
    if payload.subject.strip():
        identity = checkpoint_actions.read_subject(actor=user, checkpoint=checkpoint, subject=payload.subject)
    elif payload.token.strip():
        identity = _sight_token(request, checkpoint, payload.token).identity
    at = payload.at
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at)  # a device's local time: Asia/Shanghai
    done = checkpoint_actions.record_passage(
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
)
def list_passages(request, checkpoint_id: _Id, filters: Query[PassageFilterIn]):
    checkpoint = checkpoint_actions.access_checkpoint(request.auth, checkpoint_id)
    day: _dt.date = filters.day or timezone.localdate()
    passages = checkpoint_queries.passages_on(checkpoint, day)
    return {
        "count": passages.count(),
        "items": list(passages[filters.offset : filters.offset + filters.limit]),
    }
