"""The inspection ledger (检查记录台账) in and out, through imports/.

One row is one inspection of one unit or venue, as market supervision and the 督查组 keep it: 检查日期,
被检查单位, 检查人员, 存在问题 (empty or 合格: passed), 整改要求, 整改期限, 整改责任人. The unit or venue
is found by its exact name under the chosen node (registry units first, then venues). A row with a
problem is recorded as an inspection with one failed item and its rectification order.

All or nothing: a file with any rejected row writes nothing. Re-importing the same file changes
nothing: each row carries a key (node, object, date, inspectors, problem) and a row whose key is already
recorded is counted as unchanged.
"""

import datetime as dt
import hashlib

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
from fangkong.registry.models import Unit
from fangkong.venues.models import Venue

from . import actions, rules
from .models import Inspection, Rectification

LEDGER = "检查记录台账"
PROBLEM_ITEM = "检查发现问题"
PASSED_ITEM = "综合检查"
PASSED_WORDS = {"", "合格", "是", "√", "✓", "无", "无问题", "通过"}
FAILED_WORDS = {"不合格", "否", "×", "✗", "有问题", "不通过"}
INSPECTED_HOUR = 9  # a ledger row has a date only: taken as 09:00 that day (or now, if earlier today)

COLUMNS = (
    Column("number", "序号", ("编号",), content=False),
    Column("date", "检查日期", ("日期", "检查时间", "督查日期", "督查时间")),
    Column(
        "target",
        "被检查单位",
        ("单位名称", "经营户", "经营户名称", "场所名称", "检查对象", "被检查场所", "商户名称"),
    ),
    Column("inspectors", "检查人员", ("检查人", "督查人员", "执法人员", "检查组")),
    Column("problem", "存在问题", ("发现问题", "问题", "检查情况", "主要问题")),
    Column("result", "是否合格", ("检查结果", "结果", "结论")),
    Column("requirement", "整改要求", ("整改措施", "处理意见")),
    Column("deadline", "整改期限", ("整改时限", "限期", "整改日期")),
    Column("owner", "整改责任人", ("责任人", "负责人姓名")),
    Column("owner_phone", "联系电话", ("电话", "手机号码", "责任人电话")),
    Column("note", "备注", ()),
)
REQUIRED = ("date", "target")


def _key(node: Jurisdiction, target, day: dt.date, inspectors: str, problem: str) -> str:
    raw = "|".join([node.code, type(target).__name__, str(target.pk), day.isoformat(), inspectors, problem])
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


def _targets(node: Jurisdiction, names: set[str]) -> dict[str, list]:
    found: dict[str, list] = {name: [] for name in names}
    for model in (Unit, Venue):
        for obj in model.objects.filter(node__path__startswith=node.path, name__in=names).select_related(
            "node"
        ):
            found[obj.name].append(obj)
    return found


def _moment(day: dt.date, now: dt.datetime) -> dt.datetime:
    return min(dt.datetime.combine(day, dt.time(INSPECTED_HOUR), tzinfo=rules.SHANGHAI), now)


def import_inspections(
    *, actor, node: Jurisdiction, data: bytes, filename: str, dry_run: bool = False, request=None
) -> ImportResult:
    scoping.require(actor, scoping.WRITE, node, "无权向该辖区导入检查记录", field="node")
    table = read_table(data, filename, COLUMNS, required=REQUIRED)
    result = ImportResult(dry_run=dry_run, table=table)
    now = timezone.now()
    today = timezone.localdate(now)
    names = {text(table.value(row, "target")) for row in table.rows} - {""}
    targets = _targets(node, names)
    planned, seen = [], {}
    for row in table.rows:
        result.rows += 1
        n = row.number
        problems_before = len(result.rejected)
        name = text(table.value(row, "target"))
        try:
            day, note = parse_date(table.value(row, "date"), today=today)
        except ValueError as exc:
            result.reject(n, table.label("date"), str(exc))
            day = None
        else:
            if day is None:
                result.reject(n, table.label("date"), "检查日期不能为空")
            elif day > today:
                result.reject(n, table.label("date"), "检查日期不能晚于今天")
            elif note:
                result.warn(n, table.label("date"), note)
        candidates = targets.get(name, [])
        if not name:
            result.reject(n, table.label("target"), "被检查单位不能为空")
        elif not candidates:
            result.reject(n, table.label("target"), f"未找到“{name}”，请先在单位或场所中登记")
        elif len(candidates) > 1:
            result.reject(n, table.label("target"), f"“{name}”有{len(candidates)}个同名单位或场所，无法确定")
        inspectors = text(table.value(row, "inspectors")) or "台账导入"
        problem = text(table.value(row, "problem"))
        verdict = text(table.value(row, "result"))
        if verdict and verdict not in PASSED_WORDS | FAILED_WORDS:
            result.reject(n, table.label("result"), f"无法识别“{verdict}”，请填写合格或不合格")
        failed = verdict in FAILED_WORDS or (problem not in PASSED_WORDS and verdict not in ("合格", "通过"))
        if verdict in FAILED_WORDS and problem in PASSED_WORDS:
            result.reject(n, table.label("problem"), "不合格，请填写存在的问题")
        deadline = None
        try:
            deadline, _note = parse_date(table.value(row, "deadline"), today=today + dt.timedelta(days=366))
        except ValueError as exc:
            result.reject(n, table.label("deadline"), str(exc))
        if deadline and day and deadline < day:
            result.reject(n, table.label("deadline"), "整改期限不能早于检查日期")
        owner = text(table.value(row, "owner"))
        if failed and not owner and len(candidates) == 1 and not candidates[0].contact_name:
            result.reject(n, table.label("owner"), "有问题需整改，请填写整改责任人")
        if len(result.rejected) > problems_before:
            continue
        target = candidates[0]
        key = _key(node, target, day, inspectors, problem if failed else "")
        if key in seen:
            result.reject(n, "", f"与第{seen[key]}行重复")
            continue
        seen[key] = n
        planned.append(
            {
                "row": n,
                "key": key,
                "target": target,
                "day": day,
                "inspectors": inspectors,
                "failed": failed,
                "problem": problem,
                "requirement": text(table.value(row, "requirement")),
                "deadline": deadline,
                "owner": owner,
                "owner_phone": text(table.value(row, "owner_phone")),
                "note": text(table.value(row, "note")),
            }
        )
    known = set(
        Inspection.objects.filter(import_key__in=[p["key"] for p in planned]).values_list(
            "import_key", flat=True
        )
    )
    for p in planned:
        fresh = p["key"] not in known
        result.plan.append(
            {
                "row": p["row"],
                "name": p["target"].name,
                "day": p["day"].isoformat(),
                "failed": p["failed"],
                "action": "create" if fresh else "unchanged",
            }
        )
        if fresh:
            result.created += 1
        else:
            result.unchanged += 1
    if dry_run or result.rejected:
        return result  # all or nothing: one bad row and nothing is written
    with transaction.atomic():
        for p in planned:
            if p["key"] in known:
                continue
            results = (
                [{"text": PROBLEM_ITEM, "passed": False, "note": p["problem"] or "不合格"}]
                if p["failed"]
                else [{"text": PASSED_ITEM, "passed": True, "note": ""}]
            )
            actions.record_inspection(
                actor=actor,
                target=p["target"],
                inspected_at=_moment(p["day"], now),
                inspectors=p["inspectors"],
                results=results,
                note=p["note"],
                deadline=p["deadline"],
                owner=p["owner"],
                owner_phone=p["owner_phone"],
                requirement=p["requirement"],
                import_key=p["key"],
                request=request,
            )
        record(
            actor=actor,
            action=Action.IMPORT,
            target=node,
            node_path=node.path,
            request=request,
            ledger=LEDGER,
            filename=filename,
            created=result.created,
            unchanged=result.unchanged,
        )
        result.written = True
    return result


