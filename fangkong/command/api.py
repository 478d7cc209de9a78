"""JSON API of the command: groups, tasks, the duty roster, the shift on duty now, log entries and the
hand-over; the same scoped queries and actions as the pages."""

from ninja import Query, Router
from ninja.responses import Status

from fangkong.grid import scoping
from fangkong.grid.schemas import Id, error_responses
from fangkong.inspections.schemas import aware

from . import actions, queries
from .schemas import (
    GroupOut,
    HandOverIn,
    LogEntryIn,
    LogEntryOut,
    ShiftFilterIn,
    ShiftIn,
    ShiftOut,
    TaskFilterIn,
    TaskIn,
    TaskOut,
    TaskPageOut,
    TaskStatusIn,
)

router = Router(tags=["指挥值班"])
READ_ERRORS = error_responses(401, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)


@router.get("/command/groups", response={200: list[GroupOut], **READ_ERRORS}, summary="工作组及成员")
def list_groups(request):
    return list(queries.groups_visible_to(request.auth).select_related("node").prefetch_related("members"))


@router.get("/command/tasks", response={200: TaskPageOut, **READ_ERRORS}, summary="任务列表")
def list_tasks(request, filters: Query[TaskFilterIn]):
    rows = queries.filter_tasks(queries.tasks_visible_to(request.auth), state=filters.state)
    return {"count": rows.count(), "items": list(rows[filters.offset : filters.offset + filters.limit])}


@router.post("/command/tasks", response={201: TaskOut, **WRITE_ERRORS}, summary="交办任务")
def create_task(request, payload: TaskIn):
    node = scoping.access_jurisdiction(request.auth, payload.node, capability=scoping.WRITE)
    group = queries.access_group(request.auth, payload.group) if payload.group else None
    task = actions.create_task(
        actor=request.auth,
        node=node,
        group=group,
        title=payload.title,
        owner=payload.owner,
        deadline=aware(payload.deadline),
        detail=payload.detail,
    )
    return Status(201, task)


@router.get("/command/tasks/{task_id}", response={200: TaskOut, **READ_ERRORS}, summary="一项任务")
def get_task(request, task_id: Id):
    return queries.access_task(request.auth, task_id)


@router.post(
    "/command/tasks/{task_id}/status", response={200: TaskOut, **WRITE_ERRORS}, summary="更新任务状态"
)
def set_task_status(request, task_id: Id, payload: TaskStatusIn):
    task = queries.access_task(request.auth, task_id, write=True)
    return actions.set_task_status(actor=request.auth, task=task, status=payload.status, note=payload.note)


@router.get("/command/duty", response={200: list[ShiftOut], **READ_ERRORS}, summary="值班表")
def list_shifts(request, filters: Query[ShiftFilterIn]):
    rows = queries.shifts_visible_to(request.auth).select_related("node").order_by("day", "node__path")
    if filters.date_from:
        rows = rows.filter(day__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(day__lte=filters.date_to)
    return list(rows[:500])


@router.get("/command/duty/now", response={200: list[ShiftOut], **READ_ERRORS}, summary="当前在岗的值班")
def on_duty_now(request):
    return queries.on_duty_for(request.auth)


@router.post("/command/duty", response={201: ShiftOut, **WRITE_ERRORS}, summary="排班（或修改某日排班）")
def schedule_shift(request, payload: ShiftIn):
    node = scoping.access_jurisdiction(request.auth, payload.node, capability=scoping.WRITE)
    shift = actions.schedule_shift(
        actor=request.auth,
        node=node,
        day=payload.day,
        leader=payload.leader,
        leader_phone=payload.leader_phone,
        officers=payload.officers,
        phone=payload.phone,
    )
    return Status(201, shift)


@router.post(
    "/command/duty/{shift_id}/entries", response={201: LogEntryOut, **WRITE_ERRORS}, summary="记录值班日志"
)
def add_entry(request, shift_id: Id, payload: LogEntryIn):
    shift = queries.access_shift(request.auth, shift_id, write=True)
    entry = actions.add_log_entry(
        actor=request.auth,
        shift=shift,
        at=aware(payload.at),
        text=payload.text,
        action_taken=payload.action_taken,
    )
    return Status(201, entry)


@router.post("/command/duty/{shift_id}/handover", response={200: ShiftOut, **WRITE_ERRORS}, summary="交班")
def hand_over(request, shift_id: Id, payload: HandOverIn):
    shift = queries.access_shift(request.auth, shift_id, write=True)
    return actions.hand_over(
        actor=request.auth, shift=shift, note=payload.note, received_by=payload.received_by
    )
