"""Coverage by node and age band, and the vaccinated_* indicators, against a plain recount: every
person's doses replayed through the rules in Python, on random people and doses."""

from collections import Counter

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.vaccination import actions, queries, rules
from fangkong.vaccination.models import Dose
from fangkong.vaccination.tests.conftest import days_ago, register

PRODUCT_CODES = ["bibp", "coronavac", "ad5", "zf2001"]

person_spec = st.tuples(
    st.integers(min_value=0, max_value=2),  # grid 07, grid 08, the other village's… (none: the village)
    st.integers(min_value=0, max_value=85 * 366),  # age in days today
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=500), st.sampled_from(PRODUCT_CODES)),
        max_size=4,
    ),
)


def recount(people, day, nodes_of):
    """{node path prefix: Counter} of registered / first / full / booster, by band and in all."""
    products = actions.products_at(people[0][0].node) if people else {}
    tallies = {}
    for person, doses in people:
        facts = [rules.DoseFact(d.given_on, d.product, d.pk) for d in doses]
        status = rules.status_on(facts, products, day)
        band = rules.band_of(rules.age_on(person.birth_date, day)) or ""
        reached = {
            "first": status in (rules.PARTIAL, rules.FULL, rules.BOOSTER),
            "full": status in (rules.FULL, rules.BOOSTER),
            "booster": status == rules.BOOSTER,
        }
        for path in nodes_of(person):
            for key in {"", band}:
                counter = tallies.setdefault((path, key), Counter())
                counter["registered"] += 1
                for m, yes in reached.items():
                    counter[m] += yes
    return tallies


def build(world, site, specs) -> list:
    """The people of the specs with their doses, recorded through the actions: [(person, doses)]."""
    grids = [world.grid07, world.grid08, world.grid07]
    people = []
    for i, (grid, age_days, dose_specs) in enumerate(specs):
        birth = days_ago(age_days)
        person = register(world, grids[grid], f"受种者{i}", birth)
        for days, product in dose_specs:
            given_on = days_ago(days)
            if given_on < birth or Dose.objects.filter(person=person, given_on=given_on).exists():
                continue
            actions.record_dose(
                actor=world.county_admin, person=person, site=site, product=product, given_on=given_on
            )
        people.append((person, list(Dose.objects.filter(person=person))))
    return people


@pytest.mark.django_db(transaction=False)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(person_spec, min_size=1, max_size=6))
def test_coverage_agrees_with_a_plain_recount(world, site, specs):
    with transaction.atomic():
        people = build(world, site, specs)
        day = days_ago(0)
        expected = recount(people, day, lambda p: [p.node.path, world.village.path])

        whole, children = queries.coverage(world.village, day)
        for row in [whole, *children]:
            path = row.node.path
            for band, tally in [("", row.total), *row.bands.items()]:
                want = expected.get((path, band), Counter())
                got = {
                    "registered": tally.registered,
                    "first": tally.first,
                    "full": tally.full,
                    "booster": tally.booster,
                }
                assert got == {k: want[k] for k in got}, (path, band)

        transaction.set_rollback(True)


def test_the_not_vaccinated_list_counts_like_the_coverage(world, site, people, today):
    zhang, li, wang = people["zhang"], people["li"], people["wang"]
    actions.record_dose(
        actor=world.county_admin, person=zhang, site=site, product="ad5", given_on=days_ago(3)
    )
    actions.record_dose(actor=world.county_admin, person=li, site=site, product="bibp", given_on=days_ago(3))
    child = register(world, world.grid07, "小宝", days_ago(2 * 365))  # under 3: not on the list
    actions.record_deferral(
        actor=world.county_admin, person=wang, kind="contraindicated", reason="严重过敏史"
    )
    listed = queries.unvaccinated(world.county_admin, world.village, today)
    assert [p.pk for p in listed] == [li.pk, wang.pk]
    assert [p.deferred for p in listed] == [False, True]
    assert list(queries.unvaccinated(world.county_admin, world.village, today, status="none")) == [wang]
    assert child not in listed
    whole, _ = queries.coverage(world.village, today)
    eligible = whole.total.registered - 1  # the child
    assert eligible - whole.total.full == len(listed)
    # The grid-08 worker sees only grid 08's.
    assert list(queries.unvaccinated(world.grid08_worker, world.village, today)) == []
    assert list(queries.unvaccinated(world.grid08_worker, world.grid08, today)) == [wang]
