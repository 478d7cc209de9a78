"""An inspections world built through actions: in the tiny world, grid 07 has a supermarket (a registry
unit) and a market stall venue; the 复工复产检查表 preset is there from its migration."""

import datetime as dt

import pytest
from django.utils import timezone

from fangkong.inspections import actions
from fangkong.inspections.models import ChecklistTemplate
from fangkong.registry import actions as registry_actions
from fangkong.venues import actions as venue_actions

PRESET = "复工复产检查表"


@pytest.fixture
def preset(db):
    return ChecklistTemplate.objects.get(node__isnull=True, name=PRESET)


@pytest.fixture
def shop(world):
    return registry_actions.create_unit(
        actor=world.county_admin,
        node=world.grid07,
        name="第七网格惠民超市",
        kind="market",
        contact_name="刘店长",
        contact_phone="13700001111",
    )


@pytest.fixture
def stall(world):
    return venue_actions.create_venue(
        actor=world.county_admin, node=world.grid08, name="八组农贸摊位", kind="market"
    )


def answers(template, failed: dict[int, str] | None = None) -> list[dict]:
    """Every active item of the template passed, except positions (1-based) in `failed` with their note."""
    failed = failed or {}
    items = list(template.items.filter(active=True).order_by("position"))
    return [
        {"item": item, "text": item.text, "passed": index not in failed, "note": failed.get(index, "")}
        for index, item in enumerate(items, start=1)
    ]


def inspect(world, target, template, failed=None, *, at=None, actor=None, **kwargs):
    return actions.record_inspection(
        actor=actor or world.county_admin,
        target=target,
        template=template,
        inspected_at=at or timezone.now() - dt.timedelta(hours=1),
        inspectors="王督查、李检查",
        results=answers(template, failed),
        **kwargs,
    )
