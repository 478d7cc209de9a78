"""The vaccination API: sites, doses (list, and record idempotently by client key — a site's device may
send a dose again after a lost answer), deferrals and coverage. The same queries and actions as the
pages; everything scoped to the caller's area."""

from django.http import Http404
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status

from fangkong.grid import scoping
from fangkong.grid.schemas import error_responses
from fangkong.registry.queries import access_person

from . import actions, queries, rules
from .models import Dose
from .schemas import (
    CoverageIn,
    CoverageOut,
    DeferralIn,
    DeferralOut,
    DoseFilterIn,
    DoseIn,
    DoseOut,
    DosePageOut,
    SiteOut,
)

router = Router()
_TAGS = ["疫苗接种"]


def _dose_out(dose: Dose) -> dict:
    return {
        "id": dose.pk,
        "person": dose.person_id,
        "masked_name": dose.person.masked_name,
        "site": dose.site_id,
        "product": dose.product,
        "kind": dose.kind,
        "manufacturer": dose.manufacturer,
        "lot": dose.lot,
        "dose_number": dose.dose_number,
        "given_on": dose.given_on,
        "counted": dose.counted,
        "reaches_first": dose.reaches_first,
        "reaches_full": dose.reaches_full,
        "reaches_booster": dose.reaches_booster,
    }


@router.get(
    "/vaccination/sites",
    response={200: list[SiteOut], **error_responses(401)},
    summary="接种点列表",
    tags=_TAGS,
)
def list_sites(request):
    return [
        {"id": s.pk, "name": s.name, "node": s.node.code, "address": s.address, "active": s.active}
        for s in queries.sites_visible_to(request.auth)[:500]
    ]


@router.get(
    "/vaccination/doses",
    response={200: DosePageOut, **error_responses(401, 404, 422)},
    summary="接种记录（本辖区人员的）",
    tags=_TAGS,
)
def list_doses(request, filters: Query[DoseFilterIn]):
    doses = queries.doses_visible_to(request.auth)
    if filters.person:
        doses = doses.filter(person=access_person(request.auth, filters.person))
    if filters.site:
        doses = doses.filter(site_id=filters.site)
    if filters.date_from:
        doses = doses.filter(given_on__gte=filters.date_from)
    if filters.date_to:
        doses = doses.filter(given_on__lte=filters.date_to)
    doses = doses.order_by("given_on", "pk")
    page = doses[filters.offset : filters.offset + filters.limit]
    return {"count": doses.count(), "items": [_dose_out(d) for d in page]}


@router.post(
    "/vaccination/doses",
    response={201: DoseOut, 200: DoseOut, **error_responses(401, 403, 404, 409, 422)},
    summary="登记接种",
    description="新登记返回 201；同一 client_key（或同一人同一天同一产品）重发返回 200 和原记录。剂次不填时按接种史推算。",
    tags=_TAGS,
)
def create_dose(request, payload: DoseIn):
    person = access_person(request.auth, payload.person)
    site = queries.access_site(request.auth, payload.site, write=True)
    dose, created = actions.record_dose(
        actor=request.auth,
        person=person,
        site=site,
        product=payload.product,
        given_on=payload.given_on,
        dose_number=payload.dose_number,
        lot=payload.lot,
        client_key=payload.client_key,
        request=request,
    )
    return Status(201 if created else 200, _dose_out(dose))


@router.post(
    "/vaccination/deferrals",
    response={201: DeferralOut, 200: DeferralOut, **error_responses(401, 403, 404, 409, 422)},
    summary="登记暂缓接种或禁忌",
    tags=_TAGS,
)
def create_deferral(request, payload: DeferralIn):
    person = access_person(request.auth, payload.person, write=True)
    deferral, created = actions.record_deferral(
        actor=request.auth,
        person=person,
        kind=payload.kind,
        reason=payload.reason,
        decided_on=payload.decided_on,
        until=payload.until,
        client_key=payload.client_key,
        request=request,
    )
    return Status(
        201 if created else 200,
        {
            "id": deferral.pk,
            "person": deferral.person_id,
            "kind": deferral.kind,
            "reason": deferral.reason,
            "decided_on": deferral.decided_on,
            "until": deferral.until,
        },
    )


def _tally(t: queries.Tally) -> dict:
    return {
        "registered": t.registered,
        "first": t.first,
        "full": t.full,
        "booster": t.booster,
        **{f"{m}_pct": t.pct(m) for m in rules.MILESTONES},
    }


def _row(row: queries.CoverageRow) -> dict:
    return {
        "node": row.node.code,
        "name": row.node.name,
        "total": _tally(row.total),
        "bands": {code: _tally(t) for code, t in row.bands.items()},
    }


@router.get(
    "/vaccination/coverage",
    response={200: CoverageOut, **error_responses(401, 404, 422)},
    summary="接种率（按下级辖区和年龄段）",
    tags=_TAGS,
)
def coverage(request, filters: Query[CoverageIn]):
    if filters.node:
        node = scoping.access_jurisdiction(request.auth, filters.node)
    else:
        tops = scoping.nodes_with(request.auth)
        if not tops:
            raise Http404
        node = tops[0]
    day = filters.day or timezone.localdate()
    whole, children = queries.coverage(node, day)
    return {"day": day, "whole": _row(whole), "children": [_row(c) for c in children]}
