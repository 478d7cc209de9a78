"""JSON API for daily and zero reports and for indicators: the same scoped reads and actions as the
daily-report pages and the `fangkong indicators` command. A node or reporting unit outside the caller's
area answers 404 like a missing one."""

from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status

from fangkong.grid import scoping
from fangkong.grid.schemas import Id, error_responses
from fangkong.reporting import actions as daily_actions
from fangkong.reporting import completeness, indicators
from fangkong.reporting import queries as daily_queries
from fangkong.reporting.models import DailyReport
from fangkong.reporting.schemas import (
    DailyFilterIn,
    DailyReportIn,
    DailyReportOut,
    DailyStatusPageOut,
    IndicatorsIn,
    IndicatorsOut,
    ZeroReportIn,
)

router = Router()

READ_ERRORS = error_responses(401, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)
_DAILY = ["日报告"]


@router.get(
    "/daily-reports",
    response={200: DailyStatusPageOut, **READ_ERRORS},
    summary="某辖区某日的日报告：应报单位、报送情况与当前报告",
    tags=_DAILY,
)
def list_daily_reports(request, filters: Query[DailyFilterIn]):
    node = scoping.access_jurisdiction(request.auth, filters.node)
    day = filters.day
    units = (
        daily_queries.units_visible_to(request.auth)
        .filter(completeness.expected_on(day), node__path__startswith=node.path)
        .order_by("node__path", "name", "pk")
    )
    count = units.count()
    page = list(completeness.with_submissions(units, day)[filters.offset : filters.offset + filters.limit])
    rows = completeness.statuses(
        page, day, timezone.now(), completeness.Policies.for_paths({u.node.path for u in page}, day)
    )
    reports = {
        r.reporting_unit_id: r
        for r in DailyReport.objects.filter(reporting_unit__in=page, day=day, is_current=True)
    }
    return {
        "count": count,
        "items": [
            {
                "reporting_unit": row.unit.pk,
                "name": row.unit.name,
                "node": row.unit.node.code,
                "node_name": row.unit.node.name,
                "unit": row.unit.unit_id,
                "day": day,
                "deadline": timezone.localtime(row.deadline),
                "status": row.status,
                "status_label": row.status_label,
                "first_submitted_at": timezone.localtime(row.first_at) if row.first_at else None,
                "is_zero": row.is_zero,
                "revisions": row.revisions,
                "report": reports.get(row.unit.pk),
            }
            for row in rows
        ],
    }


@router.post(
    "/reporting-units/{reporting_unit_id}/daily-reports",
    response={201: DailyReportOut, 200: DailyReportOut, **WRITE_ERRORS},
    summary="报送（或更正）日报告",
    description=(
        "指标由系统按记录计算，不必填写。新报送或更正返回 201；与已报送内容相同时返回 200 和原报告，"
        "不重复报送。更正已报送的报告须填写 reason。"
    ),
    tags=_DAILY,
)
def submit_daily_report(request, reporting_unit_id: Id, payload: DailyReportIn):
    report, changed = daily_actions.submit_report(
        actor=request.auth,
        reporting_unit=daily_queries.access_unit(request.auth, reporting_unit_id),
        day=payload.day,
        activities=payload.activities,
        note=payload.note,
        reason=payload.reason,
        request=request,
    )
    return Status(201 if changed else 200, report)


@router.post(
    "/reporting-units/{reporting_unit_id}/zero-reports",
    response={201: DailyReportOut, 200: DailyReportOut, **WRITE_ERRORS},
    summary="零报告",
    description=(
        "当日无新排查、无在管人员、无解除、无异常和漏访时一键报送；否则返回 422 并列出原因。"
        "新报送返回 201，已报送过相同的零报告返回 200。"
    ),
    tags=_DAILY,
)
def submit_zero_report(request, reporting_unit_id: Id, payload: ZeroReportIn):
    report, changed = daily_actions.submit_zero_report(
        actor=request.auth,
        reporting_unit=daily_queries.access_unit(request.auth, reporting_unit_id),
        day=payload.day,
        reason=payload.reason,
        request=request,
    )
    return Status(201 if changed else 200, report)


@router.get(
    "/indicators",
    response={200: IndicatorsOut, **READ_ERRORS},
    summary="某辖区某日的统计指标",
    description="与命令 fangkong indicators --node … --date … --json 的输出相同。",
    tags=["统计指标"],
)
def get_indicators(request, filters: Query[IndicatorsIn]):
    node = scoping.access_jurisdiction(request.auth, filters.node)
    return {"node": node.code, "date": filters.day, "indicators": indicators.compute(node, filters.day)}
