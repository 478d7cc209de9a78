"""The dashboard's 30-day trends against indicators.compute() day by day, for every node of the world, with
records spread over March 2022 and placed on the window's edges: released at 00:00 of its first day,
released a minute before it, started at 24:00 of its last day, screened twice, transferred to hospital.
A few literal counts worked out by hand make sure the comparison is not between two equal mistakes."""

import datetime as dt
import random
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.lib.idcard import make
from fangkong.measures import actions, rules
from fangkong.policy.models import Kind, Reason
from fangkong.registry import actions as registry_actions
from fangkong.reporting import indicators, trends

SH = rules.SHANGHAI
LAST = dt.date(2022, 3, 30)
FIRST = LAST - dt.timedelta(days=trends.DAYS - 1)  # 2022-03-01
AFTER = dt.datetime(2022, 4, 2, tzinfo=SH)  # every slot of the window has ended
DURING = dt.datetime(2022, 3, 30, 15, 0, tzinfo=SH)  # the last day's evening slot has not
NODES = ["county", "township", "village", "other_village", "grid07", "grid08"]
RANDOM_KINDS = [Kind.HOME_QUARANTINE, Kind.HOME_MONITORING, Kind.SELF_MONITORING]


def at(day: dt.date, hhmm: str) -> dt.datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SH)


def midnight_after(day: dt.date) -> dt.datetime:
    return rules.local_midnight(day + dt.timedelta(days=1))


