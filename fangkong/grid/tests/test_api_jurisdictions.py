"""GET /api/v1/jurisdictions: each persona sees its own part of the tree and nothing above or beside it."""

from django.test import Client

from fangkong.grid.actions import issue_api_token


def api_as(user) -> Client:
    _, raw = issue_api_token(actor=user, name="测试")
    return Client(headers={"authorization": f"Bearer {raw}"})


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [node["code"] for node in response.json()]


def test_it_lists_the_users_own_top_nodes(world):
    assert codes(api_as(world.grid07_worker).get("/api/v1/jurisdictions")) == [world.grid07.code]
    assert codes(api_as(world.county_admin).get("/api/v1/jurisdictions")) == [world.county.code]


def test_it_lists_nothing_for_an_account_without_an_area(world):
    client = Client()
    client.force_login(world.outsider)
    assert codes(client.get("/api/v1/jurisdictions")) == []
    assert codes(client.get("/api/v1/jurisdictions", {"q": "网格"})) == []


def test_it_lists_the_children_of_a_visible_node(world):
    response = api_as(world.township_admin).get("/api/v1/jurisdictions", {"parent": world.village.code})
    assert codes(response) == [world.grid07.code, world.grid08.code]
    first = response.json()[0]
    assert first == {
        "code": world.grid07.code,
        "name": "第七网格",
        "level": "grid",
        "level_label": "网格",
        "parent": world.village.code,
        "has_children": False,
    }


def test_it_answers_404_for_nodes_outside_the_area_as_for_missing_ones(world):
    client = api_as(world.grid08_worker)
    for path in (f"/api/v1/jurisdictions/{world.grid07.code}", "/api/v1/jurisdictions/999999"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": "记录不存在"}
    assert client.get("/api/v1/jurisdictions", {"parent": world.village.code}).status_code == 404
    assert client.get(f"/api/v1/jurisdictions/{world.grid08.code}").json()["name"] == "第八网格"


def test_it_finds_nodes_by_name_only_inside_the_area(world):
    assert codes(api_as(world.township_admin).get("/api/v1/jurisdictions", {"q": "网格"})) == [
        world.grid07.code,
        world.grid08.code,
    ]
    assert codes(api_as(world.grid08_worker).get("/api/v1/jurisdictions", {"q": "网格"})) == [
        world.grid08.code
    ]
    assert codes(api_as(world.county_admin).get("/api/v1/jurisdictions", {"q": "后屯"})) == [
        world.other_village.code
    ]


def test_it_shows_the_parent_and_whether_a_node_has_children(world):
    node = api_as(world.county_admin).get(f"/api/v1/jurisdictions/{world.village.code}").json()
    assert node["parent"] == world.township.code
    assert node["has_children"] is True
    assert node["level_label"] == "村（社区）"


def test_it_refuses_a_search_text_with_control_characters(world):
    response = api_as(world.county_admin).get("/api/v1/jurisdictions", {"q": "前屯\x00"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"q": "不能包含控制字符"}