def rejected_rows_workbook(result: ImportResult) -> bytes | None:
    """The rows a dry run rejected, with the file's header and a reason column, to fix and re-import."""
    if not result.rejected or result.table is None:
        return None
    return rejected_workbook(result.table, result.rejected_rows, title=f"{LEDGER}（未导入的行）")


EXPORT_HEADERS = (
    "序号",
    "检查日期",
    "被检查单位",
    "所属辖区",
    "类别",
    "检查人员",
    "存在问题",
    "是否合格",
    "整改要求",
    "整改期限",
    "整改责任人",
    "联系电话",
    "整改状态",
    "销号日期",
    "上报至",
)
WIDTHS = [6, 12, 24, 14, 8, 16, 36, 8, 24, 12, 10, 14, 10, 12, 12]


def export_inspections(
    *,
    actor,
    node: Jurisdiction,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    request=None,
) -> tuple[str, bytes]:
    """The inspections under the node (one row per failed item, or one row for a clean inspection)."""
    if not scoping.can(actor, scoping.VIEW, node):
        raise RuleError({"node": "无权导出该辖区的检查记录"}, code="forbidden")
    inspections = Inspection.objects.filter(node__path__startswith=node.path).select_related(
        "node", "unit", "venue"
    )
    if date_from:
        inspections = inspections.filter(inspected_at__gte=rules.local_midnight(date_from))
    if date_to:
        inspections = inspections.filter(inspected_at__lt=rules.due_end(date_to))
    inspections = inspections.order_by("inspected_at", "id").prefetch_related("results")
    orders = {
        o.finding_id: o
        for o in Rectification.objects.filter(node__path__startswith=node.path).select_related("escalated_to")
    }
    rows = []
    with translation.override("zh-hans"):
        for inspection in inspections:
            failed = [r for r in inspection.results.all() if not r.passed]
            day = format_date(timezone.localdate(inspection.inspected_at))
            head = [
                day,
                inspection.target_name,
                inspection.node.name,
                inspection.get_kind_display(),
                inspection.inspectors,
            ]
            if not failed:
                rows.append([*head, "", "合格", "", "", "", "", "", "", ""])
            for r in failed:
                o = orders.get(r.pk)
                rows.append(
                    [
                        *head,
                        f"{r.text}：{r.note}" if r.note else r.text,
                        "不合格",
                        o.requirement if o else "",
                        format_date(o.deadline) if o else "",
                        o.owner if o else "",
                        o.owner_phone if o else "",
                        o.get_status_display() if o else "",
                        format_date(timezone.localdate(o.closed_at)) if o and o.closed_at else "",
                        o.escalated_to.name if o and o.escalated_to else "",
                    ]
                )
    rows = [[index, *row] for index, row in enumerate(rows, start=1)]
    sheet = LedgerSheet(LEDGER)
    sheet.title(f"{node.name}{LEDGER}", width=len(EXPORT_HEADERS))
    span = (
        f"{format_date(date_from) or '—'} 至 {format_date(date_to) or '—'}"
        if date_from or date_to
        else "全部"
    )
    sheet.line(f"检查日期：{span}　共{inspections.count()}家次", width=len(EXPORT_HEADERS))
    sheet.header(list(EXPORT_HEADERS), widths=WIDTHS)
    sheet.rows(rows, text_columns=[11])
    content = sheet.save()
    record(
        actor=actor,
        action=Action.EXPORT,
        target=node,
        node_path=node.path,
        request=request,
        ledger=LEDGER,
        rows=len(rows),
    )
    return f"{LEDGER}_{node.name}_{timezone.localdate():%Y%m%d}.xlsx", content
