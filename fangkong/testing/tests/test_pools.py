"""Pooled logic (DOMAIN.md §13): a negative pool, a positive pool, an invalid pool, a person in two pools on
one day, and a positive single test — each checked against the records a plain recount reads."""

import datetime as dt

import pytest
from django.utils import timezone

from fangkong.lib.errors import RuleError
from fangkong.measures.models import Measure
from fangkong.measures.models import TestResult as NatResult  # not a pytest class
from fangkong.policy.models import Kind
from fangkong.testing import actions, rules
from fangkong.testing.models import Result, ResultAlert, Retest, SampleMember
from fangkong.tracing.models import Case


def outcomes_of(persons):
    return sorted(NatResult.objects.filter(person__in=persons).values_list("outcome", flat=True))


def test_sampling_gives_each_member_a_pending_result(ten, sample_tube):
    tube = sample_tube("P0001", ten)
    assert tube.members.count() == 10
    assert outcomes_of(ten) == ["pending"] * 10


def test_a_full_tube_takes_nobody_more_and_a_rescan_changes_nothing(world, ten, people, sample_tube):
    tube = sample_tube("P0002", ten[:5], capacity=5)
    actions.add_member(actor=world.county_admin, sample=tube, person=ten[0])  # scanned again
    assert tube.members.count() == 5
    with pytest.raises(RuleError, match="已满"):
        actions.add_member(actor=world.county_admin, sample=tube, person=ten[5])


def test_pool_sizes_are_five_ten_or_twenty(world):
    with pytest.raises(RuleError, match="5人、10人或20人"):
        actions.open_sample(
            actor=world.county_admin, tube_code="X1", kind="pool", capacity=7, node=world.village
        )


def test_a_negative_pool_is_each_members_negative(world, ten, sample_tube):
    tube = sample_tube("P0003", ten)
    actions.record_result(actor=world.county_admin, sample=tube, result="negative")
    assert outcomes_of(ten) == ["negative"] * 10
    assert not Retest.objects.exists()
    assert not Measure.objects.exists()
    assert not ResultAlert.objects.exists()


def test_a_positive_pool_controls_its_members_and_asks_for_single_retests(world, ten, sample_tube):
    tube = sample_tube("P0004", ten)
    actions.record_result(actor=world.county_admin, sample=tube, result="positive", ct_orf1ab="31.2")
    # The pool result is never a person's result: the pending results go, a re-test is asked of each.
    assert outcomes_of(ten) == []
    assert sorted(Retest.objects.values_list("person_id", flat=True)) == sorted(p.pk for p in ten)
    assert set(Retest.objects.values_list("reason", flat=True)) == {"pool_positive"}
    controlled = Measure.objects.filter(released_at=None, kind=Kind.HOME_QUARANTINE)
    assert sorted(controlled.values_list("person_id", flat=True)) == sorted(p.pk for p in ten)
    alert = ResultAlert.objects.get()
    assert alert.county == world.county and alert.case is None and "P0004" in alert.summary
    assert not Case.objects.exists()
    # A single re-test of one of them marks their re-test done.
    sample_tube("S0001", [ten[3]], kind="single", at=timezone.now())
    assert Retest.objects.filter(done_by__isnull=False).count() == 1
    assert Retest.objects.get(person=ten[3]).done_by.tube_code == "S0001"


def test_an_invalid_pool_asks_for_new_samples(world, ten, sample_tube):
    tube = sample_tube("P0005", ten)
    actions.record_result(actor=world.county_admin, sample=tube, result="invalid")
    assert outcomes_of(ten) == []
    assert Retest.objects.filter(reason="invalid").count() == 10
    assert not Measure.objects.exists()
    assert not ResultAlert.objects.exists()


def test_a_person_in_two_pools_on_one_day(world, ten, people, sample_tube):
    zhang = people["zhang"]
    first = sample_tube("P0006", ten[:5], capacity=5, at=timezone.now() - dt.timedelta(hours=5))
    second = sample_tube("P0007", [zhang, *ten[5:9]], capacity=5, at=timezone.now() - dt.timedelta(hours=2))
    assert SampleMember.objects.filter(person=zhang).count() == 2
    assert NatResult.objects.filter(person=zhang).count() == 2
    actions.record_result(actor=world.county_admin, sample=first, result="negative")
    actions.record_result(actor=world.county_admin, sample=second, result="positive")
    # The negative pool stays his negative; the positive one asks him for a single re-test and controls him.
    assert list(NatResult.objects.filter(person=zhang).values_list("outcome", flat=True)) == ["negative"]
    assert Retest.objects.filter(person=zhang, source=second).exists()
    assert Measure.objects.filter(person=zhang, released_at=None).count() == 1
    assert Retest.objects.count() == 5


def test_a_positive_single_raises_an_alert_and_opens_a_suspected_case(world, people, sample_tube):
    zhang = people["zhang"]
    tube = sample_tube("S0002", [zhang], kind="single")
    actions.record_result(
        actor=world.county_admin, sample=tube, result="positive", ct_orf1ab="25", ct_n="26.5"
    )
    assert outcomes_of([zhang]) == ["positive"]
    case = Case.objects.get(person=zhang)
    assert case.kind == "suspected"
    alert = ResultAlert.objects.get()
    assert alert.case == case and alert.person == zhang and alert.county == world.county


def test_a_result_is_not_changed_quietly(world, ten, sample_tube):
    tube = sample_tube("P0008", ten)
    actions.record_result(actor=world.county_admin, sample=tube, result="negative")
    actions.record_result(actor=world.county_admin, sample=tube, result="negative")  # again: nothing
    with pytest.raises(RuleError, match="已有结果"):
        actions.record_result(actor=world.county_admin, sample=tube, result="positive")
    assert tube.result == Result.NEGATIVE


def test_the_grid08_worker_cannot_sample_in_grid07(world, people, point):
    with pytest.raises(RuleError):
        actions.open_sample(
            actor=world.grid08_worker, tube_code="Z1", kind="single", capacity=1, node=world.grid07
        )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("阴性", "negative"),
        ("阴", "negative"),
        ("Negative", "negative"),
        ("-", "negative"),
        (" 阳性 ", "positive"),
        ("+", "positive"),
        ("无效", "invalid"),
        ("待定", None),
        ("", None),
    ],
)
def test_results_as_labs_write_them(raw, expected):
    assert rules.parse_result(raw) == expected


def test_ct_values_as_labs_write_them():
    from decimal import Decimal

    assert rules.parse_ct("28.5") == Decimal("28.50")
    assert rules.parse_ct("Ct=28,5") == Decimal("28.50")
    assert rules.parse_ct(31) == Decimal("31.00")
    assert rules.parse_ct("-") is None and rules.parse_ct("无") is None and rules.parse_ct(None) is None
    with pytest.raises(ValueError):
        rules.parse_ct("弱阳")
    with pytest.raises(ValueError):
        rules.parse_ct("75")
