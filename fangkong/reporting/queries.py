"""Reads and rules of daily and zero reports (DOMAIN.md §8; the writes are in actions.py): who owes one, what a report holds, zero reports, corrections.

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
finding fever or a symptom (symptomatic_new) and no missed follow-up (followups_missed), no new case
(cases_*_new, reporting/cases.py) and no contact decided that day (contacts_*_new). Cumulative figures (registered people, totals to
date) and routine traffic (checkpoint passages, check-ins) do not stop a zero report.

Submitting again with the same content (a double tap, a retried request) changes nothing. Different
content is a correction: it needs a reason and adds a revision; the history stays. Who may see a unit's
reports and submit them is decided by scoping on the unit's node (VIEW / WRITE there)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.policy.queries import policy_for
from fangkong.reporting import indicators
from fangkong.reporting.models import DailyReport, ReportingUnit

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
    "contacts_close_new",
    "contacts_secondary_new",
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
