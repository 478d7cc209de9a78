"""The daily-report table of a node and a date range as .xlsx: one row per reporting unit and day it
owed a report, one column per indicator (as submitted: the report's snapshot) and per activity, with the
report's status (按时 / 迟报 / 缺报 / 待报). Scoped to the user and audited. A fixed number of queries
whatever the range: the units, the reports, their first submissions and the policies."""

import datetime as dt
import io

from django.db.models import Min, Q
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.imports.values import format_date
from fangkong.imports.writing import write_only_cell
from fangkong.lib.errors import RuleError
from fangkong.measures.rules import SHANGHAI
from fangkong.reporting import completeness, indicators
from fangkong.reporting import queries as daily_queries
from fangkong.reporting.models import DailyReport, ReportingUnit

TITLE = "日报告汇总表"
MAX_DAYS = 366
FIXED = ["报告单位", "所属辖区", "报告日期", "报送状态", "首次报送时间", "报送人", "零报告", "修订次数"]


def _check(actor, node: Jurisdiction, start: dt.date, end: dt.date) -> None:
    if not scoping.can(actor, scoping.VIEW, node):
        raise RuleError({"node": "无权导出该辖区的日报告"}, code="forbidden")
    if start > end:
        raise RuleError({"date_to": "截止日期不能早于起始日期"})
    if (end - start).days + 1 > MAX_DAYS:
        raise RuleError({"date_to": f"一次最多导出{MAX_DAYS}天"})


def _days(start: dt.date, end: dt.date):
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def _cell(value):
    """Numbers stay numbers (Excel sums them); lists and None become text."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    if value is None:
        return None
    return daily_queries.display(value)


def _local(moment: dt.datetime | None) -> str:
    return f"{moment.astimezone(SHANGHAI):%Y-%m-%d %H:%M}" if moment else ""


def _table(*, actor, node: Jurisdiction, start: dt.date, end: dt.date, now: dt.datetime | None = None):
    """(headers, an iterator of rows), by day then by unit in tree order."""
    _check(actor, node, start, end)
    now = now or timezone.now()
    units = list(
        scoping.visible_to(actor, ReportingUnit.objects, path_field="node__path")
        .filter(node__path__startswith=node.path, active_from__lte=end)
        .filter(Q(active_until__isnull=True) | Q(active_until__gt=start))
        .select_related("node")
        .order_by("node__path", "name", "pk")
    )
    in_range = DailyReport.objects.filter(
        reporting_unit__node__path__startswith=node.path, day__range=(start, end)
    )
    current = {
        (r["reporting_unit_id"], r["day"]): r
        for r in in_range.filter(is_current=True).values(
            "reporting_unit_id",
            "day",
            "revision",
            "is_zero",
            "indicators",
            "activities",
            "note",
            "correction_reason",
            "submitted_by__first_name",
            "submitted_by__username",
        )
    }
    first = {
        (row["reporting_unit"], row["day"]): row["first"]
        for row in in_range.values("reporting_unit", "day").annotate(first=Min("submitted_at"))
    }
    policies = completeness.Policies.for_subtree(node, end)
    described = [d["code"] for d in indicators.describe()]
    activities = daily_queries.activities_for(node, end)
    known = {a.code for a in activities}
    extra = sorted({code for r in current.values() for code in r["activities"] if code not in known})
    activities += [daily_queries.Activity(code, code) for code in extra]
    headers = [
        *FIXED,
        *[f"{d['label']}（{d['unit']}）" for d in indicators.describe()],
        *[f"{a.label}（{a.unit}）" if a.unit else a.label for a in activities],
        "备注",
        "更正原因",
    ]
    labels = {status: str(status.label) for status in completeness.Status}

    def rows():
        for day in _days(start, end):
            for unit in units:
                if not daily_queries.owes(unit, day):
                    continue
                report = current.get((unit.pk, day))
                first_at = first.get((unit.pk, day))
                status = completeness.status_of(first_at, policies.deadline(unit.node.path, day), now)
                row = [unit.name, unit.node.name, day, labels[status], _local(first_at)]
                if report is None:
                    yield row + [None] * (len(headers) - len(row))
                    continue
                row += [
                    report["submitted_by__first_name"] or report["submitted_by__username"],
                    "是" if report["is_zero"] else "否",
                    report["revision"] - 1,
                ]
                figures, counts = report["indicators"], report["activities"]
                row += [_cell(figures.get(code)) for code in described]
                row += [counts.get(a.code) for a in activities]
                row += [report["note"], report["correction_reason"]]
                yield row

    return [str(h) for h in headers], rows()


def daily_table(
    *, actor, node: Jurisdiction, start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> tuple[list[str], list[list]]:
    """(headers, rows) of the table, by day then by unit in tree order."""
    headers, rows = _table(actor=actor, node=node, start=start, end=end, now=now)
    return headers, list(rows)


WIDTHS = [18, 14, 12, 10, 17, 10, 8, 8]


def _workbook(title: str, line: str, headers: list[str], rows) -> tuple[bytes, int]:
    """Written as it goes (openpyxl's write-only mode): a month of a township is 9,000 rows of 40-odd
    columns, which the normal mode takes several times longer and several times the memory to write."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(TITLE)
    for index, name in enumerate(headers, start=1):
        width = WIDTHS[index - 1] if index <= len(WIDTHS) else max(8, min(24, 2 * len(name) + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C4"

    sheet.append([write_only_cell(sheet, title, font=Font(bold=True, size=14))])
    sheet.append([write_only_cell(sheet, line)])
    wrap = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.append([write_only_cell(sheet, name, font=Font(bold=True), alignment=wrap) for name in headers])
    count = 0
    for row in rows:
        # Notes and labels are typed by people: every cell as text or number, never a formula.
        sheet.append([write_only_cell(sheet, value) for value in row])
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


def export_daily(
    *, actor, node: Jurisdiction, start: dt.date, end: dt.date, request=None
) -> tuple[str, bytes]:
    """日报告汇总表 of a node's subtree for a date range as .xlsx: (file name, content). Audited."""
    headers, rows = _table(actor=actor, node=node, start=start, end=end)
    line = f"报告日期：{format_date(start)}至{format_date(end)}　导出时间：{_local(timezone.now())}"
    content, count = _workbook(f"{node.name}{TITLE}", line, headers, rows)
    record(
        actor=actor,
        action=Action.EXPORT,
        target=node,
        node_path=node.path,
        request=request,
        ledger=TITLE,
        start=start.isoformat(),
        end=end.isoformat(),
        rows=count,
    )
    return f"{TITLE}_{node.name}_{start:%Y%m%d}-{end:%Y%m%d}.xlsx", content
