"""The venue API: venues and check-ins from kiosks and devices (场所码扫码登记).

A venue kiosk or a device uploading scans authenticates with an API token of a staff account that may
write at the venue's node; the same actions as the resident page (actions.py) do the work."""

from django.utils import timezone
from ninja import Query, Router
from ninja.errors import AuthenticationError
from ninja.responses import Status
from pydantic import ValidationError as _ItemInvalid

from fangkong.grid import scoping
from fangkong.grid.api_auth import SessionAuth, TokenAuth, UncheckedToken, user_for_token
from fangkong.grid.schemas import error_responses, pydantic_message
from fangkong.lib.errors import RuleError
from fangkong.venues import actions, queries
from fangkong.venues.schemas import (
    BatchIn,
    BatchOut,
    CheckInIn,
    CheckInOut,
    VenueFilterIn,
    VenuePageOut,
    checkin_out,
    scanned_out,
)

router = Router()


@router.get(
    "/venues",
    response={200: VenuePageOut, **error_responses(401, 404, 422)},
    summary="场所列表（含今日扫码人次）",
    tags=["场所码"],
    operation_id="fangkong_codes_api_list_venues",  # as published before the split of codes/
)
def list_venues(request, filters: Query[VenueFilterIn]):
    venues = queries.venues_visible_to(request.auth).select_related("node")
    if filters.node:
        node = scoping.access_jurisdiction(request.auth, filters.node)
        venues = venues.filter(node__path__startswith=node.path)
    if filters.active is not None:
        venues = venues.filter(active=filters.active)
    venues = queries.with_counts(venues, timezone.localdate()).order_by("node__path", "name", "pk")
    return {"count": venues.count(), "items": list(venues[filters.offset : filters.offset + filters.limit])}


@router.post(
    "/checkins",
    response={201: CheckInOut, 200: CheckInOut, **error_responses(401, 403, 422)},
    summary="登记一次扫码（场所终端）",
    description="新登记返回 201；同一 client_id 重发、或同一人几分钟内在同一场所重复扫码，返回 200 和原记录。",
    tags=["场所码"],
    auth=[TokenAuth(checked_by_operation=True), SessionAuth()],
    operation_id="fangkong_codes_api_post_checkin",  # as published before the split of codes/
)
def post_checkin(request, payload: CheckInIn):
    item, actor = payload.item(), request.auth
    if isinstance(actor, UncheckedToken):
        scanned = actions.write_common_scan(token=actor, item=item)
        if scanned is not None:
            return Status(201, scanned_out(scanned))
        actor = user_for_token(actor.raw)
        if actor is None:
            raise AuthenticationError
    [outcome] = actions.record_checkins(
        actor=actor, items=[item], source=actions.Source.KIOSK, with_colour=True
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
    operation_id="fangkong_codes_api_post_checkins_batch",  # as published before the split of codes/
)
def post_checkins_batch(request, payload: BatchIn):
    actions.check_batch_size(len(payload.items))
    parsed, failed = [], []
    for index, raw in enumerate(payload.items):
        try:
            parsed.append((index, CheckInIn.model_validate(raw).item()))
        except _ItemInvalid as exc:
            client_id = raw.get("client_id")
            failed.append(
                actions.ItemOutcome(
                    index=index,
                    client_id=client_id if isinstance(client_id, str) else "",
                    errors=_item_errors(exc),
                )
            )
    written = []
    if parsed:
        written = actions.record_checkins(actor=request.auth, items=[item for _, item in parsed])
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
