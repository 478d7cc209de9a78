"""JSON API of testing: sampling (a tube at a time, or a sampling device's batch, idempotent), results
(by tube, all or nothing), schedules, re-tests and mass-testing rounds. The same scoped queries and actions
as the pages."""

from django.http import Http404
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status

from fangkong.grid import scoping
from fangkong.grid.schemas import Id, error_responses
from fangkong.lib.errors import RuleError
from fangkong.lib.masking import mask_id_number, mask_name
from fangkong.registry import queries as registry_queries
from fangkong.registry.queries import persons_visible_to

from . import actions, queries, rules
from .schemas import (
    DueOut,
    KeyGroupIn,
    MemberIn,
    MemberOut,
    NodeFilterIn,
    PointIn,
    PointOut,
    ResultIn,
    ResultsIn,
    ResultsOut,
    RetestOut,
    RoundIn,
    RoundOut,
    RoundProgressOut,
    SampleDetailOut,
    SampleFilterIn,
    SampleIn,
    SampleOut,
    SamplePageOut,
    SamplingBatchIn,
    SamplingBatchOut,
    UnsampledPageOut,
)

router = Router(tags=["核酸检测"])
READ_ERRORS = error_responses(401, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)


def _aware(value):
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _writable_node(user, code):
    return scoping.access_jurisdiction(user, code, capability=scoping.WRITE)


def _person_by_id_number(user, number: str):
    person = persons_visible_to(user).select_related("node").filter(id_number=number.strip().upper()).first()
    if person is None:
        raise RuleError({"people": f"证件号码{mask_id_number(number)}未登记或不在本辖区"})
    return person


def _detail(sample):
    sample.member_list = list(queries.members_of(sample))
    return sample


@router.get("/testing/points", response={200: list[PointOut], **READ_ERRORS}, summary="采样点")
def list_points(request):
    return list(queries.points_visible_to(request.auth)[:500])


@router.post("/testing/points", response={201: PointOut, **WRITE_ERRORS}, summary="新增采样点")
def create_point(request, payload: PointIn):
    node = _writable_node(request.auth, payload.node)
    return Status(
        201, actions.create_point(actor=request.auth, node=node, name=payload.name, address=payload.address)
    )


@router.get("/testing/samples", response={200: SamplePageOut, **READ_ERRORS}, summary="样本列表")
def list_samples(request, filters: Query[SampleFilterIn]):
    samples = queries.samples_visible_to(request.auth).order_by("-sampled_at", "-id")
    if filters.result:
        samples = samples.filter(result=filters.result)
    if filters.round:
        samples = samples.filter(round_id=filters.round)
    return {"count": samples.count(), "items": list(samples[filters.offset : filters.offset + filters.limit])}


@router.post("/testing/samples", response={201: SampleOut, **WRITE_ERRORS}, summary="开管（单采或混采）")
def create_sample(request, payload: SampleIn):
    user = request.auth
    node = _writable_node(user, payload.node)
    sample = actions.open_sample(
        actor=user,
        tube_code=payload.tube_code,
        kind=payload.kind,
        capacity=payload.capacity,
        node=node,
        point=queries.access_point(user, payload.point) if payload.point else None,
        round=queries.access_round(user, payload.round) if payload.round else None,
        sampled_at=_aware(payload.sampled_at),
    )
    return Status(201, sample)


@router.get(
    "/testing/samples/{sample_id}", response={200: SampleDetailOut, **READ_ERRORS}, summary="一管样本及其人员"
)
def get_sample(request, sample_id: Id):
    return _detail(queries.access_sample(request.auth, sample_id))


@router.post(
    "/testing/samples/{sample_id}/members",
    response={201: MemberOut, **WRITE_ERRORS},
    summary="加入一人",
    description="按人员 id 或证件号码；已在管中则不重复加入。",
)
def add_member(request, sample_id: Id, payload: MemberIn):
    user = request.auth
    sample = queries.access_sample(user, sample_id, write=True)
    if payload.person:
        person = registry_queries.access_person(user, payload.person)
    elif payload.id_number:
        person = _person_by_id_number(user, payload.id_number)
    else:
        raise RuleError({"person": "请指定人员"})
    return Status(201, actions.add_member(actor=user, sample=sample, person=person))


@router.post(
    "/testing/samples/{sample_id}/result", response={200: SampleOut, **WRITE_ERRORS}, summary="登记结果"
)
def set_result(request, sample_id: Id, payload: ResultIn):
    sample = queries.access_sample(request.auth, sample_id, write=True)
    try:
        cts = {k: rules.parse_ct(getattr(payload, k) or None) for k in ("ct_orf1ab", "ct_n")}
    except ValueError as exc:
        raise RuleError({"ct_orf1ab": str(exc)}) from None
    return actions.record_result(
        actor=request.auth, sample=sample, result=payload.result, lab=payload.lab, **cts
    )


@router.post(
    "/testing/sampling/batch",
    response={200: SamplingBatchOut, **WRITE_ERRORS},
    summary="采样终端批量上传",
    description="试管及其人员（证件号码）。重复上传不会重复登记；全部成功或全部不写入。",
)
def sampling_batch(request, payload: SamplingBatchIn):
    user = request.auth
    node = _writable_node(user, payload.node)
    point = queries.access_point(user, payload.point) if payload.point else None
    round_ = queries.access_round(user, payload.round) if payload.round else None
    tubes = [
        actions.TubeIn(
            tube_code=t.tube_code,
            kind=t.kind,
            capacity=t.capacity,
            sampled_at=_aware(t.sampled_at),
            people=[_person_by_id_number(user, n) for n in t.people],
        )
        for t in payload.tubes
    ]
    return actions.sample_batch(actor=user, node=node, tubes=tubes, point=point, round=round_)


