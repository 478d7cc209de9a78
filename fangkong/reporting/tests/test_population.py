"""The residents' figures of a day stepped from the day next to it (reporting/population.py), forward and
back, for a node and for each of its children, against compute() of each day, after random moves,
verifications (some redone, which moves a person's verification time out of yesterday) and doses, at
moments on both sides of the two midnights and on them."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.registry import actions as registry_actions
from fangkong.registry.models import Residence
from fangkong.reporting import indicators, population
from fangkong.reporting.children import compute_children
from fangkong.reporting.indicators import Scope
from fangkong.reporting.tests.test_trends import Records, at, clock
from fangkong.vaccination import actions as vaccination_actions

D = dt.date(2022, 3, 20)
NOW = at(D, "20:00")
MOMENTS = [
    at(D - dt.timedelta(days=2), "10:00"),
    at(D - dt.timedelta(days=1), "23:59"),
    at(D, "00:00"),  # 24:00 of D−1: someone who moves in then lives here at the end of both days
    at(D, "00:01"),
    at(D, "12:00"),
    at(D, "23:59"),
    at(D + dt.timedelta(days=1), "00:00"),  # 24:00 of D: counts at the end of D, not of D−1
    at(D + dt.timedelta(days=1), "09:00"),
]
DOSE_DAYS = [D - dt.timedelta(days=40), D - dt.timedelta(days=1), D, D + dt.timedelta(days=1)]
PRODUCTS = ["bibp", "coronavac", "ad5", "zf2001"]


def expected(node, day):
    return indicators.compute(node, day, codes=population.CODES, now=NOW)


def two_days(node, day):
    """The values of the day (counted in full) and of the day before (stepped back), and of the day
    stepped forward from the day before counted in full."""
    today = population.counts(Scope(node=node, day=day, now=NOW))
    before = population.counts(Scope(node=node, day=day - dt.timedelta(days=1), now=NOW))
    forward = population.forward(before, node, day, now=NOW)
    assert forward == today, node
    return population.values(today), population.values(population.backward(today, node, day, now=NOW))


@pytest.fixture
def site(world):
    return vaccination_actions.create_site(
        actor=world.county_admin, node=world.township, name="梁水镇卫生院接种点"
    )


@pytest.mark.parametrize("seed", range(6))
def test_today_and_yesterday_equal_compute_after_random_events(world, site, seed):
    rng = random.Random(seed)
    nodes = [world.grid07, world.grid08, world.other_village]
    r = Records(world)
    r.admin = world.county_admin
    people = [r.person(rng.choice(nodes), f"居民{seed}-{n}") for n in range(10)]
    dosed = set()
    for moment in sorted(rng.choice(MOMENTS) for _ in range(30)):
        person = rng.choice(people)
        person.refresh_from_db()
        event = rng.choice(["move", "verify", "dose"])
        with clock(moment):
            if event == "move":
                target = rng.choice([n for n in nodes if n.pk != person.node_id])
                registry_actions.move_person(actor=world.county_admin, person=person, to_node=target)
            elif event == "verify":
                method = rng.choice(["in_person", "by_phone"])
                registry_actions.verify_person(actor=world.county_admin, person=person, method=method)
            else:
                given_on = rng.choice([day for day in DOSE_DAYS if day <= moment.date()])
                if (person.pk, given_on) in dosed:
                    continue
                dosed.add((person.pk, given_on))
                vaccination_actions.record_dose(
                    actor=world.county_admin,
                    person=person,
                    site=site,
                    product=rng.choice(PRODUCTS),
                    given_on=given_on,
                )
    seen = set()
    for node in (
        world.county,
        world.township,
        world.village,
        world.grid07,
        world.grid08,
        world.other_village,
    ):
        today, yesterday = two_days(node, D)
        assert today == expected(node, D), node
        assert yesterday == expected(node, D - dt.timedelta(days=1)), node
        seen.add((today["registered_people"], yesterday["registered_people"]))
    for node in (world.county, world.township, world.village):
        before = population.counts_by_child(Scope(node=node, day=D - dt.timedelta(days=1), now=NOW))
        stepped = population.forward_children(before, node, D, now=NOW)
        for child, values in compute_children(node, D, codes=population.CODES, now=NOW).items():
            assert population.values(stepped[child.path]) == values, child
    assert len(seen) > 1, "nodes with different counts"


def test_it_counts_a_redone_verification_once(world, site):
    """Verified two days ago, verified again today: yesterday's figure is read from today's record, as
    compute() reads it (the earlier verification's time is overwritten)."""
    r = Records(world)
    zhang = r.person(world.grid07, "张伟")
    with clock(MOMENTS[0]):
        registry_actions.verify_person(actor=world.county_admin, person=zhang, method="in_person")
    with clock(at(D, "09:00")):
        registry_actions.verify_person(actor=world.county_admin, person=zhang, method="by_phone")
    today, yesterday = two_days(world.grid07, D)
    assert today["verified_people_pct"] == 100.0 and yesterday["verified_people_pct"] == 0.0
    assert (today, yesterday) == (expected(world.grid07, D), expected(world.grid07, D - dt.timedelta(days=1)))


def test_it_reads_the_residents_once_whatever_their_number(world, site):
    r = Records(world)
    for n in range(5):
        r.person(world.grid07, f"居民{n}")
    before = population.counts(Scope(node=world.county, day=D - dt.timedelta(days=1), now=NOW))
    with CaptureQueriesContext(connection) as queries:
        today = population.forward(before, world.county, D, now=NOW)
    assert len(queries) == 1  # the day's changed people, at both ends at once
    assert today["registered"] == 5


def test_it_counts_a_residence_ended_with_no_other_begun(world, site):
    """Every move opens the next residence when it closes one; a residence closed on its own (someone
    leaving the county's registry) is a change of the day too."""
    r = Records(world)
    zhang = r.person(world.grid07, "张伟")
    r.person(world.grid07, "李秀英")
    Residence.objects.filter(person=zhang).update(ended_at=at(D, "15:00"))
    today, yesterday = two_days(world.grid07, D)
    assert (today["registered_people"], yesterday["registered_people"]) == (1, 2)
    assert (today, yesterday) == (expected(world.grid07, D), expected(world.grid07, D - dt.timedelta(days=1)))
