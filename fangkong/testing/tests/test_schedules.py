"""Schedules (DOMAIN.md §4, §13): people under measures are due for tests on the days the policy in force
sets, key groups at their group's frequency, and a measure's release waits for the tests it requires."""

import datetime as dt

import pytest
from django.utils import timezone

from fangkong.lib.errors import RuleError
from fangkong.measures import actions as measure_actions
from fangkong.measures.rules import SHANGHAI
from fangkong.policy.actions import set_policy
from fangkong.policy.models import Kind
from fangkong.policy.presets import PRESETS
from fangkong.testing import actions, queries, rules


def test_test_days_under_two_presets():
    one = dt.date(2022, 6, 1)
    assert rules.measure_test_dates(kind=Kind.CENTRAL_QUARANTINE, day_one=one, values=PRESETS["2021"]) == [
        dt.date(2022, 6, d) for d in (1, 4, 7, 13, 14)
    ]
    assert rules.measure_test_dates(kind=Kind.CENTRAL_QUARANTINE, day_one=one, values=PRESETS["2022-06"]) == [
        dt.date(2022, 6, d) for d in (1, 2, 3, 5, 7)
    ]
    assert rules.measure_test_dates(kind=Kind.HOME_QUARANTINE, day_one=one, values=PRESETS["2021"]) == []


def test_key_group_frequency_is_policy():
    assert rules.key_group_days(PRESETS["2020"])["cold_chain"] == 7
    edited = {**PRESETS["2020"], "testing": {"key_group_days": {"cold_chain": 2}}}
    assert rules.key_group_days(edited)["cold_chain"] == 2
    assert rules.key_group_next(
        last_tested=dt.date(2022, 6, 1), since=dt.date(2022, 5, 1), every=2
    ) == dt.date(2022, 6, 3)
    assert rules.key_group_next(last_tested=None, since=dt.date(2022, 5, 1), every=2) == dt.date(2022, 5, 1)


def _today():
    return timezone.localdate()


def _start(world, person, kind, days_ago):
    started = dt.datetime.combine(_today() - dt.timedelta(days=days_ago), dt.time(9), tzinfo=SHANGHAI)
    return measure_actions.start_measure(
        actor=world.county_admin, person=person, kind=kind, started_at=started
    )


def _expected(measure, days):
    """The measure's day 1 as its own period says (planned end less its days), then the test days."""
    one = (measure.planned_end.astimezone(SHANGHAI) - dt.timedelta(days=measure.period_days)).date()
    return [one + dt.timedelta(days=n - 1) for n in days]


@pytest.mark.parametrize(
    ("preset", "kind", "days"),
    [("2022-06", Kind.HOME_QUARANTINE, [1, 4, 7]), ("2021", Kind.HOME_MONITORING, [7])],
)
def test_the_worklist_lists_due_and_overdue_tests_of_the_policy_in_force(
    world, people, sample_tube, preset, kind, days
):
    set_policy(actor=world.county_admin, node=world.county, effective_from=dt.date(2020, 1, 1), preset=preset)
    zhang = people["zhang"]
    measure = _start(world, zhang, kind, days_ago=8)
    dates = [d for d in _expected(measure, days) if d >= measure.started_at.astimezone(SHANGHAI).date()]
    # He was tested on the first test day only (when there are several).
    first = dt.datetime.combine(dates[0], dt.time(10), tzinfo=SHANGHAI)
    if len(dates) == 1:
        first = timezone.now() + dt.timedelta(days=1)
    if first <= timezone.now():
        sample_tube("T1", [zhang], kind="single", at=first)
    today = _today()
    expected = sorted(
        (d, "overdue" if d < today else "due")
        for d in dates[1:] + ([] if first <= timezone.now() else dates[:1])
        if d <= today
    )
    assert expected  # the case says something
    got = queries.schedule(world.grid07_worker, today=today)
    assert sorted((r.due_on, r.state) for r in got.rows) == expected
    assert got.overdue == sum(1 for _, s in expected if s == "overdue")
    # Someone else's grid sees none of it.
    assert queries.schedule(world.grid08_worker, today=today).rows == []


def test_key_group_members_are_due_at_their_frequency(world, people, sample_tube):
    wang = people["wang"]
    actions.add_to_key_group(
        actor=world.county_admin, person=wang, group="cold_chain", since=_today() - dt.timedelta(days=30)
    )
    sample_tube("K1", [wang], kind="single", at=timezone.now() - dt.timedelta(days=9))
    rows = queries.schedule(world.grid08_worker, today=_today()).rows
    last = (timezone.now() - dt.timedelta(days=9)).astimezone(SHANGHAI).date()
    assert [(r.person, r.due_on, r.state) for r in rows] == [(wang, last + dt.timedelta(days=7), "overdue")]
    sample_tube("K2", [wang], kind="single", at=timezone.now() - dt.timedelta(minutes=1))
    assert queries.schedule(world.grid08_worker, today=_today()).rows == []


def test_release_waits_for_the_tests_the_policy_requires(world, people, sample_tube):
    set_policy(actor=world.county_admin, node=world.county, effective_from=dt.date(2020, 1, 1), preset="2021")
    zhang = people["zhang"]
    measure = _start(world, zhang, Kind.HOME_MONITORING, days_ago=20)
    assert measure_actions.release_status(measure) == ["解除前需2次核酸阴性结果，现有0次"]
    pool = sample_tube("R1", [zhang, people["li"]], capacity=5, at=timezone.now() - dt.timedelta(days=2))
    assert measure_actions.release_status(measure) == [
        "解除前需2次核酸阴性结果，现有0次",
        "尚有1次核酸检测未出结果",
    ]
    with pytest.raises(RuleError, match="暂不能解除"):
        measure_actions.release_measure(actor=world.county_admin, measure=measure, version=measure.version)
    actions.record_result(actor=world.county_admin, sample=pool, result="negative")
    assert measure_actions.release_status(measure) == ["解除前需2次核酸阴性结果，现有1次"]
    single = sample_tube("R2", [zhang], kind="single", at=timezone.now() - dt.timedelta(days=1))
    actions.record_result(actor=world.county_admin, sample=single, result="negative")
    assert measure_actions.release_status(measure) == []
    measure_actions.release_measure(actor=world.county_admin, measure=measure, version=measure.version)
