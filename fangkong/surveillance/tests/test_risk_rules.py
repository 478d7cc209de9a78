"""Risk areas by the §7 presets at the edges of their windows, and the five-colour rules."""

import datetime as dt

import pytest

from fangkong.surveillance import rules
from fangkong.surveillance.rules import HIGH, LOW, MEDIUM

L = dt.date(2022, 6, 10)  # the last case


def d(n):
    return L + dt.timedelta(days=n)


@pytest.mark.parametrize(
    "offset, level",
    [(0, HIGH), (6, HIGH), (7, MEDIUM), (9, MEDIUM), (10, LOW), (30, LOW)],
)
def test_2022_06_high_7_days_then_medium_3_days(offset, level):
    verdict = rules.risk_2022_06(day=d(offset), case_days=[d(-3), L])
    assert verdict.level == level
    if level == HIGH:
        assert verdict.steps == ((d(7), MEDIUM), (d(10), LOW))
    if level == MEDIUM:
        assert verdict.steps == ((d(10), LOW),)


def test_2022_06_a_new_case_restarts_the_clock():
    assert rules.risk_2022_06(day=d(8), case_days=[L]).level == MEDIUM
    assert rules.risk_2022_06(day=d(8), case_days=[L, d(8)]).level == HIGH
    assert rules.risk_2022_06(day=d(-1), case_days=[L]).level == LOW  # a case after D does not count


@pytest.mark.parametrize("offset, level", [(0, HIGH), (4, HIGH), (5, LOW)])
def test_2022_11_high_then_low_after_5_days(offset, level):
    verdict = rules.risk_2022_11(day=d(offset), case_days=[L])
    assert verdict.level == level
    assert verdict.level in (HIGH, LOW)
    if level == HIGH:
        assert verdict.steps == ((d(5), LOW),)


def test_2020_low_medium_high_at_the_edges():
    many = [d(-20)] * 50 + [L]  # 51 cases
    cluster_last = d(-2)
    # high: more than 50 and a cluster within 14 days (D-13 … D)
    assert rules.risk_2020(day=d(11), case_days=many, cluster_days=[cluster_last]).level == HIGH
    high = rules.risk_2020(day=d(0), case_days=many, cluster_days=[cluster_last])
    assert high.steps == ((d(12), MEDIUM), (d(14), LOW))
    assert rules.risk_2020(day=d(12), case_days=many, cluster_days=[cluster_last]).level == MEDIUM
    assert rules.risk_2020(day=d(13), case_days=many, cluster_days=[cluster_last]).level == MEDIUM
    assert rules.risk_2020(day=d(14), case_days=many, cluster_days=[cluster_last]).level == LOW
    # exactly 50: not more than 50 → medium even with a cluster
    assert rules.risk_2020(day=d(0), case_days=many[1:], cluster_days=[cluster_last]).level == MEDIUM
    assert rules.risk_2020(day=d(0), case_days=[], cluster_days=[]).level == LOW


def test_five_colours():
    facts = rules.TownshipFacts
    assert rules.five_colour(facts(0, 0, 0, 0, None))[0] == "green"
    assert rules.five_colour(facts(3, 3, 0, 0, 28))[0] == "green"
    assert rules.five_colour(facts(3, 0, 0, 0, 27))[0] == "blue"
    assert rules.five_colour(facts(3, 3, 0, 1, 0))[0] == "yellow"
    assert rules.five_colour(facts(21, 10, 0, 0, 3))[0] == "orange"
    assert rules.five_colour(facts(5, 5, 2, 4, 0))[0] == "red"
    assert rules.five_colour(facts(5, 5, 0, 4, 0), {"red": {"new_7d": 4}})[0] == "red"
