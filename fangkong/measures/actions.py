"""Writes for key persons: screenings, measures, caretakers, follow-ups, tests, alerts.
Each action checks the actor's scope, runs in one transaction and writes its audit row there.

Also the writes for quarantine sites and their rooms."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone, translation

from fangkong.audit.actions import record, record_many
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.lib.errors import RuleError, StaleEdit
from fangkong.lib.phones import InvalidPhone, normalize_phone
from fangkong.lib.temperature import check_temperature
from fangkong.measures import rules
from fangkong.measures.models import (
    Alert,
    AlertKind,
    Caretaker,
    CaretakerRole,
    FollowUp,
    Measure,
    QuarantineSite,
    Room,
    Screening,
    TestResult,
)
from fangkong.policy.models import Kind, Reason
from fangkong.policy.queries import PoliciesInForce, policy_for
from fangkong.registry.models import Person, Unit

MAX_CARETAKERS = 4


def _local_today() -> dt.date:
    return timezone.localdate()


@transaction.atomic
def record_screening(
    *, actor, person: Person, reason: str, screened_on: dt.date | None = None, request=None, **fields
) -> Screening:
    """Why someone is a key person. For arrivals the reference date is the arrival date; for contacts,
    the last exposure (passed as reference_date)."""
    scoping.require(actor, scoping.WRITE, person.node, "无权为该人员登记排查")
    if reason not in Reason.values:
        raise RuleError({"reason": "请选择排查原因"})
    screened_on = screened_on or _local_today()
    errors = {}
    if screened_on > _local_today():
        errors["screened_on"] = "排查日期不能晚于今天"
    arrived_on, departed_on = fields.get("arrived_on"), fields.get("departed_on")
    if arrived_on and arrived_on > _local_today():
        errors["arrived_on"] = "抵达日期不能晚于今天"
    if arrived_on and departed_on and departed_on > arrived_on:
        errors["departed_on"] = "出发日期不能晚于抵达日期"
    if errors:
        raise RuleError(errors)
    if not fields.get("reference_date"):
        fields["reference_date"] = arrived_on or screened_on
    screening = Screening.objects.create(
        person=person, node=person.node, reason=reason, screened_on=screened_on, recorded_by=actor, **fields
    )
    record(
        actor=actor,
        action=Action.CREATE,
        target=screening,
        node_path=person.node.path,
        request=request,
        reason=reason,
    )
    return screening


@transaction.atomic
def start_measure(
    *,
    actor,
    person: Person,
    kind: str,
    screening: Screening | None = None,
    started_at: dt.datetime | None = None,
    room: Room | None = None,
    request=None,
) -> Measure:
    """Put someone under a measure. The planned end comes from the policy in force for the person's node
    on the start date, and the measure remembers which policy that was."""
    scoping.require(actor, scoping.WRITE, person.node, "无权对该人员采取管控措施")
    if kind not in Kind.values:
        raise RuleError({"kind": "请选择管控措施"})
    started_at = started_at or timezone.now()
    if started_at > timezone.now() + dt.timedelta(minutes=5):
        raise RuleError({"started_at": "开始时间不能晚于现在"})
    if Measure.objects.filter(person=person, released_at=None).exists():
        raise RuleError({"kind": "该人员已有在管措施，请先解除或转为其他措施"}, code="duplicate")
    if kind == Kind.CENTRAL_QUARANTINE and room is None:
        raise RuleError({"room": "集中隔离须指定隔离点和房间"})
    if room is not None:
        _check_room(actor, room, started_at)
    in_force = policy_for(person.node, started_at.astimezone(rules.SHANGHAI).date())
    end, days = None, None
    if kind != Kind.HOSPITAL:
        reason = screening.reason if screening else Reason.SELF_DECLARED
        reference = (screening.reference_date if screening else None) or started_at.astimezone(
            rules.SHANGHAI
        ).date()
        end, days = rules.planned_end(
            kind=kind, reason=reason, reference_date=reference, started_at=started_at, policy=in_force.values
        )
    measure = Measure.objects.create(
        person=person,
        screening=screening,
        node=person.node,
        kind=kind,
        started_at=started_at,
        planned_end=end,
        period_days=days,
        policy=in_force.policy,
        policy_label=in_force.label,
        room=room,
        recorded_by=actor,
    )
    record(
        actor=actor,
        action=Action.CREATE,
        target=measure,
        node_path=person.node.path,
        request=request,
        kind=kind,
    )
    return measure


@dataclass
class ContactPlan:
    """One contact to screen and, when `kind` is given, put under a measure with its caretakers."""

    person: Person
    reason: str
    reference_date: dt.date
    contact_of: Person | None = None
    contact_of_text: str = ""
    notes: str = ""
    kind: str | None = None
    room: Room | None = None
    caretakers: list = field(default_factory=list)  # (user, role)
    screening: Screening | None = None  # written here
    measure: Measure | None = None


@transaction.atomic
def start_contact_measures(
    *, actor, plans: list[ContactPlan], screened_on: dt.date, started_at: dt.datetime, request=None
) -> list[ContactPlan]:
    """`record_screening`, `start_measure` and `assign_caretaker` for many contacts at once (a bulk
    decision of contact tracing): the same checks, rows and audit rows, in a number of queries that does
    not grow with the contacts (one per distinct node and room, for the scope and the occupancy). Fills
    each plan's screening and measure. All or nothing."""
    allowed: dict[tuple[int, str, int], bool] = {}

    def can(user, capability, node) -> bool:
        key = (user.pk, capability, node.pk)
        if key not in allowed:
            allowed[key] = scoping.can(user, capability, node)
        return allowed[key]

    errors = {}
    if screened_on > _local_today():
        errors["screened_on"] = "排查日期不能晚于今天"
    if started_at > timezone.now() + dt.timedelta(minutes=5):
        errors["started_at"] = "开始时间不能晚于现在"
    if errors:
        raise RuleError(errors)
    measured = [p for p in plans if p.kind]
    for plan in plans:
        if not can(actor, scoping.WRITE, plan.person.node):
            raise RuleError({"__all__": "无权为该人员登记排查"}, code="forbidden")
        if plan.reason not in Reason.values:
            raise RuleError({"reason": "请选择排查原因"})
        if plan.kind and plan.kind not in Kind.values:
            raise RuleError({"kind": "请选择管控措施"})
        if plan.kind == Kind.CENTRAL_QUARANTINE and plan.room is None:
            raise RuleError({"room": "集中隔离须指定隔离点和房间"})
        for user, role in plan.caretakers:
            if role not in CaretakerRole.values:
                raise RuleError({"role": "请选择包保角色"})
            if not can(user, scoping.VIEW, plan.person.node):
                raise RuleError({"user": "包保责任人须是该辖区的工作人员"})
        if len(plan.caretakers) > MAX_CARETAKERS:
            raise RuleError({"user": f"每人最多{MAX_CARETAKERS}名包保责任人"})
    persons = [p.person.pk for p in measured]
    if (
        len(set(persons)) < len(persons)
        or Measure.objects.filter(person_id__in=persons, released_at=None).exists()
    ):
        raise RuleError({"kind": "该人员已有在管措施，请先解除或转为其他措施"}, code="duplicate")
    rooms = {p.room.pk: p.room for p in measured if p.room is not None}
    if rooms:
        wanted: dict[int, int] = {}
        for plan in measured:
            if plan.room is not None:
                wanted[plan.room.pk] = wanted.get(plan.room.pk, 0) + 1
        occupied = dict(
            Measure.objects.filter(room_id__in=list(rooms), started_at__lte=started_at, released_at=None)
            .values_list("room")
            .annotate(n=Count("pk"))
        )
        for pk, room in rooms.items():
            if not can(actor, scoping.VIEW, room.site.node) or not room.site.active:
                raise RuleError({"room": "隔离点不存在或已停用"})
            if occupied.get(pk, 0) + wanted[pk] > room.capacity:
                raise RuleError({"room": f"{room}已满（{room.capacity}床）"})
    screenings = Screening.objects.bulk_create(
        [
            Screening(
                person=p.person,
                node=p.person.node,
                reason=p.reason,
                screened_on=screened_on,
                recorded_by=actor,
                reference_date=p.reference_date,
                contact_of=p.contact_of,
                contact_of_text=p.contact_of_text,
                notes=p.notes,
            )
            for p in plans
        ],
        batch_size=500,
    )
    for plan, screening in zip(plans, screenings, strict=True):
        plan.screening = screening
    day = started_at.astimezone(rules.SHANGHAI).date()
    policies = PoliciesInForce.for_paths({p.person.node.path for p in measured}, day)
    new = []
    for plan in measured:
        in_force = policies.in_force(plan.person.node.path, day)
        end, days = None, None
        if plan.kind != Kind.HOSPITAL:
            end, days = rules.planned_end(
                kind=plan.kind,
                reason=plan.reason,
                reference_date=plan.reference_date,
                started_at=started_at,
                policy=in_force.values,
            )
        new.append(
            Measure(
                person=plan.person,
                screening=plan.screening,
                node=plan.person.node,
                kind=plan.kind,
                started_at=started_at,
                planned_end=end,
                period_days=days,
                policy=in_force.policy,
                policy_label=in_force.label,
                room=plan.room,
                recorded_by=actor,
            )
        )
    for plan, measure in zip(measured, Measure.objects.bulk_create(new, batch_size=500), strict=True):
        plan.measure = measure
    Caretaker.objects.bulk_create(
        [Caretaker(measure=p.measure, user=u, role=r) for p in measured for u, r in p.caretakers],
        batch_size=500,
    )
    record_many(
        actor=actor,
        action=Action.CREATE,
        request=request,
        rows=[(p.screening, p.person.node.path, {"reason": p.reason}) for p in plans]
        + [(p.measure, p.person.node.path, {"kind": p.kind}) for p in measured],
    )
    record_many(
        actor=actor,
        action=Action.UPDATE,
        request=request,
        rows=[
            (p.measure, p.person.node.path, {"change": "caretaker", "user": u.pk, "role": r})
            for p in measured
            for u, r in p.caretakers
        ],
    )
    return plans


