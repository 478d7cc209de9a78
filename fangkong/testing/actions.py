"""Writes of the testing module: keyword-only arguments, an actor, one transaction and its audit row.

A member of a tube gets their own measures.TestResult, pending from sampling on (release waits for it);
the tube's result then decides it (rules.effect_of). `record_results` applies many results at once (a lab
file): negatives in bulk, positive and invalid tubes one by one with their consequences."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.lib.errors import RuleError
from fangkong.measures import actions as measure_actions
from fangkong.measures.models import Measure, TestResult
from fangkong.policy.models import Kind
from fangkong.registry.models import Person
from fangkong.tracing import actions as tracing_actions
from fangkong.tracing.models import Case

from . import rules
from .models import (
    KeyGroup,
    KeyGroupMember,
    Result,
    ResultAlert,
    Retest,
    Round,
    RoundCount,
    Sample,
    SampleKind,
    SampleMember,
    SamplingPoint,
)

CHUNK = 2000


def county_of(node: Jurisdiction) -> Jurisdiction:
    parts = [p for p in node.path.split("/") if p]
    prefixes = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return Jurisdiction.objects.filter(path__in=prefixes, level=Level.COUNTY).first() or node


def recount_round_paths(keys: Iterable[tuple[int, str]]) -> None:
    """Recount the kept figures (RoundCount) of these (round id, path) keys from the members, as the
    progress page counted them: people sampled at the path in the round, and those of them whose tube
    has a result. Called inside the transaction of the write that touched them; the rows are locked
    first, in one order, so two writes at the same path count one after the other."""
    keys = {(r, p) for r, p in keys if r is not None}
    if not keys:
        return
    RoundCount.objects.bulk_create(
        [RoundCount(round_id=r, path=p) for r, p in sorted(keys)], ignore_conflicts=True, batch_size=1000
    )
    by_round: dict[int, list[str]] = {}
    for r, p in keys:
        by_round.setdefault(r, []).append(p)
    for round_id, paths in sorted(by_round.items()):
        for i in range(0, len(paths), 500):
            part = sorted(paths[i : i + 500])
            rows = list(
                RoundCount.objects.select_for_update()
                .filter(round_id=round_id, path__in=part)
                .order_by("path")
            )
            counted = {
                path: (people, back)
                for path, people, back in SampleMember.objects.filter(round_id=round_id, path__in=part)
                .values_list("path")
                .annotate(
                    people=Count("person", distinct=True),
                    back=Count("person", distinct=True, filter=~Q(sample__result=Result.PENDING)),
                )
            }
            for row in rows:
                row.sampled, row.back = counted.get(row.path, (0, 0))
            RoundCount.objects.bulk_update(rows, ["sampled", "back"], batch_size=1000)


def recount_round(round_: Round) -> None:
    """Every kept figure of a round, recounted (after a bulk load, or to repair)."""
    paths = set(SampleMember.objects.filter(round=round_).values_list("path", flat=True).distinct())
    paths |= set(RoundCount.objects.filter(round=round_).values_list("path", flat=True))
    with transaction.atomic():
        recount_round_paths((round_.pk, p) for p in paths)


@transaction.atomic
def create_point(
    *, actor, node: Jurisdiction, name: str, address: str = "", staff=(), request=None
) -> SamplingPoint:
    scoping.require(actor, scoping.WRITE, node, "无权在该辖区设置采样点", field="node")
    if not name.strip():
        raise RuleError({"name": "请填写采样点名称"})
    point = SamplingPoint.objects.create(node=node, name=name.strip(), address=address.strip())
    if staff:
        point.staff.set(staff)
    record(actor=actor, action=Action.CREATE, target=point, node_path=node.path, request=request)
    return point


@transaction.atomic
def create_round(
    *, actor, node: Jurisdiction, name: str, starts_on: dt.date, ends_on: dt.date | None = None, request=None
) -> Round:
    scoping.require(actor, scoping.WRITE, node, "无权在该辖区组织全员核酸", field="node")
    if not name.strip():
        raise RuleError({"name": "请填写轮次名称"})
    if ends_on and ends_on < starts_on:
        raise RuleError({"ends_on": "结束日期不能早于开始日期"})
    round_ = Round.objects.create(
        node=node, name=name.strip(), starts_on=starts_on, ends_on=ends_on, created_by=actor
    )
    record(actor=actor, action=Action.CREATE, target=round_, node_path=node.path, request=request)
    return round_


@transaction.atomic
def open_sample(
    *,
    actor,
    tube_code: str,
    kind: str,
    capacity: int,
    node: Jurisdiction,
    point: SamplingPoint | None = None,
    round: Round | None = None,
    sampled_at: dt.datetime | None = None,
    request=None,
) -> Sample:
    """A new tube (its barcode scanned or typed). Refused when the barcode was used before."""
    scoping.require(actor, scoping.WRITE, node, "无权在该辖区采样", field="node")
    code = (tube_code or "").strip().upper()
    if not code:
        raise RuleError({"tube_code": "请扫描或填写试管编码"})
    if kind not in SampleKind.values:
        raise RuleError({"kind": "请选择单采或混采"})
    capacity = 1 if kind == SampleKind.SINGLE else int(capacity or 0)
    reason = rules.check_capacity(kind=kind, capacity=capacity)
    if reason:
        raise RuleError({"capacity": reason})
    sampled_at = sampled_at or timezone.now()
    if sampled_at > timezone.now() + dt.timedelta(minutes=5):
        raise RuleError({"sampled_at": "采样时间不能晚于现在"})
    if Sample.objects.filter(tube_code=code).exists():
        raise RuleError({"tube_code": f"试管编码{code}已使用"}, code="duplicate")
    sample = Sample.objects.create(
        tube_code=code,
        kind=kind,
        capacity=capacity,
        node=node,
        point=point,
        round=round,
        sampled_at=sampled_at,
        sampled_by=actor,
    )
    record(actor=actor, action=Action.CREATE, target=sample, node_path=node.path, request=request, kind=kind)
    return sample


@transaction.atomic
def add_member(*, actor, sample: Sample, person: Person, request=None) -> SampleMember:
    """Someone into the tube. Adding them again changes nothing (a rescanned code)."""
    scoping.require(actor, scoping.WRITE, sample.node, "无权在该辖区采样")
    if not scoping.can(actor, scoping.VIEW, person.node):
        raise RuleError({"person": "人员不存在"})
    existing = SampleMember.objects.filter(sample=sample, person=person).first()
    if existing is not None:
        return existing
    sample = Sample.objects.select_for_update().get(pk=sample.pk)
    if sample.result != Result.PENDING:
        raise RuleError({"tube_code": "该试管已出结果，不能再加人"}, code="conflict")
    if sample.members.count() >= sample.capacity:
        raise RuleError({"person": f"该试管已满（{sample.capacity}人）"}, code="conflict")
    result = TestResult.objects.create(person=person, sampled_at=sample.sampled_at, recorded_by=actor)
    member = SampleMember.objects.create(
        sample=sample,
        person=person,
        round=sample.round,
        path=person.node.path,
        sampled_at=sample.sampled_at,
        test_result=result,
    )
    if sample.kind == SampleKind.SINGLE:
        Retest.objects.filter(person=person, done_by=None, requested_at__lte=sample.sampled_at).update(
            done_by=sample, done_at=sample.sampled_at
        )
    recount_round_paths([(member.round_id, member.path)])
    record(actor=actor, action=Action.CREATE, target=member, node_path=person.node.path, request=request)
    return member


@transaction.atomic
def remove_member(*, actor, member: SampleMember, request=None) -> None:
    """Take someone out of a tube added by mistake, while it has no result."""
    scoping.require(actor, scoping.WRITE, member.sample.node, "无权在该辖区采样")
    if member.sample.result != Result.PENDING:
        raise RuleError({"person": "该试管已出结果，不能移除"}, code="conflict")
    result_id = member.test_result_id
    record(
        actor=actor,
        action=Action.UPDATE,
        target=member.sample,
        node_path=member.path,
        request=request,
        removed=member.person_id,
    )
    key = (member.round_id, member.path)
    member.delete()
    if result_id:
        TestResult.objects.filter(pk=result_id, outcome=TestResult.Outcome.PENDING).delete()
    recount_round_paths([key])


@dataclass(frozen=True)
class Outcome:
    sample: Sample
    result: str
    ct_orf1ab: Decimal | None = None
    ct_n: Decimal | None = None


def _consequences(*, actor, sample: Sample, at: dt.datetime, request=None) -> None:
    """What a positive or invalid tube does (rules.effect_of), beyond its members' own results."""
    effect = rules.effect_of(kind=sample.kind, result=sample.result)
    members = list(sample.members.select_related("person__node"))
    if effect.personal is None:
        TestResult.objects.filter(pk__in=[m.test_result_id for m in members if m.test_result_id]).delete()
    for member in members:
        person = member.person
        if effect.retest:
            Retest.objects.get_or_create(
                person=person,
                source=sample,
                defaults={"node": person.node, "reason": effect.retest, "requested_at": at},
            )
        if effect.control and not Measure.objects.filter(person=person, released_at=None).exists():
            measure_actions.start_measure(
                actor=actor, person=person, kind=Kind.HOME_QUARANTINE, started_at=at, request=request
            )
    if effect.alert:
        county = county_of(sample.node)
        person = members[0].person if len(members) == 1 else None
        case = None
        if effect.suspected_case and person is not None:
            case = Case.objects.filter(person=person, outcome="").first()
            if case is None:
                case = tracing_actions.report_case(
                    actor=actor,
                    node=person.node,
                    kind="suspected",
                    person=person,
                    diagnosed_at=at,
                    sampled_at=sample.sampled_at,
                    found_by_routine_testing=True,
                    request=request,
                )
        if sample.is_pool:
            summary = f"混管{sample.tube_code}阳性（{len(members)}人），已就地管控并安排单管复核"
        else:
            summary = f"单管{sample.tube_code}阳性：{person.name if person else ''}，已按疑似病例报告"
        ResultAlert.objects.get_or_create(
            sample=sample,
            defaults={"county": county, "person": person, "case": case, "raised_at": at, "summary": summary},
        )


