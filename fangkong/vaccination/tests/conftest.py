import datetime as dt
import itertools

import pytest
from django.utils import timezone

from fangkong.lib.idcard import make
from fangkong.registry import actions as registry_actions
from fangkong.vaccination import actions

_sequence = itertools.count(300)


@pytest.fixture
def site(world):
    return actions.create_site(actor=world.county_admin, node=world.township, name="梁水镇卫生院接种点")


@pytest.fixture
def today():
    return timezone.localdate()


def register(world, node, name: str, birth: dt.date):
    return registry_actions.register_person(
        actor=world.county_admin,
        node=node,
        name=name,
        id_number=make("371502", birth, next(_sequence) % 1000),
        birth_date=birth,
    )


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)
