"""A township on 28 January 2020 (D), built through the actions, for the situation report's tests.

grid 07:  张伟   arrived from 武汉 (screened D-1), home quarantine from D-1 09:00; morning check 08:00,
                 evening 19:00 with 38.0 ℃ (an alert)
          李秀英 close contact (screened D), home monitoring from D 13:00; evening missed
          赵强   arrived from 北京 (screened D), central quarantine in 梁水宾馆 from D 10:00; both checks done
          孙丽   registered only; passes grid 07's checkpoint on D; a car is turned back there
grid 08:  王芳   arrived from 武汉 (screened D-2), home quarantine from D-2, released D 09:00
后屯村:   刘洋   arrived from 武汉 (screened D), no measure
Verified in person: 张伟 only. 梁水宾馆 (the township's) has three single rooms, set up on D at 10:00.
Each record is entered at the moment it describes (李秀英 and 刘洋 are screened at 13:00).
"""

import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pytest
from django.utils import timezone

from fangkong.checkpoints import actions as checkpoint_actions
from fangkong.healthcodes.identity import identity_for_person
from fangkong.lib.idcard import make
from fangkong.measures import actions, rules
from fangkong.policy.models import Kind, Reason
from fangkong.registry import actions as registry_actions
from fangkong.registry.models import Verification

SH = rules.SHANGHAI
D = dt.date(2020, 1, 28)
WUHAN = {"origin_province": "42", "origin_city": "4201"}
BEIJING = {"origin_province": "11", "origin_city": "1101"}


def at(day: dt.date, hhmm: str) -> dt.datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SH)


NOON = at(D, "12:00")
END_OF_D = at(D + dt.timedelta(days=1), "00:00")  # 截至1月28日24时


@contextmanager
def clock(moment: dt.datetime):
    """The actions refuse times in their future and stamp the current time: set it."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture(name="town")
def town_fixture(world):
    admin = world.township_admin
    seq = iter(range(101, 200))

    def register(node, name):
        n = next(seq)
        return registry_actions.register_person(
            actor=admin,
            node=node,
            name=name,
            id_number=make("371502", dt.date(1980, 1, 1) + dt.timedelta(n), n),
        )

    with clock(at(D - dt.timedelta(days=10), "09:00")):
        p = {
            "zhang": register(world.grid07, "张伟"),
            "li": register(world.grid07, "李秀英"),
            "zhao": register(world.grid07, "赵强"),
            "sun": register(world.grid07, "孙丽"),
            "wang": register(world.grid08, "王芳"),
            "liu": register(world.other_village, "刘洋"),
        }
    with clock(at(D - dt.timedelta(days=3), "10:00")):
        registry_actions.verify_person(actor=admin, person=p["zhang"], method=Verification.IN_PERSON)

    def screen(day, person, reason, **fields):
        return actions.record_screening(actor=admin, person=person, reason=reason, screened_on=day, **fields)

    def start(person, kind, screening, **kw):
        return actions.start_measure(
            actor=admin, person=person, kind=kind, screening=screening, started_at=timezone.now(), **kw
        )

    def check(measure, temperature="36.5"):
        return actions.record_follow_up(
            actor=admin, measure=measure, temperature=temperature, taken_at=timezone.now()
        )

    # Each step recorded when it happened, as the report of an hour expects.
    before, day_before = D - dt.timedelta(days=2), D - dt.timedelta(days=1)
    with clock(at(before, "08:00")):
        m_wang = start(p["wang"], Kind.HOME_QUARANTINE, screen(before, p["wang"], Reason.ARRIVAL, **WUHAN))
    with clock(at(day_before, "09:00")):
        s_zhang = screen(day_before, p["zhang"], Reason.ARRIVAL, **WUHAN)
        m_zhang = start(p["zhang"], Kind.HOME_QUARANTINE, s_zhang)
    with clock(at(D, "08:00")):
        check(m_zhang)
        checkpoint = checkpoint_actions.create_checkpoint(
            actor=admin, node=world.grid07, name="前屯村东卡口", kind="road"
        )
    with clock(at(D, "09:00")):
        m_wang = actions.release_measure(
            actor=admin, measure=m_wang, version=m_wang.version, override=True, reason="专家组评估提前解除"
        )
    with clock(at(D, "09:30")):
        checkpoint_actions.record_passage(
            actor=admin,
            checkpoint=checkpoint,
            direction="in",
            identity=identity_for_person(p["sun"]),
            temperature="36.4",
        )
    with clock(at(D, "10:00")):
        site = actions.create_site(actor=admin, node=world.township, name="梁水宾馆")
        actions.add_rooms(actor=admin, site=site, first=101, last=103, capacity=1)
        s_zhao = screen(D, p["zhao"], Reason.ARRIVAL, **BEIJING)
        m_zhao = start(p["zhao"], Kind.CENTRAL_QUARANTINE, s_zhao, room=site.rooms.order_by("number")[0])
    with clock(at(D, "10:30")):
        checkpoint_actions.record_passage(
            actor=admin,
            checkpoint=checkpoint,
            direction="in",
            plate="鲁P12345",
            passengers=2,
            outcome="turned_back",
        )
    with clock(at(D, "11:00")):
        check(m_zhao)
    with clock(at(D, "13:00")):
        s_li = screen(D, p["li"], Reason.CLOSE_CONTACT, reference_date=day_before)
        m_li = start(p["li"], Kind.HOME_MONITORING, s_li)
        screen(D, p["liu"], Reason.ARRIVAL, **WUHAN)
    with clock(at(D, "19:00")):
        check(m_zhang, "38.0")
    with clock(at(D, "20:00")):
        check(m_zhao)
    return {"people": p, "measures": {"zhang": m_zhang, "li": m_li, "zhao": m_zhao, "wang": m_wang}}
