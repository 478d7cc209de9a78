"""Daily reports for the demo county (registry/demo.py), written after its key persons, venues and
checkpoints (the demo.py of measures, healthcodes, venues, checkpoints) so that the reports' figures are
theirs.

- Every village and community of the county owes a daily report (`daily_actions.add_village_reporting_units`).
- Over the last REPORT_DAYS days most villages of the three demo townships reported: most on time, some
  late, some not at all; quiet villages often by a zero report. Reports are bulk-inserted with their
  submission time in the past (submit_report stamps the present), holding what submit_report would
  store: the indicators of the village for the day as computed when submitted (`daily_queries.figures`), the
  activity counts the policy asks for (`daily_queries.activities_for`), a zero report only where
  `daily_queries.zero_report_blockers` finds nothing, the deadline from the policy as completeness.py reads it.
  Reports are sent the morning after the day, when its figures are final, so each village's figures
  for the ten days come from one `trends.series` (the same definitions as `indicators.compute`, which
  tests/test_trends.py holds it to); a village whose subtree has no records at all has the figures of
  any other such village, computed once. 梁浅新村's report of yesterday is left for demo_village.
- The entry times of the key persons' story (`_enter_as_told`): the other demo modules write weeks of work
  through the actions in one go, so every screening, measure, release, follow-up and passage reads as
  entered at load time, and a situation report of any earlier moment (the current hour included, right
  after loading) would count none of them. The demo's screenings are stamped as created, and the audit
  rows of its measures, releases, follow-ups and passages as written, when the story says they happened.

Repeatable: one `random.Random` per seed, units and days in a fixed order, times relative to `now`.
"""

import datetime as dt
import random

from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action, AuditEvent
from fangkong.checkpoints.models import Passage
from fangkong.grid.models import Jurisdiction
from fangkong.measures import rules
from fangkong.measures.models import FollowUp, Measure, QuarantineSite, Screening
from fangkong.measures.rules import SHANGHAI
from fangkong.registry.models import Residence
from fangkong.reporting import actions as daily_actions
from fangkong.reporting import completeness, indicators, trends
from fangkong.reporting import queries as daily_queries
from fangkong.reporting.models import DailyReport, ReportingUnit
from fangkong.venues.models import CheckIn

REPORT_DAYS = 10
UNITS_FROM_DAYS = 30  # the villages owe reports from this many days before today
MISSING, LATE, ZERO = 0.08, 0.12, 0.6  # shares: not sent, sent late, zero reports where allowed

# Activity counts a day: (busy village, quiet village) ranges.
ACTIVITY_RANGES = {
    "meetings": ((0, 1), (0, 1)),
    "banners": ((0, 3), (0, 1)),
    "posters": ((0, 8), (0, 3)),
    "leaflets": ((10, 80), (0, 30)),
    "broadcasts": ((2, 6), (1, 3)),
    "volunteers": ((4, 15), (2, 6)),
    "disinfections": ((1, 3), (0, 2)),
}
QUIET_NOTES = [
    "",
    "",
    "村内无外来人员，继续做好宣传和值守",
    "组织志愿者入户宣传防控知识",
    "对村内公共场所进行了消毒",
    "大喇叭循环播放防控知识",
]


def _village_path(path: str) -> str:
    """The path of the village (or community) a node path lies in: county/township/village/…"""
    parts = path.strip("/").split("/")
    return "/".join(parts[:5]) + "/"


def _busy_villages(county: Jurisdiction) -> set[str]:
    """Paths of the villages with anything in their subtree that a figure could count."""
    path = county.path
    found = set()
    for model, field in (
        (Residence, "node__path"),
        (Measure, "node__path"),
        (Screening, "node__path"),
        (QuarantineSite, "node__path"),
        (CheckIn, "venue__node__path"),
        (Passage, "checkpoint__node__path"),
    ):
        paths = model.objects.filter(**{f"{field}__startswith": path}).values_list(field, flat=True)
        found.update(_village_path(p) for p in paths.order_by().distinct())
    return found


