"""The duty roster (值班表) in and out, and the task ledger (任务督办台账) out, through imports/.

值班表 rows: 日期, 带班领导, 领导电话, 值班人员, 值班电话, as the county office prints it for the month. A row
puts that day on the chosen node's roster (its hours from the policy); a day already on it with the same
people is unchanged, with other people it is updated (unless already handed over). All or nothing.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone, translation

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.imports.reading import Column, read_table
from fangkong.imports.results import ImportResult
from fangkong.imports.values import format_date, parse_date, text
from fangkong.imports.writing import LedgerSheet, rejected_workbook
from fangkong.lib.errors import RuleError

from . import actions, rules
from .models import DutyShift, Task

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
    if dry_run or result.rejected:
        return result
    with transaction.atomic():
        for day, values in writes:
            actions.schedule_shift(actor=actor, node=node, day=day, request=request, **values)
        record(
            actor=actor,
            action=Action.IMPORT,
            target=node,
            node_path=node.path,
            request=request,
            ledger=LEDGER,
            filename=filename,
            created=result.created,
            updated=result.updated,
        )
        result.written = True
    return result


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
