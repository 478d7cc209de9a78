"""The checkpoint and check-in indicators of reporting.indicators against counts made here: numbers worked
out by hand at the day's boundaries, and a plain-Python recount over every passage and check-in for every
node and day around D. Records are built through the actions under a patched clock (March 2022)."""

import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pytest

from fangkong.checkpoints import actions as checkpoint_actions
from fangkong.checkpoints.models import CheckpointKind, Direction, Outcome, Passage
from fangkong.healthcodes.identity import identify, identity_for_person
from fangkong.lib.idcard import make
from fangkong.measures import rules
from fangkong.reporting import indicators, trends
from fangkong.venues.actions import check_in, create_venue
from fangkong.venues.models import CheckIn

SH = rules.SHANGHAI
D = dt.date(2022, 3, 10)
CODES = ["checkpoint_people", "checkpoint_vehicles", "checkpoint_turned_back", "checkins"]


def at(day: dt.date, hhmm: str, second: int = 0) -> dt.datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=SH)


@contextmanager
def clock(moment: dt.datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture
def traffic(world, people):
    admin = world.township_admin
    zhang, li, wang = (identity_for_person(people[k]) for k in ("zhang", "li", "wang"))
    visitor = identify(id_number=make("110105", dt.date(1988, 8, 8), 17), name="赵敏", phone="13900001111")

    def checkpoint(node, name, kind=CheckpointKind.ROAD):
        return checkpoint_actions.create_checkpoint(actor=admin, node=node, name=name, kind=kind)

    gate = checkpoint(world.village, "前屯村南口", CheckpointKind.GATE)
    road08 = checkpoint(world.grid08, "第八网格路口")
    back = checkpoint(world.other_village, "后屯村口", CheckpointKind.GATE)
    station = checkpoint(world.township, "梁水镇汽车站", CheckpointKind.STATION)

    def passage(checkpoint, moment, **fields):
        fields.setdefault("direction", Direction.IN)
        with clock(moment + dt.timedelta(minutes=1)):
            return checkpoint_actions.record_passage(actor=admin, checkpoint=checkpoint, at=moment, **fields)

    passage(gate, at(D, "00:00"), identity=zhang, temperature="36.4")  # the first moment of D
    passage(gate, at(D, "23:59", 59), identity=li, direction=Direction.OUT)  # the last second of D
    passage(gate, at(D, "08:00"), plate="鲁P12345", passengers=4, outcome=Outcome.TURNED_BACK)
    passage(gate, at(D, "12:00"), identity=wang, plate="鲁P88888", passengers=1)  # person and vehicle
    passage(gate, at(D - dt.timedelta(days=1), "23:59", 59), identity=zhang)  # D-1
    passage(gate, at(D + dt.timedelta(days=1), "00:00"), plate="鲁P00001")  # D+1
    passage(road08, at(D, "10:00"), identity=wang, outcome=Outcome.TURNED_BACK)
    passage(road08, at(D, "11:00"), plate="冀A12345", outcome=Outcome.TURNED_BACK)
    passage(back, at(D, "09:00"), identity=visitor, temperature="38.2", outcome=Outcome.FEVER_CLINIC)
    passage(station, at(D, "15:00"), plate="京B12345", passengers=30)

    def venue(node, name, kind):
        return create_venue(actor=admin, node=node, name=name, kind=kind)

    shop07 = venue(world.grid07, "七组小卖部", "shop")
    market08 = venue(world.grid08, "前屯集市", "market")
    clinic = venue(world.other_village, "后屯卫生室", "clinic")
    for venue_, who, moment in [
        (shop07, zhang, at(D, "00:00")),
        (shop07, li, at(D, "23:59", 59)),
        # Other people at the edges: one person's scans within minutes are one check-in.
        (shop07, wang, at(D - dt.timedelta(days=1), "23:59", 59)),
        (shop07, visitor, at(D + dt.timedelta(days=1), "00:00")),
        (market08, wang, at(D, "09:30")),
        (market08, zhang, at(D, "10:30")),
        (clinic, visitor, at(D, "14:00")),
    ]:
        with clock(moment):
            check_in(actor=None, venue=venue_, people=[who], at=moment)
    assert CheckIn.objects.count() == 7 and Passage.objects.count() == 10


def values(node, day=D):
    return indicators.compute(node, day, codes=CODES, now=at(dt.date(2022, 4, 1), "00:00"))


def test_it_counts_passages_and_check_ins_during_the_day_where_they_happened(world, traffic):
    # 前屯村南口: 张伟 at 00:00, 李秀英 at 23:59:59, 王芳 in a car; the plate-only car turned back.
    # 第八网格路口: 王芳 and a car turned back.
    assert values(world.village) == {
        "checkpoint_people": 4,
        "checkpoint_vehicles": 3,
        "checkpoint_turned_back": 3,
        "checkins": 4,
    }
    assert values(world.grid07) == {
        "checkpoint_people": 0,  # the gate belongs to the village, not to grid 07
        "checkpoint_vehicles": 0,
        "checkpoint_turned_back": 0,
        "checkins": 2,
    }
    assert values(world.grid08) == {
        "checkpoint_people": 1,
        "checkpoint_vehicles": 1,
        "checkpoint_turned_back": 2,
        "checkins": 2,
    }
    assert values(world.township) == {
        "checkpoint_people": 5,
        "checkpoint_vehicles": 4,
        "checkpoint_turned_back": 3,
        "checkins": 5,
    }
    assert values(world.village, D - dt.timedelta(days=1))["checkpoint_people"] == 1
    assert values(world.village, D + dt.timedelta(days=1))["checkpoint_vehicles"] == 1
    assert values(world.grid07, D + dt.timedelta(days=1))["checkins"] == 1


def recount(node, day: dt.date) -> dict:
    """The same four numbers from every row, in Python."""
    start = rules.local_midnight(day)
    end = rules.local_midnight(day + dt.timedelta(days=1))
    passages = [
        p
        for p in Passage.objects.select_related("checkpoint__node")
        if p.checkpoint.node.path.startswith(node.path) and start <= p.at < end
    ]
    checkins = [
        c
        for c in CheckIn.objects.select_related("venue__node")
        if c.venue.node.path.startswith(node.path) and start <= c.at < end
    ]
    return {
        "checkpoint_people": sum(1 for p in passages if p.identity_id is not None),
        "checkpoint_vehicles": sum(1 for p in passages if p.plate),
        "checkpoint_turned_back": sum(1 for p in passages if p.outcome == Outcome.TURNED_BACK),
        "checkins": len(checkins),
    }


def test_it_agrees_with_a_plain_python_recount_for_every_node_and_day(world, traffic):
    nodes = [world.county, world.township, world.village, world.other_village, world.grid07, world.grid08]
    for node in nodes:
        for offset in range(-2, 3):
            day = D + dt.timedelta(days=offset)
            assert values(node, day) == recount(node, day), (node.name, day)


def test_it_counts_each_source_in_one_query(world, traffic, django_assert_num_queries):
    with django_assert_num_queries(2):  # passages, check-ins
        values(world.county)


def test_its_series_over_days_equal_compute_day_by_day(world, traffic, django_assert_num_queries):
    """The dashboard's cards and trends count several days in one query per source (DAY_CONDITION)."""
    now = at(dt.date(2022, 4, 1), "00:00")
    nodes = [world.county, world.township, world.village, world.other_village, world.grid07, world.grid08]
    for node in nodes:
        got = trends.series(node, last_day=D + dt.timedelta(days=2), days=5, codes=CODES, now=now)
        for i, day in enumerate(got.days):
            assert {code: got.values[code][i] for code in CODES} == values(node, day), (node.name, day)
    with django_assert_num_queries(2):  # passages, check-ins: the five days at once
        trends.series(world.county, last_day=D + dt.timedelta(days=2), days=5, codes=CODES, now=now)


def test_a_source_changed_from_its_day_rows_is_counted_a_day_at_a_time(
    world, traffic, monkeypatch, django_assert_num_queries
):
    """trends.py reads from the SQL whether a source is still its DAY_ROWS meeting its DAY_CONDITION: a
    definition that no longer is (here, passages of people only) falls back to a query a day."""
    defined = indicators.SOURCES["passage"]
    monkeypatch.setitem(indicators.SOURCES, "passage", lambda s: defined(s).filter(identity__isnull=False))
    now = at(dt.date(2022, 4, 1), "00:00")
    got = trends.series(world.village, last_day=D + dt.timedelta(days=1), days=3, codes=CODES, now=now)
    for i, day in enumerate(got.days):
        assert {code: got.values[code][i] for code in CODES} == values(world.village, day), day
    assert got.values["checkpoint_vehicles"] == [0, 1, 0]  # 王芳's car: the one vehicle with a person
    with django_assert_num_queries(3 + 1):  # passages a day at a time; check-ins at once
        trends.series(world.village, last_day=D + dt.timedelta(days=1), days=3, codes=CODES, now=now)
