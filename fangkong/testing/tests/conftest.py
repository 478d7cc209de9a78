"""A testing world on the tiny world: ten people registered in grid 07 (张伟, 李秀英 and eight more) and
one in grid 08, a sampling point in the village, and helpers to sample a tube through the actions."""

import datetime as dt

import pytest
from django.utils import timezone

from fangkong.lib.idcard import make
from fangkong.registry import actions as registry_actions
from fangkong.testing import actions


@pytest.fixture
def ten(world, people):
    """Ten people of grid 07: 张伟, 李秀英 and eight registered here."""
    household = people["h07"]
    out = [people["zhang"], people["li"]]
    for i in range(8):
        out.append(
            registry_actions.register_person(
                actor=world.county_admin,
                node=world.grid07,
                household=household,
                name=f"检测{i}号",
                relation="other",
                id_number=make("371502", dt.date(1980 + i, 1, 2), 300 + i),
            )
        )
    return out


@pytest.fixture
def point(world):
    return actions.create_point(actor=world.county_admin, node=world.village, name="前屯村采样点")


@pytest.fixture
def sample_tube(world, point):
    def sample(code, persons, *, kind="pool", capacity=10, at=None, round=None, actor=None):
        tube = actions.open_sample(
            actor=actor or world.county_admin,
            tube_code=code,
            kind=kind,
            capacity=1 if kind == "single" else capacity,
            node=world.village,
            point=point,
            round=round,
            sampled_at=at or timezone.now() - dt.timedelta(hours=3),
        )
        for person in persons:
            actions.add_member(actor=actor or world.county_admin, sample=tube, person=person)
        return tube

    return sample
