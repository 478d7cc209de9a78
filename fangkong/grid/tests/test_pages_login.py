"""Logging in and out: CSRF on the form, lock-out after repeated failures, audit rows."""

import pytest
from django.conf import settings
from django.test import Client

from fangkong.audit.models import Action, AuditEvent
from fangkong.conftest import PASSWORD


def log_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_it_shows_the_login_page_to_anonymous_visitors(client, world):
    response = client.get("/login/")

    assert response.status_code == 200
    assert 'name="username"' in response.content.decode() and 'name="password"' in response.content.decode()


def test_it_logs_in_goes_home_and_writes_an_audit_row(client, world):
    response = log_in(client, "grid07_worker", PASSWORD)

    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action=Action.LOGIN, actor=world.grid07_worker).count() == 1


def test_it_follows_next_after_login_but_not_to_another_site(client, world):
    assert (
        client.post("/login/?next=/tree/", {"username": "grid07_worker", "password": PASSWORD})["Location"]
        == "/tree/"
    )
    client.post("/logout/")
    assert (
        client.post(
            "/login/?next=https://evil.example/", {"username": "grid07_worker", "password": PASSWORD}
        )["Location"]
        == "/"
    )


def test_it_refuses_a_wrong_password_without_telling_whether_the_user_exists(client, world):
    wrong = log_in(client, "grid07_worker", "not-the-password").content.decode()
    unknown = log_in(client, "nobody_here", "not-the-password").content.decode()

    assert "用户名或密码错误" in wrong and "用户名或密码错误" in unknown
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED).count() == 2


def test_it_locks_a_username_out_after_too_many_failures(client, world):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert log_in(client, "grid07_worker", "not-the-password").status_code == 200

    locked = log_in(client, "grid07_worker", PASSWORD)

    assert locked.status_code == 200  # the form again, not a redirect
    assert "登录失败次数过多" in locked.content.decode()
    assert client.get("/").status_code == 302  # still not logged in
    event = AuditEvent.objects.get(action=Action.LOCKED_OUT)
    assert event.detail["username"] == "grid07_worker" and event.ip == "127.0.0.1"
    assert log_in(client, "grid08_worker", PASSWORD).status_code == 302  # other users are not locked


def test_it_enforces_csrf_on_the_login_form(world):
    browser = Client(enforce_csrf_checks=True)

    forged = browser.post("/login/", {"username": "grid07_worker", "password": PASSWORD})
    browser.get("/login/")
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value
    real = browser.post(
        "/login/", {"username": "grid07_worker", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )

    assert forged.status_code == 403
    assert real.status_code == 302


def test_it_logs_out_only_by_post(client, world):
    client.force_login(world.grid07_worker)

    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/")["Location"] == "/login/"
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("path", ["/", "/tree/", "/users/", "/account/tokens/", "/audit/"])
def test_it_sends_anonymous_visitors_of_every_page_to_login(client, world, path):
    response = client.get(path)

    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