def _check_room(actor, room: Room, at: dt.datetime) -> None:
    if not scoping.can(actor, scoping.VIEW, room.site.node) or not room.site.active:
        raise RuleError({"room": "隔离点不存在或已停用"})
    occupied = Measure.objects.filter(room=room, started_at__lte=at, released_at=None).count()
    if occupied >= room.capacity:
        raise RuleError({"room": f"{room}已满（{room.capacity}床）"})


def release_status(measure: Measure, *, now: dt.datetime | None = None) -> list[str]:
    """What still stands in the way of releasing the measure (Chinese sentences); empty: release."""
    now = now or timezone.now()
    start_day = measure.started_at.astimezone(rules.SHANGHAI).date()
    values = policy_for(measure.node, start_day, pinned=measure.policy).values
    tests = TestResult.objects.filter(
        person=measure.person, sampled_at__gte=measure.started_at, sampled_at__lte=now
    )
    return rules.release_blockers(
        now=now,
        planned_end=measure.planned_end,
        negatives_in_period=tests.filter(outcome=TestResult.Outcome.NEGATIVE).count(),
        required_negatives=int(values.get("release_tests", 0)) if measure.kind != Kind.HOSPITAL else 0,
        pending_tests=tests.filter(outcome=TestResult.Outcome.PENDING).count(),
    )


