import datetime as dt

import pytest

from fangkong.conftest import make_user
from fangkong.schools import actions

DAY = dt.date(2020, 3, 2)


@pytest.fixture
def bureau(world):
    b = actions.create_bureau(actor=world.county_admin, county=world.county, name="东昌府区教育局")
    officer = make_user("edu_officer", full_name="教育局干部")
    actions.add_bureau_member(actor=world.county_admin, bureau=b, user=officer)
    b.officer = officer
    return b


@pytest.fixture
def school(world):
    return actions.create_school(
        actor=world.county_admin, node=world.village, name="前屯小学", stage="primary"
    )


@pytest.fixture
def teacher(world, school):
    user = make_user("teacher", full_name="王老师")
    actions.add_staff(actor=world.county_admin, school=school, user=user)
    return user


@pytest.fixture
def klass(world, school):
    return actions.create_class(
        actor=world.county_admin, school=school, grade="三年级", name="1班", grade_order=3
    )


@pytest.fixture
def pupils(world, school, klass):
    return [
        actions.add_member(actor=world.county_admin, school=school, school_class=klass, name=f"学生{n:02d}")
        for n in range(1, 46)
    ]
