"""JSON API of early warning: the series of a node with their EARS bounds, the stored signals and alerts,
R_t, the fever clinics and their daily visits (written through the same action as the page)."""

import datetime as dt

from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from fangkong.grid import scoping
from fangkong.grid.schemas import Code, Date, error_responses

from . import actions, queries, risk, rules, series
from .models import EntrySource, Signal
from .schemas import (
    ClinicOut,
    ClinicVisitsIn,
    ClinicVisitsOut,
    FiveColourOut,
    RiskDecisionOut,
    RtOut,
    SeriesOut,
    SignalAlertOut,
    SignalOut,
)

router = Router(tags=["监测预警"])
READ_ERRORS = error_responses(401, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 422)


def _yesterday():
    return timezone.localdate() - dt.timedelta(days=1)


@router.get(
    "/surveillance/{code}/series",
    response={200: list[SeriesOut], **READ_ERRORS},
    summary="监测序列及预警上限",
)
def node_series(request, code: Code, day: Date | None = None, days: int = 60, method: str = rules.C1):
    node = scoping.access_jurisdiction(request.auth, code)
    method = method if method in rules.METHODS else rules.C1
    days = max(1, min(days, 730))
    return [queries.chart(node, c, day or _yesterday(), days=days, method=method) for c in series.SOURCES]


@router.get(
    "/surveillance/{code}/signals", response={200: list[SignalOut], **READ_ERRORS}, summary="预警信号"
)
def node_signals(request, code: Code, day: Date | None = None, alarm_only: bool = False):
    node = scoping.access_jurisdiction(request.auth, code)
    rows = Signal.objects.filter(node__path__startswith=node.path, day=day or _yesterday()).select_related(
        "node"
    )
    if alarm_only:
        rows = rows.filter(alarm=True)
    return [
        {
            "node": s.node.code,
            "node_name": s.node.name,
            "series": s.series,
            "day": s.day,
            "method": s.method,
            "value": s.value,
            "upper": s.upper,
            "alarm": s.alarm,
        }
        for s in rows[:5000]
    ]


@router.get("/surveillance-alerts", response={200: list[SignalAlertOut], **READ_ERRORS}, summary="监测预警")
def list_alerts(request, open_only: bool = False):
    alerts = queries.alerts_visible_to(request.auth)
    if open_only:
        alerts = alerts.filter(resolved_at__isnull=True)
    return [
        {
            "id": a.pk,
            "node": a.node.code,
            "node_name": a.node.name,
            "series": a.series,
            "day": a.day,
            "value": a.value,
            "upper": a.upper,
            "methods": a.methods,
            "summary": a.summary,
            "raised_at": a.raised_at,
            "resolved_at": a.resolved_at,
        }
        for a in alerts[:1000]
    ]


@router.get("/surveillance/{code}/rt", response={200: RtOut, **READ_ERRORS}, summary="实时再生数 Rt")
def node_rt(request, code: Code, day: Date | None = None, days: int = 120):
    node = scoping.access_jurisdiction(request.auth, code)
    data = queries.reproduction(node, day or timezone.localdate(), days=max(8, min(days, 730)))
    return {"serial_interval": data["serial_interval"], "rows": data["rows"]}


@router.get("/fever-clinics", response={200: list[ClinicOut], **READ_ERRORS}, summary="发热门诊")
def list_clinics(request):
    return [
        {"id": c.pk, "name": c.name, "node": c.node.code, "node_name": c.node.name}
        for c in queries.clinics_visible_to(request.auth)
    ]


@router.post(
    "/fever-clinic-visits", response={201: ClinicVisitsOut, **WRITE_ERRORS}, summary="录入发热门诊就诊人次"
)
def post_visits(request, body: ClinicVisitsIn):
    clinic = queries.access_clinic(request.auth, body.clinic)
    row = actions.record_visits(
        actor=request.auth,
        clinic=clinic,
        day=body.day,
        visits=body.visits,
        source=EntrySource.API,
        request=request,
    )
    return Status(201, {"clinic": clinic.pk, "day": row.day, "visits": row.visits, "source": row.source})


@router.get(
    "/surveillance/{code}/risk-decisions",
    response={200: list[RiskDecisionOut], **READ_ERRORS},
    summary="风险区划定",
)
def risk_decisions(request, code: Code, day: Date | None = None):
    node = scoping.access_jurisdiction(request.auth, code)
    rows = queries.risk_decisions_visible_to(request.auth).filter(node__path__startswith=node.path)
    if day:
        rows = rows.filter(day=day)
    return [
        {
            "id": d.pk,
            "node": d.node.code,
            "node_name": d.node.name,
            "preset": d.preset,
            "day": d.day,
            "level": d.level,
            "reason": d.reason,
            "steps": d.steps,
            "status": d.status,
            "decided_level": d.decided_level,
            "note": d.note,
        }
        for d in rows[:1000]
    ]


@router.get(
    "/surveillance/{code}/five-colour", response={200: list[FiveColourOut], **READ_ERRORS}, summary="五色图"
)
def five_colour(request, code: Code, day: Date | None = None):
    node = scoping.access_jurisdiction(request.auth, code)
    return [
        {
            "node": r["node"].code,
            "node_name": r["node"].name,
            "colour": r["colour"],
            "reason": r["reason"],
            "total": r["facts"].total,
            "local": r["facts"].local,
            "clusters": r["facts"].clusters,
            "new_7d": r["facts"].new_7d,
            "days_since_last": r["facts"].days_since_last,
        }
        for r in risk.five_colour_map(node, day or timezone.localdate())
    ]