def _submitter(context, node: Jurisdiction):
    users = context.users
    index = context.township_index(node)
    if index == 0:
        return users["village"] if node == context.gridded[0][0] else users["township_staff"]
    return users[("lsz", "tyz", "glj")[index] + "_cadre"]


def _note(rng: random.Random, values: dict) -> str:
    parts = []
    if values.get("screened_new"):
        parts.append(f"新增排查返乡等重点人员{values['screened_new']}人，均已落实管控措施")
    if values.get("followups_done"):
        parts.append(f"包保人员上门测温随访{values['followups_done']}人次")
    if values.get("symptomatic_new"):
        parts.append(f"随访发现体温异常或症状{values['symptomatic_new']}人，已按程序处置")
    if values.get("released_new"):
        parts.append(f"{values['released_new']}人期满解除")
    return "；".join(parts) + ("。" if parts else rng.choice(QUIET_NOTES))


SCREENED_AT = dt.time(9, 0)  # when a screening with no measure was entered: the morning of its day


def _enter_as_told(county: Jurisdiction, now: dt.datetime) -> int:
    """Stamp the entry times of the county's key-person records at the moments of their story (see the
    module docstring); never later than `now`. Returns the rows stamped."""
    measures = Measure.objects.filter(node__path__startswith=county.path)
    first_start: dict[int, dt.datetime] = {}
    for screening_id, started_at in measures.exclude(screening=None).values_list("screening", "started_at"):
        first_start[screening_id] = min(started_at, first_start.get(screening_id, started_at))
    screenings = list(Screening.objects.filter(node__path__startswith=county.path))
    for screening in screenings:
        told = first_start.get(screening.pk) or dt.datetime.combine(
            screening.screened_on, SCREENED_AT, tzinfo=SHANGHAI
        )
        screening.created_at = min(told, now)
    Screening.objects.bulk_update(screenings, ["created_at"], batch_size=1000)
    moments = {("Measure", Action.CREATE, str(pk)): at for pk, at in measures.values_list("pk", "started_at")}
    for pk, released_at in measures.exclude(released_at=None).values_list("pk", "released_at"):
        moments[("Measure", Action.UPDATE, str(pk))] = released_at
    follow_ups = FollowUp.objects.filter(measure__node__path__startswith=county.path)
    moments |= {
        ("FollowUp", Action.CREATE, str(pk)): at for pk, at in follow_ups.values_list("pk", "taken_at")
    }
    passages = Passage.objects.filter(checkpoint__node__path__startswith=county.path)
    moments |= {("Passage", Action.CREATE, str(pk)): at for pk, at in passages.values_list("pk", "at")}
    events = []
    written = AuditEvent.objects.filter(
        node_path__startswith=county.path, target_type__in=["Measure", "FollowUp", "Passage"]
    )
    for event in written.only("at", "target_type", "target_id", "action", "detail"):
        if event.action == Action.UPDATE and event.detail.get("change") not in indicators.RELEASES:
            continue
        told = moments.get((event.target_type, event.action, event.target_id))
        if told is not None:
            event.at = min(told, now)
            events.append(event)
    AuditEvent.objects.bulk_update(events, ["at"], batch_size=1000)
    return len(screenings) + len(events)


