"""Who gets in: bearer tokens for devices and integrations, the login session (with CSRF on writes)
for the web UI, 401 in JSON for everyone else. And the command that issues tokens."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from fangkong.grid.actions import issue_api_token, revoke_api_token
from fangkong.grid.models import ApiToken

CSRF_SECRET = "k" * 32


def household_body(world) -> dict:
    return {"node": world.grid07.code, "address": "前屯村七组20号", "dwelling_type": "owned"}


def test_it_accepts_a_bearer_token_and_notes_when_it_was_used(world):
    token, raw = issue_api_token(actor=world.grid07_worker, name="平板")
    response = Client().get("/api/v1/jurisdictions", headers={"authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert [node["code"] for node in response.json()] == [world.grid07.code]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_it_refuses_a_revoked_token_with_401(world):
    token, raw = issue_api_token(actor=world.grid07_worker, name="平板")
    revoke_api_token(actor=world.grid07_worker, token=token)
    client = Client(headers={"authorization": f"Bearer {raw}"})
    assert client.get("/api/v1/jurisdictions").status_code == 401
    response = client.post("/api/v1/households", household_body(world), content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_it_refuses_the_token_of_a_deactivated_account(world):
    _, raw = issue_api_token(actor=world.grid07_worker, name="平板")
    type(world.grid07_worker).objects.filter(pk=world.grid07_worker.pk).update(is_active=False)
    assert Client().get("/api/v1/persons", headers={"authorization": f"Bearer {raw}"}).status_code == 401


@pytest.mark.parametrize(
    "authorization", [None, "Bearer fk_not-a-real-token", "Bearer ", "Basic Z3JpZDpwYXNz", "fk_bare"]
)
def test_it_answers_401_in_json_without_valid_credentials(world, authorization):
    headers = {"authorization": authorization} if authorization else {}
    for response in (
        Client().get("/api/v1/persons", headers=headers),
        Client().post(
            "/api/v1/households", household_body(world), content_type="application/json", headers=headers
        ),
    ):
        assert response.status_code == 401
        assert response.json() == {"code": "unauthenticated", "message": "请先登录或提供有效令牌"}


def test_it_lets_a_logged_in_session_read_without_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.grid07_worker)
    response = client.get("/api/v1/jurisdictions")
    assert response.status_code == 200
    assert [node["code"] for node in response.json()] == [world.grid07.code]


def test_it_refuses_unsafe_session_requests_without_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.grid07_worker)
    response = client.post("/api/v1/households", household_body(world), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    client.cookies["csrftoken"] = CSRF_SECRET
    response = client.post(
        "/api/v1/households",
        household_body(world),
        content_type="application/json",
        headers={"x-csrftoken": "wrong" + CSRF_SECRET[5:]},
    )
    assert response.status_code == 403


def test_it_accepts_unsafe_session_requests_with_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.grid07_worker)
    client.cookies["csrftoken"] = CSRF_SECRET
    response = client.post(
        "/api/v1/households",
        household_body(world),
        content_type="application/json",
        headers={"x-csrftoken": CSRF_SECRET},
    )
    assert response.status_code == 201, response.content


def test_it_publishes_the_schema_without_login(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/persons/{person_id}/reveal" in paths
    assert "/api/v1/jurisdictions/{code}" in paths


def test_it_issues_a_token_from_the_command_line_that_the_api_accepts(world):
    out, err = StringIO(), StringIO()
    call_command("issue_token", user="grid07_worker", name="数据对接", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert raw.startswith("fk_")
    assert "只显示这一次" in err.getvalue()
    assert ApiToken.objects.get(user=world.grid07_worker).name == "数据对接"
    response = Client().get("/api/v1/persons", headers={"authorization": f"Bearer {raw}"})
    assert response.status_code == 200


def test_it_prints_the_token_as_json_for_scripts(world):
    out = StringIO()
    call_command("issue_token", user="grid08_worker", name="对接", json=True, stdout=out, stderr=StringIO())
    printed = json.loads(out.getvalue())
    assert printed["user"] == "grid08_worker"
    assert printed["token"].startswith("fk_")


@pytest.mark.parametrize("username, reason", [("nobody", "不存在"), ("outsider", "未分配辖区")])
def test_it_refuses_to_issue_a_token_for_unknown_or_unassigned_accounts(world, username, reason):
    with pytest.raises(CommandError, match=reason):
        call_command("issue_token", user=username, name="对接", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()
