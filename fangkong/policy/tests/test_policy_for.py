"""Which policy is in force where and when: inherited down the tree, the nearest node wins, the newest
effective date wins at a node, and the 2020 preset when nobody set anything."""

import datetime as dt

import pytest

from fangkong.audit.models import AuditEvent
from fangkong.lib.errors import RuleError
from fangkong.policy import actions as policy_actions
from fangkong.policy.models import Policy
from fangkong.policy.queries import PoliciesInForce, policy_for, preset_values


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def set_policy(world, node, day: str, preset: str, actor=None, **kw):
    return policy_actions.set_policy(
        actor=actor or world.county_admin, node=node, effective_from=d(day), preset=preset, **kw
    )


def test_it_uses_the_2020_preset_when_no_policy_is_set(world):
    in_force = policy_for(world.grid07, d("2022-03-01"))
    assert in_force.policy is None
    assert in_force.values["preset"] == "2020"
    assert in_force.values["regimes"]["close_contact"] == [["central_quarantine", 14]]
    assert in_force.label == "默认预设：2020年（新冠肺炎防控方案第二至七版）"


def test_it_inherits_the_county_policy_down_to_the_grid(world):
    county = set_policy(world, world.county, "2021-06-01", "2021")
    for node in (world.county, world.township, world.village, world.grid07, world.other_village):
        assert policy_for(node, d("2021-07-01")).policy == county, node
    assert policy_for(world.grid07, d("2021-05-31")).policy is None  # not yet in force
    assert policy_for(world.grid07, d("2021-06-01")).policy == county  # in force on its first day
    assert policy_for(world.city, d("2021-07-01")).policy is None  # nothing above the county


def test_it_prefers_the_township_policy_over_the_county_one(world):
    set_policy(world, world.county, "2022-06-28", "2022-06")
    township = set_policy(world, world.township, "2022-06-01", "2021", actor=world.township_admin)
    assert policy_for(world.grid07, d("2022-07-01")).policy == township  # the nearer node, though older
    assert policy_for(world.county, d("2022-07-01")).values["preset"] == "2022-06"


def test_it_takes_the_newest_effective_date_at_a_node(world):
    set_policy(world, world.township, "2022-06-28", "2022-06")
    november = set_policy(world, world.township, "2022-11-11", "2022-11")
    december = set_policy(world, world.township, "2022-12-07", "2022-12")
    assert policy_for(world.grid08, d("2022-11-10")).values["preset"] == "2022-06"
    assert policy_for(world.grid08, d("2022-11-11")).policy == november
    assert policy_for(world.grid08, d("2023-01-01")).policy == december


def test_it_falls_back_to_the_county_before_the_township_policy_starts(world):
    set_policy(world, world.county, "2021-06-01", "2021")
    set_policy(world, world.township, "2022-11-11", "2022-11")
    assert policy_for(world.grid07, d("2022-11-10")).values["preset"] == "2021"
    assert policy_for(world.grid07, d("2022-11-11")).values["preset"] == "2022-11"


def test_it_labels_a_policy_with_its_node_date_and_preset(world):
    set_policy(world, world.township, "2022-11-11", "2022-11")
    assert policy_for(world.grid07, d("2022-11-12")).label == (
        "梁水镇 2022-11-11起执行（基于2022年11月（优化防控工作二十条措施））"
    )


def test_it_lets_only_administrators_set_a_policy_in_their_area(world):
    for actor in (world.grid07_worker, world.grid07_viewer, world.outsider):
        with pytest.raises(RuleError) as exc:
            set_policy(world, world.grid07, "2022-01-01", "2021", actor=actor)
        assert exc.value.code == "forbidden"
    with pytest.raises(RuleError):
        set_policy(world, world.county, "2022-01-01", "2021", actor=world.township_admin)  # above them
    assert not Policy.objects.exists()


def test_it_refuses_unknown_presets_unknown_values_and_a_bad_threshold(world):
    with pytest.raises(RuleError) as exc:
        set_policy(world, world.county, "2022-01-01", "2019")
    assert exc.value.errors == {"preset": "预设不存在"}
    with pytest.raises(RuleError) as exc:
        set_policy(world, world.county, "2022-01-01", "2021", overrides={"mask_colour": "blue"})
    assert exc.value.errors == {"mask_colour": "不是可设置的政策参数"}
    with pytest.raises(RuleError) as exc:
        set_policy(world, world.county, "2022-01-01", "2021", overrides={"fever_threshold": "hot"})
    assert "fever_threshold" in exc.value.errors
    assert not Policy.objects.exists()


def test_it_replaces_the_policy_of_the_same_node_and_day_and_audits_each_change(world):
    set_policy(world, world.county, "2022-01-01", "2021")
    set_policy(world, world.county, "2022-01-01", "2022-06", note="改用第九版")
    (policy,) = Policy.objects.all()
    assert (policy.preset, policy.note) == ("2022-06", "改用第九版")
    events = AuditEvent.objects.filter(target_type="Policy", target_id=str(policy.pk))
    assert [e.detail["preset"] for e in events.order_by("id")] == ["2021", "2022-06"]


def test_it_edits_a_preset_value_for_a_stricter_province(world):
    regimes = dict(preset_values("2022-06")["regimes"], close_contact=[["central_quarantine", 10]])
    set_policy(world, world.county, "2022-06-28", "2022-06", overrides={"regimes": regimes})
    values = policy_for(world.grid07, d("2022-07-01")).values
    assert values["regimes"]["close_contact"] == [["central_quarantine", 10]]
    assert values["preset"] == "2022-06"


def test_it_resolves_many_nodes_and_days_from_one_query_as_it_resolves_one(world, django_assert_num_queries):
    set_policy(world, world.county, "2021-06-01", "2021")
    set_policy(world, world.township, "2022-06-28", "2022-06")
    set_policy(world, world.township, "2022-11-11", "2022-11")
    set_policy(world, world.other_village, "2022-07-01", "2022-12")
    nodes = [world.county, world.township, world.village, world.other_village, world.grid07, world.grid08]
    days = [d("2021-05-31"), d("2021-06-01"), d("2022-07-01"), d("2022-11-10"), d("2022-11-11")]

    with django_assert_num_queries(1):
        many = PoliciesInForce.for_subtree(world.county, max(days))
        found = {(node.code, day): many.in_force(node.path, day) for node in nodes for day in days}

    for node in nodes:
        for day in days:
            one = policy_for(node, day)
            assert (found[node.code, day].policy, found[node.code, day].values) == (one.policy, one.values)
    assert found[world.grid07.code, d("2022-11-10")].values["preset"] == "2022-06"
    assert found[world.other_village.code, d("2022-11-11")].values["preset"] == "2022-12"
    assert found[world.grid08.code, d("2021-05-31")].policy is None


def test_it_keeps_a_pinned_policy_in_force_for_the_record_planned_under_it(world):
    first = set_policy(world, world.county, "2021-06-01", "2021")
    set_policy(world, world.county, "2021-01-01", "2022-12")  # back-dated, set afterwards
    set_policy(world, world.township, "2021-03-01", "2022-06")

    in_force = policy_for(world.grid07, d("2021-07-01"), pinned=first)

    assert in_force.policy == first and in_force.values["preset"] == "2021"
    assert policy_for(world.grid07, d("2021-07-01")).values["preset"] == "2022-06"
