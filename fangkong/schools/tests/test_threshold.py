"""The class threshold at its edge: N − 1 pupils no alert, N an alert; the window of D days."""

import datetime as dt

import pytest

from fangkong.conftest import make_user
from fangkong.grid.models import Membership
from fangkong.policy.models import Policy
from fangkong.policy.queries import preset_values
from fangkong.schools import actions, queries
from fangkong.schools.models import ClassAlert
from fangkong.schools.rules import SYMPTOMATIC, Mark

from .conftest import DAY


@pytest.fixture
def policy(world):
    values = preset_values("2020")
    values["schools"] = {"cluster_pupils": 3, "cluster_days": 3}
    return Policy.objects.create(node=world.county, effective_from=dt.date(2020, 1, 1), values=values)


def _sick(teacher, klass, pupils, day, version=None):
    marks = [Mark(p.pk, SYMPTOMATIC, ("cough",)) for p in pupils]
    return actions.submit_check(
        actor=teacher, school_class=klass, day=day, slot="morning", marks=marks, version=version
    )


def test_n_minus_one_pupils_raise_nothing_and_n_raise_one_alert(policy, teacher, klass, pupils):
    assert _sick(teacher, klass, pupils[:2], DAY).alerts == []
    result = _sick(teacher, klass, pupils[:3], DAY, version=1)
    assert len(result.alerts) == 1
    alert = result.alerts[0]
    assert alert.pupils == 3 and alert.symptom == "cough" and "咳嗽" in alert.summary
    # The same crossing again (noon) raises no second alert.
    marks = [Mark(p.pk, SYMPTOMATIC, ("cough",)) for p in pupils[:4]]
    again = actions.submit_check(actor=teacher, school_class=klass, day=DAY, slot="noon", marks=marks)
    assert again.alerts == [] and ClassAlert.objects.count() == 1


def test_the_window_is_d_days_the_day_included(policy, teacher, klass, pupils):
    # Day 1 and day 3 are within 3 days: 1 + 1 + 1 on days 1, 2, 3 crosses on day 3.
    _sick(teacher, klass, pupils[0:1], DAY)
    _sick(teacher, klass, pupils[1:2], DAY + dt.timedelta(days=1))
    assert len(_sick(teacher, klass, pupils[2:3], DAY + dt.timedelta(days=2)).alerts) == 1


def test_a_pupil_outside_the_window_does_not_count(policy, teacher, klass, pupils):
    # Day 1, then days 3 and 4: on day 4 the window is days 2–4, holding two pupils only.
    _sick(teacher, klass, pupils[0:1], DAY)
    _sick(teacher, klass, pupils[1:2], DAY + dt.timedelta(days=2))
    assert _sick(teacher, klass, pupils[2:3], DAY + dt.timedelta(days=3)).alerts == []
    assert not ClassAlert.objects.exists()


def test_different_symptoms_are_not_similar(policy, teacher, klass, pupils):
    marks = [
        Mark(pupils[0].pk, SYMPTOMATIC, ("cough",)),
        Mark(pupils[1].pk, SYMPTOMATIC, ("cough",)),
        Mark(pupils[2].pk, SYMPTOMATIC, ("rash",)),
    ]
    assert (
        actions.submit_check(actor=teacher, school_class=klass, day=DAY, slot="morning", marks=marks).alerts
        == []
    )


def test_the_alert_reaches_the_school_the_bureau_and_the_township(
    world, policy, bureau, teacher, klass, pupils
):
    _sick(teacher, klass, pupils[:3], DAY)
    township_worker = make_user("tw", world.township, "township_staff")
    for user in (teacher, bureau.officer, township_worker, world.township_admin):
        assert queries.alerts_visible_to(user).count() == 1, user
    for user in (world.grid08_worker, world.outsider):
        assert queries.alerts_visible_to(user).count() == 0, user
    # A bureau of another county does not see it.
    assert Membership.objects.filter(user=bureau.officer).count() == 0


def test_the_default_threshold_is_labelled_unverified(world):
    from fangkong.policy.queries import policy_for, schools_values

    values = schools_values(policy_for(world.village, DAY).values)
    assert values["cluster_pupils"] == 5 and values["cluster_days"] == 3 and values["unverified"]
