"""Writes of the command: groups and members, tasks, the duty roster, its log and hand-over. Each action
checks the actor's scope, runs in one transaction and writes its audit row there."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.lib.errors import RuleError

from . import queries, rules
from .models import FINISHED, DutyShift, LogEntry, Member, MemberRole, Task, TaskStatus, WorkingGroup

SOON = dt.timedelta(minutes=5)


# Groups --------------------------------------------------------------------------------------------------


@transaction.atomic
def create_group(*, actor, node: Jurisdiction, name: str, duties: str = "", request=None) -> WorkingGroup:
    scoping.require(actor, scoping.WRITE, node, "无权在该辖区设置工作组")
    name = name.strip()
    if not name:
        raise RuleError({"name": "组名不能为空"})
    if WorkingGroup.objects.filter(node=node, name=name).exists():
        raise RuleError({"name": f"已有工作组“{name}”"}, code="duplicate")
    position = WorkingGroup.objects.filter(node=node).count() + 1
    group = WorkingGroup.objects.create(
        node=node, name=name[:50], duties=duties.strip()[:300], position=position
    )
    record(actor=actor, action=Action.CREATE, target=group, node_path=node.path, request=request)
    return group


@transaction.atomic
def create_preset_groups(*, actor, node: Jurisdiction, request=None) -> list[WorkingGroup]:
    """一办七组 at the node; groups it already has (by name) are kept as they are."""
    scoping.require(actor, scoping.WRITE, node, "无权在该辖区设置工作组")
    have = set(WorkingGroup.objects.filter(node=node).values_list("name", flat=True))
    made = [
        create_group(actor=actor, node=node, name=name, duties=duties, request=request)
        for name, duties in rules.PRESET_GROUPS
        if name not in have
    ]
    return made


@transaction.atomic
def update_group(
    *, actor, group: WorkingGroup, name: str, duties: str, active: bool, request=None
) -> WorkingGroup:
    scoping.require(actor, scoping.WRITE, group.node, "无权修改该工作组")
    name = name.strip()
    if not name:
        raise RuleError({"name": "组名不能为空"})
    if WorkingGroup.objects.filter(node=group.node, name=name).exclude(pk=group.pk).exists():
        raise RuleError({"name": f"已有工作组“{name}”"}, code="duplicate")
    group.name, group.duties, group.active = name[:50], duties.strip()[:300], active
    group.save(update_fields=["name", "duties", "active"])
    record(actor=actor, action=Action.UPDATE, target=group, node_path=group.node.path, request=request)
    return group


@transaction.atomic
def add_member(
    *,
    actor,
    group: WorkingGroup,
    name: str,
    role: str = MemberRole.MEMBER,
    title: str = "",
    phone: str = "",
    request=None,
) -> Member:
    scoping.require(actor, scoping.WRITE, group.node, "无权修改该工作组")
    if not name.strip():
        raise RuleError({"name": "姓名不能为空"})
    if role not in MemberRole.values:
        raise RuleError({"role": "职务无效"})
    member = Member.objects.create(
        group=group, name=name.strip()[:50], role=role, title=title[:100], phone=phone[:20]
    )
    record(
        actor=actor,
        action=Action.UPDATE,
        target=group,
        node_path=group.node.path,
        request=request,
        change="add_member",
        member=member.name,
    )
    return member


@transaction.atomic
def remove_member(*, actor, member: Member, request=None) -> None:
    group = member.group
    scoping.require(actor, scoping.WRITE, group.node, "无权修改该工作组")
    record(
        actor=actor,
        action=Action.UPDATE,
        target=group,
        node_path=group.node.path,
        request=request,
        change="remove_member",
        member=member.name,
    )
    member.delete()


# Tasks ---------------------------------------------------------------------------------------------------


@transaction.atomic
def create_task(
    *,
    actor,
    node: Jurisdiction,
    title: str,
    owner: str,
    deadline: dt.datetime,
    group: WorkingGroup | None = None,
    detail: str = "",
    import_key: str = "",
    request=None,
) -> Task:
    scoping.require(actor, scoping.WRITE, node, "无权向该辖区交办任务")
    errors = {}
    if not title.strip():
        errors["title"] = "任务不能为空"
    if not owner.strip():
        errors["owner"] = "责任人不能为空"
    if timezone.is_naive(deadline):
        errors["deadline"] = "时间须带时区"
    if (
        group is not None
        and not node.path.startswith(group.node.path)
        and not group.node.path.startswith(node.path)
    ):
        errors["group"] = "工作组不属于该辖区"
    if errors:
        raise RuleError(errors)
    task = Task.objects.create(
        node=node,
        group=group,
        title=title.strip()[:200],
        owner=owner.strip()[:50],
        deadline=deadline,
        detail=detail,
        created_by=actor if getattr(actor, "pk", None) else None,
        import_key=import_key,
    )
    record(actor=actor, action=Action.CREATE, target=task, node_path=node.path, request=request)
    return task


@transaction.atomic
def update_task(
    *, actor, task: Task, owner: str, deadline: dt.datetime, group: WorkingGroup | None, request=None
) -> Task:
    """A task's owner, deadline or group changed (a re-imported ledger row): audited with what changed."""
    scoping.require(actor, scoping.WRITE, task.node, "无权办理该任务")
    if not owner.strip():
        raise RuleError({"owner": "责任人不能为空"})
    before = {"owner": task.owner, "deadline": task.deadline.isoformat(), "group": task.group_id}
    task.owner, task.deadline, task.group = owner.strip()[:50], deadline, group
    after = {"owner": task.owner, "deadline": task.deadline.isoformat(), "group": task.group_id}
    task.save(update_fields=["owner", "deadline", "group"])
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    record(
        actor=actor, action=Action.UPDATE, target=task, node_path=task.node.path, request=request, **changed
    )
    return task