@transaction.atomic
def record_results(
    *, actor, outcomes: Iterable[Outcome], lab: str = "", at: dt.datetime | None = None, request=None
) -> dict:
    """Results of many tubes. A tube with the same result already is left alone; one with another result
    is refused (a correction goes through the lab). Returns counts: created, unchanged."""
    at = at or timezone.now()
    outcomes = list(outcomes)
    counts = {"created": 0, "unchanged": 0}
    fresh: list[Outcome] = []
    for o in outcomes:
        if o.result not in (rules.NEGATIVE, rules.POSITIVE, rules.INVALID):
            raise RuleError({"result": "请选择阴性、阳性或无效"})
        if not scoping.can(actor, scoping.WRITE, o.sample.node):
            raise RuleError({"tube_code": f"无权登记试管{o.sample.tube_code}的结果"}, code="forbidden")
        if o.sample.result == o.result:
            counts["unchanged"] += 1
        elif o.sample.result != Result.PENDING:
            raise RuleError(
                {
                    "result": f"试管{o.sample.tube_code}已有结果（{o.sample.get_result_display()}），与本次不符"
                },
                code="conflict",
            )
        else:
            fresh.append(o)
    for o in fresh:
        o.sample.result, o.sample.ct_orf1ab, o.sample.ct_n = o.result, o.ct_orf1ab, o.ct_n
        o.sample.result_at, o.sample.lab, o.sample.result_by = at, lab, actor
    samples = [o.sample for o in fresh]
    for i in range(0, len(samples), CHUNK):
        chunk = samples[i : i + CHUNK]
        with_ct = [s for s in chunk if s.ct_orf1ab is not None or s.ct_n is not None]
        ct_ids = {s.pk for s in with_ct}
        for result in (rules.NEGATIVE, rules.POSITIVE, rules.INVALID):
            ids = [s.pk for s in chunk if s.result == result and s.pk not in ct_ids]
            if ids:
                Sample.objects.filter(pk__in=ids, result=Result.PENDING).update(
                    result=result, result_at=at, lab=lab, result_by=actor
                )
        if with_ct:
            Sample.objects.bulk_update(
                with_ct, ["result", "result_at", "lab", "result_by", "ct_orf1ab", "ct_n"]
            )
        negatives = [s.pk for s in chunk if s.result == rules.NEGATIVE]
        if negatives:
            TestResult.objects.filter(sampling__sample_id__in=negatives).update(
                outcome=TestResult.Outcome.NEGATIVE
            )
    touched: set[tuple[int, str]] = set()
    for i in range(0, len(samples), CHUNK):
        ids = [s.pk for s in samples[i : i + CHUNK]]
        touched |= set(
            SampleMember.objects.filter(sample_id__in=ids, round__isnull=False)
            .values_list("round_id", "path")
            .distinct()
        )
    recount_round_paths(touched)
    for sample in samples:
        if sample.result == rules.NEGATIVE:
            continue
        if sample.result == rules.POSITIVE and not sample.is_pool:
            TestResult.objects.filter(sampling__sample=sample).update(outcome=TestResult.Outcome.POSITIVE)
        _consequences(actor=actor, sample=sample, at=at, request=request)
        record(
            actor=actor,
            action=Action.UPDATE,
            target=sample,
            node_path=sample.node.path,
            request=request,
            result=sample.result,
        )
    counts["created"] = len(samples)
    if len(samples) > 1 or (samples and samples[0].result == rules.NEGATIVE):
        record(
            actor=actor,
            action=Action.UPDATE,
            target=samples[0] if len(samples) == 1 else None,
            node_path=samples[0].node.path if len(samples) == 1 else "",
            request=request,
            results=len(samples),
            lab=lab,
        )
    return counts