@transaction.atomic
def release_measure(
    *,
    actor,
    measure: Measure,
    version: int,
    reason: str = "期满解除",
    released_at: dt.datetime | None = None,
    override: bool = False,
    request=None,
) -> Measure:
    """Release someone. Refused, saying what is missing, while the policy's conditions are not met —
    unless `override` is given with a reason (e.g. 经专家组评估), which is audited as such."""
    scoping.require(actor, scoping.WRITE, measure.node, "无权解除该人员的管控措施")
    if measure.released_at is not None:
        raise RuleError({"__all__": "该措施已解除"}, code="conflict")
    released_at = released_at or timezone.now()
    if released_at < measure.started_at:
        raise RuleError({"released_at": "解除时间不能早于开始时间"})
    if released_at > timezone.now() + dt.timedelta(minutes=5):
        raise RuleError({"released_at": "解除时间不能晚于现在"})
    blockers = release_status(measure, now=released_at)
    if blockers and not override:
        raise RuleError({"__all__": "暂不能解除：" + "；".join(blockers)}, code="conflict")
    if blockers and not scoping.can(actor, scoping.MANAGE_USERS, measure.node):
        raise RuleError({"__all__": "只有管理员可以在条件未满足时解除"}, code="forbidden")
    if override and not reason.strip():
        raise RuleError({"reason": "提前解除须填写原因"})
    changed = Measure.objects.filter(pk=measure.pk, version=version, released_at=None).update(
        released_at=released_at, release_reason=reason.strip()[:200], version=F("version") + 1
    )
    if not changed:
        raise StaleEdit("该管控措施")
    measure.refresh_from_db()
    record(
        actor=actor,
        action=Action.UPDATE,
        target=measure,
        node_path=measure.node.path,
        request=request,
        change="release",
        override=bool(blockers),
        blockers=blockers,
    )
    return measure


