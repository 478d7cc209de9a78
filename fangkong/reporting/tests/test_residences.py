"""The registered count reads residences without DISTINCT (indicators._residents): that holds only while
a person's residences never overlap. Every registry action that writes residences keeps it, and the
database refuses what would break it (a second open residence; a move dated before the residence it
closes began). Checked against the distinct count, by an independent query, at every moment a residence
starts or ends."""

import datetime as dt
import random

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from fangkong.conftest import make_node
from fangkong.grid.models import Level
from fangkong.registry import actions as registry_actions
from fangkong.registry.models import Residence
from fangkong.reporting import indicators, trends
from fangkong.reporting.children import compute_children
from fangkong.reporting.tests.test_trends import AFTER, Records, at, clock

RESIDENCE_CODES = ["registered_people", "verified_people_pct"]


def people_at(node, moment: dt.datetime) -> tuple[int, int]:
    """(residences, distinct people) in the node's subtree at the moment, by hand."""
    rows = Residence.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=moment),
        node__path__startswith=node.path,
        started_at__lte=moment,
    )
    got = rows.aggregate(rows=Count("pk"), people=Count("person", distinct=True))
    return got["rows"], got["people"]


def overlapping(person) -> list[tuple]:
    spans = list(Residence.objects.filter(person=person).order_by("started_at", "pk"))
    far = at(dt.date(2099, 1, 1), "00:00")
    return [
        (a.pk, b.pk)
        for i, a in enumerate(spans)
        for b in spans[i + 1 :]
        if a.started_at < (b.ended_at or far)
        and b.started_at < (a.ended_at or far)
        and a.started_at < (a.ended_at or far)
        and b.started_at < (b.ended_at or far)
    ]


@pytest.fixture
def moved(world):
    r = Records(world)
    zhang, li, wang = (r.person(world.grid07, name) for name in ("张伟", "李秀英", "王芳"))
    admin = world.township_admin
    with clock(at(dt.date(2022, 2, 1), "10:00")):
        registry_actions.move_person(actor=admin, person=zhang, to_node=world.grid08, reason="搬家")
    with clock(at(dt.date(2022, 2, 20), "23:59")):
        zhang.refresh_from_db()
        registry_actions.move_person(actor=admin, person=zhang, to_node=world.other_village)
    with clock(at(dt.date(2022, 3, 1), "08:00")):  # twice in the same instant
        registry_actions.move_person(actor=admin, person=li, to_node=world.grid08)
        li.refresh_from_db()
        registry_actions.move_person(actor=admin, person=li, to_node=world.other_village)
        wang.refresh_from_db()
        registry_actions.update_person(
            actor=admin,
            person=wang,
            version=wang.version,
            name="王芳",
            id_number=wang.id_number,
            document_type=wang.document_type,
            phone="13800000000",
        )
    return r, [zhang, li, wang]


def test_it_keeps_one_residence_at_a_time_through_every_action(world, moved):
    _records, people = moved
    for person in people:
        assert overlapping(person) == []
    moments = set()
    for residence in Residence.objects.all():
        for edge in (residence.started_at, residence.ended_at):
            if edge is not None:
                moments |= {edge - dt.timedelta(seconds=1), edge, edge + dt.timedelta(seconds=1)}
    assert len(moments) > 6
    for moment in sorted(moments):
        for node in (
            world.county,
            world.township,
            world.village,
            world.grid07,
            world.grid08,
            world.other_village,
        ):
            rows, distinct = people_at(node, moment)
            assert rows == distinct, (node, moment)
    # The indicator at the end of a day, against the distinct count by hand.
    for day in (dt.date(2022, 2, 1), dt.date(2022, 2, 20), dt.date(2022, 3, 1)):
        end = at(day + dt.timedelta(days=1), "00:00")
        for node in (world.county, world.grid07, world.grid08, world.other_village):
            got = indicators.compute(node, day, codes=["registered_people"], now=end)
            assert got["registered_people"] == people_at(node, end)[1], (node, day)
    assert (
        indicators.compute(world.other_village, dt.date(2022, 3, 1), codes=["registered_people"])[
            "registered_people"
        ]
        == 2
    )  # 张伟 and 李秀英


