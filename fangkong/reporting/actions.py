"""Writes of daily and zero reports (DOMAIN.md §8; what a report holds and who owes one: queries.py):
reporting units added and removed by a node's admins, reports submitted, zero reports, corrections.

Submitting again with the same content (a double tap, a retried request) changes nothing. Different
content is a correction: it needs a reason and adds a revision; the history stays."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid.models import Jurisdiction, Level
from fangkong.imports.values import format_date
from fangkong.lib.errors import RuleError
from fangkong.registry.models import Unit
from fangkong.reporting import reminders
from fangkong.reporting.models import DailyReport, ReportingUnit
from fangkong.reporting.queries import (
    MAX_COUNT,
    NODE_LEVELS,
    Activity,
    activities_for,
    can_manage,
    can_submit,
    figures,
    owes,
    zero_report_blockers,
)


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
