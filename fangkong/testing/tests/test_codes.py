"""Codes follow the tests (DOMAIN.md §6): a positive test turns the code red until a later negative; a
negative test (each member's, from a negative pool) is what turns a yellow `test_clears` finding green."""

import datetime as dt

from django.utils import timezone

from fangkong.healthcodes import colours
from fangkong.healthcodes import rules as code_rules
from fangkong.healthcodes.colours import colour_of
from fangkong.healthcodes.identity import identity_for_person
from fangkong.policy.presets import PRESETS
from fangkong.testing import actions, providers

T = dt.datetime(2022, 4, 10, 8, tzinfo=dt.UTC)


def test_every_preset_has_the_positive_test_rule_on():
    for values in PRESETS.values():
        assert code_rules.rule_table(values)["rules"]["positive_test"] == {
            "on": True,
            "colour": "red",
            "days": 14,
        }


def test_a_positive_is_red_until_a_later_negative():
    table = code_rules.rule_table(PRESETS["2021"])
    inputs = code_rules.Inputs(
        extra={"positive_tests": [code_rules.PositiveFact(sampled_at=T)]},
        negative_tests=[T - dt.timedelta(days=1), T + dt.timedelta(days=2)],
    )
    assert code_rules.evaluate(inputs, table, T - dt.timedelta(hours=1)).colour == "green"
    during = code_rules.evaluate(inputs, table, T + dt.timedelta(days=1))
    assert during.colour == "red" and during.reasons == ["4月10日16:00采样核酸检测阳性"]
    assert code_rules.evaluate(inputs, table, T + dt.timedelta(days=2, hours=1)).colour == "green"


def test_a_positive_without_a_negative_lasts_the_rules_days():
    table = code_rules.rule_table(PRESETS["2020"])
    inputs = code_rules.Inputs(extra={"positive_tests": [code_rules.PositiveFact(sampled_at=T)]})
    assert code_rules.evaluate(inputs, table, T + dt.timedelta(days=13)).colour == "red"
    assert code_rules.evaluate(inputs, table, T + dt.timedelta(days=14)).colour == "green"


def test_a_positive_single_tube_turns_the_person_red(world, people, sample_tube):
    zhang = people["zhang"]
    tube = sample_tube("S9", [zhang], kind="single")
    assert colour_of(identity_for_person(zhang)).colour == "green"
    actions.record_result(actor=world.county_admin, sample=tube, result="positive")
    result = colour_of(identity_for_person(zhang))
    assert result.colour == "red"
    assert any("核酸检测阳性" in reason for reason in result.reasons)
    assert code_rules.PLAIN_SQL["positive_tests"] == (providers.positives, providers.POSITIVES_SQL)


def test_a_negative_pool_is_a_negative_test_of_each_member(world, ten, sample_tube):
    tube = sample_tube("P9", ten)
    actions.record_result(actor=world.county_admin, sample=tube, result="negative")
    now = timezone.now()
    for person in ten:
        gathered = colours.gather(identity_for_person(person), since=now, until=now)
        assert gathered.negative_tests == [tube.sampled_at]
