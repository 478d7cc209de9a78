"""The token in a resident's QR and its verification: forged, altered, expired and replayed-after-expiry
tokens are refused, rotated keys keep working while listed, and a verifier outside the person's area
sees only what a door keeper needs (the colour and the masked name)."""

import datetime as dt
import time

import pytest
from django.core import signing
from django.db.models import F
from django.test import Client
from django.utils import timezone

from fangkong.audit.models import Action, AuditEvent
from fangkong.healthcodes import actions as healthcode_actions
from fangkong.healthcodes import tokens
from fangkong.healthcodes.identity import identify, identity_for_person
from fangkong.healthcodes.models import VerificationCount
from fangkong.lib.errors import RuleError
from fangkong.lib.idcard import make
from fangkong.measures import actions as measure_actions
from fangkong.policy.models import Reason

VERIFY = "/api/v1/codes/verify"


@pytest.fixture
def zhang(people):
    return identity_for_person(people["zhang"])


def issued_ago(identity, seconds: int, monkeypatch) -> str:
    """A token made `seconds` ago (the signer reads the clock through time.time)."""
    real = time.time
    with monkeypatch.context() as m:
        m.setattr(signing.time, "time", lambda: real() - seconds)
        return tokens.make_token(identity)


def test_it_reads_back_the_identity_of_a_fresh_token(zhang):
    token = tokens.make_token(zhang)
    assert tokens.read_token(token) == zhang
    assert zhang.id_number not in token and "张" not in token


def test_it_refuses_an_altered_token(zhang, people):
    other = identity_for_person(people["li"])
    token = tokens.make_token(zhang)
    value, stamp, signature = token.split(":")
    for altered in (
        f"{other.pk}:{stamp}:{signature}",  # someone else's id under zhang's signature
        f"{value}:{stamp}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        token[:-3],
        token + "x",
    ):
        with pytest.raises(tokens.InvalidToken) as refused:
            tokens.read_token(altered)
        assert "已被改动" in refused.value.message


def test_it_refuses_a_forged_token_signed_with_another_key(zhang, settings):
    forged = signing.TimestampSigner(key=settings.SECRET_KEY, salt=tokens.SALT).sign(str(zhang.pk))
    with pytest.raises(tokens.InvalidToken):
        tokens.read_token(forged)
    other_salt = signing.TimestampSigner(key=settings.HEALTH_CODE_KEYS[0], salt="x").sign(str(zhang.pk))
    with pytest.raises(tokens.InvalidToken):
        tokens.read_token(other_salt)
    for junk in ("", "abc", "1:2:3", ":::"):
        with pytest.raises(tokens.InvalidToken):
            tokens.read_token(junk)


def test_it_refuses_an_expired_token_and_the_same_token_replayed_after_expiry(zhang, settings, monkeypatch):
    settings.CODE_TOKEN_SECONDS = 60
    assert tokens.read_token(issued_ago(zhang, 55, monkeypatch)) == zhang
    with pytest.raises(tokens.InvalidToken) as expired:
        tokens.read_token(issued_ago(zhang, 65, monkeypatch))
    assert expired.value.code == "expired" and "已过期" in expired.value.message
    # A screenshot: the same token, verified once while fresh, then shown again after the validity.
    token = tokens.make_token(zhang)
    assert tokens.read_token(token) == zhang
    real = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real() + 61)
    with pytest.raises(tokens.InvalidToken) as replayed:
        tokens.read_token(token)
    assert replayed.value.code == "expired"


def test_it_verifies_with_an_old_key_while_it_is_listed_and_refuses_it_once_removed(zhang, settings):
    settings.HEALTH_CODE_KEYS = ["old-key-" + "a" * 40]
    token = tokens.make_token(zhang)
    settings.HEALTH_CODE_KEYS = ["new-key-" + "b" * 40, "old-key-" + "a" * 40]
    assert tokens.read_token(token) == zhang
    assert tokens.read_token(tokens.make_token(zhang)) == zhang  # the new key signs
    settings.HEALTH_CODE_KEYS = ["new-key-" + "b" * 40]
    with pytest.raises(tokens.InvalidToken):
        tokens.read_token(token)


def test_it_refuses_a_token_of_an_identity_that_no_longer_exists(world):
    visitor = identify(id_number=make("420102", dt.date(1980, 1, 1), 11), name="赵强", phone="13700001111")
    token = tokens.make_token(visitor)
    visitor.delete()
    with pytest.raises(tokens.InvalidToken):
        tokens.read_token(token)


# ── verification ──────────────────────────────────────────────────────────────────────────────────────────


def red(world, people):
    measure_actions.record_screening(
        actor=world.county_admin,
        person=people["zhang"],
        reason=Reason.ARRIVAL_HIGH,
        arrived_on=timezone.localdate() - dt.timedelta(days=1),
    )


