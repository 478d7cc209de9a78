"""Writes of cases: report, edit, events (§12 transitions), investigation milestones, trajectory entries.
Each action checks the actor's scope, runs in one transaction and writes its audit row there."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.healthcodes.identity import identity_for_person
from fangkong.healthcodes.models import Identity
from fangkong.lib.errors import RuleError, StaleEdit
from fangkong.registry.models import Person
from fangkong.tracing import rules
from fangkong.tracing.models import (
    Case,
    CaseEvent,
    ClinicalType,
    ClockAlert,
    EntryKind,
    EventKind,
    Source,
    TrajectoryEntry,
)
from fangkong.tracing.queries import clocks_of

# What update_case may change; kind and outcome change only through events.
EDITABLE = (
    "clinical_type",
    "source",
    "origin_text",
    "onset_on",
    "sampled_at",
    "diagnosed_at",
    "reported_at",
    "isolated_at",
    "found_by_routine_testing",
    "last_negative_at",
    "hospital",
    "infected_by",
    "notes",
)
SOON = dt.timedelta(minutes=5)  # clocks of devices differ: "now" is allowed a little ahead


def county_code(node: Jurisdiction) -> str:
    """The 6-digit county code above (or of) the node, for case numbers."""
    for code in node.path.strip("/").split("/"):
        if len(code) == 6 and code.isdigit():
            return code
    return node.code[:6]


def next_number(node: Jurisdiction, year: int) -> str:
    """BL-<county>-<year>-<seq>: the next free sequence number of the county in that year."""
    prefix = f"BL-{county_code(node)}-{year}-"
    taken = Case.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    seq = max((int(n[len(prefix) :]) for n in taken if n[len(prefix) :].isdigit()), default=0) + 1
    return f"{prefix}{seq:04d}"


def _check_fields(fields: dict, *, now: dt.datetime) -> None:
    errors = {}
    for name in ("sampled_at", "diagnosed_at", "reported_at", "isolated_at", "last_negative_at"):
        moment = fields.get(name)
        if moment is not None and timezone.is_naive(moment):
            errors[name] = "时间须带时区"
        elif moment is not None and moment > now + SOON:
            errors[name] = "时间不能晚于现在"
    onset = fields.get("onset_on")
    if onset is not None and onset > timezone.localdate(now):
        errors["onset_on"] = "发病日期不能晚于今天"
    diagnosed = fields.get("diagnosed_at")
    reported = fields.get("reported_at")
    if diagnosed and reported and reported < diagnosed - dt.timedelta(days=1):
        errors["reported_at"] = "网络直报时间不能早于诊断时间"
    if fields.get("clinical_type") and fields["clinical_type"] not in ClinicalType.values:
        errors["clinical_type"] = "请选择临床分型"
    if fields.get("source") and fields["source"] not in Source.values:
        errors["source"] = "请选择感染来源"
    if errors:
        raise RuleError(errors)


@transaction.atomic
def report_case(
    *,
    actor,
    node: Jurisdiction,
    kind: str,
    diagnosed_at: dt.datetime,
    person: Person | None = None,
    identity: Identity | None = None,
    number: str = "",
    request=None,
    **fields,
) -> Case:
    """A new case: suspected, confirmed or asymptomatic, of a registry person or, when they are not
    registered here, of a code identity. Its number is given or made (BL-<county>-<year>-<seq>), and its
    first event is its kind at diagnosis."""
    scoping.require(actor, scoping.WRITE, node, "无权在该辖区报告病例")
    if node.level not in (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GRID):
        raise RuleError({"node": "病例须属于县（区）及以下辖区"})
    if person is None and identity is None:
        raise RuleError({"person": "请选择病例本人（实有人口或码证身份）"})
    if person is not None and not scoping.can(actor, scoping.VIEW, person.node):
        raise RuleError({"person": "人员不存在"})
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise RuleError({name: "不是可填写的病例信息" for name in sorted(unknown)})
    now = timezone.now()
    _check_fields({**fields, "diagnosed_at": diagnosed_at}, now=now)
    kind, outcome = rules.next_kind(None, "", kind)
    if person is not None and identity is None:
        identity = identity_for_person(person)  # its check-ins are what the co-presence search reads
    # A retry (the same person, kind and diagnosis time) returns the case it made.
    same = Case.objects.filter(identity=identity, kind=kind, diagnosed_at=diagnosed_at)
    if number:
        same = same.filter(number=number.strip())
    if (retried := same.first()) is not None:
        return retried
    if number:
        number = number.strip()
        if Case.objects.filter(number=number).exists():
            raise RuleError({"number": f"病例编号{number}已存在"}, code="duplicate")
    year = diagnosed_at.astimezone(rules.SHANGHAI).year
    for _attempt in range(5):
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    number=number or next_number(node, year),
                    person=person,
                    identity=identity,
                    node=node,
                    kind=kind,
                    outcome=outcome,
                    diagnosed_at=diagnosed_at,
                    recorded_by=actor,
                    **fields,
                )
            break
        except IntegrityError:
            if number:
                raise RuleError({"number": f"病例编号{number}已存在"}, code="duplicate") from None
    else:
        raise RuleError({"number": "病例编号冲突，请重试"}, code="conflict")
    CaseEvent.objects.create(case=case, kind=kind, at=diagnosed_at, note="报告", recorded_by=actor)
    record(actor=actor, action=Action.CREATE, target=case, node_path=node.path, request=request, kind=kind)
    return case


@transaction.atomic
def update_case(*, actor, case: Case, version: int, request=None, **fields) -> Case:
    """Edit a case's facts. Refused with a clear message when someone saved it since `version` was read."""
    scoping.require(actor, scoping.WRITE, case.node, "无权修改该病例")
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise RuleError({name: "不是可修改的病例信息" for name in sorted(unknown)})
    _check_fields(fields, now=timezone.now())
    infected_by = fields.get("infected_by")
    if infected_by is not None and (
        infected_by.pk == case.pk or not scoping.can(actor, scoping.VIEW, infected_by.node)
    ):
        raise RuleError({"infected_by": "传染来源病例不存在"})
    changed = {k: v for k, v in fields.items() if getattr(case, k) != v}
    updated = Case.objects.filter(pk=case.pk, version=version).update(**fields, version=F("version") + 1)
    if not updated:
        raise StaleEdit("该病例")
    case.refresh_from_db()
    record(
        actor=actor,
        action=Action.UPDATE,
        target=case,
        node_path=case.node.path,
        request=request,
        fields=sorted(changed),
    )
    resolve_alerts(case)
    return case