def record_result(
    *, actor, sample: Sample, result: str, ct_orf1ab=None, ct_n=None, lab: str = "", request=None
) -> Sample:
    """One tube's result, entered by hand."""
    record_results(actor=actor, outcomes=[Outcome(sample, result, ct_orf1ab, ct_n)], lab=lab, request=request)
    sample.refresh_from_db()
    return sample


@transaction.atomic
def add_to_key_group(
    *, actor, person: Person, group: str, since: dt.date | None = None, request=None
) -> KeyGroupMember:
    scoping.require(actor, scoping.WRITE, person.node, "无权登记该人员", field="person")
    if group not in KeyGroup.values:
        raise RuleError({"group": "请选择重点人群"})
    member, created = KeyGroupMember.objects.get_or_create(
        person=person, group=group, defaults={"since": since or timezone.localdate()}
    )
    if not created and not member.active:
        member.active = True
        member.save(update_fields=["active"])
    record(
        actor=actor,
        action=Action.CREATE,
        target=member,
        node_path=person.node.path,
        request=request,
        group=group,
    )
    return member


@transaction.atomic
def remove_from_key_group(*, actor, member: KeyGroupMember, request=None) -> KeyGroupMember:
    """Off the group's testing cycle (left the job): the membership stays, inactive, with its history."""
    scoping.require(actor, scoping.WRITE, member.person.node, "无权调整该人员", field="person")
    if not member.active:
        raise RuleError({"member": "该人员已移出重点人群"})
    member.active = False
    member.save(update_fields=["active"])
    record(
        actor=actor,
        action=Action.UPDATE,
        target=member,
        node_path=member.person.node.path,
        request=request,
        group=member.group,
        active=False,
    )
    return member


