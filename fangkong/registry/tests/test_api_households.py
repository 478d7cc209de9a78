"""/api/v1/households: scoped lists and details, writes through the actions, optimistic versions."""

import pytest
from django.test import Client

from fangkong.grid.actions import issue_api_token
from fangkong.registry import actions
from fangkong.registry.models import Household


class JsonClient(Client):
    def post(self, path, data=None, **extra):
        return super().post(path, data, content_type="application/json", **extra)

    def put(self, path, data=None, **extra):
        return super().put(path, data, content_type="application/json", **extra)


def api_as(user) -> JsonClient:
    _, raw = issue_api_token(actor=user, name="测试")
    return JsonClient(headers={"authorization": f"Bearer {raw}"})


def addresses(response) -> list[str]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"]) or body["count"] > len(body["items"])
    return [item["address"] for item in body["items"]]


def test_it_lists_only_households_inside_the_users_area(people, world):
    assert addresses(api_as(world.grid07_worker).get("/api/v1/households")) == ["前屯村七组12号"]
    assert addresses(api_as(world.grid08_worker).get("/api/v1/households")) == ["前屯村八组3号"]
    assert addresses(api_as(world.county_admin).get("/api/v1/households")) == [
        "前屯村七组12号",
        "前屯村八组3号",
    ]


def test_it_lists_nothing_for_an_account_without_an_area(people, world):
    client = Client()
    client.force_login(world.outsider)
    assert client.get("/api/v1/households").json() == {"count": 0, "items": []}


def test_it_filters_by_node_and_address(people, world):
    client = api_as(world.township_admin)
    assert addresses(client.get("/api/v1/households", {"node": world.grid08.code})) == ["前屯村八组3号"]
    assert addresses(client.get("/api/v1/households", {"q": "七组"})) == ["前屯村七组12号"]
    assert (
        api_as(world.grid08_worker).get("/api/v1/households", {"node": world.grid07.code}).status_code == 404
    )


def test_it_pages_with_limit_and_offset(people, world):
    for number in range(3):
        actions.create_household(
            actor=world.grid07_worker,
            node=world.grid07,
            address=f"前屯村七组{30 + number}号",
            dwelling_type="owned",
        )
    body = api_as(world.grid07_worker).get("/api/v1/households", {"limit": 2, "offset": 1}).json()
    assert body["count"] == 4
    assert [item["address"] for item in body["items"]] == ["前屯村七组30号", "前屯村七组31号"]


@pytest.mark.parametrize(
    "params, errors",
    [
        ({"limit": 201}, {"limit": "不能大于200"}),
        ({"limit": 0}, {"limit": "不能小于1"}),
        ({"limit": "十"}, {"limit": "应为整数"}),
        ({"offset": -1}, {"offset": "不能小于0"}),
        ({"offset": 10**30}, {"offset": "不能大于2147483647"}),
        ({"q": "七" * 101}, {"q": "不能超过100个字符"}),
    ],
)
def test_it_refuses_bad_paging_and_filters_with_reasons(people, world, params, errors):
    response = api_as(world.grid07_worker).get("/api/v1/households", params)
    assert response.status_code == 422
    assert response.json() == {"code": "invalid", "message": "请求数据有误", "errors": errors}


def test_it_shows_one_household_of_the_area_and_404_otherwise(people, world):
    h07 = people["h07"]
    body = api_as(world.grid07_worker).get(f"/api/v1/households/{h07.pk}").json()
    assert body["address"] == "前屯村七组12号"
    assert body["node"] == world.grid07.code
    assert body["version"] == 1
    assert body["created_at"].endswith("+08:00")
    client = api_as(world.grid08_worker)
    assert client.get(f"/api/v1/households/{h07.pk}").status_code == 404
    assert client.get("/api/v1/households/987654").status_code == 404


@pytest.mark.parametrize("household_id", ["abc", "0", "-3", str(2**64), "1.5"])
def test_it_refuses_malformed_ids_with_422(people, world, household_id):
    response = api_as(world.grid07_worker).get(f"/api/v1/households/{household_id}")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"household_id"}


def test_it_registers_a_household(world):
    response = api_as(world.grid07_worker).post(
        "/api/v1/households",
        {"node": world.grid07.code, "address": " 前屯村七组5号 ", "dwelling_type": "rented", "notes": "两层"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["address"] == "前屯村七组5号"
    assert body["dwelling_type"] == "rented"
    assert Household.objects.get(pk=body["id"]).node == world.grid07


def test_it_refuses_writes_from_a_viewer_with_403(people, world):
    client = api_as(world.grid07_viewer)
    response = client.post("/api/v1/households", {"node": world.grid07.code, "address": "前屯村七组6号"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    response = client.put(f"/api/v1/households/{people['h07'].pk}", {"version": 1, "address": "改"})
    assert response.status_code == 403
    assert Household.objects.count() == 2


@pytest.mark.parametrize(
    "body, errors",
    [
        ({}, {"node": "必填项", "address": "必填项"}),
        ({"node": "371502103201-07", "address": "   "}, {"address": "地址不能为空"}),
        ({"node": "371502103201-08", "address": "前屯村七组6号"}, {"node": "辖区不存在"}),
        ({"node": "371502103", "address": "前屯村七组6号"}, {"node": "辖区不存在"}),
        ({"node": "371502103201-07", "address": "七" * 201}, {"address": "不能超过200个字符"}),
        ({"node": "371502103201-07", "address": "a\x00b"}, {"address": "不能包含控制字符"}),
        ({"node": "371502103201-07", "address": 12}, {"address": "应为文字"}),
        ({"node": "371502103201-07", "address": "x", "dwelling_type": "castle"}, {"dwelling_type": None}),
    ],
)
def test_it_refuses_bad_households_with_field_reasons(world, body, errors):
    response = api_as(world.grid07_worker).post("/api/v1/households", body)
    assert response.status_code == 422, response.content
    got = response.json()["errors"]
    assert set(got) == set(errors)
    assert all(reason is None or got[field] == reason for field, reason in errors.items())
    assert not Household.objects.exists()


def test_it_wants_a_village_or_grid_for_a_household(world):
    response = api_as(world.township_admin).post(
        "/api/v1/households", {"node": world.township.code, "address": "梁水镇政府"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"node": "请选择村（社区）或网格"}


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '"text"', "null", "{"])
def test_it_refuses_a_body_that_is_not_a_json_object(world, body):
    response = api_as(world.grid07_worker).post("/api/v1/households", body)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert not Household.objects.exists()


def test_it_updates_a_household_and_refuses_a_stale_version(people, world):
    client = api_as(world.grid07_worker)
    url = f"/api/v1/households/{people['h07'].pk}"
    response = client.put(url, {"version": 1, "address": "前屯村七组12号之一", "dwelling_type": "shop"})
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    stale = client.put(url, {"version": 1, "address": "前屯村七组12号之二"})
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    assert Household.objects.get(pk=people["h07"].pk).address == "前屯村七组12号之一"


def test_it_answers_404_to_an_update_outside_the_area(people, world):
    response = api_as(world.grid08_worker).put(
        f"/api/v1/households/{people['h07'].pk}", {"version": 1, "address": "别人的户"}
    )
    assert response.status_code == 404
    assert Household.objects.get(pk=people["h07"].pk).address == "前屯村七组12号"
