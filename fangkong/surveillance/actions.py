"""Writes of early warning: clinics, their daily visits, and the detection run with its alerts. Each in one
transaction with its audit row."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.lib.errors import RuleError
from fangkong.policy.queries import PoliciesInForce, surveillance_values

from . import boundaries, rules, series
from .models import (
    ClinicVisits,
    EntrySource,
    FeverClinic,
    RiskDecision,
    RiskStatus,
    Signal,
    SignalAlert,
    TownshipBoundaries,
)

# C3 looks at 11 days before the day (its C2 two days back over a baseline of 7 lagged by 2)
LOOKBACK = rules.BASELINE + 4


def add_clinic(*, actor, node: Jurisdiction, name: str, request=None) -> FeverClinic:
    scoping.require(actor, scoping.WRITE, node, "不能在该辖区登记发热门诊", field="node")
    name = (name or "").strip()
    if not name:
        raise RuleError({"name": "名称不能为空"})
    with transaction.atomic():
        clinic, created = FeverClinic.objects.get_or_create(node=node, name=name)
        if created:
            record(actor=actor, action="create", target=clinic, node_path=node.path, request=request)
    return clinic


def record_visits(
    *, actor, clinic: FeverClinic, day: dt.date, visits: int, source: str = EntrySource.DESK, request=None
) -> ClinicVisits:
    """The clinic's visits of the day (a second entry for the same day replaces the first, audited)."""
    scoping.require(actor, scoping.WRITE, clinic.node, "不能为该发热门诊录入", field="clinic")
    if visits is None or int(visits) < 0:
        raise RuleError({"visits": "就诊人次应为不小于0的整数"})
    if day > timezone.localdate():
        raise RuleError({"day": "日期不能晚于今天"})
    with transaction.atomic():
        row = ClinicVisits.objects.select_for_update().filter(clinic=clinic, day=day).first()
        before = row.visits if row else None
        if row is None:
            row = ClinicVisits(clinic=clinic, day=day)
        row.visits = int(visits)
        row.source = source
        row.recorded_by = actor if getattr(actor, "pk", None) else None
        row.recorded_at = timezone.now()
        row.save()
        record(
            actor=actor,
            action=Action.CREATE if before is None else Action.UPDATE,
            target=row,
            node_path=clinic.node.path,
            request=request,
            day=day.isoformat(),
            visits=row.visits,
            before=before,
        )
    return row


def _summary(
    node: Jurisdiction, code: str, day: dt.date, value: int, upper: float, methods: list[str]
) -> str:
    return (
        f"{node.name}{series.label(code)}：{day:%m-%d}为{value}，超过预警上限{upper:.1f}（EARS {'/'.join(methods)}）"
    )[:200]