@dataclass(frozen=True)
class TubeIn:
    tube_code: str
    kind: str
    capacity: int
    sampled_at: dt.datetime
    people: list  # Person


@transaction.atomic
def sample_batch(
    *,
    actor,
    node: Jurisdiction,
    tubes: list[TubeIn],
    point: SamplingPoint | None = None,
    round: Round | None = None,
    request=None,
) -> dict:
    """A sampling device's upload: tubes with their people. Sent again, it changes nothing; a tube already
    known with other settings is refused."""
    counts = {"tubes_created": 0, "members_created": 0, "unchanged": 0}
    for tube in tubes:
        code = tube.tube_code.strip().upper()
        sample = Sample.objects.filter(tube_code=code).first()
        if sample is None:
            sample = open_sample(
                actor=actor,
                tube_code=code,
                kind=tube.kind,
                capacity=tube.capacity,
                node=node,
                point=point,
                round=round,
                sampled_at=tube.sampled_at,
                request=request,
            )
            counts["tubes_created"] += 1
        elif sample.kind != tube.kind or sample.node_id != node.pk:
            raise RuleError({"tube_code": f"试管编码{code}已用于其他采样"}, code="duplicate")
        known = set(sample.members.values_list("person_id", flat=True))
        for person in tube.people:
            if person.pk in known:
                counts["unchanged"] += 1
                continue
            add_member(actor=actor, sample=sample, person=person, request=request)
            counts["members_created"] += 1
    return counts