def test_it_refuses_a_move_dated_before_the_residence_it_closes(world, moved):
    _records, (zhang, _li, _wang) = moved
    zhang.refresh_from_db()
    before = list(Residence.objects.filter(person=zhang).values_list("pk", "ended_at"))
    with clock(at(dt.date(2022, 2, 15), "10:00")), pytest.raises(IntegrityError), transaction.atomic():
        registry_actions.move_person(actor=world.township_admin, person=zhang, to_node=world.grid07)
    assert list(Residence.objects.filter(person=zhang).values_list("pk", "ended_at")) == before


def test_it_refuses_a_second_open_residence(world, moved):
    _records, (_zhang, _li, wang) = moved
    with pytest.raises(IntegrityError), transaction.atomic():
        Residence.objects.create(person=wang, node=world.grid08, started_at=at(dt.date(2022, 3, 2), "09:00"))


def test_its_series_over_days_is_one_query_equal_to_compute_day_by_day(world, moved):
    codes = ["registered_people", "verified_people_pct"]
    last = dt.date(2022, 3, 2)
    for node in (world.county, world.grid07, world.grid08, world.other_village):
        with CaptureQueriesContext(connection) as queries:
            got = trends.series(node, last_day=last, days=40, codes=codes, now=at(last, "20:00"))
        assert len(queries) == 1
        for i, day in enumerate(got.days):
            expected = indicators.compute(node, day, codes=codes, now=at(last, "20:00"))
            assert {code: got.values[code][i] for code in codes} == expected, (node, day)
    moves = trends.series(world.grid08, last_day=last, days=40, codes=codes).values["registered_people"]
    assert set(moves) == {0, 1}, "张伟 lived in grid 08 for part of the range, 李秀英 for no day's end"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_its_children_equal_compute_after_random_moves(world, seed):
    """Random people in random nodes (a new township and village too), moved at random moments; every
    child's figures, from the counts added up by node, equal compute() of that child."""
    rng = random.Random(seed)
    township = make_node("371502104", "新镇", Level.TOWNSHIP, world.county)
    village = make_node("371502104201", "新村委会", Level.VILLAGE, township)
    nodes = [world.grid07, world.grid08, world.other_village, village]
    r = Records(world)
    r.admin = world.county_admin  # the new township is outside the township admin's area
    people = [r.person(rng.choice(nodes), f"随机{seed}-{n}") for n in range(12)]
    moment = at(dt.date(2022, 2, 1), "08:00")
    for _ in range(15):
        moment += dt.timedelta(hours=rng.choice([0, 1, 7, 24, 30]))
        person = rng.choice(people)
        person.refresh_from_db()
        target = rng.choice([n for n in nodes if n.pk != person.node_id])
        with clock(moment):
            registry_actions.move_person(actor=world.county_admin, person=person, to_node=target)
        if rng.random() < 0.3:
            with clock(moment):
                registry_actions.verify_person(actor=world.county_admin, person=person, method="in_person")
    counted = set()
    for day in (dt.date(2022, 1, 31), dt.date(2022, 2, 2), dt.date(2022, 2, 5), moment.date()):
        for node in (world.county, world.township, township, world.village):
            got = compute_children(node, day, now=AFTER, codes=RESIDENCE_CODES)
            for child, values in got.items():
                assert values == indicators.compute(child, day, codes=RESIDENCE_CODES, now=AFTER), (
                    child,
                    day,
                )
            assert sum(v["registered_people"] for v in got.values()) <= len(people)
            counted |= {v["registered_people"] for v in got.values()}
    assert len(counted) > 2, "children with different numbers of people"