def load(*, context, seed: int, now: dt.datetime | None = None) -> dict | None:
    """Write the demo's reporting units and daily reports (once: None when there).
    Run after the other demo modules; call in a transaction."""
    county = context.county
    if ReportingUnit.objects.filter(node__path__startswith=county.path).exists():
        return None
    now = now or timezone.now()
    entries = _enter_as_told(county, now)
    today = now.astimezone(SHANGHAI).date()
    rng = random.Random(f"{seed}:reporting")
    users = context.users
    units = daily_actions.add_village_reporting_units(
        actor=users["county"], node=county, active_from=today - dt.timedelta(days=UNITS_FROM_DAYS)
    )
    demo_paths = tuple(t.path for t in context.townships)
    busy = _busy_villages(county)
    quiet_village = next(u.node for u in units if u.node.path not in busy)
    policies = completeness.Policies.for_subtree(county, today)
    left_for_demo = context.gridded[0][0]
    by_node: dict[int, dict] = {}

    def figures(node: Jurisdiction) -> dict[dt.date, dict]:
        """The village's figures for each report day (ended days: the same whenever computed)."""
        if node.pk not in by_node:
            series = trends.series(
                node,
                last_day=today - dt.timedelta(days=1),
                days=REPORT_DAYS,
                codes=list(indicators.REGISTRY),
                now=now,
            )
            by_node[node.pk] = {
                day: {code: values[i] for code, values in series.values.items()}
                for i, day in enumerate(series.days)
            }
        return by_node[node.pk]

    configured: dict[str, list] = {}

    def activities_of(unit: ReportingUnit, day: dt.date) -> list:
        """daily_queries.activities_for, asked once per distinct configuration in force (most share the default)."""
        key = repr(policies.values(unit.node.path, day).get(daily_queries.ACTIVITIES_KEY))
        if key not in configured:
            configured[key] = daily_queries.activities_for(unit.node, day)
        return configured[key]

    rows, counts = [], {"on_time": 0, "late": 0, "zero": 0, "missing": 0}
    for unit in sorted(units, key=lambda u: u.node.path):
        if not unit.node.path.startswith(demo_paths):
            continue
        submitter = _submitter(context, unit.node)
        assert daily_queries.can_submit(submitter, unit)
        is_busy = unit.node.path in busy
        for back in range(REPORT_DAYS, 0, -1):
            day = today - dt.timedelta(days=back)
            if not daily_queries.owes(unit, day) or (unit.node == left_for_demo and back == 1):
                continue
            deadline = completeness.deadline_from(policies.values(unit.node.path, day), day)
            draw = rng.random()
            if draw < MISSING:
                counts["missing"] += 1
                continue
            morning = rules.local_midnight(day + dt.timedelta(days=1)) + dt.timedelta(hours=7)
            if draw < MISSING + LATE:
                submitted_at = deadline + dt.timedelta(minutes=rng.randint(20, 8 * 60))
            else:
                submitted_at = morning + dt.timedelta(
                    minutes=rng.randint(0, int((deadline - morning).total_seconds() // 60) - 5)
                )
            if submitted_at > now:
                continue  # not yet: still owed (待报)
            values = (figures(unit.node) if is_busy else figures(quiet_village))[day]
            activities = activities_of(unit, day)
            zero = not daily_queries.zero_report_blockers(values) and rng.random() < ZERO
            ranges = {code: spans[0 if is_busy else 1] for code, spans in ACTIVITY_RANGES.items()}
            cleaned = {a.code: 0 if zero else rng.randint(*ranges.get(a.code, (0, 2))) for a in activities}
            rows.append(
                DailyReport(
                    reporting_unit=unit,
                    day=day,
                    is_zero=zero,
                    indicators=values,
                    activities=cleaned,
                    note="" if zero else _note(rng, values),
                    submitted_at=submitted_at,
                    submitted_by=submitter,
                )
            )
            counts["late" if submitted_at > deadline else "on_time"] += 1
            counts["zero"] += zero
    # One correction: the village first sent the wrong number of volunteers.
    corrected = next((r for r in rows if not r.is_zero and r.reporting_unit.node.path in busy), None)
    if corrected is not None:
        first = DailyReport(
            reporting_unit=corrected.reporting_unit,
            day=corrected.day,
            is_current=False,
            is_zero=False,
            indicators=corrected.indicators,
            activities={**corrected.activities, "volunteers": corrected.activities.get("volunteers", 0) + 20},
            note=corrected.note,
            submitted_at=corrected.submitted_at,
            submitted_by=corrected.submitted_by,
        )
        corrected.revision = 2
        corrected.submitted_at += dt.timedelta(minutes=rng.randint(30, 90))
        corrected.correction_reason = "志愿者在岗人数误填，更正"
        rows.insert(0, first)
    DailyReport.objects.bulk_create(rows, batch_size=1000)
    record(
        actor=users["county"],
        action=Action.CREATE,
        node_path=county.path,
        change="demo_daily_reports",
        count=len(rows),
    )
    return {
        "reporting_units": len(units),
        "reports": len(rows),
        **counts,
        "entries_dated": entries,
    }