@transaction.atomic
def transfer_measure(
    *,
    actor,
    measure: Measure,
    version: int,
    kind: str,
    room: Room | None = None,
    reason: str = "",
    at: dt.datetime | None = None,
    request=None,
) -> Measure:
    """Move someone from one measure to another (home quarantine → hospital): the old one is released
    with the transfer as its reason, the new one starts at the same moment and keeps the screening."""
    scoping.require(actor, scoping.WRITE, measure.node, "无权变更该人员的管控措施")
    if measure.released_at is not None:
        raise RuleError({"__all__": "该措施已解除"}, code="conflict")
    if kind == measure.kind and room == measure.room:
        raise RuleError({"kind": "新措施与原措施相同"})
    at = at or timezone.now()
    if at < measure.started_at:
        raise RuleError({"at": "转换时间不能早于原措施开始时间"})
    with translation.override("zh-hans"):  # stored: in Chinese whatever the interface language
        label = str(Kind(kind).label) if kind in Kind.values else kind
    changed = Measure.objects.filter(pk=measure.pk, version=version, released_at=None).update(
        released_at=at,
        release_reason=f"转为{label}" + (f"：{reason.strip()}" if reason.strip() else ""),
        version=F("version") + 1,
    )
    if not changed:
        raise StaleEdit("该管控措施")
    new = start_measure(
        actor=actor,
        person=measure.person,
        kind=kind,
        screening=measure.screening,
        started_at=at,
        room=room,
        request=request,
    )
    Measure.objects.filter(pk=measure.pk).update(transferred_to=new)
    for caretaker in measure.caretakers.all():
        Caretaker.objects.create(measure=new, user=caretaker.user, role=caretaker.role)
    measure.refresh_from_db()
    record(
        actor=actor,
        action=Action.UPDATE,
        target=measure,
        node_path=measure.node.path,
        request=request,
        change="transfer",
        to=new.pk,
    )
    return new


@transaction.atomic
def assign_caretaker(*, actor, measure: Measure, user, role: str, request=None) -> Caretaker:
    scoping.require(actor, scoping.WRITE, measure.node, "无权为该人员指定包保责任人")
    if measure.released_at is not None:
        raise RuleError({"__all__": "该措施已解除"}, code="conflict")
    if role not in CaretakerRole.values:
        raise RuleError({"role": "请选择包保角色"})
    if not scoping.can(user, scoping.VIEW, measure.node):
        raise RuleError({"user": "包保责任人须是该辖区的工作人员"})
    if measure.caretakers.count() >= MAX_CARETAKERS:
        raise RuleError({"user": f"每人最多{MAX_CARETAKERS}名包保责任人"})
    try:
        with transaction.atomic():
            caretaker = Caretaker.objects.create(measure=measure, user=user, role=role)
    except IntegrityError:
        raise RuleError({"user": "该工作人员已是包保责任人"}, code="duplicate") from None
    record(
        actor=actor,
        action=Action.UPDATE,
        target=measure,
        node_path=measure.node.path,
        request=request,
        change="caretaker",
        user=user.pk,
        role=role,
    )
    return caretaker


