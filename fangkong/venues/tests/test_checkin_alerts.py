"""A person under home quarantine who checks in at a venue shows a red code there, and their caretakers and
the venue's area are alerted at once (居家隔离期间擅自外出): one alert per visit, whether the scan came from
the resident's phone or a venue kiosk, however often it is retried."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from fangkong.grid.actions import issue_api_token
from fangkong.healthcodes.identity import identify
from fangkong.measures import actions as measure_actions
from fangkong.measures import queries as measure_queries
from fangkong.measures.models import Alert, CaretakerRole
from fangkong.policy.models import Kind
from fangkong.venues.models import CheckIn


def details(person) -> dict:
    return {"name": person.name, "id_number": person.id_number, "phone": person.phone}


@pytest.fixture
def at_home(world, people):
    """张伟 (grid 07) under home quarantine since two days, the grid-07 worker his caretaker."""
    measure = measure_actions.start_measure(
        actor=world.grid07_worker,
        person=people["zhang"],
        kind=Kind.HOME_QUARANTINE,
        started_at=timezone.now() - dt.timedelta(days=2),
    )
    measure_actions.assign_caretaker(
        actor=world.grid07_worker, measure=measure, user=world.grid07_worker, role=CaretakerRole.GRID_WORKER
    )
    return measure


def kiosk(world):
    """The kiosk of the market in grid 08 (the grid-08 worker's token)."""
    _, raw = issue_api_token(actor=world.grid08_worker, name="菜店扫码终端")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def scan(client, venue, client_id, person):
    return client.post(
        "/api/v1/checkins",
        {"client_id": client_id, "venue_code": venue.code, **details(person)},
        content_type="application/json",
    )


def seen_by(user) -> list[Alert]:
    return list(measure_queries.open_alerts(user))


def test_it_alerts_caretakers_and_the_venues_area_when_a_quarantined_person_checks_in_on_a_phone(
    world, people, venues, at_home
):
    market = venues["other"]  # in grid 08: not where 张伟 lives
    phone = Client()
    page = phone.post(f"/r/v/{market.code}/", {"action": "identify", **details(people["zhang"])})
    assert "红码" in page.content.decode()
    [alert] = Alert.objects.all()
    assert alert.person == people["zhang"] and alert.measure == at_home
    assert "居家隔离期间擅自外出" in alert.summary and market.name in alert.summary
    for user in (world.grid07_worker, world.grid08_worker, world.township_admin, world.county_admin):
        assert seen_by(user) == [alert], user
    assert seen_by(world.outsider) == []
    # Tapping again, or once more from the tick boxes, is the same visit: no second alert.
    identity_pk = CheckIn.objects.get().identity_id
    phone.post(f"/r/v/{market.code}/", {"action": "checkin", "who": [identity_pk]})
    phone.post(f"/r/v/{market.code}/", {"action": "identify", **details(people["zhang"])})
    assert CheckIn.objects.count() == 1 and Alert.objects.count() == 1


def test_it_alerts_for_a_kiosk_scan_of_someone_never_identified(world, people, venues, at_home, statement):
    # No identity yet: the kiosk's one statement declines and record_checkins writes the scan.
    first = scan(kiosk(world), venues["other"], "k-1", people["zhang"])
    assert first.status_code == 201 and first.json()["colour"] == "red", first.content
    assert "k-1" not in statement
    [alert] = Alert.objects.all()
    assert "居家隔离期间擅自外出" in alert.summary and seen_by(world.grid08_worker) == [alert]


def test_it_alerts_once_for_a_kiosk_scan_however_often_it_is_sent(world, people, venues, at_home, statement):
    identify(**details(people["zhang"]))  # known: the kiosk's one statement writes the scan
    market, device = venues["other"], kiosk(world)
    first = scan(device, market, "k-1", people["zhang"])
    assert first.status_code == 201 and first.json()["colour"] == "red", first.content
    assert "k-1" in statement
    assert scan(device, market, "k-1", people["zhang"]).status_code in (200, 201)  # a retry
    assert scan(device, market, "k-2", people["zhang"]).json()["duplicate"]  # scanned twice at the door
    [alert] = Alert.objects.all()
    assert "居家隔离期间擅自外出" in alert.summary and market.name in alert.summary
    assert seen_by(world.grid08_worker) == [alert] and seen_by(world.grid07_worker) == [alert]


def test_it_raises_no_alert_for_a_green_code(world, people, venues):
    device = kiosk(world)
    assert scan(device, venues["other"], "k-1", people["zhang"]).json()["colour"] == "green"
    Client().post(f"/r/v/{venues['shop'].code}/", {"action": "identify", **details(people["li"])})
    assert CheckIn.objects.count() == 2 and not Alert.objects.exists()


def test_the_caretaker_closes_the_alert_and_the_venues_area_only_sees_it(world, people, venues, at_home):
    Client().post(f"/r/v/{venues['other'].code}/", {"action": "identify", **details(people["zhang"])})
    alert = Alert.objects.get()
    page = Client()
    page.force_login(world.grid08_worker)
    listed = page.get("/measures/alerts/").content.decode()
    assert "居家隔离期间擅自外出" in listed and "转运至发热门诊" not in listed
    measure_actions.resolve_alert(actor=world.grid07_worker, alert=alert, resolution="已劝返居家，继续隔离")
    assert seen_by(world.grid08_worker) == []
