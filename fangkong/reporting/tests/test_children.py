"""The children's indicators side by side (reporting.children) against indicators.compute() child by child,
for the county, the township and the village, on days around the records, with every slot ended and with
the evening still running, and as of a moment; and a query count that does not grow with the children.

Records: the trends' window (edges and people spread over March 2022) and, on 2022-03-20, a morning and an
afternoon entered under the clock, so that a report as of 12:00 leaves the afternoon's out; and the
checkpoint indicators' passages and check-ins (reporting/tests/test_indicators_checkpoints.py)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.conftest import make_node
from fangkong.grid.models import Jurisdiction, Level
from fangkong.policy.models import Kind, Reason
from fangkong.reporting import indicators
from fangkong.reporting.children import compute_children
from fangkong.reporting.tests.test_indicators_checkpoints import traffic  # noqa: F401
from fangkong.reporting.tests.test_trends import AFTER, at, clock, edges, spread  # noqa: F401
from fangkong.reporting.tests.tracing_fixtures import outbreak  # noqa: F401
from fangkong.reporting.views.dashboard import CHILD_CODES

D = dt.date(2022, 3, 20)
NOON = at(D, "12:00")
NODES = ["county", "township", "village"]


@pytest.fixture
def entered(spread):  # noqa: F811
    """People in both villages, entered on D in the morning and in the afternoon."""
    world = spread.world
    for moment, node, name in [
        (at(D, "09:00"), world.grid07, "上午甲"),
        (at(D, "10:30"), world.other_village, "上午乙"),
        (at(D, "15:00"), world.grid08, "下午丙"),
        (at(D, "16:00"), world.other_village, "下午丁"),
    ]:
        person = spread.person(node, name)
        with clock(moment):
            screening = spread.screen(person, D, Reason.CLOSE_CONTACT)
            measure = spread.start(person, Kind.HOME_MONITORING, moment, screening)
            spread.check(measure, moment + dt.timedelta(minutes=5), "37.6")
    return spread


def each_child(node, day, **kw):
    children = Jurisdiction.objects.filter(parent=node).order_by("path")
    return {child: indicators.compute(child, day, **kw) for child in children}


def test_it_equals_compute_child_by_child(world, entered):
    for name in NODES:
        node = getattr(world, name)
        for day in (dt.date(2022, 3, 1), dt.date(2022, 3, 10), D, dt.date(2022, 3, 30)):
            for now in (AFTER, at(day, "15:00")):
                got = compute_children(node, day, now=now)
                assert got == each_child(node, day, now=now), (name, day, now)
                assert list(got) == list(each_child(node, day, now=now))


def test_it_equals_compute_as_of_a_moment(world, entered):
    for name in NODES:
        node = getattr(world, name)
        for as_of in (at(D, "10:00"), NOON, at(D, "15:30"), at(D + dt.timedelta(days=1), "00:00")):
            for now in (AFTER, NOON):
                got = compute_children(node, D, now=now, as_of=as_of)
                assert got == each_child(node, D, now=now, as_of=as_of), (name, as_of, now)
    township = compute_children(world.township, D, now=AFTER, as_of=NOON)
    daily = compute_children(world.township, D, now=AFTER)
    assert township != daily, "the afternoon's entries are left out as of noon"


def test_its_table_figures_are_not_all_zero(world, entered):
    got = compute_children(world.township, D, now=AFTER, codes=CHILD_CODES)
    assert list(got) == [world.village, world.other_village]
    for code in ("registered_people", "screened_total", "active_home_monitoring", "followups_missed"):
        assert any(values[code] for values in got.values()), code
    assert all(list(values) == CHILD_CODES for values in got.values())


def test_it_gives_a_rate_of_nobody_as_none_for_an_empty_child(world, entered):
    empty = make_node("371502103203", "新村委会", Level.VILLAGE, world.township)
    got = compute_children(world.township, D, now=AFTER)
    assert got[empty] == indicators.compute(empty, D, now=AFTER)
    assert got[empty]["verified_people_pct"] is None
    assert got[empty]["registered_people"] == 0


def test_its_queries_do_not_grow_with_the_children(world, entered, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as few:
        compute_children(world.township, D, now=AFTER, codes=CHILD_CODES)
    for n in range(3, 9):
        village = make_node(f"37150210320{n}", f"新{n}村委会", Level.VILLAGE, world.township)
        person = entered.person(village, f"新{n}")
        entered.start(person, Kind.HOME_QUARANTINE, at(D, "08:00"), entered.screen(person, D))
    with django_assert_max_num_queries(len(few)):
        got = compute_children(world.township, D, now=AFTER, codes=CHILD_CODES)
    assert len(got) == 8
    # The children, then one query per source: residences, screenings, measures, cases, contacts; and for
    # cases and contacts, which no child has here, one more each for what the aggregates give over no rows.
    assert len(few) <= 8


def test_it_counts_passages_and_check_ins_under_each_child(world, traffic):  # noqa: F811
    """Passages at the township's own bus station belong to no child."""
    day = dt.date(2022, 3, 10)
    for name in NODES:
        node = getattr(world, name)
        for as_of in (None, at(day, "12:00")):
            got = compute_children(node, day, now=AFTER, as_of=as_of)
            assert got == each_child(node, day, now=AFTER, as_of=as_of), (name, as_of)
    village = compute_children(world.township, day, now=AFTER)[world.village]
    assert village["checkpoint_people"] and village["checkins"]


def test_it_counts_cases_and_contacts_under_each_child(world, outbreak):  # noqa: F811
    """Cases at the township itself (己) belong to no child; contacts count where the person lives."""
    for name in NODES:
        node = getattr(world, name)
        for day in (dt.date(2022, 3, 9), dt.date(2022, 3, 10), dt.date(2022, 3, 11)):
            got = compute_children(node, day, now=AFTER)
            assert got == each_child(node, day, now=AFTER), (name, day)
        for as_of in (at(dt.date(2022, 3, 10), "12:00"), at(dt.date(2022, 3, 10), "19:00")):
            got = compute_children(node, dt.date(2022, 3, 10), now=AFTER, as_of=as_of)
            assert got == each_child(node, dt.date(2022, 3, 10), now=AFTER, as_of=as_of), (name, as_of)
    village = compute_children(world.township, dt.date(2022, 3, 10), now=AFTER)[world.village]
    assert village["cases_confirmed_new"] and village["contacts_close_new"]


def test_it_names_an_unknown_indicator(world):
    with pytest.raises(KeyError, match="no_such"):
        compute_children(world.county, D, codes=["no_such"])