def run_detection(*, actor=None, day: dt.date, codes: list[str] | None = None, request=None) -> dict:
    """EARS C1, C2 and C3 for day D over every series and every node with a reported day in the look-back,
    stored as signals (rerunning replaces them); each node and series with an alarm raises one alert to the
    node and its parent. Safe to run twice. Returns counts."""
    now = timezone.now()
    start = day - dt.timedelta(days=LOOKBACK)
    counts = {"series": 0, "signals": 0, "alarms": 0, "alerts": 0}
    alphas: dict[str, dict] = {}
    policies = PoliciesInForce.for_subtree(None, day)
    with transaction.atomic():
        for code in codes or list(series.SOURCES):
            by_node = series.by_node(code, start, day)
            nodes = Jurisdiction.objects.in_bulk(list(by_node))
            Signal.objects.filter(series=code, day=day).delete()
            fresh = []
            alarms = []
            for node_id, values in by_node.items():
                node = nodes[node_id]
                alpha = alphas.get(node.path)
                if alpha is None:
                    alpha = alphas[node.path] = surveillance_values(policies.values(node.path, day))["alpha"]
                counts["series"] += 1
                hits = []
                value = values[-1]
                bounds = rules.ears_all(values, alpha=alpha)  # the three methods, as rules.ears computes them
                for method in rules.METHODS:
                    upper = bounds[method][-1]
                    alarm = value is not None and upper is not None and value > upper
                    fresh.append(
                        Signal(
                            node=node,
                            series=code,
                            day=day,
                            method=method,
                            value=value,
                            upper=upper,
                            alarm=alarm,
                            computed_at=now,
                        )
                    )
                    if alarm:
                        hits.append((method, upper))
                if hits:
                    alarms.append((node, values[-1], hits))
            Signal.objects.bulk_create(fresh, batch_size=2000)
            counts["signals"] += len(fresh)
            for node, value, hits in alarms:
                counts["alarms"] += 1
                upper = min(u for _m, u in hits)
                methods = [m for m, _u in hits]
                alert, created = SignalAlert.objects.get_or_create(
                    node=node,
                    series=code,
                    day=day,
                    defaults={
                        "parent_id": node.parent_id,
                        "value": value,
                        "upper": upper,
                        "methods": ",".join(methods),
                        "summary": _summary(node, code, day, value, upper, methods),
                        "raised_at": now,
                    },
                )
                if created:
                    counts["alerts"] += 1
                    record(
                        actor=actor,
                        action="create",
                        target=alert,
                        node_path=node.path,
                        request=request,
                        series=code,
                        day=day.isoformat(),
                        value=value,
                        upper=round(upper, 3),
                    )
        record(
            actor=actor,
            action="create",
            node_path="",
            request=request,
            job="detect-signals",
            day=day.isoformat(),
            **counts,
        )
    return counts


def resolve_alert(*, actor, alert: SignalAlert, resolution: str, request=None) -> SignalAlert:
    scoping.require(actor, scoping.WRITE, alert.node, "不能处置该预警")
    if not (resolution or "").strip():
        raise RuleError({"resolution": "请填写处置结果"})
    with transaction.atomic():
        alert.resolved_at = timezone.now()
        alert.resolution = resolution.strip()[:200]
        alert.save(update_fields=["resolved_at", "resolution"])
        record(actor=actor, action="update", target=alert, node_path=alert.node.path, request=request)
    return alert


# ── risk areas by rule ────────────────────────────────────────────────────────────────────────────────


def propose_risk_areas(*, actor=None, county: Jurisdiction, day: dt.date, rule: str, request=None) -> list:
    """The rule's levels for the county's areas on the day, stored as proposals for the county to confirm
    (a proposal already decided is kept as it was). Safe to run twice."""
    from . import risk

    if rule not in rules.RISK_PRESETS:
        raise RuleError({"preset": "请选择风险区划定规则"})
    now = timezone.now()
    out = []
    with transaction.atomic():
        for node, verdict in risk.verdicts(county, day, rule):
            steps = [[d.isoformat(), level] for d, level in verdict.steps]
            decision, created = RiskDecision.objects.get_or_create(
                node=node,
                preset=rule,
                day=day,
                defaults={
                    "county": county,
                    "level": verdict.level,
                    "reason": verdict.reason[:200],
                    "steps": steps,
                    "computed_at": now,
                },
            )
            if not created and decision.status == RiskStatus.PROPOSED:
                decision.level, decision.reason, decision.steps = verdict.level, verdict.reason[:200], steps
                decision.computed_at = now
                decision.save(update_fields=["level", "reason", "steps", "computed_at"])
            out.append(decision)
        record(
            actor=actor,
            action="create",
            node_path=county.path,
            request=request,
            job="propose-risk-areas",
            rule=rule,
            day=day.isoformat(),
            areas=len(out),
        )
    return out