@transaction.atomic
def record_event(*, actor, case: Case, kind: str, at: dt.datetime, note: str = "", request=None) -> CaseEvent:
    """A transition of the case (§12): confirmed, excluded, discharged, died. Refused, saying why, when
    the case's state does not allow it. Retried with the same kind and time, it records nothing twice."""
    scoping.require(actor, scoping.WRITE, case.node, "无权变更该病例")
    if kind not in EventKind.values:
        raise RuleError({"kind": "请选择病例转归"})
    if at > timezone.now() + SOON:
        raise RuleError({"at": "时间不能晚于现在"})
    same = CaseEvent.objects.filter(case=case, kind=kind, at=at).first()
    if same is not None:
        return same
    case = Case.objects.select_for_update().get(pk=case.pk)
    last = CaseEvent.objects.filter(case=case).order_by("-at", "-id").first()
    if last is not None and at < last.at:
        raise RuleError(
            {"at": f"时间不能早于上一次转归（{last.at.astimezone(rules.SHANGHAI):%Y-%m-%d %H:%M}）"}
        )
    new_kind, outcome = rules.next_kind(case.kind, case.outcome, kind)
    event = CaseEvent.objects.create(case=case, kind=kind, at=at, note=note.strip()[:200], recorded_by=actor)
    Case.objects.filter(pk=case.pk).update(kind=new_kind, outcome=outcome, version=F("version") + 1)
    record(
        actor=actor,
        action=Action.UPDATE,
        target=case,
        node_path=case.node.path,
        request=request,
        change="event",
        event=kind,
        at=at.isoformat(),
    )
    return event


