"""What the published schema accepts, validation accepts: a request the schema calls valid must not be
refused for its shape (a blank name, an empty batch, "0" as a date). For each value that validation
refuses, the schema refuses it too, and the API answers 422 in JSON naming the field."""

import jsonschema_rs
import pytest
from django.test import Client

from fangkong.checkpoints import actions as checkpoint_actions
from fangkong.grid.actions import issue_api_token
from fangkong.venues import actions as venue_actions


@pytest.fixture
def api_schema(db):
    return Client().get("/api/v1/openapi.json").json()


def body_validator(schema: dict, path: str, method: str):
    ref = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return jsonschema_rs.validator_for({**ref, "components": schema["components"]}, validate_formats=True)


def query_validator(schema: dict, path: str, name: str):
    [parameter] = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
    return jsonschema_rs.validator_for(
        {**parameter["schema"], "components": schema["components"]}, validate_formats=True
    )


def api(user) -> Client:
    _, raw = issue_api_token(actor=user, name="接口")
    return Client(headers={"authorization": f"Bearer {raw}"})


CHECKIN = {"client_id": "k-1", "venue_code": "V1", "id_number": "371502199003071234", "name": "张伟"}

# (path, method, a body that is fine but for one field, that field)
REFUSED_BODIES = [
    ("/api/v1/checkins", "post", {**CHECKIN, "venue_code": ""}, "venue_code"),
    ("/api/v1/checkins", "post", {**CHECKIN, "id_number": ""}, "id_number"),
    ("/api/v1/checkins", "post", {**CHECKIN, "name": " "}, "name"),
    ("/api/v1/checkins/batch", "post", {"items": []}, "items"),
    ("/api/v1/codes/verify", "post", {"token": ""}, "token"),
    ("/api/v1/households", "post", {"node": "371502103201", "address": ""}, "address"),
    ("/api/v1/households/{household_id}", "put", {"version": 1, "address": " "}, "address"),
    (
        "/api/v1/persons",
        "post",
        {"node": "371502103201", "name": "", "id_number": "371502199003071234"},
        "name",
    ),
    ("/api/v1/persons", "post", {"node": "371502103201", "name": "张伟", "id_number": ""}, "id_number"),
    (
        "/api/v1/persons",
        "post",
        {"node": "371502103201", "name": "张伟", "id_number": "371502199003071234", "phone": "abc"},
        "phone",
    ),
    ("/api/v1/persons/{person_id}", "put", {"version": 1, "name": ""}, "name"),
    ("/api/v1/persons/{person_id}", "put", {"version": 1, "name": "张" * 51}, "name"),  # the column's 50
]


@pytest.mark.parametrize(("path", "method", "body", "field"), REFUSED_BODIES)
def test_it_refuses_in_the_schema_what_validation_refuses(
    world, people, api_schema, path, method, body, field
):
    assert not body_validator(api_schema, path, method).is_valid(body), f"the schema accepts {body}"
    concrete = path.format(household_id=people["h07"].pk, person_id=people["zhang"].pk)
    if body.get("venue_code") == "V1":  # a real venue, so that only the field in question is wrong
        venue = venue_actions.create_venue(
            actor=world.county_admin, node=world.grid07, name="超市", kind="shop"
        )
        body = {**body, "venue_code": venue.code}
    response = getattr(api(world.county_admin), method)(concrete, body, content_type="application/json")
    assert response.status_code == 422
    assert field in response.json()["errors"]


@pytest.mark.parametrize("day", ["0", "20220301", "1646092800", "2022-02-30", "2022-3-1x"])
def test_it_refuses_what_is_not_a_date(world, api_schema, day):
    checkpoint = checkpoint_actions.create_checkpoint(
        actor=world.county_admin, node=world.grid07, name="第七网格卡口", kind="gate"
    )
    path = "/api/v1/checkpoints/{checkpoint_id}/passages"
    if day != "2022-02-30":  # a day that does not exist has the form of a date
        assert not query_validator(api_schema, path, "day").is_valid(day)
    response = api(world.county_admin).get(path.format(checkpoint_id=checkpoint.pk), {"day": day})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert "day" in response.json()["errors"]


def test_it_reads_the_dates_people_write(world):
    checkpoint = checkpoint_actions.create_checkpoint(
        actor=world.county_admin, node=world.grid07, name="第七网格卡口", kind="gate"
    )
    url = f"/api/v1/checkpoints/{checkpoint.pk}/passages"
    client = api(world.county_admin)
    for day in ("2022-03-01", "2022年3月1日"):
        assert client.get(url, {"day": day}).status_code == 200


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2100-01-01"])
@pytest.mark.parametrize("path", ["/api/v1/indicators", "/api/v1/daily-reports"])
def test_it_refuses_days_outside_the_years_it_can_count(world, api_schema, path, day):
    """Near year 1 or 9999 a day overflows when turned into moments in Asia/Shanghai: a 422, not a 500."""
    assert not query_validator(api_schema, path, "day").is_valid(day)
    response = api(world.county_admin).get(path, {"node": world.county.code, "day": day})
    assert response.status_code == 422
    assert response.json()["errors"] == {"day": "日期应在1900年至2099年之间"}
