"""JSON API for disinfection: places, their entries (a phone records one), and compliance of an area."""

import datetime as dt

from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from fangkong.grid import scoping
from fangkong.grid.schemas import Date, Id, error_responses

from . import actions, queries
from .schemas import ComplianceOut, DisinfectionEntryIn, DisinfectionEntryOut, PlaceOut

router = Router(tags=["消杀"])
READ_ERRORS = error_responses(401, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)


def _aware(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@router.get("/disinfection-places", response={200: list[PlaceOut], **READ_ERRORS}, summary="消杀场所")
def list_places(request):
    return list(queries.places_visible_to(request.auth))


@router.get(
    "/disinfection-places/{place_id}/entries",
    response={200: list[DisinfectionEntryOut], **READ_ERRORS},
    summary="场所的消杀记录",
)
def list_entries(request, place_id: Id):
    place = queries.access_place(request.auth, place_id)
    return list(place.entries.order_by("-started_at")[:500])


@router.post(
    "/disinfection-places/{place_id}/entries",
    response={201: DisinfectionEntryOut, **WRITE_ERRORS},
    summary="登记一次消杀",
)
def create_entry(request, place_id: Id, payload: DisinfectionEntryIn):
    place = queries.access_place(request.auth, place_id)
    data = payload.dict()
    data["started_at"], data["ended_at"] = _aware(data["started_at"]), _aware(data["ended_at"])
    return Status(201, actions.record_entry(actor=request.auth, place=place, request=request, **data))


@router.get(
    "/disinfection-compliance/{code}", response={200: ComplianceOut, **READ_ERRORS}, summary="辖区消杀完成率"
)
def compliance(request, code: str, day: Date | None = None):
    node = scoping.access_jurisdiction(request.auth, code)
    day = day or timezone.localdate()
    total = queries.tally(queries.place_days(queries.subtree_places(node), day, day))
    return {
        "node": node.code,
        "day": day,
        "required": total.required,
        "done": total.done,
        "percent": total.percent,
    }
