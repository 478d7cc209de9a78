"""A cases world others can reuse, built through actions: in the tiny world's county, 张伟 (grid 07) is a
confirmed case; his wife 李秀英 lives with him; at the village restaurant 王芳 (grid 08) overlapped his stay
by 40 minutes, 赵强 (another village) by 10 minutes, and 陈静, a visitor from Beijing who is registered
nowhere here, by 60 minutes; 孙丽 came in after he left. A quarantine site with rooms stands in the county.

Times are real (measures refuse a start in the future): the case's day is yesterday, Asia/Shanghai."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from fangkong.grid.models import Role
from fangkong.healthcodes.identity import identify, identity_for_person
from fangkong.lib.idcard import make
from fangkong.measures import actions as measure_actions
from fangkong.policy.actions import set_policy
from fangkong.registry import actions as registry_actions
from fangkong.tracing import actions
from fangkong.tracing.rules import SHANGHAI
from fangkong.venues import actions as venue_actions
from fangkong.venues.models import VenueKind


@dataclass
class CasesWorld:
    case: object
    day: dt.date  # the day of the restaurant visits
    at: dt.datetime  # 张伟's check-in at the restaurant (12:00 that day)
    restaurant: object
    shop: object
    zhang: object
    li: object
    wang: object
    zhao: object
    chen: object  # an Identity: registered nowhere in the county
    sun: object
    identities: dict
    site: object
    other_village_staff: object


def at_time(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def use_preset(world, preset: str) -> None:
    """The county under `preset` from a year ago (so it is in force for every date the tests use)."""
    set_policy(
        actor=world.county_admin,
        node=world.county,
        effective_from=timezone.localdate() - dt.timedelta(days=365),
        preset=preset,
    )


def visit(venue, identity, start: dt.datetime, minutes: int | None) -> None:
    """A check-in; with `minutes`, a check-out that long after (else the venue's dwell time applies)."""
    [recorded] = venue_actions.check_in(
        actor=None, venue=venue, people=[identity], at=start, with_colour=False
    )
    if minutes is not None:
        venue_actions.check_out(checkins=[recorded.checkin], at=start + dt.timedelta(minutes=minutes))


@pytest.fixture
def cases_world(world, people) -> CasesWorld:
    admin = world.county_admin
    other_village_staff = _staff(world)
    zhao = registry_actions.register_person(
        actor=admin,
        node=world.other_village,
        household=registry_actions.create_household(
            actor=admin, node=world.other_village, address="后屯村三组5号", dwelling_type="owned"
        ),
        name="赵强",
        relation="head",
        id_number=make("371502", dt.date(1979, 2, 14), 31),
        phone="13700001111",
    )
    sun = registry_actions.register_person(
        actor=admin,
        node=world.other_village,
        household=zhao.household,
        name="孙丽",
        relation="spouse",
        id_number=make("371502", dt.date(1981, 6, 30), 42),
        phone="13700002222",
    )
    chen = identify(id_number=make("110105", dt.date(1988, 8, 8), 64), name="陈静", phone="13600003333")
    ids = {p: identity_for_person(people[p]) for p in ("zhang", "li", "wang")}
    ids |= {"zhao": identity_for_person(zhao), "sun": identity_for_person(sun), "chen": chen}
    restaurant = venue_actions.create_venue(
        actor=admin, node=world.village, name="前屯农家饭庄", kind=VenueKind.RESTAURANT
    )
    shop = venue_actions.create_venue(
        actor=admin, node=world.grid07, name="前屯便民超市", kind=VenueKind.SHOP
    )
    day = timezone.localdate() - dt.timedelta(days=1)
    noon = at_time(day, 12)
    visit(restaurant, ids["zhang"], noon, 90)  # 12:00–13:30
    visit(restaurant, ids["wang"], noon + dt.timedelta(minutes=50), 60)  # 12:50–13:50: 40 min
    visit(restaurant, ids["zhao"], noon - dt.timedelta(minutes=20), None)  # 11:40 + 30 min dwell: 10 min
    visit(restaurant, ids["chen"], noon + dt.timedelta(minutes=10), 60)  # 12:10–13:10: 60 min
    visit(restaurant, ids["sun"], noon + dt.timedelta(minutes=100), 30)  # 13:40: after he left
    visit(shop, ids["zhang"], at_time(day, 9), 10)  # nobody else there
    site = measure_actions.create_site(actor=admin, node=world.county, name="县隔离酒店")
    measure_actions.add_rooms(actor=admin, site=site, first=101, last=110, capacity=1)
    case = actions.report_case(
        actor=admin,
        node=world.grid07,
        kind="confirmed",
        person=people["zhang"],
        diagnosed_at=at_time(day, 20),
        onset_on=day,
        sampled_at=at_time(day, 16),
        isolated_at=at_time(day, 21),
    )
    return CasesWorld(
        case=case,
        day=day,
        at=noon,
        restaurant=restaurant,
        shop=shop,
        zhang=people["zhang"],
        li=people["li"],
        wang=people["wang"],
        zhao=zhao,
        chen=chen,
        sun=sun,
        identities=ids,
        site=site,
        other_village_staff=other_village_staff,
    )


def _staff(world):
    from fangkong.conftest import make_user

    return make_user("houtun_staff", world.other_village, Role.VILLAGE_STAFF, "后屯村干部")
