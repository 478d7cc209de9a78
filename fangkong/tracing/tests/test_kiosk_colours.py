"""Kiosk check-ins with tracing's providers registered (docs/decisions/0004): a case or an undecided
candidate gets the colour colour_of gives; a clean resident is still written by the one statement."""

import dataclasses

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fangkong.grid.actions import issue_api_token
from fangkong.healthcodes.colours import colour_of
from fangkong.healthcodes.models import Colour
from fangkong.tracing import actions
from fangkong.venues import sql as checkin_sql
from fangkong.venues.models import CheckIn


@pytest.fixture
def kiosk(world):
    """The restaurant kiosk's raw token: the village worker's account."""
    return issue_api_token(actor=world.county_admin, name="饭庄扫码终端")[1]


@pytest.fixture
def statement(monkeypatch) -> dict:
    seen = {}
    real = checkin_sql.insert_scans

    def spy(scans, **kwargs):
        written = real(scans, **kwargs)
        seen.update(written)
        return written

    monkeypatch.setattr(checkin_sql, "insert_scans", spy)
    return seen


def scan(raw, venue, identity, client_id):
    body = {
        "client_id": client_id,
        "venue_code": venue.code,
        "id_number": identity.id_number,
        "name": identity.name,
        "phone": identity.phone,
    }
    kiosk = Client(headers={"Authorization": f"Bearer {raw}"})
    answer = kiosk.post("/api/v1/checkins", body, content_type="application/json")
    assert answer.status_code == 201, answer.content
    return CheckIn.objects.get(client_id=client_id)


def test_it_gives_a_case_and_an_undecided_candidate_the_colour_of_colour_of(
    world, cases_world, kiosk, statement
):
    w = cases_world
    actions.search_contacts(actor=world.county_admin, case=w.case)
    for who, colour in (("zhang", Colour.RED), ("wang", Colour.YELLOW), ("chen", Colour.YELLOW)):
        identity = w.identities[who]
        checkin = scan(kiosk, w.shop, identity, f"k-{who}")
        assert statement[f"k-{who}"].colour_shown == ""  # the statement leaves it to colour_of
        assert checkin.colour_shown == colour_of(identity).colour == colour


def test_it_writes_a_clean_resident_in_the_one_statement(world, cases_world, kiosk, statement):
    w = cases_world
    actions.search_contacts(actor=world.county_admin, case=w.case)
    sun = w.identities["sun"]  # came in after the case left: not a candidate
    with CaptureQueriesContext(connection) as ctx:
        checkin = scan(kiosk, w.shop, sun, "k-sun")
    assert statement["k-sun"].colour_shown == checkin.colour_shown == Colour.GREEN == colour_of(sun).colour
    writes = [q["sql"] for q in ctx.captured_queries if "INSERT INTO codes_checkin" in q["sql"]]
    others = [q["sql"] for q in ctx.captured_queries if "INSERT INTO codes_checkin" not in q["sql"]]
    assert len(writes) == 1 and not any("measures_measure" in sql for sql in others)  # colour_of not asked


def test_it_goes_back_to_the_statement_once_the_candidate_is_cleared(world, cases_world, kiosk, statement):
    w = cases_world
    actions.search_contacts(actor=world.county_admin, case=w.case)
    wang = w.identities["wang"]
    candidate = w.case.candidates.get(identity=wang)
    actions.decide(actor=world.county_admin, candidates=[candidate], decision="cleared")
    assert scan(kiosk, w.shop, wang, "k-wang").colour_shown == Colour.GREEN
    assert statement["k-wang"].colour_shown == Colour.GREEN


def test_it_leaves_colours_to_colour_of_when_a_provider_has_no_kiosk_test(
    world, cases_world, kiosk, statement, monkeypatch
):
    from fangkong.healthcodes import rules

    monkeypatch.setitem(rules.PROVIDERS, "cases", lambda **kw: [])  # replaced, its SQL no longer applies
    sun = cases_world.identities["sun"]
    assert scan(kiosk, cases_world.shop, sun, "k-sun").colour_shown == Colour.GREEN
    assert statement["k-sun"].colour_shown == ""
    assert dataclasses.is_dataclass(statement["k-sun"])
