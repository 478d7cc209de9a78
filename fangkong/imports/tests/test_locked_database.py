"""While a long import writes on SQLite, other writers must not fail: the import commits in short
chunks and pauses between them, and a writer that still finds the database locked gets the API's JSON
error (503, Retry-After, a Chinese message), never Django's HTML 500."""

import pytest
from django.db import OperationalError

from fangkong.grid.actions import issue_api_token
from fangkong.registry import actions as registry_actions
from fangkong.registry.tests.test_api_persons import JsonClient


def api_as(user) -> JsonClient:
    _, raw = issue_api_token(actor=user, name="测试")
    return JsonClient(headers={"authorization": f"Bearer {raw}"})


@pytest.mark.django_db
def test_a_locked_database_answers_the_apis_json_error_with_503_and_retry_after(world, people, monkeypatch):
    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(registry_actions, "verify_person", locked)
    response = api_as(world.grid07_worker).post(
        f"/api/v1/persons/{people['li'].pk}/verify", {"method": "in_person"}
    )
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert int(response["Retry-After"]) >= 1
    body = response.json()
    assert body["code"] == "busy" and "稍后重试" in body["message"]
    assert body["errors"] == {"__all__": body["message"]}


@pytest.mark.django_db
def test_other_database_errors_are_not_dressed_as_busy(world, people, monkeypatch):
    def broken(**kwargs):
        raise OperationalError("no such table: registry_person")

    monkeypatch.setattr(registry_actions, "verify_person", broken)
    with pytest.raises(OperationalError):
        api_as(world.grid07_worker).post(f"/api/v1/persons/{people['li'].pk}/verify", {"method": "in_person"})
