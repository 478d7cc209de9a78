"""A market-supervision world built through actions: in the tiny world, a pharmacy in grid 07 (township
梁水镇) and a second township 沙镇 with its own pharmacy; the buyers are the people of the root conftest
(张伟 and 李秀英 in grid 07, 王芳 in grid 08) and strangers not registered anywhere."""

import datetime as dt

import pytest

from fangkong.conftest import make_node, make_user
from fangkong.grid import actions as grid_actions
from fangkong.grid.models import Level, Role
from fangkong.lib.idcard import make
from fangkong.markets import actions, rules

STRANGER_ID = make("510101", dt.date(1980, 1, 2), 135)  # registered nowhere


@pytest.fixture
def pharmacy(world):
    return make_pharmacy(world)


@pytest.fixture
def other_township(world):
    return make_other_township(world)


def make_pharmacy(world):
    return actions.create_pharmacy(
        actor=world.county_admin,
        node=world.grid07,
        name="前屯大药房",
        licence_no="鲁AA6350001",
        address="前屯村七组1号",
        contact_phone="13700002222",
    )


def make_other_township(world):
    """沙镇 with a village and a grid, its pharmacy, and a township admin who sees only it."""
    township = make_node("371502104", "沙镇", Level.TOWNSHIP, world.county)
    village = make_node("371502104201", "沙村委会", Level.VILLAGE, township)
    grid = grid_actions.create_grid(
        actor=world.county_admin, village=village, local_code="01", name="沙一网格"
    )
    admin = make_user("sha_admin", township, Role.ADMIN, "沙镇管理员")
    shop = actions.create_pharmacy(
        actor=world.county_admin, node=grid, name="沙镇药店", licence_no="鲁AA6350002"
    )
    return {"township": township, "village": village, "grid": grid, "admin": admin, "pharmacy": shop}


def local(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=rules.SHANGHAI)


def buy(world, pharmacy, *, id_number, drug_class="fever", at=None, name="购药人", actor=None, **kwargs):
    return actions.record_purchase(
        actor=actor or world.county_admin,
        pharmacy=pharmacy,
        buyer_name=name,
        id_number=id_number,
        drug=kwargs.pop("drug", "布洛芬缓释胶囊"),
        drug_class=drug_class,
        purchased_at=at,
        **kwargs,
    )


def csv(*rows: list) -> bytes:
    return "\n".join(",".join(str(c) for c in row) for row in rows).encode("utf-8")
