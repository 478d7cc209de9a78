"""Identifying at a venue is held to the same proof as on the code page (healthcodes/tests/test_identify.py):
a stranger with a resident's name and ID number but another phone number checks nobody in and sees no
colour, on the venue page and through a kiosk's API."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from fangkong.grid.actions import issue_api_token
from fangkong.healthcodes.models import Identity
from fangkong.measures import actions as measure_actions
from fangkong.policy.models import Kind
from fangkong.venues.models import CheckIn

STRANGER = "13900000000"
WRONG_PHONE = "手机号与登记的不符"


def details(person, **changes) -> dict:
    return {"name": person.name, "id_number": person.id_number, "phone": person.phone, **changes}


def quarantined(world, person):
    return measure_actions.start_measure(
        actor=world.grid07_worker,
        person=person,
        kind=Kind.HOME_QUARANTINE,
        started_at=timezone.now() - dt.timedelta(days=2),
    )


def test_it_refuses_the_same_hole_on_a_venue_page(world, people, venues):
    zhang = people["zhang"]
    quarantined(world, zhang)
    stranger = Client()
    page = stranger.post(
        f"/r/v/{venues['shop'].code}/", {"action": "identify", **details(zhang, phone=STRANGER)}
    ).content.decode()
    assert WRONG_PHONE in page and "红码" not in page
    assert not CheckIn.objects.exists()


def test_it_refuses_the_same_hole_on_a_kiosk(world, people, venues):
    zhang = people["zhang"]
    quarantined(world, zhang)
    _, raw = issue_api_token(actor=world.grid07_worker, name="超市终端")
    response = Client().post(
        "/api/v1/checkins",
        {"client_id": "k-1", "venue_code": venues["shop"].code, **details(zhang, phone=STRANGER)},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 422, response.content
    assert WRONG_PHONE in response.json()["errors"]["phone"]
    assert "colour" not in response.json()
    assert not Identity.objects.filter(phone=STRANGER).exists() and not CheckIn.objects.exists()
