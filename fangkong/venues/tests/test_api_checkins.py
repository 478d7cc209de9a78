"""The check-in API for venue kiosks and batch uploads: a token of a staff account with the right to write
at the venue; idempotent by client_id (a retry creates nothing and answers with the same ids); invalid
items reported by index with Chinese reasons while the valid ones are written; venues listed in scope."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from fangkong.grid.actions import issue_api_token
from fangkong.healthcodes.models import Identity
from fangkong.lib.idcard import make
from fangkong.venues import actions as checkin_actions
from fangkong.venues import actions as venue_actions
from fangkong.venues.models import CheckIn, VenueKind


@pytest.fixture
def venues(world):
    make_venue = venue_actions.create_venue
    return {
        "shop": make_venue(
            actor=world.county_admin, node=world.grid07, name="前屯便民超市", kind=VenueKind.SHOP
        ),
        "other": make_venue(
            actor=world.county_admin, node=world.grid08, name="后街菜店", kind=VenueKind.MARKET
        ),
    }


@pytest.fixture
def kiosk(world):
    """The shop's kiosk: a token of the grid-07 worker's account."""
    _, raw = issue_api_token(actor=world.grid07_worker, name="便民超市扫码终端")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def scan(n: int, venue, **fields) -> dict:
    return {
        "client_id": f"kiosk-1-{n}",
        "venue_code": venue.code,
        "id_number": make("371502", dt.date(1980, 1, 1) + dt.timedelta(days=n), 10 + n),
        "name": f"访客{n}",
        "phone": f"1380000{n:04d}",
        **fields,
    }


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_it_records_a_kiosk_scan_once_however_often_it_is_sent(kiosk, venues):
    first = post(kiosk, "/api/v1/checkins", scan(1, venues["shop"]))
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["venue"] == "前屯便民超市" and body["masked_name"] == "访**"
    assert body["colour"] == "green" and body["colour_label"] == "绿码" and body["duplicate"] is False
    assert body["at"].endswith("+08:00")
    again = post(kiosk, "/api/v1/checkins", scan(1, venues["shop"]))
    assert again.status_code == 200 and again.json()["id"] == body["id"] and again.json()["duplicate"] is True
    assert CheckIn.objects.count() == 1
    assert CheckIn.objects.get().source == "kiosk"


def test_it_refuses_a_kiosk_scan_with_its_reasons_in_chinese(kiosk, venues):
    wrong = post(
        kiosk, "/api/v1/checkins", scan(1, venues["shop"], id_number="37150219800101001", phone="12")
    )
    assert wrong.status_code == 422
    assert set(wrong.json()["errors"]) == {"id_number", "phone"}
    outside = post(kiosk, "/api/v1/checkins", scan(2, venues["other"]))
    assert outside.status_code == 422
    assert outside.json()["errors"] == {"venue_code": "场所码不存在或无权登记"}
    unknown = post(kiosk, "/api/v1/checkins", scan(3, venues["shop"], venue_code="no-such-venue"))
    assert unknown.json()["errors"] == outside.json()["errors"]  # not yours = does not exist
    missing = post(kiosk, "/api/v1/checkins", {"venue_code": venues["shop"].code})
    assert missing.status_code == 422 and missing.json()["errors"]["client_id"] == "必填项"
    assert not CheckIn.objects.exists()
    assert post(Client(), "/api/v1/checkins", scan(4, venues["shop"])).status_code == 401


def test_it_writes_the_valid_items_of_a_batch_and_reports_the_others_by_index(kiosk, venues):
    earlier = timezone.now() - dt.timedelta(hours=3)
    items = [
        scan(1, venues["shop"], at=earlier.isoformat()),
        scan(2, venues["shop"], id_number="371502198001010000"),  # wrong check character
        scan(3, venues["shop"]),
        scan(4, venues["other"]),  # a venue outside the kiosk account's area
        {"client_id": "kiosk-1-5", "venue_code": venues["shop"].code, "name": "访客5"},  # no ID number
        scan(6, venues["shop"], at=(timezone.now() + dt.timedelta(hours=2)).isoformat()),
        scan(7, venues["shop"], at=(timezone.now() - dt.timedelta(days=40)).isoformat()),
    ]
    answer = post(kiosk, "/api/v1/checkins/batch", {"items": items})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["created"], body["duplicates"], body["failed"]) == (2, 0, 5)
    results = body["results"]
    assert [r["index"] for r in results] == list(range(7))
    assert [r["client_id"] for r in results] == [item["client_id"] for item in items]
    assert [bool(r["id"]) for r in results] == [True, False, True, False, False, False, False]
    assert "校验位错误" in results[1]["errors"]["id_number"]
    assert results[3]["errors"] == {"venue_code": "场所码不存在或无权登记"}
    assert results[4]["errors"] == {"id_number": "必填项"}
    assert results[5]["errors"] == {"at": "扫码时间不能晚于当前时间"}
    assert results[6]["errors"] == {"at": "扫码时间已超过28天的保存期限，不再接收"}

    written = CheckIn.objects.order_by("client_id")
    assert [c.client_id for c in written] == ["kiosk-1-1", "kiosk-1-3"]
    assert written[0].at == earlier
    assert {c.source for c in written} == {"batch"} and {c.colour_shown for c in written} == {""}


def test_it_answers_a_retried_batch_with_the_same_ids_and_writes_nothing_new(kiosk, venues):
    items = [scan(n, venues["shop"]) for n in range(1, 6)]
    first = post(kiosk, "/api/v1/checkins/batch", {"items": items}).json()
    identities = Identity.objects.count()
    retry = post(kiosk, "/api/v1/checkins/batch", {"items": items}).json()
    assert (first["created"], retry["created"], retry["duplicates"]) == (5, 0, 5)
    assert [r["id"] for r in retry["results"]] == [r["id"] for r in first["results"]]
    assert CheckIn.objects.count() == 5 and Identity.objects.count() == identities

    # A retry cut in half and sent with a new item: only the new one is written.
    mixed = post(
        kiosk, "/api/v1/checkins/batch", {"items": [items[3], scan(9, venues["shop"]), items[4]]}
    ).json()
    assert (mixed["created"], mixed["duplicates"]) == (1, 2)
    assert mixed["results"][0]["id"] == first["results"][3]["id"]
    assert CheckIn.objects.count() == 6

    # The same item twice in one batch is one check-in.
    twice = post(kiosk, "/api/v1/checkins/batch", {"items": [scan(20, venues["shop"])] * 2}).json()
    assert twice["created"] == 1 and twice["results"][0]["id"] == twice["results"][1]["id"]


def test_it_refuses_a_client_id_already_used_for_another_scan(kiosk, venues):
    post(kiosk, "/api/v1/checkins", scan(1, venues["shop"]))
    reused = post(kiosk, "/api/v1/checkins", scan(2, venues["shop"], client_id="kiosk-1-1"))
    assert reused.status_code == 422
    assert reused.json()["errors"] == {"client_id": "该 client_id 已用于另一条扫码记录"}
    assert CheckIn.objects.count() == 1


def test_it_merges_two_scans_of_one_person_minutes_apart_under_different_client_ids(kiosk, venues):
    first = post(kiosk, "/api/v1/checkins", scan(1, venues["shop"], client_id="a")).json()
    again = post(kiosk, "/api/v1/checkins", scan(1, venues["shop"], client_id="b"))
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    assert CheckIn.objects.count() == 1


def test_it_limits_a_batch(kiosk, venues):
    too_many = post(kiosk, "/api/v1/checkins/batch", {"items": [scan(1, venues["shop"])] * 501})
    assert too_many.status_code == 422
    assert too_many.json()["errors"] == {"items": "一次最多上传500条，现为501条"}
    empty = post(kiosk, "/api/v1/checkins/batch", {"items": []})
    assert empty.status_code == 422 and not CheckIn.objects.exists()


def test_it_refuses_an_account_that_may_write_nowhere(world, venues):
    _, raw = issue_api_token(actor=world.grid07_viewer, name="只读")
    viewer = Client(headers={"Authorization": f"Bearer {raw}"})
    answer = post(viewer, "/api/v1/checkins/batch", {"items": [scan(1, venues["shop"])]})
    assert answer.status_code == 403 and not CheckIn.objects.exists()


def test_it_lists_only_the_venues_of_the_users_area_with_todays_count(world, kiosk, venues):
    post(kiosk, "/api/v1/checkins", scan(1, venues["shop"]))
    post(kiosk, "/api/v1/checkins", scan(2, venues["shop"]))
    checkin_actions.check_in(
        actor=None,
        venue=venues["shop"],
        people=[Identity.objects.first()],
        at=timezone.now() - dt.timedelta(days=1),
    )
    listed = kiosk.get("/api/v1/venues").json()
    assert listed["count"] == 1
    [shop] = listed["items"]
    assert (shop["name"], shop["code"], shop["node"], shop["checkins_today"]) == (
        "前屯便民超市",
        venues["shop"].code,
        world.grid07.code,
        2,
    )
    assert shop["kind_label"] == "商超门店" and shop["dwell_minutes"] is None

    _, raw = issue_api_token(actor=world.township_admin, name="镇")
    township = Client(headers={"Authorization": f"Bearer {raw}"})
    assert township.get("/api/v1/venues").json()["count"] == 2
    assert (
        township.get("/api/v1/venues", {"node": world.grid08.code}).json()["items"][0]["name"] == "后街菜店"
    )
    assert kiosk.get("/api/v1/venues", {"node": world.grid08.code}).status_code == 404
    assert Client().get("/api/v1/venues").status_code == 401
