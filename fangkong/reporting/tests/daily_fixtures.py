"""Helpers for the daily-report tests: a clock, moments in Asia/Shanghai, staff accounts and the
reporting units of the tiny world (the two villages of 梁水镇, a kindergarten on grid 07 and a school
attached to the township itself), all built through the actions."""

import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pytest

from fangkong.conftest import PASSWORD
from fangkong.grid import actions as grid_actions
from fangkong.grid.models import Role
from fangkong.measures import rules
from fangkong.registry import actions as registry_actions
from fangkong.reporting import actions as daily_actions

SH = rules.SHANGHAI
D = dt.date(2022, 3, 10)
START = dt.date(2022, 3, 1)


def at(day: dt.date, hhmm: str, second: int = 0, microsecond: int = 0) -> dt.datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute, second, microsecond), tzinfo=SH)


def next_day(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=1)


@contextmanager
def clock(moment: dt.datetime):
    """The actions stamp the current time (submitted_at, audit rows): set it."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def make_staff(world, username: str, node, role: str = Role.VILLAGE_STAFF, full_name: str = ""):
    return grid_actions.create_user(
        actor=world.county_admin,
        username=username,
        full_name=full_name or username,
        password=PASSWORD,
        node=node,
        role=role,
    )


@pytest.fixture
def units(world):
    """The reporting units from START: 前屯村委会, 后屯村委会 (by the village action), the kindergarten of
    grid 07 and the township's own middle school; plus village staff for each village."""
    admin = world.township_admin
    villages = daily_actions.add_village_reporting_units(actor=admin, node=world.township, active_from=START)
    by_name = {u.name: u for u in villages}
    kindergarten = registry_actions.create_unit(
        actor=admin, node=world.grid07, name="七组幼儿园", kind="school"
    )
    school = registry_actions.create_unit(actor=admin, node=world.township, name="梁水镇中学", kind="school")
    return {
        "qian": by_name["前屯村委会"],
        "hou": by_name["后屯村委会"],
        "kindergarten": daily_actions.add_reporting_unit(actor=admin, unit=kindergarten, active_from=START),
        "school": daily_actions.add_reporting_unit(actor=admin, unit=school, active_from=START),
        "qian_staff": make_staff(world, "qian_staff", world.village, full_name="前屯村干部"),
        "hou_staff": make_staff(world, "hou_staff", world.other_village, full_name="后屯村干部"),
    }
