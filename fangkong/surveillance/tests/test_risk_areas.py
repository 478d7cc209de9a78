"""Risk areas from the records: proposals under the 2022-06 rule where cases live, the county's confirmation
declaring the health codes' risk areas with the computed days, an override with its reason, and the
five-colour map recounted."""

import datetime as dt

import pytest
from django.utils import timezone

from fangkong.audit.models import AuditEvent
from fangkong.healthcodes.models import RiskArea
from fangkong.lib.dates import SHANGHAI
from fangkong.lib.errors import RuleError
from fangkong.surveillance import actions, risk
from fangkong.surveillance.models import RiskStatus
from fangkong.tracing.actions.cases import report_case


@pytest.fixture
def two_cases(world, people):
    day = timezone.localdate() - dt.timedelta(days=3)
    at = dt.datetime.combine(day, dt.time(9), tzinfo=SHANGHAI)
    return [
        report_case(
            actor=world.county_admin,
            node=world.grid07,
            kind="confirmed",
            diagnosed_at=at,
            person=people["zhang"],
        ),
        report_case(
            actor=world.county_admin,
            node=world.grid07,
            kind="asymptomatic",
            diagnosed_at=at + dt.timedelta(days=1),
            person=people["li"],
        ),
    ], day + dt.timedelta(days=1)


def test_2022_06_proposal_and_confirmation(world, two_cases):
    _cases, last = two_cases
    day = last + dt.timedelta(days=1)
    proposals = actions.propose_risk_areas(county=world.county, day=day, rule="2022-06")
    assert [(p.node, p.level) for p in proposals] == [(world.grid07, "high")]
    proposal = proposals[0]
    assert proposal.steps == [
        [(last + dt.timedelta(days=7)).isoformat(), "medium"],
        [(last + dt.timedelta(days=10)).isoformat(), "low"],
    ]
    with pytest.raises(RuleError):
        actions.decide_risk(actor=world.township_admin, decision=proposal)  # only the county
    actions.decide_risk(actor=world.county_admin, decision=proposal)
    areas = list(RiskArea.objects.filter(node=world.grid07).order_by("starts_on"))
    assert [(a.level, a.starts_on, a.ends_on) for a in areas] == [
        ("high", day, last + dt.timedelta(days=6)),
        ("medium", last + dt.timedelta(days=7), last + dt.timedelta(days=9)),
    ]
    proposal.refresh_from_db()
    assert proposal.status == RiskStatus.CONFIRMED and proposal.risk_areas == [a.pk for a in areas]
    # again: kept as decided
    again = actions.propose_risk_areas(county=world.county, day=day, rule="2022-06")
    assert again[0].status == RiskStatus.CONFIRMED


def test_override_needs_a_reason_and_is_audited(world, two_cases):
    _cases, last = two_cases
    proposal = actions.propose_risk_areas(county=world.county, day=last, rule="2022-11")[0]
    assert proposal.level == "high"
    with pytest.raises(RuleError):
        actions.decide_risk(actor=world.county_admin, decision=proposal, level="medium")
    actions.decide_risk(actor=world.county_admin, decision=proposal, level="medium", note="已全员核酸阴性")
    area = RiskArea.objects.get(node=world.grid07)
    assert area.level == "medium" and area.ends_on is None
    assert AuditEvent.objects.filter(target_type="RiskDecision", detail__note="已全员核酸阴性").exists()


def test_2020_county_rule_and_five_colours(world, two_cases):
    _cases, last = two_cases
    verdicts = risk.verdicts(world.county, last, "2020")
    assert verdicts[0][0] == world.county and verdicts[0][1].level == "medium"  # 2 cases, not over 50
    rows = {r["node"]: r for r in risk.five_colour_map(world.county, last)}
    facts = rows[world.township]["facts"]
    assert (facts.total, facts.local, facts.new_7d, facts.days_since_last) == (2, 2, 2, 0)
    assert facts.clusters == 1  # 张伟 and 李秀英 share a household: a cluster
    assert rows[world.township]["colour"] == "orange"  # a cluster within 14 days
    assert rows[world.township]["reason"].startswith("聚集性疫情")