@transaction.atomic
def set_task_status(
    *, actor, task: Task, status: str, note: str = "", at: dt.datetime | None = None, request=None
) -> Task:
    scoping.require(actor, scoping.WRITE, task.node, "无权办理该任务")
    if status not in TaskStatus.values:
        raise RuleError({"status": "状态无效"})
    at = at or timezone.now()
    if at > timezone.now() + SOON:
        raise RuleError({"at": "时间不能晚于现在"})
    task.status = status
    task.note = (note or task.note)[:500]
    task.finished_at = at if status in FINISHED else None
    task.save(update_fields=["status", "note", "finished_at"])
    record(
        actor=actor,
        action=Action.UPDATE,
        target=task,
        node_path=task.node.path,
        request=request,
        status=status,
    )
    return task


# Duty roster ---------------------------------------------------------------------------------------------


@transaction.atomic
def schedule_shift(
    *,
    actor,
    node: Jurisdiction,
    day: dt.date,
    leader: str,
    officers: str,
    leader_phone: str = "",
    phone: str = "",
    request=None,
) -> DutyShift:
    """Put a day on the roster (or change who is on it): the shift's hours come from the policy."""
    scoping.require(actor, scoping.WRITE, node, "无权排班")
    errors = {}
    if not leader.strip():
        errors["leader"] = "带班领导不能为空"
    if not officers.strip():
        errors["officers"] = "值班人员不能为空"
    if errors:
        raise RuleError(errors)
    starts, hours = queries.duty_policy(node, day)
    start, end = rules.shift_bounds(day, starts, hours)
    values = {
        "starts_at": start,
        "ends_at": end,
        "leader": leader.strip()[:50],
        "leader_phone": leader_phone[:20],
        "officers": officers.strip()[:200],
        "phone": phone[:20],
    }
    shift = DutyShift.objects.select_for_update().filter(node=node, day=day).first()
    if shift is None:
        try:
            with transaction.atomic():
                shift = DutyShift.objects.create(node=node, day=day, **values)
        except IntegrityError:
            raise RuleError({"day": "该日已排班，请刷新后修改"}, code="conflict") from None
        change = "schedule"
    else:
        if shift.handed_over_at is not None:
            raise RuleError({"day": "该班次已交班，不能再修改"})
        for name, value in values.items():
            setattr(shift, name, value)
        shift.save()
        change = "reschedule"
    record(
        actor=actor,
        action=Action.UPDATE if change == "reschedule" else Action.CREATE,
        target=shift,
        node_path=node.path,
        request=request,
        change=change,
        day=day.isoformat(),
    )
    return shift


@transaction.atomic
def add_log_entry(
    *, actor, shift: DutyShift, at: dt.datetime, text: str, action_taken: str = "", request=None
) -> LogEntry:
    scoping.require(actor, scoping.WRITE, shift.node, "无权记录该班次的值班日志")
    if timezone.is_naive(at):
        raise RuleError({"at": "时间须带时区"})
    if not rules.in_shift(at, shift.starts_at, shift.ends_at):
        raise RuleError(
            {
                "at": "时间不在本班次内（{}—{}）".format(
                    timezone.localtime(shift.starts_at).strftime("%m-%d %H:%M"),
                    timezone.localtime(shift.ends_at).strftime("%m-%d %H:%M"),
                )
            }
        )
    if at > timezone.now() + SOON:
        raise RuleError({"at": "时间不能晚于现在"})
    if shift.handed_over_at is not None:
        raise RuleError({"__all__": "该班次已交班，日志不能再添加"})
    if not text.strip():
        raise RuleError({"text": "事项不能为空"})
    entry = LogEntry.objects.create(
        shift=shift,
        at=at,
        text=text.strip()[:500],
        action_taken=action_taken.strip()[:500],
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    record(
        actor=actor,
        action=Action.UPDATE,
        target=shift,
        node_path=shift.node.path,
        request=request,
        change="log",
        at=at.isoformat(),
    )
    return entry


@transaction.atomic
def hand_over(
    *, actor, shift: DutyShift, note: str, received_by: str, at: dt.datetime | None = None, request=None
) -> DutyShift:
    """Hand the shift over (交接班): what the next shift must follow up, and who took it over. Allowed
    from one hour before the shift ends; once handed over the shift's log is closed."""
    scoping.require(actor, scoping.WRITE, shift.node, "无权交班")
    shift = DutyShift.objects.select_for_update().get(pk=shift.pk)
    at = at or timezone.now()
    if shift.handed_over_at is not None:
        raise RuleError({"__all__": "该班次已交班"}, code="conflict")
    if at > timezone.now() + SOON:
        raise RuleError({"at": "时间不能晚于现在"})
    if at < shift.ends_at - dt.timedelta(hours=1):
        raise RuleError({"at": "未到交班时间（班次结束前1小时内方可交班）"})
    if not received_by.strip():
        raise RuleError({"received_by": "接班人不能为空"})
    shift.handover_note, shift.received_by = note.strip(), received_by.strip()[:50]
    shift.handed_over_at = at
    shift.handed_over_by = actor if getattr(actor, "pk", None) else None
    shift.save(update_fields=["handover_note", "received_by", "handed_over_at", "handed_over_by"])
    record(
        actor=actor,
        action=Action.UPDATE,
        target=shift,
        node_path=shift.node.path,
        request=request,
        change="hand_over",
    )
    return shift