def test_it_shows_reasons_and_the_id_to_a_verifier_of_the_persons_area(world, people, zhang):
    red(world, people)
    shown = healthcode_actions.verify_token(world.grid07_worker, tokens.make_token(zhang))
    assert shown["colour"] == "red" and shown["in_area"] is True
    assert shown["masked_name"] == "张*" and shown["masked_id_number"] == zhang.masked_id_number
    assert any("高风险区" in reason for reason in shown["reasons"]) and shown["green_on"] is not None
    assert AuditEvent.objects.filter(actor=world.grid07_worker, action=Action.VIEW_PERSON).exists()


def test_it_shows_only_the_colour_and_masked_name_outside_the_area(world, people, zhang):
    red(world, people)
    shown = healthcode_actions.verify_token(world.grid08_worker, tokens.make_token(zhang))
    assert (shown["colour"], shown["masked_name"], shown["in_area"]) == ("red", "张*", False)
    assert shown["reasons"] is None and shown["masked_id_number"] is None and shown["green_on"] is None


def test_it_refuses_verification_to_an_account_with_no_area(world, zhang):
    with pytest.raises(RuleError) as refused:
        healthcode_actions.verify_token(world.outsider, tokens.make_token(zhang))
    assert refused.value.code == "forbidden"


def api(user):
    client = Client()
    client.force_login(user)
    return client


def test_it_verifies_through_the_api_with_everything_for_the_area(world, people, zhang):
    red(world, people)
    response = api(world.grid07_worker).post(
        VERIFY, {"token": tokens.make_token(zhang)}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["colour"] == "red" and body["colour_label"] == "红码" and body["masked_name"] == "张*"
    assert body["masked_id_number"] == zhang.masked_id_number and body["reasons"]


def test_it_verifies_through_the_api_with_colour_and_masked_name_only_outside_the_area(world, people, zhang):
    red(world, people)
    response = api(world.grid08_worker).post(
        VERIFY, {"token": tokens.make_token(zhang)}, content_type="application/json"
    )
    body = response.json()
    assert response.status_code == 200 and body["colour"] == "red" and body["masked_name"] == "张*"
    assert body["reasons"] is None and body["masked_id_number"] is None and not body["in_area"]
    text = response.content.decode()
    assert zhang.id_number[-4:] not in text and "高风险区" not in text and "张伟" not in text


def test_it_accepts_the_whole_verification_url_from_a_scanner(world, zhang):
    url = f"https://fk.example/r/code/v/{tokens.make_token(zhang)}/"
    response = api(world.grid07_worker).post(VERIFY, {"token": url}, content_type="application/json")
    assert response.status_code == 200 and response.json()["colour"] == "green"


def test_it_answers_a_refused_token_with_a_chinese_reason(world, zhang, monkeypatch):
    client = api(world.grid07_worker)
    altered = tokens.make_token(zhang)[:-2] + "zz"
    response = client.post(VERIFY, {"token": altered}, content_type="application/json")
    assert response.status_code == 422 and "已被改动" in response.json()["message"]
    expired = issued_ago(zhang, 600, monkeypatch)
    response = client.post(VERIFY, {"token": expired}, content_type="application/json")
    assert response.status_code == 410 and "已过期" in response.json()["message"]


def test_it_limits_verifications_per_account_and_minute(world, zhang, settings):
    settings.CODE_VERIFY_PER_MINUTE = 3
    client = api(world.grid07_worker)
    token = tokens.make_token(zhang)
    answers = [client.post(VERIFY, {"token": token}, content_type="application/json") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert "频繁" in answers[-1].json()["message"]
    # Another account is not affected.
    assert (
        api(world.county_admin).post(VERIFY, {"token": token}, content_type="application/json").status_code
        == 200
    )


def test_the_limit_counts_what_every_server_process_counted(world, zhang, settings):
    """The count is in the database: verifications another process served this minute count too, and
    an account's counts of earlier minutes go once a new minute starts."""
    settings.CODE_VERIFY_PER_MINUTE = 5
    minute = int(time.time() // 60)
    VerificationCount.objects.create(user=world.grid07_worker, minute=minute - 3, count=99)
    client = api(world.grid07_worker)
    token = tokens.make_token(zhang)
    assert client.post(VERIFY, {"token": token}, content_type="application/json").status_code == 200
    assert not VerificationCount.objects.filter(user=world.grid07_worker, minute__lt=minute).exists()
    # Another worker process served four more to the same account in this minute.
    VerificationCount.objects.filter(user=world.grid07_worker).update(count=F("count") + 4)
    assert client.post(VERIFY, {"token": token}, content_type="application/json").status_code == 429


def test_it_asks_for_a_login_or_an_api_token(world, zhang):
    response = Client().post(VERIFY, {"token": tokens.make_token(zhang)}, content_type="application/json")
    assert response.status_code == 401
    response = api(world.outsider).post(
        VERIFY, {"token": tokens.make_token(zhang)}, content_type="application/json"
    )
    assert response.status_code == 403
