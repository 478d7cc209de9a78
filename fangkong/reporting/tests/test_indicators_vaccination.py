"""The vaccinated_* indicators (reporting/vaccination.py) against a plain recount: every person's doses
replayed through the rules in Python (vaccination/tests/test_coverage.py builds and recounts)."""

from collections import Counter

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.reporting import vaccination as indicators_module
from fangkong.reporting.indicators import compute
from fangkong.vaccination import actions, rules
from fangkong.vaccination.tests.conftest import days_ago
from fangkong.vaccination.tests.test_coverage import build, person_spec, recount


@pytest.fixture
def site(world):
    return actions.create_site(actor=world.county_admin, node=world.township, name="梁水镇卫生院接种点")


@pytest.mark.django_db(transaction=False)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(person_spec, min_size=1, max_size=6))
def test_the_indicators_agree_with_a_plain_recount(world, site, specs):
    with transaction.atomic():
        people = build(world, site, specs)
        day = days_ago(0)
        expected = recount(people, day, lambda p: [p.node.path, world.village.path])
        values = compute(world.village, day, codes=indicators_module.CODES)
        total = expected.get((world.village.path, ""), Counter())
        for m in rules.MILESTONES:
            assert values[f"vaccinated_{m}"] == total[m]
            want = round(total[m] * 100.0 / total["registered"], 1) if total["registered"] else None
            assert values[f"vaccinated_{m}_pct"] == want
            for band, *_ in rules.AGE_BANDS:
                t = expected.get((world.village.path, band), Counter())
                want = round(t[m] * 100.0 / t["registered"], 1) if t["registered"] else None
                assert values[f"vaccinated_{m}_pct_{band}"] == want, (m, band)
        given_today = sum(1 for _, doses in people for d in doses if d.given_on == day)
        assert values["vaccination_doses_new"] == given_today
        transaction.set_rollback(True)


def test_a_person_counts_where_they_live_at_the_end_of_the_day(world, site, people):
    zhang = people["zhang"]
    actions.record_dose(
        actor=world.county_admin, person=zhang, site=site, product="ad5", given_on=days_ago(3)
    )
    values = compute(world.grid07, days_ago(0), codes=["vaccinated_full", "vaccinated_full_pct"])
    assert values["vaccinated_full"] == 1 and values["vaccinated_full_pct"] == 50.0  # 张伟 of 张伟, 李秀英
    assert compute(world.grid08, days_ago(0), codes=["vaccinated_full"])["vaccinated_full"] == 0
    # Yesterday's figures: the dose was three days ago, but the residences began today.
    assert compute(world.grid07, days_ago(1), codes=["vaccinated_full"])["vaccinated_full"] == 0