@transaction.atomic
def record_follow_up(
    *,
    actor,
    measure: Measure,
    temperature,
    symptoms: list[str] | None = None,
    taken_at: dt.datetime | None = None,
    self_reported: bool = False,
    notes: str = "",
    request=None,
) -> FollowUp:
    """A morning or evening check. The slot follows from the time taken. Fever (≥ the policy's threshold)
    or any symptom raises an alert at once, pointing at this reading. Every reading is kept: a second one
    in the same slot is a reading of its own (a check an hour after a fever, the resident's report after
    the caretaker's), so a later normal reading never hides a fever. A retry of the same reading (same
    time, values and source: a form sent twice) returns the reading already recorded."""
    if not self_reported:
        scoping.require(actor, scoping.WRITE, measure.node, "无权为该人员登记随访")
    taken_at = taken_at or timezone.now()
    if taken_at > timezone.now() + dt.timedelta(minutes=5):
        raise RuleError({"taken_at": "测量时间不能晚于现在"})
    if not rules.is_active_at(measure.started_at, measure.released_at, taken_at):
        raise RuleError({"taken_at": "测量时间不在该人员的管控期内"})
    try:
        value = check_temperature(temperature)
    except ValueError as exc:
        raise RuleError({"temperature": str(exc)}) from None
    symptoms = [s for s in (symptoms or []) if s]
    unknown = [s for s in symptoms if s not in rules.SYMPTOMS]
    if unknown:
        raise RuleError({"symptoms": f"未知症状：{'、'.join(unknown)}"})
    recorded_by = None if self_reported else actor
    for earlier in FollowUp.objects.filter(measure=measure, taken_at=taken_at, self_reported=self_reported):
        same_hand = earlier.recorded_by_id == getattr(recorded_by, "pk", None)
        if same_hand and earlier.temperature == value and earlier.symptoms == symptoms:
            return earlier
    threshold = Decimal(
        str(
            policy_for(measure.node, taken_at.astimezone(rules.SHANGHAI).date()).values.get(
                "fever_threshold", "37.3"
            )
        )
    )
    slot_date, slot = rules.slot_of(taken_at)
    abnormal = rules.is_abnormal(value, symptoms, threshold)
    follow_up = FollowUp.objects.create(
        measure=measure,
        person=measure.person,
        slot_date=slot_date,
        slot=slot,
        taken_at=taken_at,
        temperature=value,
        symptoms=symptoms,
        is_abnormal=abnormal,
        self_reported=self_reported,
        recorded_by=recorded_by,
        notes=notes.strip()[:200],
    )
    if abnormal:
        parts = [f"体温{value}℃"] + (["症状：" + "、".join(symptoms)] if symptoms else [])
        Alert.objects.create(
            person=measure.person,
            measure=measure,
            follow_up=follow_up,
            raised_at=taken_at,
            summary="，".join(parts) + "，建议转运至发热门诊",
        )
    record(
        actor=recorded_by,
        action=Action.CREATE,
        target=follow_up,
        node_path=measure.node.path,
        request=request,
        self_reported=self_reported,
    )
    return follow_up


def record_measure_view(*, actor, measure: Measure, request=None) -> None:
    """The measure page shows the person's data (name, masked numbers, temperatures): audited as a view
    of the person, like the person's own page, naming the measure it was seen through."""
    record(
        actor=actor,
        action=Action.VIEW_PERSON,
        target=measure.person,
        node_path=measure.node.path,
        request=request,
        page="measure",
        measure=measure.pk,
    )


@transaction.atomic
def record_test_result(
    *, actor, person: Person, sampled_at: dt.datetime, outcome: str, request=None
) -> TestResult:
    scoping.require(actor, scoping.WRITE, person.node, "无权登记该人员的核酸结果")
    if outcome not in TestResult.Outcome.values:
        raise RuleError({"outcome": "请选择检测结果"})
    if sampled_at > timezone.now() + dt.timedelta(minutes=5):
        raise RuleError({"sampled_at": "采样时间不能晚于现在"})
    result = TestResult.objects.create(
        person=person, sampled_at=sampled_at, outcome=outcome, recorded_by=actor
    )
    record(
        actor=actor,
        action=Action.CREATE,
        target=result,
        node_path=person.node.path,
        request=request,
        outcome=outcome,
    )
    return result


# What a person under each measure is said to have left, in an alert that they were seen out.
LEFT = {
    Kind.CENTRAL_QUARANTINE: "集中隔离",
    Kind.HOME_QUARANTINE: "居家隔离",
    Kind.HOME_MONITORING: "居家健康监测",
    Kind.SELF_MONITORING: "自我健康监测",
    Kind.HOSPITAL: "住院治疗",
}


@transaction.atomic
def raise_outing_alert(
    *, actor, person: Person, at: dt.datetime, place: Jurisdiction, place_name: str, reference: str
) -> Alert | None:
    """A person seen out while under a measure (a venue check-in that showed a red code): an alert to their
    caretakers and area, and to the area of `place`. One per `reference` (the event that raised it), so
    that a retried scan raises nothing more. None when the person has no active measure at `at`. `actor`
    is who recorded the sighting (None for a resident's own phone)."""
    measure = (
        Measure.objects.filter(person=person, started_at__lte=at)
        .filter(Q(released_at__isnull=True) | Q(released_at__gt=at))
        .select_related("node")
        .order_by("-started_at")
        .first()
    )
    if measure is None or Alert.objects.filter(reference=reference).exists():
        return None
    local = timezone.localtime(at)
    summary = f"{LEFT.get(measure.kind, measure.get_kind_display())}期间擅自外出：{local:%H:%M}在{place_name}扫码，显示红码"
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                person=person,
                measure=measure,
                kind=AlertKind.OUTING,
                raised_at=at,
                summary=summary[:200],
                place=place,
                reference=reference,
            )
    except IntegrityError:  # the same event raised at once from two requests: the other one won
        return None
    record(
        actor=actor,
        action=Action.CREATE,
        target=alert,
        node_path=measure.node.path,
        kind=AlertKind.OUTING,
        place=place.path,
    )
    return alert


