"""API tokens: a user issues their own (the raw value shown once) and revokes them."""

from django.test import Client
from django.utils import timezone

from fangkong.audit.models import Action, AuditEvent
from fangkong.grid.models import ApiToken, hash_token


def issue(client, name="平板"):
    return client.post("/account/tokens/", {"name": name})


def test_it_shows_a_new_token_once_and_stores_only_its_digest(client, world):
    client.force_login(world.grid07_worker)

    response = issue(client)

    raw = response.context["raw"]
    token = ApiToken.objects.get(user=world.grid07_worker)
    assert raw in response.content.decode() and "请立即复制" in response.content.decode()
    assert token.digest == hash_token(raw) and raw.startswith(token.prefix)
    assert "no-store" in response["Cache-Control"]
    listing = client.get("/account/tokens/").content.decode()
    assert raw not in listing and f"{token.prefix}…" in listing and "平板" in listing
    assert AuditEvent.objects.filter(action=Action.TOKEN, actor=world.grid07_worker).count() == 1


def test_it_lets_the_issued_token_open_the_api_until_it_is_revoked(client, world):
    client.force_login(world.grid07_worker)
    raw = issue(client).context["raw"]
    token = ApiToken.objects.get(user=world.grid07_worker)
    bearer = {"Authorization": f"Bearer {raw}"}
    device = Client()

    assert device.get("/api/v1/jurisdictions", headers=bearer).status_code == 200
    response = client.post(f"/account/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    assert device.get("/api/v1/jurisdictions", headers=bearer).status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_at <= timezone.now()
    assert "已吊销" in client.get("/account/tokens/").content.decode()
    assert AuditEvent.objects.filter(action=Action.TOKEN, detail__change="revoke").count() == 1


def test_it_lists_only_the_users_own_tokens_and_refuses_to_revoke_others(client, world):
    client.force_login(world.grid08_worker)
    issue(client, "八网格平板")
    theirs = ApiToken.objects.get(user=world.grid08_worker)
    client.force_login(world.grid07_worker)

    listing = client.get("/account/tokens/").content.decode()
    response = client.post(f"/account/tokens/{theirs.pk}/revoke/")

    assert "八网格平板" not in listing
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_it_refuses_a_token_to_an_account_without_membership(client, world):
    client.force_login(world.outsider)

    response = issue(client)

    assert "账号未分配辖区，不能申请令牌" in response.content.decode()
    assert not ApiToken.objects.exists()
