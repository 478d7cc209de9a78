"""JSON API for cases, their investigation entries, candidates and decisions: the same scoped queries and
actions as the pages. A list holds only rows of the caller's area; an id outside it answers 404 like a
missing one; an account that may see a case but not change it gets 403 from the action."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status

from fangkong.grid.schemas import Id, error_responses
from fangkong.healthcodes.models import Identity
from fangkong.registry import queries as registry_queries
from fangkong.tracing import actions, queries
from fangkong.tracing.models import Clock, TrajectoryEntry
from fangkong.tracing.schemas import (
    CandidateFilterIn,
    CandidatePageOut,
    CaseDetailOut,
    CaseFilterIn,
    CaseIn,
    CaseOut,
    CasePageOut,
    CaseUpdateIn,
    DecisionIn,
    DecisionOut,
    EntryIn,
    EntryOut,
    EventIn,
    EventOut,
    SearchOut,
    _aware,
)
from fangkong.tracing.views.common import filter_cases, home_node

router = Router(tags=["病例流调"])

READ_ERRORS = error_responses(401, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)


def _page(rows, limit: int, offset: int) -> dict:
    return {"count": rows.count(), "items": list(rows[offset : offset + limit])}


def _detail(case) -> dict:
    now = timezone.now()
    since, until = queries.window_of(case, now)
    clocks = [
        {
            "clock": c.clock,
            "label": str(Clock(c.clock).label),
            "due_at": c.due_at,
            "done_at": c.done_at,
            "overdue": c.overdue,
        }
        for c in queries.clocks_of(case, now)
    ]
    case.window_since, case.window_until = since, until
    case.clocks = clocks
    case.event_list = list(case.events.all())
    return case


# Cases ---------------------------------------------------------------------------------------------------


@router.get("/cases", response={200: CasePageOut, **READ_ERRORS}, summary="病例列表")
def list_cases(request, filters: Query[CaseFilterIn]):
    cases = filter_cases(
        queries.cases_visible_to(request.auth),
        kind=filters.kind,
        source=filters.source,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    return _page(cases, filters.limit, filters.offset)


@router.post(
    "/cases",
    response={201: CaseOut, **WRITE_ERRORS},
    summary="报告病例",
    description="人员为本辖区登记人员（person）或本地未登记人员的码证身份（identity）。病例编号不填则自动编号。",
)
def create_case(request, payload: CaseIn):
    user = request.auth
    if payload.person:
        person, identity = registry_queries.access_person(user, payload.person, write=True), None
        node = person.node
    else:
        person, identity = None, get_object_or_404(Identity, pk=payload.identity)
        node = home_node(user)
    case = actions.report_case(
        actor=user,
        node=node,
        kind=payload.kind,
        diagnosed_at=_aware(payload.diagnosed_at),
        number=payload.number or None,
        person=person,
        identity=identity,
        **payload.facts(),
    )
    return Status(201, case)


@router.get(
    "/cases/{case_id}", response={200: CaseDetailOut, **READ_ERRORS}, summary="一个病例：信息、转归与时限"
)
def get_case(request, case_id: Id):
    return _detail(queries.access_case(request.auth, case_id))


@router.put(
    "/cases/{case_id}",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="修改病例信息",
    description="version 为读取时的版本；已被他人修改时返回 409。类别的变化请记录转归（events）。",
)
def update_case(request, case_id: Id, payload: CaseUpdateIn):
    case = queries.access_case(request.auth, case_id, write=True)
    source = queries.access_case(request.auth, payload.infected_by) if payload.infected_by else None
    return actions.update_case(
        actor=request.auth,
        case=case,
        version=payload.version,
        diagnosed_at=_aware(payload.diagnosed_at),
        infected_by=source,
        **payload.facts(),
    )


@router.post("/cases/{case_id}/events", response={201: EventOut, **WRITE_ERRORS}, summary="记录转归")
def add_event(request, case_id: Id, payload: EventIn):
    case = queries.access_case(request.auth, case_id, write=True)
    event = actions.record_event(
        actor=request.auth, case=case, kind=payload.kind, at=_aware(payload.at), note=payload.note
    )
    return Status(201, event)


# Investigation entries -----------------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/entries", response={200: list[EntryOut], **READ_ERRORS}, summary="流调登记的活动轨迹"
)
def list_entries(request, case_id: Id):
    case = queries.access_case(request.auth, case_id)
    return list(case.entries.all())


@router.post("/cases/{case_id}/entries", response={201: EntryOut, **WRITE_ERRORS}, summary="添加活动轨迹")
def add_entry(request, case_id: Id, payload: EntryIn):
    case = queries.access_case(request.auth, case_id, write=True)
    fields = payload.dict(exclude={"venue"})
    fields["starts_at"], fields["ends_at"] = _aware(payload.starts_at), _aware(payload.ends_at)
    if payload.venue:
        fields["venue_id"] = payload.venue
    entry = actions.add_entry(actor=request.auth, case=case, **fields)
    return Status(201, entry)


@router.delete(
    "/cases/{case_id}/entries/{entry_id}", response={204: None, **WRITE_ERRORS}, summary="删除活动轨迹"
)
def remove_entry(request, case_id: Id, entry_id: Id):
    case = queries.access_case(request.auth, case_id, write=True)
    entry = TrajectoryEntry.objects.filter(case=case, pk=entry_id).first()
    if entry is None:
        raise Http404
    actions.remove_entry(actor=request.auth, entry=entry)
    return Status(204, None)


# Candidates and decisions --------------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/candidates",
    response={200: CandidatePageOut, **READ_ERRORS},
    summary="风险人员（按重叠时长排序）",
)
def list_candidates(request, case_id: Id, filters: Query[CandidateFilterIn]):
    case = queries.access_case(request.auth, case_id)
    return _page(queries.candidates_of(case, **filters.filters()), filters.limit, filters.offset)


@router.post(
    "/cases/{case_id}/search",
    response={200: SearchOut, **WRITE_ERRORS},
    summary="检索时空交集人员",
    description="按调查时段检索场所扫码的时空交集人员，并加入同住人员和病例提供的人员。重复检索不重复添加，已作出的判定保留。",
)
def run_search(request, case_id: Id):
    case = queries.access_case(request.auth, case_id, write=True)
    summary = actions.search_contacts(actor=request.auth, case=case)
    return {"found": summary.found, "new": summary.new, "venues": summary.venues}


@router.post(
    "/cases/{case_id}/decisions",
    response={200: DecisionOut, **WRITE_ERRORS},
    summary="判定风险人员（可批量）",
    description=(
        "判定为密接或密接的密接时，按政策生成排查记录和管控措施，并在其所在辖区指定包保责任人；"
        "不在本县的人员列入协查移交清单。重复判定不重复生成。"
    ),
)
def decide(request, case_id: Id, payload: DecisionIn):
    case = queries.access_case(request.auth, case_id, write=True)
    if payload.all:
        picked = list(
            queries.candidates_of(
                case,
                venue=payload.venue,
                min_minutes=payload.min_minutes,
                decision=None,
                source=payload.source,
            )
        )
    else:
        shown = {c.pk: c for c in queries.candidates_of(case)}
        missing = [pk for pk in payload.candidates if pk not in shown]
        if missing:
            raise Http404
        picked = [shown[pk] for pk in dict.fromkeys(payload.candidates)]
    actions.decide(actor=request.auth, candidates=picked, decision=payload.decision)
    decided = list(queries.candidates_of(case).filter(pk__in=[c.pk for c in picked]))
    return {"decided": len(decided), "items": decided}