@contextmanager
def clock(moment: dt.datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


class Records:
    """Builds records through the actions, as the township admin."""

    def __init__(self, world):
        self.world = world
        self.admin = world.township_admin
        self.seq = 0

    def person(self, node, name: str):
        self.seq += 1
        with clock(at(dt.date(2022, 1, 10), "10:00")):
            return registry_actions.register_person(
                actor=self.admin,
                node=node,
                name=name,
                id_number=make("371502", dt.date(1970, 1, 1) + dt.timedelta(days=self.seq), self.seq),
            )

    def screen(self, person, day: dt.date, reason=Reason.ARRIVAL):
        fields = {"arrived_on": day} if reason == Reason.ARRIVAL else {"reference_date": day}
        return actions.record_screening(
            actor=self.admin, person=person, reason=reason, screened_on=day, **fields
        )

    def start(self, person, kind, started_at, screening=None):
        return actions.start_measure(
            actor=self.admin, person=person, kind=kind, screening=screening, started_at=started_at
        )

    def release(self, measure, released_at):
        return actions.release_measure(
            actor=self.admin,
            measure=measure,
            version=measure.version,
            released_at=released_at,
            override=True,
            reason="专家组评估",
        )

    def check(self, measure, taken_at, temperature="36.5"):
        return actions.record_follow_up(
            actor=self.admin, measure=measure, temperature=temperature, taken_at=taken_at
        )

    def random_people(self, count: int, seed: int) -> None:
        """`count` people spread over the grids and 后屯, each screened on a random day of the window and
        (mostly) put under a measure with follow-ups on most slots until its release or the window's end."""
        rng = random.Random(seed)
        nodes = [self.world.grid07, self.world.grid08, self.world.other_village]
        for n in range(count):
            person = self.person(nodes[n % len(nodes)], f"随机{seed}-{n}")
            day = FIRST + dt.timedelta(days=rng.randrange(trends.DAYS))
            screening = self.screen(person, day, rng.choice([Reason.ARRIVAL, Reason.CLOSE_CONTACT]))
            if n % 5 == 4:
                continue  # screened only
            started = at(day, f"{rng.randint(6, 20):02d}:{rng.choice(['00', '30'])}")
            measure = self.start(person, RANDOM_KINDS[n % len(RANDOM_KINDS)], started, screening)
            end = started + dt.timedelta(days=rng.randint(2, 12), hours=rng.randint(0, 12))
            current = measure.started_at.astimezone(SH).date()
            while current <= min(end.astimezone(SH).date(), LAST):
                for slot, hhmm in ((rules.MORNING, "09:10"), (rules.EVENING, "19:40")):
                    taken = at(current, hhmm)
                    if slot in rules.due_slots(started, None, current) and started < taken < end:
                        if rng.random() < 0.8:
                            self.check(measure, taken, "38.0" if rng.random() < 0.05 else "36.6")
                current += dt.timedelta(days=1)
            if end <= AFTER and rng.random() < 0.85:
                self.release(measure, end)


@pytest.fixture
def edges(world):
    """Records on the window's edges (each line says which), by hand."""
    r = Records(world)
    zhang = r.person(world.grid07, "张伟")
    m = r.start(
        zhang, Kind.HOME_QUARANTINE, at(dt.date(2022, 2, 20), "10:00"), r.screen(zhang, dt.date(2022, 2, 20))
    )
    r.release(m, rules.local_midnight(FIRST))  # released at 00:00 of the window's first day
    li = r.person(world.grid07, "李秀英")
    m = r.start(
        li, Kind.HOME_QUARANTINE, at(dt.date(2022, 2, 21), "10:00"), r.screen(li, dt.date(2022, 2, 21))
    )
    r.release(m, rules.local_midnight(FIRST) - dt.timedelta(minutes=1))  # a minute before the window
    wang = r.person(world.grid08, "王芳")  # under a measure all through the window, followed up on the 10th
    m = r.start(
        wang, Kind.HOME_QUARANTINE, at(dt.date(2022, 2, 25), "08:00"), r.screen(wang, dt.date(2022, 2, 25))
    )
    r.check(m, at(dt.date(2022, 3, 10), "08:00"))
    r.check(m, at(dt.date(2022, 3, 10), "18:00"), "37.5")  # fever
    zhao = r.person(world.grid07, "赵强")  # screened before the window and again inside it: not new again
    r.screen(zhao, dt.date(2022, 2, 27))
    r.screen(zhao, dt.date(2022, 3, 5), Reason.CLOSE_CONTACT)
    liu = r.person(world.other_village, "刘洋")  # first screened on the 10th; to hospital on the 12th
    m = r.start(
        liu, Kind.HOME_MONITORING, at(dt.date(2022, 3, 10), "11:00"), r.screen(liu, dt.date(2022, 3, 10))
    )
    hospital = actions.transfer_measure(
        actor=r.admin, measure=m, version=m.version, kind=Kind.HOSPITAL, at=at(dt.date(2022, 3, 12), "10:00")
    )
    r.release(hospital, midnight_after(dt.date(2022, 3, 15)))  # discharged at 24:00 of the 15th
    zhou = r.person(world.grid07, "周敏")  # central quarantine from the 20th to the 27th
    site = actions.create_site(actor=r.admin, node=world.township, name="梁水宾馆")
    actions.add_rooms(actor=r.admin, site=site, first=101, last=101, capacity=1)
    m = actions.start_measure(
        actor=r.admin,
        person=zhou,
        kind=Kind.CENTRAL_QUARANTINE,
        screening=r.screen(zhou, dt.date(2022, 3, 20), Reason.CLOSE_CONTACT),
        started_at=at(dt.date(2022, 3, 20), "09:00"),
        room=site.rooms.get(),
    )
    r.release(m, at(dt.date(2022, 3, 27), "09:00"))
    chen = r.person(world.grid07, "陈静")  # starts at 24:00 of the window's last day
    r.start(chen, Kind.SELF_MONITORING, midnight_after(LAST), r.screen(chen, LAST))
    return r


@pytest.fixture
def spread(edges):
    edges.random_people(24, seed=4)
    return edges


def day_index(day: dt.date) -> int:
    return (day - FIRST).days


def test_it_counts_the_edges_of_the_window_by_hand(world, edges):
    got = trends.series(world.county, last_day=LAST, now=AFTER).values
    released = got["released_new"]
    assert released[day_index(FIRST)] == 1  # 张伟 at 00:00 of the 1st; 李秀英's release is outside
    assert released[day_index(dt.date(2022, 3, 16))] == 1  # 刘洋 discharged at 24:00 of the 15th
    assert released[day_index(dt.date(2022, 3, 27))] == 1  # 周敏
    assert sum(released) == 3  # a transfer is not a release
    assert got["active_home_quarantine"] == [1] * trends.DAYS  # 王芳 only: 张伟 and 李秀英 are released
    assert got["active_home_monitoring"][day_index(dt.date(2022, 3, 10))] == 1
    assert got["active_home_monitoring"][day_index(dt.date(2022, 3, 12))] == 0  # now in hospital
    assert got["active_hospital"][day_index(dt.date(2022, 3, 14))] == 1
    assert got["active_hospital"][day_index(dt.date(2022, 3, 15))] == 0  # released at that 24:00
    assert got["active_central_quarantine"][day_index(dt.date(2022, 3, 26))] == 1
    assert got["active_central_quarantine"][day_index(dt.date(2022, 3, 27))] == 0
    assert got["active_self_monitoring"][-1] == 1  # 陈静 from 24:00 of the last day
    assert got["screened_new"][day_index(dt.date(2022, 3, 5))] == 0  # 赵强 was screened before
    assert got["screened_new"][day_index(dt.date(2022, 3, 10))] == 1  # 刘洋
    assert got["screened_new"][-1] == 1  # 陈静
    assert got["symptomatic_new"][day_index(dt.date(2022, 3, 10))] == 1
    # In grid 08, 王芳 owes both slots of every day and had them on the 10th only.
    grid08 = trends.series(world.grid08, last_day=LAST, now=AFTER).values
    assert sum(grid08["followups_missed"]) == 30 * 2 - 2
    assert grid08["followups_missed"][day_index(dt.date(2022, 3, 10))] == 0


def test_it_equals_compute_day_by_day_for_every_node(world, spread):
    for name in NODES:
        node = getattr(world, name)
        for now in (AFTER, DURING):
            got = trends.series(node, last_day=LAST, now=now)
            assert got.days == [FIRST + dt.timedelta(days=n) for n in range(trends.DAYS)]
            for i, day in enumerate(got.days):
                expected = indicators.compute(node, day, codes=trends.CHARTED, now=now)
                assert {code: got.values[code][i] for code in trends.CHARTED} == expected, (name, day, now)
    county = trends.series(world.county, last_day=LAST, now=AFTER).values
    assert all(any(county[code]) for code in trends.CHARTED), "every charted indicator has a non-zero day"


def test_it_equals_compute_for_every_indicator_too(world, spread):
    """The other indicators go through the same machinery (cumulative ones read the whole subtree)."""
    codes = list(indicators.REGISTRY)
    for name in ("county", "village", "grid08"):
        node = getattr(world, name)
        got = trends.series(node, last_day=LAST, days=7, codes=codes, now=AFTER)
        for i, day in enumerate(got.days):
            expected = indicators.compute(node, day, now=AFTER)
            assert {code: got.values[code][i] for code in codes} == expected, (name, day)


def test_it_runs_the_same_queries_however_many_records(world, edges):
    with CaptureQueriesContext(connection) as few:
        trends.series(world.county, last_day=LAST, now=AFTER)
    edges.random_people(15, seed=9)
    with CaptureQueriesContext(connection) as many:
        trends.series(world.county, last_day=LAST, now=AFTER)
    assert len(many) == len(few)
    # One query per series, not one a day: screenings, measures, follow-ups (grouped by slot day), and
    # what the follow-ups' aggregates give on a day without any.
    assert len(few) <= 4


def test_it_names_an_unknown_indicator(world):
    with pytest.raises(KeyError, match="no_such"):
        trends.series(world.county, last_day=LAST, codes=["no_such"])