@transaction.atomic
def mark_investigation(
    *,
    actor,
    case: Case,
    core_at: dt.datetime | None = None,
    report_at: dt.datetime | None = None,
    request=None,
) -> Case:
    """The core information (who, where, whom) and the investigation report done at these times; the
    clocks stop, and their alerts are resolved."""
    scoping.require(actor, scoping.WRITE, case.node, "无权修改该病例")
    if core_at is None and report_at is None:
        raise RuleError({"__all__": "请填写完成时间"})
    now = timezone.now()
    errors = {}
    for name, moment in (("core_at", core_at), ("report_at", report_at)):
        if moment is not None and moment > now + SOON:
            errors[name] = "完成时间不能晚于现在"
        elif moment is not None and moment < case.diagnosed_at - dt.timedelta(days=1):
            errors[name] = "完成时间不能早于诊断时间"
    if errors:
        raise RuleError(errors)
    updates = {}
    if core_at is not None:
        updates["core_investigation_done_at"] = core_at
    if report_at is not None:
        updates["investigation_done_at"] = report_at
        if case.core_investigation_done_at is None and core_at is None:
            updates["core_investigation_done_at"] = report_at  # a full report holds the core information
    Case.objects.filter(pk=case.pk).update(**updates, version=F("version") + 1)
    case.refresh_from_db()
    record(
        actor=actor,
        action=Action.UPDATE,
        target=case,
        node_path=case.node.path,
        request=request,
        change="investigation",
        **{k: v.isoformat() for k, v in updates.items()},
    )
    resolve_alerts(case)
    return case


def resolve_alerts(case: Case, now: dt.datetime | None = None) -> None:
    """Alerts of clocks that are now done are resolved (the clocks' check lives in queries)."""
    done = [s.clock for s in clocks_of(case, now) if s.done_at is not None]
    if done:
        ClockAlert.objects.filter(case=case, clock__in=done, resolved_at=None).update(
            resolved_at=now or timezone.now()
        )


ENTRY_FIELDS = ("kind", "starts_at", "ends_at", "place", "venue", "vehicle", "seat", "notes")


@transaction.atomic
def add_entry(*, actor, case: Case, request=None, **fields) -> TrajectoryEntry:
    """A place and time the investigator adds to the trajectory (home, workplace, a vehicle with its seat,
    a meal, a gathering). The same entry given twice is kept once."""
    scoping.require(actor, scoping.WRITE, case.node, "无权修改该病例的流调信息")
    unknown = set(fields) - set(ENTRY_FIELDS)
    if unknown:
        raise RuleError({name: "不是可填写的轨迹信息" for name in sorted(unknown)})
    errors = {}
    if fields.get("kind") not in EntryKind.values:
        errors["kind"] = "请选择轨迹类别"
    starts_at, ends_at = fields.get("starts_at"), fields.get("ends_at")
    if starts_at is None:
        errors["starts_at"] = "开始时间不能为空"
    elif ends_at is not None and ends_at < starts_at:
        errors["ends_at"] = "结束时间不能早于开始时间"
    place = (fields.get("place") or "").strip()
    venue = fields.get("venue")
    if not place and venue is not None:
        place = venue.name
    if not place:
        errors["place"] = "地点不能为空"
    if fields.get("kind") == EntryKind.VEHICLE and not (fields.get("vehicle") or "").strip():
        errors["vehicle"] = "请填写车次或车牌"
    if errors:
        raise RuleError(errors)
    fields = {**fields, "place": place[:200]}
    for name in ("vehicle", "seat", "notes"):
        fields[name] = (fields.get(name) or "").strip()
    existing = TrajectoryEntry.objects.filter(case=case, **fields).first()
    if existing is not None:
        return existing
    entry = TrajectoryEntry.objects.create(case=case, recorded_by=actor, **fields)
    record(
        actor=actor,
        action=Action.UPDATE,
        target=case,
        node_path=case.node.path,
        request=request,
        change="entry_added",
        entry=entry.pk,
    )
    return entry


@transaction.atomic
def remove_entry(*, actor, entry: TrajectoryEntry, request=None) -> None:
    case = entry.case
    scoping.require(actor, scoping.WRITE, case.node, "无权修改该病例的流调信息")
    pk, label = entry.pk, str(entry)
    deleted, _ = TrajectoryEntry.objects.filter(pk=pk).delete()
    if deleted:
        record(
            actor=actor,
            action=Action.UPDATE,
            target=case,
            node_path=case.node.path,
            request=request,
            change="entry_removed",
            entry=pk,
            label=label,
        )


def record_case_view(*, actor, case: Case, request=None) -> None:
    """The case page shows the case's and their contacts' personal data: audited as a view of the person
    (or of the code identity when they are not registered here), naming the case it was seen through."""
    record(
        actor=actor,
        action=Action.VIEW_PERSON,
        target=case.person or case.identity,
        node_path=case.node.path,
        request=request,
        page="case",
        case=case.pk,
    )
