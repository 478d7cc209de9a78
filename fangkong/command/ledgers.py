"""The duty roster (值班表) and the task ledger (任务督办台账) in and out, through imports/.

值班表 rows: 日期, 带班领导, 领导电话, 值班人员, 值班电话, as the county office prints it for the month. A row
puts that day on the chosen node's roster (its hours from the policy); a day already on it with the same
people is unchanged, with other people it is updated (unless already handed over). All or nothing.
任务督办台账 rows: 任务, 工作组, 承办辖区, 责任人, 完成时限, 状态, 办理情况, 办结时间 (the columns of the
export). A row is a task of the named node under the chosen one (the chosen one when empty), known again
by its node and title: the same row again is unchanged, a changed owner, deadline, group, status or note
updates it. All or nothing.
"""

import datetime as dt
import hashlib
import re

from django.utils import timezone, translation

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.imports.reading import Column, read_table
from fangkong.imports.results import ImportResult, write_all
from fangkong.imports.values import format_date, parse_date, text
from fangkong.imports.writing import LedgerSheet, rejected_workbook
from fangkong.lib.errors import RuleError

from . import actions, rules
from .models import FINISHED, DutyShift, Task, TaskStatus, WorkingGroup

LEDGER = "值班表"
COLUMNS = (
    Column("number", "序号", ("编号",), content=False),
    Column("day", "日期", ("值班日期", "值班时间", "时间")),
    Column("weekday", "星期", ("周",), content=False),
    Column("leader", "带班领导", ("带班领导姓名", "领导带班", "带班", "值班领导")),
    Column("leader_phone", "领导电话", ("带班领导电话", "领导联系电话")),
    Column("officers", "值班人员", ("值班人", "值班干部", "值班员")),
    Column("phone", "值班电话", ("联系电话", "电话")),
)
FIELDS = ("leader", "leader_phone", "officers", "phone")


def import_duty(
    *, actor, node: Jurisdiction, data: bytes, filename: str, dry_run: bool = False, request=None
) -> ImportResult:
    scoping.require(actor, scoping.WRITE, node, "无权为该辖区导入值班表", field="node")
    table = read_table(data, filename, COLUMNS, required=("day", "leader", "officers"))
    result = ImportResult(dry_run=dry_run, table=table)
    today = timezone.localdate()
    planned, seen = [], {}
    for row in table.rows:
        result.rows += 1
        n, before = row.number, len(result.rejected)
        try:
            day, note = parse_date(table.value(row, "day"), today=today + dt.timedelta(days=366))
        except ValueError as exc:
            result.reject(n, table.label("day"), str(exc))
            day = None
        else:
            if day is None:
                result.reject(n, table.label("day"), "日期不能为空")
            elif day in seen:
                result.reject(n, table.label("day"), f"与第{seen[day]}行日期重复")
            elif note:
                result.warn(n, table.label("day"), note)
        values = {name: text(table.value(row, name)) for name in FIELDS}
        if not values["leader"]:
            result.reject(n, table.label("leader"), "带班领导不能为空")
        if not values["officers"]:
            result.reject(n, table.label("officers"), "值班人员不能为空")
        if len(result.rejected) > before:
            continue
        seen[day] = n
        planned.append((n, day, values))
    existing = {s.day: s for s in DutyShift.objects.filter(node=node, day__in=[p[1] for p in planned])}
    writes = []
    for n, day, values in planned:
        shift = existing.get(day)
        if shift is None:
            result.created += 1
        elif all(getattr(shift, k) == values[k] for k in FIELDS):
            result.unchanged += 1
            continue
        elif shift.handed_over_at is not None:
            result.reject(n, table.label("day"), "该日班次已交班，不能再修改")
            continue
        else:
            result.updated += 1
        result.plan.append({"row": n, "day": day.isoformat(), "leader": values["leader"]})
        writes.append((day, values))

    def write():
        for day, values in writes:
            actions.schedule_shift(actor=actor, node=node, day=day, request=request, **values)

    return write_all(
        result,
        actor=actor,
        target=node,
        node_path=node.path,
        ledger=LEDGER,
        filename=filename,
        request=request,
        write=write,
    )


def rejected_rows_workbook(result: ImportResult) -> bytes | None:
    if not result.rejected or result.table is None:
        return None
    return rejected_workbook(result.table, result.rejected_rows, title=f"{LEDGER}（未导入的行）")


WEEKDAYS = "一二三四五六日"


