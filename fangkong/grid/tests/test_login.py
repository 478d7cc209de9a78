"""The rate-limited login (grid/login.py) through the login page: failures are counted per username and
per address in the database; a locked-out username is refused even with the right password."""

import datetime as dt

import pytest
from django.conf import settings
from django.db.models import F
from django.urls import reverse

from fangkong.audit.models import Action, AuditEvent
from fangkong.conftest import PASSWORD
from fangkong.grid.models import LoginFailure

WRONG = "not-the-password-1"
INVALID = "用户名或密码错误"


def locked_message() -> str:
    return f"登录失败次数过多，请{settings.LOGIN_LOCKOUT_SECONDS // 60}分钟后再试"


def log_in(client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def page_text(response) -> str:
    return response.content.decode()


def fail(client, username: str, times: int, ip: str = "10.0.0.1") -> None:
    for _ in range(times):
        response = log_in(client, username, WRONG, ip)
        assert not logged_in(response)


def wind_clock_back(seconds: int) -> None:
    """The failures happened `seconds` ago."""
    LoginFailure.objects.update(at=F("at") - dt.timedelta(seconds=seconds))


def test_it_logs_in_with_the_right_password(world, client):
    response = log_in(client, "grid07_worker", PASSWORD)
    assert logged_in(response)
    row = AuditEvent.objects.get(action=Action.LOGIN)
    assert (row.actor, row.ip) == (world.grid07_worker, "10.0.0.1")


def test_it_says_the_same_for_a_wrong_password_and_an_unknown_user(world, client):
    wrong_password = log_in(client, "grid07_worker", WRONG)
    unknown_user = log_in(client, "nobody_here", WRONG)
    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert INVALID in page_text(response)


def test_it_locks_a_username_out_after_the_maximum_failures(world, client):
    fail(client, "grid07_worker", settings.LOGIN_MAX_FAILURES)
    response = log_in(client, "grid07_worker", PASSWORD)
    assert not logged_in(response)
    assert locked_message() in page_text(response)
    assert AuditEvent.objects.filter(action=Action.LOCKED_OUT, detail__username="grid07_worker").count() == 1


def test_it_still_lets_in_one_failure_short_of_the_maximum_and_forgets_the_failures(world, client):
    fail(client, "grid07_worker", settings.LOGIN_MAX_FAILURES - 1)
    assert logged_in(log_in(client, "grid07_worker", PASSWORD))
    assert not LoginFailure.objects.filter(username="grid07_worker").exists()


def test_it_follows_the_maximum_in_the_settings(world, client, settings):
    settings.LOGIN_MAX_FAILURES = 2
    fail(client, "grid07_worker", 2)
    assert locked_message() in page_text(log_in(client, "grid07_worker", PASSWORD))


def test_it_counts_failures_whatever_the_case_of_the_username(world, client):
    for username in ("GRID07_WORKER", "Grid07_Worker", "grid07_WORKER", "grid07_worker ", "grid07_Worker"):
        log_in(client, username, WRONG)
    assert not logged_in(log_in(client, "grid07_worker", PASSWORD))


def test_it_locks_out_an_unknown_username_the_same_way(world, client):
    """Otherwise the lock-out would tell which usernames exist."""
    fail(client, "nobody_here", settings.LOGIN_MAX_FAILURES)
    assert locked_message() in page_text(log_in(client, "nobody_here", WRONG))


def test_it_does_not_lock_out_other_users(world, client):
    fail(client, "grid07_worker", settings.LOGIN_MAX_FAILURES)
    assert logged_in(log_in(client, "grid08_worker", PASSWORD, ip="10.0.0.2"))


def test_it_unlocks_after_the_window(world, client):
    fail(client, "grid07_worker", settings.LOGIN_MAX_FAILURES)
    wind_clock_back(settings.LOGIN_LOCKOUT_SECONDS - 60)
    assert not logged_in(log_in(client, "grid07_worker", PASSWORD))  # a minute left
    wind_clock_back(61)
    assert logged_in(log_in(client, "grid07_worker", PASSWORD))


def test_it_refuses_while_locked_without_extending_the_lock(world, client):
    fail(client, "grid07_worker", settings.LOGIN_MAX_FAILURES)
    for _ in range(3):
        log_in(client, "grid07_worker", PASSWORD)
    assert LoginFailure.objects.count() == settings.LOGIN_MAX_FAILURES
    assert AuditEvent.objects.filter(action=Action.LOCKED_OUT).count() == 3


def test_it_locks_an_address_that_tries_many_usernames(world, client):
    # Four failures for each of several usernames: no username reaches the limit, the address does.
    per_username = settings.LOGIN_MAX_FAILURES - 1
    address_limit = settings.LOGIN_MAX_FAILURES * 4
    for n in range(-(-address_limit // per_username)):
        fail(client, f"guess{n}", per_username, ip="10.9.9.9")
    response = log_in(client, "grid07_worker", PASSWORD, ip="10.9.9.9")
    assert not logged_in(response)
    assert locked_message() in page_text(response)
    # The same user from another address is let in: only the address is blocked.
    assert logged_in(log_in(client, "grid07_worker", PASSWORD, ip="10.0.0.5"))


def test_it_lets_a_shared_office_address_fail_a_few_times_for_several_people(world, client):
    for username in ("grid07_worker", "grid08_worker", "grid07_viewer"):
        fail(client, username, settings.LOGIN_MAX_FAILURES - 1, ip="10.1.1.1")
    assert logged_in(log_in(client, "township_admin", PASSWORD, ip="10.1.1.1"))


def test_it_audits_each_failure_with_the_username_and_address(world, client):
    fail(client, "grid07_worker", 2, ip="10.2.2.2")
    rows = AuditEvent.objects.filter(action=Action.LOGIN_FAILED)
    assert [(r.actor, r.ip, r.detail["username"]) for r in rows] == [(None, "10.2.2.2", "grid07_worker")] * 2
    assert WRONG not in str([r.detail for r in rows])


def test_it_refuses_a_deactivated_account_with_the_right_password(world, client):
    from fangkong.grid.actions import set_user_active

    set_user_active(actor=world.county_admin, user=world.grid07_worker, active=False)
    response = log_in(client, "grid07_worker", PASSWORD)
    assert not logged_in(response)


@pytest.mark.parametrize("username", ["", "   "])
def test_it_asks_for_a_username(world, client, username):
    response = log_in(client, username, WRONG)
    assert response.status_code == 200
    assert not LoginFailure.objects.exists()
