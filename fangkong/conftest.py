"""The tiny world the tests live in: a county, a township, a village with grids 07 and 08, a second
village, and personas who sit at those nodes. The grid-08 worker must see nothing of grid 07."""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from fangkong.grid import actions as grid_actions
from fangkong.grid.models import Jurisdiction, Level, Membership, Role
from fangkong.registry import actions as registry_actions

PASSWORD = "correct-horse-battery-9"  # noqa: S105 — test persona password


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Argon2 is slow on purpose; tests log in hundreds of times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def chinese_after_each_test():
    """A request in English leaves English active in the thread (the locale middleware does not switch it
    back); text composed outside a request in the next test would come out in English."""
    yield
    translation.deactivate()


@dataclass
class World:
    province: Jurisdiction
    city: Jurisdiction
    county: Jurisdiction
    township: Jurisdiction
    village: Jurisdiction
    other_village: Jurisdiction
    grid07: Jurisdiction
    grid08: Jurisdiction
    county_admin: object
    township_admin: object
    grid07_worker: object
    grid07_viewer: object
    grid08_worker: object
    outsider: object  # an account with no membership: sees nothing


def make_node(code: str, name: str, level: str, parent: Jurisdiction | None) -> Jurisdiction:
    return Jurisdiction.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        path=f"{parent.path if parent else ''}{code}/",
        vintage="2023",
    )


def make_user(username: str, node: Jurisdiction | None = None, role: str | None = None, full_name: str = ""):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, first_name=full_name or username
    )
    if node is not None:
        Membership.objects.create(user=user, node=node, role=role)
    return user


@pytest.fixture
def world(db) -> World:
    province = make_node("37", "山东省", Level.PROVINCE, None)
    city = make_node("3715", "聊城市", Level.CITY, province)
    county = make_node("371502", "东昌府区", Level.COUNTY, city)
    township = make_node("371502103", "梁水镇", Level.TOWNSHIP, county)
    village = make_node("371502103201", "前屯村委会", Level.VILLAGE, township)
    other_village = make_node("371502103202", "后屯村委会", Level.VILLAGE, township)
    county_admin = make_user("county_admin", county, Role.ADMIN, "县管理员")
    grid07 = grid_actions.create_grid(actor=county_admin, village=village, local_code="07", name="第七网格")
    grid08 = grid_actions.create_grid(actor=county_admin, village=village, local_code="08", name="第八网格")
    return World(
        province=province,
        city=city,
        county=county,
        township=township,
        village=village,
        other_village=other_village,
        grid07=grid07,
        grid08=grid08,
        county_admin=county_admin,
        township_admin=make_user("township_admin", township, Role.ADMIN, "镇管理员"),
        grid07_worker=make_user("grid07_worker", grid07, Role.GRID_WORKER, "七网格员"),
        grid07_viewer=make_user("grid07_viewer", grid07, Role.VIEWER, "七网格查看"),
        grid08_worker=make_user("grid08_worker", grid08, Role.GRID_WORKER, "八网格员"),
        outsider=make_user("outsider"),
    )


@pytest.fixture
def people(world):
    """A household with two people in grid 07 and one person in grid 08."""
    import datetime as dt

    from fangkong.lib.idcard import make

    h07 = registry_actions.create_household(
        actor=world.grid07_worker, node=world.grid07, address="前屯村七组12号", dwelling_type="owned"
    )
    zhang = registry_actions.register_person(
        actor=world.grid07_worker,
        node=world.grid07,
        household=h07,
        name="张伟",
        relation="head",
        id_number=make("371502", dt.date(1990, 3, 7), 123),
        phone="13812345678",
    )
    li = registry_actions.register_person(
        actor=world.grid07_worker,
        node=world.grid07,
        household=h07,
        name="李秀英",
        relation="spouse",
        id_number=make("371502", dt.date(1992, 5, 1), 246),
        phone="13987654321",
    )
    h08 = registry_actions.create_household(
        actor=world.grid08_worker, node=world.grid08, address="前屯村八组3号", dwelling_type="rented"
    )
    wang = registry_actions.register_person(
        actor=world.grid08_worker,
        node=world.grid08,
        household=h08,
        name="王芳",
        relation="head",
        id_number=make("371502", dt.date(1985, 11, 20), 48),
        phone="15066668888",
    )
    return {"h07": h07, "h08": h08, "zhang": zhang, "li": li, "wang": wang}