def export_duty(
    *, actor, node: Jurisdiction, date_from: dt.date, date_to: dt.date, request=None
) -> tuple[str, bytes]:
    if not scoping.can(actor, scoping.VIEW, node):
        raise RuleError({"node": "无权导出该辖区的值班表"}, code="forbidden")
    shifts = DutyShift.objects.filter(node=node, day__gte=date_from, day__lte=date_to).order_by("day")
    headers = ["序号", "日期", "星期", "带班领导", "领导电话", "值班人员", "值班电话", "交班时间", "接班人"]
    rows = [
        [
            i,
            format_date(s.day),
            f"星期{WEEKDAYS[s.day.weekday()]}",
            s.leader,
            s.leader_phone,
            s.officers,
            s.phone,
            f"{timezone.localtime(s.handed_over_at):%Y-%m-%d %H:%M}" if s.handed_over_at else "",
            s.received_by,
        ]
        for i, s in enumerate(shifts, start=1)
    ]
    sheet = LedgerSheet(LEDGER)
    sheet.title(f"{node.name}疫情防控24小时{LEDGER}", width=len(headers))
    sheet.line(f"{format_date(date_from)} 至 {format_date(date_to)}", width=len(headers))
    sheet.header(headers, widths=[6, 14, 8, 12, 14, 24, 14, 18, 10])
    sheet.rows(rows, text_columns=[4, 6])
    record(
        actor=actor,
        action=Action.EXPORT,
        target=node,
        node_path=node.path,
        request=request,
        ledger=LEDGER,
        rows=len(rows),
    )
    return f"{LEDGER}_{node.name}_{date_from:%Y%m%d}.xlsx", sheet.save()


TASK_LEDGER = "任务督办台账"


def export_tasks(*, actor, node: Jurisdiction, request=None) -> tuple[str, bytes]:
    if not scoping.can(actor, scoping.VIEW, node):
        raise RuleError({"node": "无权导出该辖区的任务"}, code="forbidden")
    now = timezone.now()
    tasks = (
        Task.objects.filter(node__path__startswith=node.path)
        .select_related("node", "group")
        .order_by("deadline", "id")
    )
    headers = [
        "序号",
        "任务",
        "工作组",
        "承办辖区",
        "责任人",
        "完成时限",
        "状态",
        "是否超时",
        "办理情况",
        "办结时间",
    ]
    with translation.override("zh-hans"):
        rows = [
            [
                i,
                t.title,
                t.group.name if t.group else "",
                t.node.name,
                t.owner,
                f"{timezone.localtime(t.deadline):%Y-%m-%d %H:%M}",
                t.get_status_display(),
                "是" if rules.task_overdue(t.deadline, t.status, now) else "",
                t.note,
                f"{timezone.localtime(t.finished_at):%Y-%m-%d %H:%M}" if t.finished_at else "",
            ]
            for i, t in enumerate(tasks, start=1)
        ]
    sheet = LedgerSheet(TASK_LEDGER)
    sheet.title(f"{node.name}{TASK_LEDGER}", width=len(headers))
    sheet.header(headers, widths=[6, 30, 12, 14, 10, 18, 8, 8, 30, 18])
    sheet.rows(rows)
    record(
        actor=actor,
        action=Action.EXPORT,
        target=node,
        node_path=node.path,
        request=request,
        ledger=TASK_LEDGER,
        rows=len(rows),
    )
    return f"{TASK_LEDGER}_{node.name}_{timezone.localdate():%Y%m%d}.xlsx", sheet.save()


TASK_COLUMNS = (
    Column("number", "序号", ("编号",), content=False),
    Column("title", "任务", ("任务名称", "任务内容", "工作任务", "督办事项", "事项")),
    Column("group", "工作组", ("责任组", "牵头组", "工作专班")),
    Column("node", "承办辖区", ("承办单位", "责任单位", "辖区", "承办")),
    Column("owner", "责任人", ("负责人", "牵头人", "联系人")),
    Column("deadline", "完成时限", ("时限", "截止时间", "完成时间", "办结时限", "截止日期")),
    Column("status", "状态", ("办理状态", "进展", "完成情况")),
    Column("overdue", "是否超时", ("超时",), content=False),
    Column("note", "办理情况", ("备注", "办理结果")),
    Column("finished_at", "办结时间", ("完成日期", "办结日期")),
)
END_OF_DAY = dt.time(23, 59)  # a deadline written as a day means by the end of that day
_TIME = re.compile(r"(\d{1,2})\s*[:：时点]\s*(\d{1,2})?")


def _moment(value, *, today: dt.date, label: str) -> dt.datetime | None:
    """A deadline cell: an Excel date-time, or a day with an optional time (2022-05-06 18:00, 5月6日18时)."""
    if isinstance(value, dt.datetime):
        return timezone.make_aware(value, rules.SHANGHAI) if timezone.is_naive(value) else value
    raw = "" if isinstance(value, dt.date | int | float) else text(value)
    rest = ""
    if "日" in raw:
        raw, rest = raw.split("日", 1)[0] + "日", raw.split("日", 1)[1]
    elif " " in raw:
        raw, rest = raw.split(" ", 1)
    day, _note = parse_date(raw or value, today=today + dt.timedelta(days=366))
    if day is None:
        return None
    at = END_OF_DAY
    if match := _TIME.search(rest):
        hour, minute = int(match[1]), int(match[2] or 0)
        if hour > 23 or minute > 59:
            raise ValueError(f"{label}的时间“{rest.strip()}”不存在")
        at = dt.time(hour, minute)
    return dt.datetime.combine(day, at, tzinfo=rules.SHANGHAI)


def task_key(node: Jurisdiction, title: str) -> str:
    """How a re-imported row finds its task: its node and title."""
    return hashlib.sha256(f"{node.code}|{' '.join(title.split())}".encode()).hexdigest()[:64]