def _tube_outcomes(user, payload: ResultsIn):
    codes = [r.tube_code.strip().upper() for r in payload.results]
    samples = {s.tube_code: s for s in queries.samples_visible_to(user).filter(tube_code__in=codes)}
    out = []
    for row, code in zip(payload.results, codes, strict=True):
        if code not in samples:
            raise RuleError({"tube_code": f"试管编码{code}没有采样记录"}, code="not_found")
        try:
            cts = [rules.parse_ct(row.ct_orf1ab or None), rules.parse_ct(row.ct_n or None)]
        except ValueError as exc:
            raise RuleError({"ct_orf1ab": f"{code}：{exc}"}) from None
        out.append(actions.Outcome(samples[code], row.result, *cts))
    return out


@router.post(
    "/testing/results",
    response={200: ResultsOut, **WRITE_ERRORS},
    summary="批量登记检测结果",
    description="按试管编码；全部成功或全部不写入；同一结果再次提交不变。",
)
def post_results(request, payload: ResultsIn):
    outcomes = _tube_outcomes(request.auth, payload)
    return actions.record_results(actor=request.auth, outcomes=outcomes, lab=payload.lab)


@router.get("/testing/retests", response={200: list[RetestOut], **READ_ERRORS}, summary="复核采样名单")
def list_retests(request, filters: Query[NodeFilterIn]):
    node = scoping.access_jurisdiction(request.auth, filters.node) if filters.node else None
    rows = queries.open_retests(request.auth, node=node)[filters.offset : filters.offset + filters.limit]
    return [
        {
            "id": r.pk,
            "person": r.person_id,
            "name": mask_name(r.person.name),
            "id_number": mask_id_number(r.person.id_number),
            "node": r.node.code,
            "reason": r.reason,
            "tube_code": r.source.tube_code,
            "requested_at": r.requested_at,
        }
        for r in rows
    ]


@router.get("/testing/schedule", response={200: list[DueOut], **READ_ERRORS}, summary="今日应检与逾期")
def get_schedule(request, filters: Query[NodeFilterIn]):
    node = scoping.access_jurisdiction(request.auth, filters.node) if filters.node else None
    plan = queries.schedule(request.auth, today=timezone.localdate(), node=node)
    return [
        {
            "person": r.person.pk,
            "name": mask_name(r.person.name),
            "node": r.person.node.code,
            "why": r.why,
            "due_on": r.due_on,
            "state": r.state,
        }
        for r in plan.rows[filters.offset : filters.offset + filters.limit]
    ]


@router.post("/testing/key-groups", response={201: dict, **WRITE_ERRORS}, summary="登记重点人群")
def add_key_group(request, payload: KeyGroupIn):
    person = registry_queries.access_person(request.auth, payload.person, write=True)
    member = actions.add_to_key_group(
        actor=request.auth, person=person, group=payload.group, since=payload.since
    )
    return Status(201, {"id": member.pk, "group": member.group, "since": member.since.isoformat()})


@router.get("/testing/rounds", response={200: list[RoundOut], **READ_ERRORS}, summary="全员核酸轮次")
def list_rounds(request):
    return list(queries.rounds_visible_to(request.auth)[:200])


@router.post("/testing/rounds", response={201: RoundOut, **WRITE_ERRORS}, summary="新建全员核酸轮次")
def create_round(request, payload: RoundIn):
    node = _writable_node(request.auth, payload.node)
    round_ = actions.create_round(
        actor=request.auth, node=node, name=payload.name, starts_on=payload.starts_on, ends_on=payload.ends_on
    )
    return Status(201, round_)


def _round_node(user, round_, code):
    node = scoping.access_jurisdiction(user, code) if code else round_.node
    if not node.path.startswith(round_.node.path) or not scoping.can(user, scoping.VIEW, node):
        raise Http404
    return node


def _progress(p):
    return {
        "node": p.node.code,
        "name": p.node.name,
        "target": p.target,
        "sampled": p.sampled,
        "back": p.back,
        "positive_tubes": p.positive_tubes,
        "coverage_pct": p.pct,
    }


@router.get(
    "/testing/rounds/{round_id}/progress",
    response={200: RoundProgressOut, **READ_ERRORS},
    summary="轮次实时进度",
)
def round_progress(request, round_id: Id, filters: Query[NodeFilterIn]):
    round_ = queries.access_round(request.auth, round_id)
    node = _round_node(request.auth, round_, filters.node)
    total, children = queries.round_progress(round_, node)
    return {"total": _progress(total), "children": [_progress(c) for c in children]}


@router.get(
    "/testing/rounds/{round_id}/unsampled",
    response={200: UnsampledPageOut, **READ_ERRORS},
    summary="未采样名单",
)
def round_unsampled(request, round_id: Id, filters: Query[NodeFilterIn]):
    round_ = queries.access_round(request.auth, round_id)
    node = _round_node(request.auth, round_, filters.node)
    people = queries.not_sampled(round_, node)
    return {
        "count": people.count(),
        "items": [
            {
                "id": p.pk,
                "name": mask_name(p.name),
                "id_number": mask_id_number(p.id_number),
                "node": p.node.code,
                "address": p.household.address if p.household else "",
            }
            for p in people[filters.offset : filters.offset + filters.limit]
        ],
    }
