"""The checkpoint API as a checkpoint terminal uses it: list, verify, record (once per client_id), list a
day's passages; scoped like the pages, with people masked."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from fangkong.checkpoints import actions as checkpoint_actions
from fangkong.checkpoints.models import CheckpointKind, Passage
from fangkong.grid.actions import issue_api_token
from fangkong.healthcodes.identity import identity_for_person
from fangkong.healthcodes.tokens import make_token
from fangkong.measures.models import Screening
from fangkong.policy.models import Reason


def api(user) -> Client:
    _, raw = issue_api_token(actor=user, name="卡口终端")
    return Client(headers={"authorization": f"Bearer {raw}"})


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


@pytest.fixture
def gate(world):
    return checkpoint_actions.create_checkpoint(
        actor=world.township_admin, node=world.village, name="前屯村南口", kind=CheckpointKind.GATE
    )


@pytest.fixture
def grid07_gate(world):
    return checkpoint_actions.create_checkpoint(
        actor=world.grid07_worker, node=world.grid07, name="第七网格小区门", kind=CheckpointKind.GATE
    )


def put_on_duty(world, checkpoint, user):
    now = timezone.now()
    return checkpoint_actions.assign_shift(
        actor=world.township_admin,
        checkpoint=checkpoint,
        user=user,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=3),
    )


def test_it_lists_the_checkpoints_of_the_area_and_of_the_shift(world, gate, grid07_gate):
    worker07 = api(world.grid07_worker)
    listed = worker07.get("/api/v1/checkpoints").json()
    assert [(c["name"], c["on_duty"]) for c in listed["items"]] == [("第七网格小区门", False)]
    put_on_duty(world, gate, world.grid07_worker)
    listed = worker07.get("/api/v1/checkpoints").json()
    assert {(c["name"], c["on_duty"]) for c in listed["items"]} == {
        ("前屯村南口", True),
        ("第七网格小区门", False),
    }
    assert listed["items"][0]["kind_label"] == "小区（村）出入口"

    grid08 = api(world.grid08_worker)
    assert grid08.get("/api/v1/checkpoints").json() == {"count": 0, "items": []}
    assert grid08.get(f"/api/v1/checkpoints/{grid07_gate.pk}/passages").status_code == 404
    refused = post(
        grid08, f"/api/v1/checkpoints/{grid07_gate.pk}/passages", {"direction": "in", "plate": "鲁P1"}
    )
    assert refused.status_code == 404
    assert not Passage.objects.exists()


def test_it_verifies_a_code_then_records_the_passage_once_per_client_id(world, people, gate):
    client = api(world.township_admin)
    token = make_token(identity_for_person(people["zhang"]))
    seen = post(client, f"/api/v1/checkpoints/{gate.pk}/verify", {"token": token})
    assert seen.status_code == 200
    assert seen.json()["colour"] == "green" and seen.json()["name"] == "张伟" and seen.json()["in_area"]

    body = {
        "client_id": "gate-0001",
        "subject": seen.json()["subject"],
        "direction": "in",
        "temperature": 36.6,
        "origin": "聊城",
        "purpose": "返家",
    }
    first = post(client, f"/api/v1/checkpoints/{gate.pk}/passages", body)
    assert first.status_code == 201, first.json()
    again = post(client, f"/api/v1/checkpoints/{gate.pk}/passages", {**body, "temperature": 36.9})
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["temperature"] == 36.6
    assert Passage.objects.count() == 1
    out = first.json()
    assert out["masked_name"] == "张*" and out["colour_seen"] == "green" and out["outcome"] == "pass"
    assert not out["fever"] and not out["screening_created"]

    other = api(world.county_admin)
    taken = post(other, f"/api/v1/checkpoints/{gate.pk}/passages", {**body, "subject": ""})
    assert taken.status_code == 409 and "client_id" in taken.json()["errors"]


def test_it_shows_only_colour_and_masked_name_outside_the_verifiers_area(world, people, gate):
    put_on_duty(world, gate, world.grid08_worker)
    seen = post(
        api(world.grid08_worker),
        f"/api/v1/checkpoints/{gate.pk}/verify",
        {"id_number": people["zhang"].id_number},
    ).json()
    assert seen["name"] == "张*" and not seen["in_area"]
    assert seen["reasons"] == [] and seen["green_on"] is None
    assert "张伟" not in str(seen) and people["zhang"].id_number not in str(seen)


def test_it_records_a_fever_with_a_screening_and_refuses_to_let_it_pass(world, people, gate):
    client = api(world.township_admin)
    subject = post(
        client, f"/api/v1/checkpoints/{gate.pk}/verify", {"id_number": people["li"].id_number}
    ).json()["subject"]
    url = f"/api/v1/checkpoints/{gate.pk}/passages"
    refused = post(client, url, {"subject": subject, "direction": "in", "temperature": 38.2})
    assert refused.status_code == 422 and "不能直接放行" in refused.json()["errors"]["outcome"]
    done = post(
        client, url, {"subject": subject, "direction": "in", "temperature": 38.2, "outcome": "fever_clinic"}
    )
    assert done.status_code == 201
    assert done.json()["fever"] and done.json()["screening_created"]
    assert Screening.objects.filter(person=people["li"], reason=Reason.FEVER).count() == 1


def test_it_registers_a_vehicle_and_lists_the_days_passages(world, gate):
    client = api(world.township_admin)
    url = f"/api/v1/checkpoints/{gate.pk}/passages"
    done = post(
        client,
        url,
        {
            "direction": "in",
            "plate": "冀A 12345",
            "passengers": 3,
            "origin": "石家庄",
            "outcome": "turned_back",
        },
    )
    assert done.status_code == 201
    assert done.json()["plate"] == "冀A12345" and done.json()["masked_name"] == ""
    missing = post(client, url, {"direction": "in"})
    assert missing.status_code == 422 and "车牌号" in missing.json()["message"]
    listed = client.get(url).json()
    assert listed["count"] == 1 and listed["items"][0]["passengers"] == 3
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert client.get(url, {"day": yesterday}).json()["count"] == 0
