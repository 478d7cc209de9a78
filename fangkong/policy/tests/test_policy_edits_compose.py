import datetime as dt

from fangkong.policy import actions as policy_actions
from fangkong.policy.queries import policy_for


def test_it_keeps_one_sections_edit_when_another_section_is_edited(world):
    day = dt.date(2020, 2, 1)
    policy_actions.set_policy(
        actor=world.county_admin,
        node=world.county,
        effective_from=day,
        preset="2020",
        overrides={"checkin_retention_days": 14},
    )
    policy_actions.set_policy(
        actor=world.county_admin,
        node=world.county,
        effective_from=day,
        preset="2020",
        overrides={"fever_threshold": "37.5"},
    )
    values = policy_for(world.grid07, day).values
    assert values["fever_threshold"] == "37.5"
    assert values["checkin_retention_days"] == 14


def test_it_starts_from_the_preset_when_the_preset_changes(world):
    policy_actions.set_policy(
        actor=world.county_admin,
        node=world.county,
        effective_from=dt.date(2020, 2, 1),
        preset="2020",
        overrides={"fever_threshold": "37.5"},
    )
    policy_actions.set_policy(
        actor=world.county_admin, node=world.county, effective_from=dt.date(2021, 6, 1), preset="2021"
    )
    assert policy_for(world.grid07, dt.date(2021, 6, 1)).values["fever_threshold"] == "37.3"
