"""Who a lock-out locks: failures lock an account from the address they came from, so a stranger
elsewhere cannot lock a colleague out; a high ceiling per account still stops guessing spread over
many addresses. Behind a trusted proxy the client's address is read from X-Forwarded-For."""

from django.conf import settings

from fangkong.audit.models import Action, AuditEvent
from fangkong.conftest import PASSWORD
from fangkong.grid.models import LoginFailure
from fangkong.grid.tests.test_login import WRONG, fail, locked_message, log_in, logged_in, page_text


def test_it_lets_a_colleague_in_from_their_own_address_while_a_stranger_is_locked(world, client):
    fail(client, "grid07_worker", settings.LOGIN_MAX_FAILURES, ip="203.0.113.7")
    assert locked_message() in page_text(log_in(client, "grid07_worker", PASSWORD, ip="203.0.113.7"))
    assert logged_in(log_in(client, "grid07_worker", PASSWORD, ip="10.0.0.1"))


def test_it_locks_an_account_guessed_at_from_many_addresses(world, client, settings):
    settings.LOGIN_ACCOUNT_MAX_FAILURES = 12
    for n in range(12):  # three failures from each of four addresses: no address reaches its limit
        log_in(client, "grid07_worker", WRONG, ip=f"198.51.100.{n // 3}")
    response = log_in(client, "grid07_worker", PASSWORD, ip="10.0.0.1")
    assert not logged_in(response) and locked_message() in page_text(response)


def test_it_keeps_the_account_ceiling_well_above_the_per_address_limit():
    assert settings.LOGIN_ACCOUNT_MAX_FAILURES >= 10 * settings.LOGIN_MAX_FAILURES


def behind_proxy(client, username, password, *, forwarded: str, proxy: str = "10.8.0.2"):
    return client.post(
        "/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_it_reads_the_client_address_from_a_trusted_proxy(world, client, settings):
    settings.TRUSTED_PROXIES = ["10.8.0.0/24"]
    for _ in range(settings.LOGIN_MAX_FAILURES):
        # A client may put anything left of its own address: the right-most untrusted entry counts.
        behind_proxy(client, "grid07_worker", WRONG, forwarded="1.2.3.4, 203.0.113.7, 10.8.0.9")
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"203.0.113.7"}
    locked = behind_proxy(client, "grid07_worker", PASSWORD, forwarded="203.0.113.7")
    assert locked_message() in page_text(locked)
    # Everyone behind the proxy shares its address; the colleague at another address is let in.
    assert logged_in(behind_proxy(client, "grid07_worker", PASSWORD, forwarded="192.0.2.44"))
    assert AuditEvent.objects.filter(action=Action.LOGIN).get().ip == "192.0.2.44"


def test_it_ignores_x_forwarded_for_from_an_untrusted_peer(world, client, settings):
    settings.TRUSTED_PROXIES = ["10.8.0.0/24"]
    behind_proxy(client, "grid07_worker", WRONG, forwarded="192.0.2.44", proxy="203.0.113.7")
    assert list(LoginFailure.objects.values_list("ip", flat=True)) == ["203.0.113.7"]
