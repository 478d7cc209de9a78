"""The testing API as a sampling device and a lab system use it: every answer as the published schema
says, the device's batch idempotent, results all or nothing, round progress equal to a recount."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from fangkong.grid.actions import issue_api_token
from fangkong.grid.tests.openapi_check import conforms
from fangkong.testing.models import Retest, Sample, SampleMember


def api(user) -> Client:
    _, raw = issue_api_token(actor=user, name="采样终端")
    return Client(headers={"authorization": f"Bearer {raw}"})


def send(client, method, template, body=None, **ids):
    url = template.format(**ids)
    if method == "get":
        response = client.get(url, body or {})
    else:
        response = getattr(client, method)(url, body or {}, content_type="application/json")
    return response, conforms(response, method, template)


@pytest.fixture
def county(world):
    return api(world.county_admin)


def test_a_device_batch_is_idempotent(world, ten, county):
    at = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    body = {
        "node": world.village.code,
        "tubes": [
            {
                "tube_code": "B1",
                "kind": "pool",
                "capacity": 10,
                "sampled_at": at,
                "people": [p.id_number for p in ten],
            },
            {
                "tube_code": "B2",
                "kind": "single",
                "capacity": 1,
                "sampled_at": at,
                "people": [ten[0].id_number],
            },
        ],
    }
    response, out = send(county, "post", "/api/v1/testing/sampling/batch", body)
    assert response.status_code == 200, out
    assert out == {"tubes_created": 2, "members_created": 11, "unchanged": 0}
    _, again = send(county, "post", "/api/v1/testing/sampling/batch", body)
    assert again == {"tubes_created": 0, "members_created": 0, "unchanged": 11}
    assert SampleMember.objects.count() == 11
    # A tube the device did not know was full: nothing of the batch is written.
    body["tubes"].append(
        {
            "tube_code": "B3",
            "kind": "pool",
            "capacity": 5,
            "sampled_at": at,
            "people": [p.id_number for p in ten[:6]],
        }
    )
    response, error = send(county, "post", "/api/v1/testing/sampling/batch", body)
    assert response.status_code == 409 and "已满" in error["message"] + str(error["errors"])
    assert not Sample.objects.filter(tube_code="B3").exists()


def test_a_tube_by_hand_and_results_by_tube(world, ten, county):
    response, sample = send(
        county,
        "post",
        "/api/v1/testing/samples",
        {"tube_code": "h1", "kind": "pool", "capacity": 5, "node": world.village.code},
    )
    assert response.status_code == 201 and sample["tube_code"] == "H1"
    for p in ten[:5]:
        response, member = send(
            county,
            "post",
            "/api/v1/testing/samples/{sample_id}/members",
            {"id_number": p.id_number},
            sample_id=sample["id"],
        )
        assert response.status_code == 201
    assert "*" in member["name"]
    _, detail = send(county, "get", "/api/v1/testing/samples/{sample_id}", sample_id=sample["id"])
    assert len(detail["members"]) == 5 and all("*" in m["id_number"] for m in detail["members"])
    bad = {
        "results": [{"tube_code": "H1", "result": "positive"}, {"tube_code": "NOPE", "result": "negative"}]
    }
    response, _ = send(county, "post", "/api/v1/testing/results", bad)
    assert response.status_code == 404 and Sample.objects.get(tube_code="H1").result == "pending"
    good = {"lab": "检验所", "results": [{"tube_code": "H1", "result": "positive", "ct_orf1ab": "33.1"}]}
    _, counts = send(county, "post", "/api/v1/testing/results", good)
    assert counts == {"created": 1, "unchanged": 0}
    _, counts = send(county, "post", "/api/v1/testing/results", good)
    assert counts == {"created": 0, "unchanged": 1}
    _, retests = send(county, "get", "/api/v1/testing/retests")
    assert (
        sorted(r["person"] for r in retests)
        == sorted(p.pk for p in ten[:5])
        == sorted(Retest.objects.values_list("person_id", flat=True))
    )
    _, schedule = send(county, "get", "/api/v1/testing/schedule")
    assert isinstance(schedule, list)


def test_a_round_over_the_api(world, ten, people, county):
    response, round_ = send(
        county,
        "post",
        "/api/v1/testing/rounds",
        {"node": world.village.code, "name": "第一轮", "starts_on": "2022-04-10"},
    )
    assert response.status_code == 201
    at = timezone.now().isoformat()
    send(
        county,
        "post",
        "/api/v1/testing/sampling/batch",
        {
            "node": world.village.code,
            "round": round_["id"],
            "tubes": [
                {
                    "tube_code": "R1",
                    "kind": "pool",
                    "capacity": 10,
                    "sampled_at": at,
                    "people": [p.id_number for p in ten[:4]],
                }
            ],
        },
    )
    _, progress = send(county, "get", "/api/v1/testing/rounds/{round_id}/progress", round_id=round_["id"])
    assert progress["total"]["sampled"] == 4
    assert (
        progress["total"]["target"]
        == world.village.persons.model.objects.filter(node__path__startswith=world.village.path).count()
    )
    _, unsampled = send(
        county,
        "get",
        "/api/v1/testing/rounds/{round_id}/unsampled",
        {"node": world.grid07.code},
        round_id=round_["id"],
    )
    assert unsampled["count"] == 6


def test_the_grid08_worker_sees_nothing_of_it(world, ten, sample_tube):
    tube = sample_tube("G1", ten[:2], capacity=5)
    client = api(world.grid08_worker)
    response, _ = send(client, "get", "/api/v1/testing/samples/{sample_id}", sample_id=tube.pk)
    assert response.status_code == 404
    _, page = send(client, "get", "/api/v1/testing/samples")
    assert page["count"] == 0
