"""A supplies world in the tiny world's county: the county reserve, the township's store and a school
(a unit of the village) to issue masks to; three items."""

from dataclasses import dataclass

import pytest

from fangkong.registry import actions as registry_actions
from fangkong.registry.models import UnitKind
from fangkong.supplies import actions
from fangkong.supplies.models import StoreKind


@dataclass
class SuppliesWorld:
    reserve: object
    township: object
    village: object
    school: object
    masks: object
    n95: object
    suits: object


@pytest.fixture
def supplies(world):
    admin = world.county_admin
    school = registry_actions.create_unit(
        actor=admin, node=world.village, name="前屯小学", kind=UnitKind.SCHOOL
    )
    return SuppliesWorld(
        reserve=actions.create_store(
            actor=admin, node=world.county, name="县防疫物资储备库", kind=StoreKind.COUNTY_RESERVE
        ),
        township=actions.create_store(
            actor=admin, node=world.township, name="梁水镇物资点", kind=StoreKind.TOWNSHIP
        ),
        village=actions.create_store(
            actor=admin, node=world.village, name="前屯村物资点", kind=StoreKind.VILLAGE
        ),
        school=school,
        masks=actions.create_item(actor=admin, name="医用外科口罩", unit="只", threshold=1000),
        n95=actions.create_item(actor=admin, name="N95口罩", unit="只", threshold=200),
        suits=actions.create_item(actor=admin, name="医用防护服", spec="XL", unit="套", threshold=50),
    )