def import_tasks(
    *, actor, node: Jurisdiction, data: bytes, filename: str, dry_run: bool = False, request=None
) -> ImportResult:
    scoping.require(actor, scoping.WRITE, node, "无权为该辖区导入任务", field="node")
    table = read_table(data, filename, TASK_COLUMNS, required=("title", "owner", "deadline"))
    result = ImportResult(dry_run=dry_run, table=table)
    today = timezone.localdate()
    nodes_by_name: dict[str, list[Jurisdiction]] = {}
    for n in scoping.visible_jurisdictions(actor, scoping.WRITE).filter(path__startswith=node.path):
        nodes_by_name.setdefault(n.name, []).append(n)
    ancestors = node.path.strip("/").split("/")
    groups = {}
    for g in WorkingGroup.objects.filter(active=True).select_related("node"):
        if g.node.code in ancestors or g.node.path.startswith(node.path):
            groups.setdefault(g.name, []).append(g)
    planned, seen = [], {}
    for row in table.rows:
        result.rows += 1
        n, before = row.number, len(result.rejected)
        title = " ".join(text(table.value(row, "title")).split())
        owner = text(table.value(row, "owner"))
        if not title:
            result.reject(n, table.label("title"), "任务不能为空")
        elif len(title) > 200:
            result.reject(n, table.label("title"), "任务不能超过200字")
        if not owner:
            result.reject(n, table.label("owner"), "责任人不能为空")
        target = node
        if name := text(table.value(row, "node")):
            found = nodes_by_name.get(name, [])
            if len(found) != 1:
                why = "有多个同名辖区，请写全称" if found else f"不是{node.name}或其下可交办的辖区"
                result.reject(n, table.label("node"), f"“{name}”{why}")
            else:
                target = found[0]
        group = None
        if name := text(table.value(row, "group")):
            found = [
                g
                for g in groups.get(name, [])
                if g.node.path.startswith(target.path) or target.path.startswith(g.node.path)
            ]
            if len(found) != 1:
                result.reject(n, table.label("group"), f"未找到工作组“{name}”，请先在指挥调度中设置")
            else:
                group = found[0]
        deadline = None
        try:
            deadline = _moment(table.value(row, "deadline"), today=today, label=table.label("deadline"))
        except ValueError as exc:
            result.reject(n, table.label("deadline"), str(exc))
        else:
            if deadline is None:
                result.reject(n, table.label("deadline"), "完成时限不能为空")
        status = rules.status_of(text(table.value(row, "status")))
        if status is None:
            words = "、".join(str(label) for label in TaskStatus.labels)
            result.reject(
                n, table.label("status"), f"无法识别的状态“{text(table.value(row, 'status'))}”，应为{words}"
            )
        finished_at = None
        if status in FINISHED:
            try:
                finished_at = _moment(
                    table.value(row, "finished_at"), today=today, label=table.label("finished_at")
                )
            except ValueError as exc:
                result.reject(n, table.label("finished_at"), str(exc))
            else:
                if finished_at is not None and finished_at > timezone.now():
                    result.reject(n, table.label("finished_at"), "办结时间不能晚于现在")
        if len(result.rejected) > before:
            continue
        key = task_key(target, title)
        if key in seen:
            result.reject(n, table.label("title"), f"与第{seen[key]}行是同一任务")
            continue
        seen[key] = n
        planned.append(
            (
                n,
                key,
                target,
                title,
                owner,
                deadline,
                group,
                status,
                text(table.value(row, "note")),
                finished_at,
            )
        )
    existing = {
        t.import_key: t for t in Task.objects.filter(import_key__in=list(seen)).select_related("node")
    }
    writes = []
    for n, key, target, title, owner, deadline, group, status, note, finished_at in planned:
        task = existing.get(key)
        if task is None:
            result.created += 1
        else:
            same = (task.owner, task.deadline, task.group_id, task.status) == (
                owner,
                deadline,
                getattr(group, "pk", None),
                status,
            )
            if same and (not note or note == task.note):
                result.unchanged += 1
                continue
            result.updated += 1
        result.plan.append({"row": n, "title": title, "node": target.name, "status": status})
        writes.append((task, key, target, title, owner, deadline, group, status, note, finished_at))

    def write():
        for task, key, target, title, owner, deadline, group, status, note, finished_at in writes:
            if task is None:
                task = actions.create_task(
                    actor=actor,
                    node=target,
                    title=title,
                    owner=owner,
                    deadline=deadline,
                    group=group,
                    import_key=key,
                    request=request,
                )
            elif (task.owner, task.deadline, task.group_id) != (owner, deadline, getattr(group, "pk", None)):
                actions.update_task(
                    actor=actor, task=task, owner=owner, deadline=deadline, group=group, request=request
                )
            if status != task.status or (note and note != task.note):
                actions.set_task_status(
                    actor=actor, task=task, status=status, note=note, at=finished_at, request=request
                )

    return write_all(
        result,
        actor=actor,
        target=node,
        node_path=node.path,
        ledger=TASK_LEDGER,
        filename=filename,
        request=request,
        write=write,
    )
