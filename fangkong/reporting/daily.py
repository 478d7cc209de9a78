"""Daily and zero reports (DOMAIN.md §8): who owes one, what a report holds, zero reports, corrections.

Reporting units (报告单位) are configured per node by its admins (MANAGE_USERS there): a village or
community (or a township) reports the figures of its subtree; a registry Unit (school, enterprise …)
attached to a node reports its activities and note only — the indicators are counted per subtree, not
per unit, and a school attached to a township is not that township. A unit owes a report for each day D
with active_from ≤ D < active_until (停报日期 is the first day no longer owed).

A report of unit U for day D holds:
- the indicators of U's node for D, `indicators.compute(node, D)`, shown pre-filled and read-only and
  stored as a snapshot when submitted (a later correction of the records does not rewrite a report);
- the activity counts that have no records behind them (the policy's `report_activities`, default
  DEFAULT_ACTIVITIES), each a non-negative integer; and a free-text note.

A zero report (零报告) is submitted explicitly, with every activity count zero and no note, and only
when the day's figures have nothing to report: nobody newly screened (screened_new), nobody under any
measure at the end of the day (every active_*), nobody released during it (released_new), no follow-up
finding fever or a symptom (symptomatic_new) and no missed follow-up (followups_missed), and — when the
tracing module adds them — no new case (cases_*_new). Cumulative figures (registered people, totals to
date) and routine traffic (checkpoint passages, check-ins) do not stop a zero report.

Submitting again with the same content (a double tap, a retried request) changes nothing. Different
content is a correction: it needs a reason and adds a revision; the history stays. Who may see a unit's
reports and submit them is decided by scoping on the unit's node (VIEW / WRITE there)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.imports.values import format_date
from fangkong.lib.errors import RuleError
from fangkong.policy.queries import policy_for
from fangkong.registry.models import Unit

from . import indicators, reminders
from .models import DailyReport, ReportingUnit

ACTIVITIES_KEY = "report_activities"
DEFAULT_ACTIVITIES = [
    ("meetings", _("召开会议"), _("次")),
    ("banners", _("悬挂横幅标语"), _("条")),
    ("posters", _("张贴宣传海报"), _("张")),
    ("leaflets", _("发放宣传资料"), _("份")),
    ("broadcasts", _("广播宣传"), _("次")),
    ("volunteers", _("志愿者在岗人数"), _("人")),
    ("disinfections", _("消毒消杀次数"), _("次")),
]
MAX_COUNT = 1_000_000
NODE_LEVELS = (Level.TOWNSHIP, Level.VILLAGE)  # nodes that report their subtree's figures

# Figures that mean something happened on the day: any of them above zero rules out a zero report.
ZERO_BLOCKERS = (
    "screened_new",
    "symptomatic_new",
    "released_new",
    "followups_missed",
    "cases_confirmed_new",
    "cases_suspected_new",
    "cases_asymptomatic_new",
)
ZERO_BLOCKER_PREFIXES = ("active_",)


@dataclass(frozen=True)
class Activity:
    code: str
    label: str
    unit: str = ""


# Reads ---------------------------------------------------------------------------------------------------


def activities_for(node: Jurisdiction, day: dt.date) -> list[Activity]:
    """The activity counts a report of this node asks for: the policy's list, or the default. The policy
    value is a list of {"code", "label", "unit"} (or [code, label, unit?])."""
    configured = policy_for(node, day).values.get(ACTIVITIES_KEY)
    if not configured:
        return [Activity(code, str(label), str(unit)) for code, label, unit in DEFAULT_ACTIVITIES]
    activities = []
    for item in configured:
        if isinstance(item, dict):
            activities.append(Activity(str(item["code"]), str(item["label"]), str(item.get("unit", ""))))
        else:
            activities.append(Activity(str(item[0]), str(item[1]), str(item[2]) if len(item) > 2 else ""))
    return activities


def units_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[ReportingUnit]:
    return scoping.visible_to(
        user,
        ReportingUnit.objects.select_related("node", "unit"),
        path_field="node__path",
        capability=capability,
    )


def access_unit(user, pk, *, write: bool = False) -> ReportingUnit:
    """A reporting unit in the user's area (404 for missing and not yours alike)."""
    return scoping.access(
        user, ReportingUnit.objects.select_related("node", "unit"), pk, path_field="node__path", write=write
    )


