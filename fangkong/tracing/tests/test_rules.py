"""The pure rules: look-back windows (§5), the §12 clocks, the transitions §12 allows, clusters."""

import datetime as dt

import pytest

from fangkong.lib.errors import RuleError
from fangkong.policy.presets import PRESETS
from fangkong.policy.queries import preset_values, tracing_values
from fangkong.tracing import rules
from fangkong.tracing.rules import SHANGHAI


def at(day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2022, 3, day, hour, minute, tzinfo=SHANGHAI)


def window(**given):
    facts = dict(
        kind="confirmed",
        onset_on=None,
        sampled_at=None,
        diagnosed_at=at(10, 20),
        found_by_routine_testing=False,
        last_negative_at=None,
        isolated_at=None,
        lookback_days=2,
        now=at(11, 9),
    )
    return rules.lookback_window(**{**facts, **given})


def test_it_looks_back_two_days_before_onset_until_isolation():
    assert window(onset_on=dt.date(2022, 3, 8), isolated_at=at(10, 21)) == (at(6), at(10, 21))


def test_it_looks_back_from_sampling_for_an_asymptomatic_case():
    since, _ = window(kind="asymptomatic", onset_on=dt.date(2022, 3, 1), sampled_at=at(9, 23, 30))
    assert since == at(7)


def test_it_counts_days_in_shanghai_whatever_the_timezone_given():
    sampled = dt.datetime(2022, 3, 9, 17, 0, tzinfo=dt.UTC)  # 01:00 on the 10th in Shanghai
    assert window(kind="asymptomatic", sampled_at=sampled)[0] == at(8)


def test_it_starts_at_the_last_negative_test_when_found_by_routine_testing():
    since, until = window(
        onset_on=dt.date(2022, 3, 8), found_by_routine_testing=True, last_negative_at=at(7, 8)
    )
    assert (since, until) == (at(7, 8), at(11, 9))


def test_it_takes_four_days_when_the_policy_says_so():
    assert window(onset_on=dt.date(2022, 3, 8), lookback_days=4)[0] == at(4)


def test_it_runs_until_now_while_the_case_is_not_isolated():
    assert window(onset_on=dt.date(2022, 3, 8))[1] == at(11, 9)


VALUES = tracing_values(preset_values("2021"))


def clocks(now, **facts):
    states = rules.clock_states(rules.ClockFacts(diagnosed_at=at(10, 8), **facts), VALUES, now)
    return {s.clock: s for s in states}


def test_it_gives_two_hours_to_report_and_counts_the_rest_from_the_report():
    states = clocks(at(10, 9), reported_at=at(10, 9))
    assert states["report"].due_at == at(10, 10) and not states["report"].overdue
    assert states["core"].due_at == at(10, 13)
    assert states["investigation"].due_at == at(11, 9)
    assert states["contacts"].due_at == at(11, 9)


def test_it_marks_a_clock_overdue_when_done_late_or_still_open_past_due():
    states = clocks(at(10, 14), reported_at=at(10, 11), core_done_at=at(10, 14))
    assert states["report"].overdue and states["report"].done_at == at(10, 11)
    assert not states["core"].overdue  # due 15:00
    assert clocks(at(10, 16), reported_at=at(10, 11))["core"].overdue


def test_it_reads_the_clock_hours_from_the_policy():
    values = {**VALUES, "report_hours": 1}
    [report, *_] = rules.clock_states(rules.ClockFacts(diagnosed_at=at(10, 8)), values, at(10, 8))
    assert report.due_at == at(10, 9)


def test_it_ships_the_section_in_every_preset_with_secondary_contacts_ending_late_2022():
    determined = {code: values["tracing"]["secondary_determined"] for code, values in PRESETS.items()}
    assert determined == {"2020": True, "2021": True, "2022-06": True, "2022-11": False, "2022-12": False}
    assert "tracing" in PRESETS["2020"]["unverified"]
    assert all(
        v["tracing"]["report_hours"] == 2 and v["tracing"]["core_hours"] == 4 for v in PRESETS.values()
    )


def test_it_falls_back_to_the_preset_for_a_policy_saved_before_the_section():
    old = preset_values("2022-11")
    del old["tracing"]
    assert tracing_values(old)["secondary_determined"] is False


@pytest.mark.parametrize(
    ("state", "event", "after"),
    [
        ((None, ""), "suspected", ("suspected", "")),
        (("suspected", ""), "confirmed", ("confirmed", "")),
        (("suspected", ""), "excluded", ("suspected", "excluded")),
        (("asymptomatic", ""), "confirmed", ("confirmed", "")),
        (("confirmed", ""), "discharged", ("confirmed", "discharged")),
        (("confirmed", ""), "died", ("confirmed", "died")),
    ],
)
def test_it_follows_the_transitions_of_section_12(state, event, after):
    assert rules.next_kind(*state, event) == after


@pytest.mark.parametrize(
    ("state", "event", "message"),
    [
        (("suspected", ""), "discharged", "疑似病例不能“出院（解除隔离）”"),
        (("confirmed", ""), "excluded", "确诊病例不能“排除”"),
        (("confirmed", "discharged"), "died", "该病例已出院"),
        (("suspected", "excluded"), "confirmed", "该病例已排除"),
        ((None, ""), "discharged", "新病例须先报告"),
    ],
)
def test_it_refuses_what_section_12_forbids_in_chinese(state, event, message):
    with pytest.raises(RuleError, match=message):
        rules.next_kind(*state, event)


def test_it_finds_clusters_of_two_cases_within_fourteen_days_in_one_unit():
    cases = [rules.ClusterCase(1, at(1)), rules.ClusterCase(2, at(14)), rules.ClusterCase(3, at(30))]
    links = [rules.Link(i, "household", "h1", "七组12号") for i in (1, 2, 3)]
    links += [rules.Link(3, "workplace", "u9", "纺织厂")]
    [cluster] = rules.clusters(cases, links)
    assert (cluster.unit, cluster.case_ids, cluster.first_at, cluster.last_at) == (
        "household",
        (1, 2),
        at(1),
        at(14),
    )


def test_it_keeps_a_chain_going_while_each_next_case_is_within_the_days():
    cases = [rules.ClusterCase(i, at(1 + 10 * (i - 1))) for i in (1, 2, 3)]  # days 1, 11, 21
    links = [rules.Link(i, "venue", "v", "饭庄") for i in (1, 2, 3)]
    assert [c.case_ids for c in rules.clusters(cases, links)] == [(1, 2, 3)]
    assert rules.clusters(cases, links, days=7) == []


def test_it_ignores_links_of_cases_not_given():
    links = [rules.Link(1, "vehicle", "G1", "G1"), rules.Link(2, "vehicle", "G1", "G1")]
    assert rules.clusters([rules.ClusterCase(1, at(1))], links) == []