@transaction.atomic
def resolve_alert(*, actor, alert: Alert, resolution: str, request=None) -> Alert:
    scoping.require(actor, scoping.WRITE, alert.measure.node, "无权处置该预警")
    if not resolution.strip():
        raise RuleError({"resolution": "请填写处置结果"})
    changed = Alert.objects.filter(pk=alert.pk, resolved_at=None).update(
        resolved_at=timezone.now(), resolution=resolution.strip()[:200], resolved_by=actor
    )
    if not changed:
        raise RuleError({"__all__": "该预警已处置"}, code="conflict")
    alert.refresh_from_db()
    record(
        actor=actor,
        action=Action.UPDATE,
        target=alert,
        node_path=alert.measure.node.path,
        request=request,
        change="resolve",
    )
    return alert


# Sites are run by a county, a township or a village, not by a grid.
SITE_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)
MAX_ROOMS_AT_ONCE = 500
MAX_BEDS_PER_ROOM = 20


@transaction.atomic
def create_site(
    *,
    actor,
    node: Jurisdiction,
    name: str,
    address: str = "",
    contact_phone: str = "",
    unit: Unit | None = None,
    request=None,
) -> QuarantineSite:
    if node.level not in SITE_LEVELS:
        raise RuleError({"node": "隔离点须属于县（区）、乡镇（街道）或村（社区）"})
    if not scoping.can(actor, scoping.WRITE, node):
        raise RuleError({"node": "无权在该辖区设立隔离点"}, code="forbidden")
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "隔离点名称不能为空"
    elif QuarantineSite.objects.filter(node=node, name=name).exists():
        errors["name"] = "该辖区已有同名隔离点"
    phone = ""
    if (contact_phone or "").strip():
        try:
            phone = normalize_phone(contact_phone)
        except InvalidPhone as exc:
            errors["contact_phone"] = str(exc)
    if unit is not None and not scoping.can(actor, scoping.VIEW, unit.node):
        errors["unit"] = "单位不存在"
    if errors:
        raise RuleError(errors)
    site = QuarantineSite.objects.create(
        node=node, name=name, address=(address or "").strip(), contact_phone=phone, unit=unit
    )
    record(actor=actor, action=Action.CREATE, target=site, node_path=node.path, request=request)
    return site


@transaction.atomic
def add_rooms(
    *, actor, site: QuarantineSite, first: int, last: int, capacity: int, prefix: str = "", request=None
) -> dict:
    """Rooms numbered first…last (e.g. 101–120, optionally with a prefix such as A座) with `capacity`
    beds each. Numbers the site already has are left as they are. Returns the counts."""
    if not scoping.can(actor, scoping.WRITE, site.node):
        raise RuleError({"__all__": "无权修改该隔离点"}, code="forbidden")
    errors: dict[str, str] = {}
    if first < 1 or last < 1:
        errors["first"] = "房间号应为正整数"
    elif last < first:
        errors["last"] = "结束房间号不能小于起始房间号"
    elif last - first + 1 > MAX_ROOMS_AT_ONCE:
        errors["last"] = f"一次最多添加{MAX_ROOMS_AT_ONCE}间"
    if not 1 <= capacity <= MAX_BEDS_PER_ROOM:
        errors["capacity"] = f"每间床位应在1至{MAX_BEDS_PER_ROOM}之间"
    if errors:
        raise RuleError(errors)
    prefix = (prefix or "").strip()
    numbers = [f"{prefix}{n}" for n in range(first, last + 1)]
    existing = set(site.rooms.filter(number__in=numbers).values_list("number", flat=True))
    Room.objects.bulk_create(
        [Room(site=site, number=number, capacity=capacity) for number in numbers if number not in existing]
    )
    counts = {"created": len(numbers) - len(existing), "existing": len(existing)}
    record(
        actor=actor,
        action=Action.UPDATE,
        target=site,
        node_path=site.node.path,
        request=request,
        change="rooms",
        rooms=f"{numbers[0]}–{numbers[-1]}",
        capacity=capacity,
        **counts,
    )
    return counts