def can_submit(user, unit: ReportingUnit) -> bool:
    return scoping.can(user, scoping.WRITE, unit.node)


def can_manage(user, node: Jurisdiction) -> bool:
    return scoping.can(user, scoping.MANAGE_USERS, node)


def owes(unit: ReportingUnit, day: dt.date) -> bool:
    return unit.active_from <= day and (unit.active_until is None or day < unit.active_until)


def reports_node_figures(unit: ReportingUnit) -> bool:
    return unit.unit_id is None


def figures(unit: ReportingUnit, day: dt.date, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """What the report pre-fills, read-only: the indicators of the unit's node for D (none for a
    registry Unit, see the module docstring)."""
    if not reports_node_figures(unit):
        return {}
    return indicators.compute(unit.node, day, now=now)


def zero_report_blockers(values: dict[str, Any]) -> list[str]:
    """Why these figures are not a zero report, one Chinese phrase per figure; empty when they are."""
    labels = {d["code"]: d for d in indicators.describe()}
    reasons = []
    for code, value in values.items():
        if code not in ZERO_BLOCKERS and not code.startswith(ZERO_BLOCKER_PREFIXES):
            continue
        if isinstance(value, int | float) and value > 0:
            label = labels.get(code, {"label": code, "unit": ""})
            reasons.append(f"{label['label']}{display(value)}{label['unit']}")
    return reasons


def display(value) -> str:
    """An indicator value as a report shows it."""
    if value is None:
        return "—"
    if isinstance(value, list):  # screened_by_origin
        parts = [f"{indicators.origin_label(row)}{row.get('count', '')}人" for row in value]
        return "；".join(parts) if parts else "0"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def figure_rows(values: dict[str, Any]) -> list[dict]:
    """The figures with their labels and units, in registry order, for pages and the export."""
    described = {d["code"]: d for d in indicators.describe()}
    rows = []
    for code, value in values.items():
        meta = described.get(code, {"label": code, "unit": ""})
        unit = "" if isinstance(value, list) or value is None else meta["unit"]
        rows.append({"code": code, "label": meta["label"], "unit": unit, "value": display(value)})
    return rows


def activities_text(counts: dict[str, int], activities: list[Activity]) -> str:
    """ "召开会议1次；广播宣传3次" — the non-zero counts of a report, labelled."""
    labels = {a.code: a for a in activities}
    parts = []
    for code, value in counts.items():
        if value:
            activity = labels.get(code, Activity(code, code))
            parts.append(f"{activity.label}{value}{activity.unit}")
    return "；".join(parts)


def current_report(unit: ReportingUnit, day: dt.date) -> DailyReport | None:
    return (
        DailyReport.objects.filter(reporting_unit=unit, day=day, is_current=True)
        .select_related("submitted_by")
        .first()
    )


def history(unit: ReportingUnit, day: dt.date) -> list[DailyReport]:
    """Every revision of the report, newest first."""
    return list(
        DailyReport.objects.filter(reporting_unit=unit, day=day)
        .select_related("submitted_by")
        .order_by("-revision")
    )


# Reporting units -----------------------------------------------------------------------------------------


def _require_manager(actor, node: Jurisdiction) -> None:
    if not can_manage(actor, node):
        raise RuleError({"__all__": "只有本辖区的管理员可以设置报告单位"}, code="forbidden")


def _overlapping(node: Jurisdiction, unit: Unit | None, active_from: dt.date) -> Q:
    return Q(node=node, unit=unit) & (Q(active_until__isnull=True) | Q(active_until__gt=active_from))


@transaction.atomic
def add_reporting_unit(
    *,
    actor,
    active_from: dt.date,
    node: Jurisdiction | None = None,
    unit: Unit | None = None,
    request=None,
) -> ReportingUnit:
    """Make a village, community or township (`node`) or a registry Unit (`unit`) owe a daily report
    from `active_from` on."""
    if (node is None) == (unit is None):
        raise RuleError({"__all__": "请选择一个村（社区）或一个单位"})
    node = unit.node if unit is not None else node
    _require_manager(actor, node)
    if unit is None and node.level not in NODE_LEVELS:
        raise RuleError({"node": "报告单位应为乡镇（街道）、村（社区）或单位"})
    if ReportingUnit.objects.filter(_overlapping(node, unit, active_from)).exists():
        raise RuleError({"__all__": f"{unit or node}已是报告单位"}, code="duplicate")
    reporting_unit = None
    if unit is not None:
        # One row per registry Unit (a database constraint): adding it again reopens that row from the
        # new start date; its earlier period no longer counts as expected.
        reporting_unit = ReportingUnit.objects.filter(node=node, unit=unit).first()
    if reporting_unit is None:
        reporting_unit = ReportingUnit(node=node, unit=unit)
    reporting_unit.name = (unit.name if unit is not None else node.name)[:100]
    reporting_unit.active_from = active_from
    reporting_unit.active_until = None
    reporting_unit.save()
    record(
        actor=actor,
        action=Action.CREATE,
        target=reporting_unit,
        node_path=node.path,
        request=request,
        change="reporting_unit",
        active_from=active_from.isoformat(),
    )
    return reporting_unit


@transaction.atomic
def remove_reporting_unit(
    *, actor, reporting_unit: ReportingUnit, active_until: dt.date, request=None
) -> ReportingUnit:
    """Stop owing reports from `active_until` on (that day is no longer owed). Reports already sent stay."""
    _require_manager(actor, reporting_unit.node)
    if active_until < reporting_unit.active_from:
        raise RuleError({"active_until": "停报日期不能早于起报日期"})
    if reporting_unit.active_until is not None and reporting_unit.active_until <= active_until:
        raise RuleError({"active_until": f"该单位已于{format_date(reporting_unit.active_until)}停报"})
    reporting_unit.active_until = active_until
    reporting_unit.save(update_fields=["active_until"])
    record(
        actor=actor,
        action=Action.UPDATE,
        target=reporting_unit,
        node_path=reporting_unit.node.path,
        request=request,
        change="reporting_unit_stop",
        active_until=active_until.isoformat(),
    )
    return reporting_unit


@transaction.atomic
def add_village_reporting_units(
    *, actor, node: Jurisdiction, active_from: dt.date, request=None
) -> list[ReportingUnit]:
    """Make every village and community of a subtree a reporting unit from `active_from` on, except those
    that already are. For the demo and for a newly loaded county."""
    _require_manager(actor, node)
    taken = ReportingUnit.objects.filter(
        Q(active_until__isnull=True) | Q(active_until__gt=active_from),
        unit__isnull=True,
        node__path__startswith=node.path,
    ).values("node_id")
    villages = Jurisdiction.objects.filter(path__startswith=node.path, level=Level.VILLAGE).exclude(
        pk__in=taken
    )
    created = ReportingUnit.objects.bulk_create(
        [
            ReportingUnit(node=village, name=village.name[:100], active_from=active_from)
            for village in villages.order_by("path")
        ]
    )
    record(
        actor=actor,
        action=Action.CREATE,
        target=node,
        node_path=node.path,
        request=request,
        change="village_reporting_units",
        count=len(created),
        active_from=active_from.isoformat(),
    )
    return created


# Reports -------------------------------------------------------------------------------------------------


def _clean_activities(raw: dict | None, allowed: list[Activity]) -> dict[str, int]:
    raw = dict(raw or {})
    codes = [a.code for a in allowed]
    errors = {}
    unknown = [code for code in raw if code not in codes]
    if unknown:
        errors["activities"] = f"不是本辖区日报告的填报项目：{'、'.join(unknown)}"
    cleaned = {}
    for activity in allowed:
        value = raw.get(activity.code, 0)
        if value in (None, ""):
            value = 0
        try:
            number = int(str(value).strip())
        except ValueError:
            number = -1
        if number < 0 or number > MAX_COUNT:
            errors[activity.code] = f"{activity.label}应为不小于0的整数"
        cleaned[activity.code] = number
    if errors:
        raise RuleError(errors)
    return cleaned


def _check_day(unit: ReportingUnit, day: dt.date) -> None:
    if day > timezone.localdate():
        raise RuleError({"day": "不能报送今天以后的日报告"})
    if not owes(unit, day):
        raise RuleError({"day": f"{unit.name}{format_date(day)}不在报告期内，无需报送"})


def _same(report: DailyReport, content: dict) -> bool:
    return all(getattr(report, name) == value for name, value in content.items())


@transaction.atomic
def submit_report(
    *,
    actor,
    reporting_unit: ReportingUnit,
    day: dt.date,
    activities: dict | None = None,
    note: str = "",
    zero: bool = False,
    reason: str = "",
    request=None,
) -> tuple[DailyReport, bool]:
    """Submit (or correct) the report of a unit for day D. Returns (current report, whether a revision
    was added): sending the same content again adds nothing. A correction needs a reason."""
    if not can_submit(actor, reporting_unit):
        raise RuleError({"__all__": "无权报送该单位的日报告"}, code="forbidden")
    _check_day(reporting_unit, day)
    allowed = activities_for(reporting_unit.node, day)
    values = figures(reporting_unit, day)
    note, reason = (note or "").strip(), (reason or "").strip()
    if zero:
        blockers = zero_report_blockers(values)
        if blockers:
            raise RuleError(
                {"__all__": f"当日有需报告的情况，不能零报告：{'；'.join(blockers)}。请填写日报告。"},
                code="not_zero",
            )
        cleaned = {a.code: 0 for a in allowed}
        note = ""
    else:
        cleaned = _clean_activities(activities, allowed)
    if len(note) > 1000:
        raise RuleError({"note": "备注不能超过1000字"})
    if len(reason) > 200:
        raise RuleError({"reason": "更正原因不能超过200字"})
    content = {"indicators": values, "activities": cleaned, "note": note, "is_zero": zero}
    current = (
        DailyReport.objects.select_for_update()
        .filter(reporting_unit=reporting_unit, day=day, is_current=True)
        .first()
    )
    if current is not None and _same(current, content):
        return current, False
    if current is not None and not reason:
        submitted = timezone.localtime(current.submitted_at)
        raise RuleError(
            {"reason": f"该日报告已于{submitted:%m月%d日 %H:%M}报送，更正须填写更正原因"}, code="correction"
        )
    try:
        with transaction.atomic():
            if current is not None:
                current.is_current = False
                current.save(update_fields=["is_current"])
            report = DailyReport.objects.create(
                reporting_unit=reporting_unit,
                day=day,
                revision=current.revision + 1 if current else 1,
                submitted_at=timezone.now(),
                submitted_by=actor,
                correction_reason=reason if current else "",
                **content,
            )
    except IntegrityError:
        # Someone (or the same tap, twice) submitted at the same moment and won: same content is fine.
        winner = DailyReport.objects.filter(reporting_unit=reporting_unit, day=day, is_current=True).first()
        if winner is not None and _same(winner, content):
            return winner, False
        raise RuleError({"__all__": "该日报告刚被他人报送，请刷新后核对"}, code="conflict") from None
    reminders.resolve(unit_id=reporting_unit.pk, day=day)
    record(
        actor=actor,
        action=Action.CREATE if report.revision == 1 else Action.UPDATE,
        target=report,
        node_path=reporting_unit.node.path,
        request=request,
        day=day.isoformat(),
        revision=report.revision,
        is_zero=zero,
        reason=report.correction_reason,
    )
    return report, True


def submit_zero_report(
    *, actor, reporting_unit: ReportingUnit, day: dt.date, reason: str = "", request=None
) -> tuple[DailyReport, bool]:
    """One tap: nothing to report for day D (refused, with the reasons, when something happened)."""
    return submit_report(
        actor=actor, reporting_unit=reporting_unit, day=day, zero=True, reason=reason, request=request
    )
