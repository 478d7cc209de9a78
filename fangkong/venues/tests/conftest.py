"""Fixtures shared by the check-in tests: venues in grid 07 and grid 08, a kiosk's token, and a spy on
the kiosk's one statement."""

import pytest

from fangkong.grid.actions import issue_api_token
from fangkong.venues import actions as venue_actions
from fangkong.venues import sql as checkin_sql
from fangkong.venues.models import VenueKind


@pytest.fixture
def venues(world):
    make = venue_actions.create_venue
    return {
        "shop": make(actor=world.county_admin, node=world.grid07, name="前屯便民超市", kind=VenueKind.SHOP),
        "stall": make(
            actor=world.county_admin, node=world.grid07, name="前屯早点铺", kind=VenueKind.RESTAURANT
        ),
        "clinic": make(
            actor=world.county_admin, node=world.village, name="前屯卫生室", kind=VenueKind.CLINIC
        ),
        "other": make(actor=world.county_admin, node=world.grid08, name="后街菜店", kind=VenueKind.MARKET),
    }


@pytest.fixture
def issued(world):
    """The shop kiosk's token (ApiToken, raw): the grid-07 worker's account."""
    return issue_api_token(actor=world.grid07_worker, name="便民超市扫码终端")


@pytest.fixture
def token(issued) -> str:
    return issued[1]


@pytest.fixture
def statement(monkeypatch) -> dict:
    """What the kiosk's one statement wrote (client id → checkin_sql.Written) during the test."""
    seen = {}
    real = checkin_sql.insert_scans

    def spy(scans, **kwargs):
        written = real(scans, **kwargs)
        seen.update(written)
        return written

    monkeypatch.setattr(checkin_sql, "insert_scans", spy)
    return seen
