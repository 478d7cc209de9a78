"""The vaccination API through the test client, each answer checked against the OpenAPI schema."""

import pytest
from django.test import Client

from fangkong.grid.actions import issue_api_token
from fangkong.grid.tests.openapi_check import conforms
from fangkong.vaccination import actions
from fangkong.vaccination.models import Deferral, Dose
from fangkong.vaccination.tests.conftest import days_ago


def api(user) -> Client:
    _, raw = issue_api_token(actor=user, name="接种点终端")
    return Client(headers={"authorization": f"Bearer {raw}"})


@pytest.fixture
def grid_site(world):
    return actions.create_site(actor=world.county_admin, node=world.grid07, name="七网格临时接种点")


def test_it_records_a_dose_once_per_client_key(world, people, grid_site):
    client = api(world.grid07_worker)
    body = {
        "client_key": "dev-1-0001",
        "person": people["zhang"].pk,
        "site": grid_site.pk,
        "product": "ad5",
        "given_on": days_ago(1).isoformat(),
        "lot": "A1",
    }
    first = client.post("/api/v1/vaccination/doses", body, content_type="application/json")
    out = conforms(first, "post", "/api/v1/vaccination/doses")
    assert first.status_code == 201 and out["reaches_full"] and out["dose_number"] == 1
    again = client.post("/api/v1/vaccination/doses", body, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == out["id"]
    assert Dose.objects.count() == 1
    other = client.post(
        "/api/v1/vaccination/doses",
        {**body, "given_on": days_ago(2).isoformat()},
        content_type="application/json",
    )
    conforms(other, "post", "/api/v1/vaccination/doses")
    assert other.status_code == 409


def test_it_lists_doses_and_coverage_in_the_callers_area_only(world, people, grid_site):
    actions.record_dose(
        actor=world.county_admin,
        person=people["zhang"],
        site=grid_site,
        product="bibp",
        given_on=days_ago(30),
    )
    actions.record_dose(
        actor=world.county_admin, person=people["wang"], site=grid_site, product="bibp", given_on=days_ago(30)
    )
    listed = conforms(
        api(world.grid07_worker).get("/api/v1/vaccination/doses"), "get", "/api/v1/vaccination/doses"
    )
    assert [d["person"] for d in listed["items"]] == [people["zhang"].pk]
    assert listed["items"][0]["masked_name"] == "张*"
    coverage = api(world.township_admin).get("/api/v1/vaccination/coverage", {"node": world.village.code})
    out = conforms(coverage, "get", "/api/v1/vaccination/coverage")
    assert out["whole"]["total"]["first"] == 2 and out["whole"]["total"]["full"] == 0
    assert {c["name"]: c["total"]["first"] for c in out["children"]} == {"第七网格": 1, "第八网格": 1}
    refused = api(world.grid08_worker).get("/api/v1/vaccination/coverage", {"node": world.grid07.code})
    conforms(refused, "get", "/api/v1/vaccination/coverage")
    assert refused.status_code == 404


def test_it_refuses_an_unknown_product_and_a_person_elsewhere(world, people, grid_site):
    client = api(world.grid07_worker)
    bad = client.post(
        "/api/v1/vaccination/doses",
        {
            "person": people["zhang"].pk,
            "site": grid_site.pk,
            "product": "pfizer",
            "given_on": days_ago(1).isoformat(),
        },
        content_type="application/json",
    )
    conforms(bad, "post", "/api/v1/vaccination/doses")
    assert bad.status_code == 422 and "product" in bad.json()["errors"]
    elsewhere = client.post(
        "/api/v1/vaccination/doses",
        {
            "person": people["wang"].pk,
            "site": grid_site.pk,
            "product": "ad5",
            "given_on": days_ago(1).isoformat(),
        },
        content_type="application/json",
    )
    assert elsewhere.status_code == 404


def test_it_records_a_deferral_idempotently(world, people):
    client = api(world.grid07_worker)
    body = {"client_key": "d-1", "person": people["li"].pk, "kind": "contraindicated", "reason": "严重过敏史"}
    first = client.post("/api/v1/vaccination/deferrals", body, content_type="application/json")
    conforms(first, "post", "/api/v1/vaccination/deferrals")
    second = client.post("/api/v1/vaccination/deferrals", body, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200) and Deferral.objects.count() == 1
