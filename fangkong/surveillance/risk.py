"""Risk areas by rule and the five-colour map from the records (DOMAIN.md §7): the facts the pure rules of
rules.py need, read from tracing's cases, their trajectories and clusters."""

import datetime as dt
from collections import defaultdict

from fangkong.grid.models import Jurisdiction, Level
from fangkong.lib.dates import SHANGHAI
from fangkong.policy.queries import policy_for, surveillance_values
from fangkong.tracing.models import Case, Outcome, TrajectoryEntry
from fangkong.tracing.models import Source as CaseSource
from fangkong.tracing.queries import clusters_in

from . import rules
from .series import CASE_KINDS

# the policy presets and the §7 rule each one used (2021 still used the 2020 county rule; 2022-12 ended
# risk areas)
RULE_OF_POLICY = {"2020": "2020", "2021": "2020", "2022-06": "2022-06", "2022-11": "2022-11"}
AREA_LEVELS = (Level.VILLAGE, Level.GRID)  # "compound or village": a case's node at village level or below


def default_rule(node: Jurisdiction, day: dt.date) -> str | None:
    return RULE_OF_POLICY.get(policy_for(node, day).values.get("preset", ""))


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def _cases(node: Jurisdiction, day: dt.date):
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)
    return (
        Case.objects.filter(node__path__startswith=node.path, kind__in=CASE_KINDS, diagnosed_at__lt=end)
        .exclude(outcome=Outcome.EXCLUDED)
        .select_related("node")
    )


def area_case_days(county: Jurisdiction, day: dt.date) -> dict[Jurisdiction, list[dt.date]]:
    """Where cases live (their node, at village level or below) and the places they went (a trajectory's
    venue, at its node), each with the days of the cases (diagnosis) and of the visits."""
    out: dict[int, list[dt.date]] = defaultdict(list)
    nodes: dict[int, Jurisdiction] = {}
    cases = list(_cases(county, day))
    for case in cases:
        if case.node.level in AREA_LEVELS:
            out[case.node_id].append(_local_day(case.diagnosed_at))
            nodes[case.node_id] = case.node
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)
    visits = TrajectoryEntry.objects.filter(
        case__in=[c.pk for c in cases], venue__isnull=False, starts_at__lt=end
    ).select_related("venue__node")
    for entry in visits:
        venue_node = entry.venue.node
        if (
            venue_node is not None
            and venue_node.path.startswith(county.path)
            and venue_node.level in AREA_LEVELS
        ):
            out[venue_node.pk].append(_local_day(entry.starts_at))
            nodes[venue_node.pk] = venue_node
    return {nodes[pk]: days for pk, days in out.items()}


def verdicts(county: Jurisdiction, day: dt.date, rule: str) -> list[tuple[Jurisdiction, rules.RiskVerdict]]:
    """The level of each area under the rule on the day; low areas are listed only while they have cases
    within the last 30 days (to show that they came down)."""
    if rule == "2020":
        cases = list(_cases(county, day))
        clusters = [c for c in clusters_in(county) if _local_day(c.last_at) <= day]
        verdict = rules.risk_2020(
            day=day,
            case_days=[_local_day(c.diagnosed_at) for c in cases],
            cluster_days=[_local_day(c.last_at) for c in clusters],
        )
        return [(county, verdict)]
    found = []
    for node, days in sorted(area_case_days(county, day).items(), key=lambda item: item[0].path):
        if rule == "2022-06":
            verdict = rules.risk_2022_06(day=day, case_days=days)
        else:
            verdict = rules.risk_2022_11(day=day, case_days=days)
        if verdict.level != rules.LOW or max(days) > day - dt.timedelta(days=30):
            found.append((node, verdict))
    return found


# ── the five-colour map ───────────────────────────────────────────────────────────────────────────────


def five_colour_map(county: Jurisdiction, day: dt.date) -> list[dict]:
    """Each township of the county with its facts and colour on the day (thresholds from policy)."""
    thresholds = surveillance_values(policy_for(county, day).values).get("five_colour") or {}
    cases = list(_cases(county, day).values("node__path", "diagnosed_at", "source"))
    clusters = [c for c in clusters_in(county) if day - dt.timedelta(days=13) <= _local_day(c.last_at) <= day]
    by_case_path = {c.pk: c.node.path for c in _cases(county, day)}
    rows = []
    for township in Jurisdiction.objects.filter(parent=county).order_by("path"):
        mine = [c for c in cases if c["node__path"].startswith(township.path)]
        days = [_local_day(c["diagnosed_at"]) for c in mine]
        facts = rules.TownshipFacts(
            total=len(mine),
            local=sum(1 for c in mine if c["source"] == CaseSource.LOCAL),
            clusters=sum(
                1
                for cluster in clusters
                if any(by_case_path.get(i, "").startswith(township.path) for i in cluster.case_ids)
            ),
            new_7d=sum(1 for d in days if d > day - dt.timedelta(days=7)),
            days_since_last=(day - max(days)).days if days else None,
        )
        colour, reason = rules.five_colour(facts, thresholds)
        rows.append({"node": township, "facts": facts, "colour": colour, "reason": reason})
    return rows
