"""Quarantine sites on the web: occupancy at a glance, creating a site, rooms in bulk, who is in a room
(masked), and scoping."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from fangkong.measures import actions
from fangkong.measures.models import QuarantineSite, Room

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def site(world):
    site = actions.create_site(actor=world.township_admin, node=world.township, name="梁水宾馆")
    actions.add_rooms(actor=world.township_admin, site=site, first=101, last=103, capacity=2)
    return site


def quarantine(world, person, room):
    screening = actions.record_screening(
        actor=world.township_admin,
        person=person,
        reason="close_contact",
        screened_on=dt.date(2020, 1, 21),
        reference_date=dt.date(2020, 1, 20),
    )
    return actions.start_measure(
        actor=world.township_admin,
        person=person,
        kind="central_quarantine",
        screening=screening,
        started_at=dt.datetime(2020, 1, 21, 9, tzinfo=SH),
        room=room,
    )


def counts(html: str) -> list[str]:
    """The figures of the counts panel, in order."""
    panel = html.split('<div class="counts">', 1)[1].split("</div>\n</div>", 1)[0]
    return [part.split("</b>")[0] for part in panel.split("<b>")[1:]]


def test_it_shows_beds_occupied_and_free_at_a_glance(client, world, people, site):
    room = site.rooms.get(number="101")
    quarantine(world, people["zhang"], room)
    quarantine(world, people["li"], room)
    released = quarantine(world, people["wang"], site.rooms.get(number="102"))
    actions.release_measure(actor=world.township_admin, measure=released, version=released.version)
    client.force_login(world.township_admin)

    html = client.get("/measures/sites/").content.decode()

    # 3 rooms × 2 beds; 101 is full, the released person in 102 no longer counts.
    assert counts(html) == ["1", "6", "2", "4"]
    assert "梁水宾馆" in html


def test_it_shows_who_is_in_each_room_with_masked_names(client, world, people, site):
    measure = quarantine(world, people["zhang"], site.rooms.get(number="102"))
    client.force_login(world.county_admin)

    html = client.get(f"/measures/sites/{site.pk}/").content.decode()

    assert "张*" in html and "张伟" not in html
    assert f"/measures/{measure.pk}/" in html
    assert counts(html) == ["3", "6", "1", "5"]


def test_it_creates_a_site_and_adds_rooms_in_bulk(client, world):
    client.force_login(world.township_admin)

    response = client.post(
        "/measures/sites/new/",
        {
            "node": world.township.pk,
            "name": "运河宾馆",
            "address": "梁水镇运河路1号",
            "contact_phone": "0635-1234567",
        },
    )
    site = QuarantineSite.objects.get(name="运河宾馆")
    assert response.status_code == 302 and response["Location"] == f"/measures/sites/{site.pk}/"
    assert site.node == world.township and site.contact_phone == "06351234567"
    response = client.post(f"/measures/sites/{site.pk}/rooms/", {"first": 101, "last": 120, "capacity": 2})
    assert response.status_code == 302
    again = client.post(
        f"/measures/sites/{site.pk}/rooms/", {"first": 115, "last": 125, "capacity": 1}, follow=True
    ).content.decode()

    assert "已添加5间房间，6间已存在未改动" in again
    numbers = sorted(int(n) for n in Room.objects.filter(site=site).values_list("number", flat=True))
    assert numbers == list(range(101, 126))
    assert Room.objects.get(site=site, number="118").capacity == 2  # existing rooms unchanged


def test_it_explains_a_refused_site_or_room_range_at_the_field(client, world, site):
    client.force_login(world.township_admin)

    duplicate = client.post("/measures/sites/new/", {"node": world.township.pk, "name": "梁水宾馆"})
    backwards = client.post(f"/measures/sites/{site.pk}/rooms/", {"first": 120, "last": 101, "capacity": 1})
    bad_phone = client.post(
        "/measures/sites/new/", {"node": world.township.pk, "name": "新宾馆", "contact_phone": "12345"}
    )

    assert "该辖区已有同名隔离点" in duplicate.content.decode()
    assert "结束房间号不能小于起始房间号" in backwards.content.decode()
    assert "手机号码应为以1开头的11位数字" in bad_phone.content.decode()
    assert QuarantineSite.objects.count() == 1 and site.rooms.count() == 3


def test_it_keeps_a_township_site_from_grid_workers_and_outsiders(client, world, site):
    for persona in ("grid07_worker", "grid08_worker", "outsider"):
        client.force_login(getattr(world, persona))
        assert client.get(f"/measures/sites/{site.pk}/").status_code == 404, persona
        assert "梁水宾馆" not in client.get("/measures/sites/").content.decode(), persona
        assert (
            client.post(
                f"/measures/sites/{site.pk}/rooms/", {"first": 1, "last": 2, "capacity": 1}
            ).status_code
            == 404
        )
    # A grid is no place for a site: a grid worker may not set one up at all.
    client.force_login(world.grid07_worker)
    assert client.get("/measures/sites/new/").status_code == 403
    assert site.rooms.count() == 3


def test_it_lets_a_viewer_see_a_site_without_the_room_form(client, world, site):
    from fangkong.conftest import make_user
    from fangkong.grid.models import Role

    viewer = make_user("township_viewer", world.township, Role.VIEWER)
    client.force_login(viewer)

    html = client.get(f"/measures/sites/{site.pk}/").content.decode()

    assert "梁水宾馆" in html and "批量添加房间" not in html
    assert (
        client.post(f"/measures/sites/{site.pk}/rooms/", {"first": 1, "last": 2, "capacity": 1}).status_code
        == 404
    )