def decide_risk(*, actor, decision: RiskDecision, level: str | None = None, note: str = "", request=None):
    """The county confirms the rule's level (level empty or equal) or sets another one with a reason. High
    and medium declare the health codes' risk areas: under the rule, each level until its step-down day
    (a confirmed high area is medium from its medium day and ends the day before it is low); set by hand,
    open-ended (ended by hand). Low ends the node's open risk areas the day before."""
    from fangkong.healthcodes import actions as codes
    from fangkong.healthcodes.models import RiskArea

    scoping.require(actor, scoping.MANAGE_USERS, decision.county, "只有县级管理员可以确认风险区")
    chosen = level or decision.level
    if chosen not in (rules.HIGH, rules.MEDIUM, rules.LOW):
        raise RuleError({"level": "请选择风险等级"})
    overridden = chosen != decision.level
    if overridden and not (note or "").strip():
        raise RuleError({"note": "调整规则给出的等级须说明理由"})
    if decision.status != RiskStatus.PROPOSED:
        raise RuleError({"__all__": "该风险区已确认"}, code="conflict")
    created = []
    with transaction.atomic():
        if chosen == rules.LOW:
            for area in RiskArea.objects.filter(node=decision.node, ends_on=None):
                codes.end_risk_area(
                    actor=actor,
                    area=area,
                    ends_on=max(area.starts_on, decision.day - dt.timedelta(days=1)),
                    request=request,
                )
        elif overridden:
            created.append(
                codes.create_risk_area(
                    actor=actor,
                    declared_by=decision.county,
                    level=chosen,
                    starts_on=decision.day,
                    node=decision.node,
                    request=request,
                )
            )
        else:
            start = decision.day
            steps = [(dt.date.fromisoformat(d), lvl) for d, lvl in decision.steps]
            current = chosen
            for step_day, next_level in steps:
                created.append(
                    codes.create_risk_area(
                        actor=actor,
                        declared_by=decision.county,
                        level=current,
                        starts_on=start,
                        ends_on=step_day - dt.timedelta(days=1),
                        node=decision.node,
                        request=request,
                    )
                )
                if next_level == rules.LOW:
                    break
                start, current = step_day, next_level
        decision.status = RiskStatus.OVERRIDDEN if overridden else RiskStatus.CONFIRMED
        decision.decided_level = chosen
        decision.note = (note or "").strip()[:200]
        decision.decided_by = actor
        decision.decided_at = timezone.now()
        decision.risk_areas = [a.pk for a in created]
        decision.save()
        record(
            actor=actor,
            action="update",
            target=decision,
            node_path=decision.node.path,
            request=request,
            level=chosen,
            rule_level=decision.level,
            note=decision.note,
            risk_areas=decision.risk_areas,
        )
    return decision


def _boundaries_summary(row: TownshipBoundaries) -> dict:
    return {
        "features": row.features,
        "codes": row.codes(),
        "filename": row.filename,
        "source": row.source,
        "uploaded_by": row.uploaded_by.get_username() if row.uploaded_by else "",
        "uploaded_at": row.uploaded_at.isoformat(),
    }


def upload_boundaries(
    *, actor, county: Jurisdiction, data: bytes, filename: str = "", source: str = "", request=None
) -> TownshipBoundaries:
    """The county's township boundaries for the five-colour map from a GeoJSON file (boundaries.parse): all
    or nothing; a new upload replaces the last one, whose summary the audit row keeps. Who may confirm the
    county's risk areas may do it."""
    scoping.require(actor, scoping.MANAGE_USERS, county, "只有县级管理员可以上传乡镇边界")
    if county.level != Level.COUNTY:
        raise RuleError({"node": "乡镇边界按县（区）上传"})
    townships = dict(Jurisdiction.objects.filter(parent=county).values_list("code", "name"))
    features = boundaries.parse(data, townships=townships)
    with transaction.atomic():
        row = TownshipBoundaries.objects.select_for_update().filter(county=county).first()
        before = _boundaries_summary(row) if row else None
        if row is None:
            row = TownshipBoundaries(county=county)
        row.geojson = boundaries.to_geojson(features)
        row.drawing = boundaries.svg_map(features)
        row.features = len(features)
        row.filename = (filename or "")[:200]
        row.source = (source or "").strip()[:200]
        row.uploaded_by = actor if getattr(actor, "pk", None) else None
        row.uploaded_at = timezone.now()
        row.save()
        record(
            actor=actor,
            action=Action.CREATE if before is None else Action.UPDATE,
            target=row,
            node_path=county.path,
            request=request,
            features=row.features,
            codes=row.codes(),
            filename=row.filename,
            source=row.source,
            bytes=len(data),
            before=before,
        )
    return row
