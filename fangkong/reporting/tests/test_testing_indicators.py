"""The §9 testing indicators, each checked against a plain recount of the records the actions made."""

import datetime as dt

from django.utils import timezone

from fangkong.registry.models import Person
from fangkong.reporting.indicators import compute
from fangkong.testing import actions
from fangkong.testing.models import SampleMember
from fangkong.testing.tests.conftest import point, sample_tube, ten

__all__ = ["point", "sample_tube", "ten"]  # the testing app's fixtures, used here

CODES = ["tests_sampled", "tests_positive", "pools_positive", "mass_testing_coverage_pct"]


def test_the_testing_indicators(world, ten, people, sample_tube):
    today = timezone.localdate()
    round_ = actions.create_round(
        actor=world.county_admin, node=world.village, name="第一轮", starts_on=today
    )
    now = timezone.now()
    early = max(now - dt.timedelta(hours=3), timezone.make_aware(dt.datetime.combine(today, dt.time(0, 1))))
    a = sample_tube("A", ten[:5], capacity=5, at=early, round=round_)
    b = sample_tube("B", [ten[0], *ten[5:9]], capacity=5, at=early, round=round_)  # ten[0] twice today
    c = sample_tube("C", [people["wang"]], kind="single", at=early, round=round_)
    actions.record_result(actor=world.county_admin, sample=a, result="positive")
    actions.record_result(actor=world.county_admin, sample=b, result="negative")
    actions.record_result(actor=world.county_admin, sample=c, result="positive")
    values = compute(world.village, today, codes=CODES)
    sampled = SampleMember.objects.filter(sampled_at__date__gte=today).values("person").distinct().count()
    registered = Person.objects.filter(node__path__startswith=world.village.path).count()
    assert sampled == 10
    assert values == {
        "tests_sampled": sampled,
        "tests_positive": 1,
        "pools_positive": 1,
        "mass_testing_coverage_pct": round(sampled * 100.0 / registered, 1),
    }
    # Grid 08 holds 王芳 only: one sampled, her positive, no pool.
    grid08 = compute(world.grid08, today, codes=CODES)
    assert grid08["tests_sampled"] == 1 and grid08["tests_positive"] == 1 and grid08["pools_positive"] == 0
    # The day before: nothing sampled, no round yet.
    before = compute(world.village, today - dt.timedelta(days=1), codes=CODES)
    assert before == {
        "tests_sampled": 0,
        "tests_positive": 0,
        "pools_positive": 0,
        "mass_testing_coverage_pct": None,
    }
