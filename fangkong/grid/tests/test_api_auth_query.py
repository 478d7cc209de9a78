"""The bearer-token lookup written as one SQL statement (grid.api_auth.user_for_token) against the ORM:
the same user, field for field and type for type, the same memberships in the same order, so scoping
answers alike; nothing for a revoked, unknown or deactivated token; "last used" noted to the minute.
And roles_with, which the check-in statement uses to test WRITE inside SQL."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.utils import timezone

from fangkong.codes import checkpoint_actions
from fangkong.codes.models import CheckpointKind
from fangkong.conftest import PASSWORD
from fangkong.grid import actions as grid_actions
from fangkong.grid import scoping
from fangkong.grid.api_auth import TokenAuth, UncheckedToken, user_for_token
from fangkong.grid.models import ApiToken, Membership, Role, hash_token
from fangkong.measures import actions as measure_actions
from fangkong.policy.models import Reason

User = get_user_model()


def columns(obj) -> dict:
    """Every stored field as (type, value): 1 for True, or a string for a datetime, must not pass."""
    return {
        f.attname: (type(getattr(obj, f.attname)), getattr(obj, f.attname)) for f in obj._meta.concrete_fields
    }


def membership_rows(memberships) -> list:
    return [(columns(m), columns(m.node)) for m in memberships]


def log_in(user) -> None:
    """Through the login, so that last_login is a real stored datetime."""
    assert Client().login(username=user.username, password=PASSWORD)


def no_membership(world):
    user = world.grid07_worker
    _, raw = grid_actions.issue_api_token(actor=user, name="平板")
    # No action takes away an account's last membership, but the statement's LEFT JOIN must still give
    # such an account (and no membership), so it is removed by hand here.
    Membership.objects.filter(user=user).delete()
    return user, raw, [], []  # never logged in: last_login stays None


def one_membership(world):
    user = world.grid07_worker
    log_in(user)
    _, raw = grid_actions.issue_api_token(actor=user, name="平板")
    return user, raw, [world.grid07], [world.grid07]


def two_memberships(world):
    user = world.grid07_worker
    # Added second, sorted first: the village's path is a prefix of its grid's.
    grid_actions.add_membership(actor=world.township_admin, user=user, node=world.village, role=Role.VIEWER)
    log_in(user)
    _, raw = grid_actions.issue_api_token(actor=user, name="平板")
    return user, raw, [world.village, world.grid07], [world.grid07]


def superuser(world):
    # Built as the world's personas are: there is no action that makes a superuser.
    user = User.objects.create_superuser(username="root", password=PASSWORD, first_name="超级管理员")
    Membership.objects.create(user=user, node=world.county, role=Role.ADMIN)
    log_in(user)
    _, raw = grid_actions.issue_api_token(actor=user, name="对接")
    return user, raw, [world.county], [world.county]


@pytest.mark.parametrize("holder", [no_membership, one_membership, two_memberships, superuser])
def test_it_loads_the_same_user_and_memberships_as_the_orm(world, holder, django_assert_num_queries):
    account, raw, can_view, can_write = holder(world)
    found = user_for_token(raw)
    expected = User.objects.get(pk=account.pk)
    assert columns(found) == columns(expected)
    assert found.is_superuser is (holder is superuser)
    assert timezone.is_aware(found.date_joined)
    assert found.last_login is None if holder is no_membership else timezone.is_aware(found.last_login)
    orm_memberships = list(
        Membership.objects.filter(user=expected).select_related("node").order_by("node__path")
    )
    with django_assert_num_queries(0):  # loaded with the token, where scoping looks for them
        assert membership_rows(scoping.memberships(found)) == membership_rows(orm_memberships)
        assert all(m.user.pk == account.pk for m in scoping.memberships(found))
        view_nodes = scoping.nodes_with(found, scoping.VIEW)
        write_nodes = scoping.nodes_with(found, scoping.WRITE)
    assert [n.path for n in view_nodes] == [n.path for n in scoping.nodes_with(expected, scoping.VIEW)]
    assert [n.path for n in write_nodes] == [n.path for n in scoping.nodes_with(expected, scoping.WRITE)]
    assert [n.path for n in view_nodes] == [n.path for n in can_view]
    assert [n.path for n in write_nodes] == [n.path for n in can_write]


def test_it_reads_token_user_and_memberships_in_one_statement(world, django_assert_num_queries):
    _, raw, _, _ = two_memberships(world)
    with django_assert_num_queries(2):  # the statement, and noting the first use
        user_for_token(raw)
    with django_assert_num_queries(1):
        user = user_for_token(raw)
        assert len(scoping.memberships(user)) == 2


def test_it_finds_nobody_for_a_revoked_token(world):
    worker = world.grid07_worker
    revoked, raw = grid_actions.issue_api_token(actor=worker, name="旧平板")
    _, other_raw = grid_actions.issue_api_token(actor=worker, name="新平板")
    grid_actions.revoke_api_token(actor=worker, token=revoked)
    assert user_for_token(raw) is None
    assert user_for_token(other_raw).pk == worker.pk  # the account's other token still works
    revoked.refresh_from_db()
    assert revoked.last_used_at is None


def test_it_finds_nobody_for_the_token_of_a_deactivated_account(world):
    worker = world.grid07_worker
    token, raw = grid_actions.issue_api_token(actor=worker, name="平板")
    grid_actions.set_user_active(actor=world.township_admin, user=worker, active=False)
    assert user_for_token(raw) is None
    token.refresh_from_db()
    assert token.last_used_at is None
    grid_actions.set_user_active(actor=world.township_admin, user=worker, active=True)
    assert user_for_token(raw).pk == worker.pk


def test_it_finds_nobody_for_an_unknown_token(world):
    token, raw = grid_actions.issue_api_token(actor=world.grid07_worker, name="平板")
    for guess in ["fk_not-a-real-token", "", raw[:-1], raw + "x", token.digest, token.prefix]:
        assert user_for_token(guess) is None, guess
    assert not ApiToken.objects.exclude(last_used_at=None).exists()


def test_it_notes_the_last_use_to_the_minute(world, monkeypatch):
    token, raw = grid_actions.issue_api_token(actor=world.grid07_worker, name="平板")
    start = dt.datetime(2022, 3, 1, 9, 0, tzinfo=dt.UTC)

    def use_at(moment: dt.datetime) -> dt.datetime:
        monkeypatch.setattr(timezone, "now", lambda: moment)
        assert user_for_token(raw).pk == world.grid07_worker.pk
        token.refresh_from_db()
        return token.last_used_at

    assert use_at(start) == start
    assert use_at(start + dt.timedelta(seconds=59)) == start
    assert use_at(start + dt.timedelta(seconds=61)) == start + dt.timedelta(seconds=61)
    assert use_at(start + dt.timedelta(seconds=100)) == start + dt.timedelta(seconds=61)
    assert use_at(start + dt.timedelta(hours=5)) == start + dt.timedelta(hours=5)


def test_token_auth_puts_the_tokens_user_on_the_request(world):
    token, raw = grid_actions.issue_api_token(actor=world.grid07_worker, name="平板")
    request = RequestFactory().get("/api/v1/jurisdictions")
    user = TokenAuth().authenticate(request, raw)
    assert user.pk == world.grid07_worker.pk
    assert request.user is user
    grid_actions.revoke_api_token(actor=world.grid07_worker, token=token)
    request = RequestFactory().get("/api/v1/jurisdictions")
    assert TokenAuth().authenticate(request, raw) is None
    assert not hasattr(request, "user")


def test_token_auth_leaves_the_check_to_an_operation_that_asks_for_it(world, django_assert_num_queries):
    _, raw = grid_actions.issue_api_token(actor=world.grid07_worker, name="签到机")
    auth = TokenAuth(checked_by_operation=True)
    with django_assert_num_queries(0):
        unchecked = auth.authenticate(RequestFactory().post("/api/v1/checkins"), raw)
        assert auth.authenticate(RequestFactory().post("/api/v1/checkins"), "") is None
    assert unchecked == UncheckedToken(raw)
    assert unchecked.digest == hash_token(raw) == ApiToken.objects.get().digest


# Through the API -------------------------------------------------------------------------------


def read_endpoints(world, people) -> list[str]:
    """Every GET operation of the API, with ids from grid 07 filled in."""
    gate = checkpoint_actions.create_checkpoint(
        actor=world.grid07_worker, node=world.grid07, name="第七网格小区门", kind=CheckpointKind.GATE
    )
    # 张伟 is a key person too (GET /keypersons/{person_id}).
    measure_actions.record_screening(
        actor=world.grid07_worker,
        person=people["zhang"],
        reason=Reason.ARRIVAL,
        screened_on=timezone.localdate(),
    )
    ids = {
        "code": world.grid07.code,
        "household_id": people["h07"].pk,
        "person_id": people["zhang"].pk,
        "checkpoint_id": gate.pk,
    }
    required = {"node": world.grid07.code, "day": timezone.localdate().isoformat()}  # required query values
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    urls = []
    for path, operations in paths.items():
        if "get" in operations:
            names = [
                p["name"]
                for p in operations["get"].get("parameters", [])
                if p["in"] == "query" and p.get("required")
            ]
            query = "&".join(f"{name}={required[name]}" for name in names)
            urls.append(path.format_map(ids) + (f"?{query}" if query else ""))
    return urls


def test_it_refuses_a_revoked_token_on_every_read_endpoint(world, people):
    token, raw = grid_actions.issue_api_token(actor=world.grid07_worker, name="平板")
    client = Client(headers={"authorization": f"Bearer {raw}"})
    urls = read_endpoints(world, people)
    assert len(urls) >= 8
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)
    grid_actions.revoke_api_token(actor=world.grid07_worker, token=token)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json() == {"code": "unauthenticated", "message": "请先登录或提供有效令牌"}


def test_it_scopes_a_token_caller_as_the_same_account_logged_in(world, people):
    _, raw, _, _ = two_memberships(world)
    by_token = Client(headers={"authorization": f"Bearer {raw}"})
    by_session = Client()
    by_session.force_login(world.grid07_worker)
    for url in ["/api/v1/jurisdictions", "/api/v1/households", "/api/v1/persons"]:
        token_answer, session_answer = by_token.get(url), by_session.get(url)
        assert token_answer.status_code == session_answer.status_code == 200, url
        assert token_answer.json() == session_answer.json(), url
    codes = [node["code"] for node in by_token.get("/api/v1/jurisdictions").json()]
    assert codes == [world.village.code, world.grid07.code]
    # The village membership (a viewer's) reaches grid 08 too.
    households = {item["id"] for item in by_token.get("/api/v1/households").json()["items"]}
    assert households == {people["h07"].pk, people["h08"].pk}


# roles_with ------------------------------------------------------------------------------------

# Where each role may sit (grid.actions.ROLE_LEVELS) inside the world.
ROLE_SEATS = {
    Role.ADMIN: "township",
    Role.TOWNSHIP_STAFF: "township",
    Role.VILLAGE_STAFF: "village",
    Role.GRID_WORKER: "grid07",
    Role.UNIT_STAFF: "grid07",
    Role.VIEWER: "grid07",
}


@pytest.fixture
def one_account_per_role(world) -> dict:
    assert set(ROLE_SEATS) == set(Role.values), "a new role needs a seat here"
    accounts = {}
    for role, seat in ROLE_SEATS.items():
        node = getattr(world, seat)
        user = grid_actions.create_user(
            actor=world.county_admin,
            username=f"as_{role}",
            full_name=Role(role).label,
            password=PASSWORD,
            node=node,
            role=role,
        )
        accounts[role] = (user, node)
    return accounts


@pytest.mark.parametrize("capability", [scoping.VIEW, scoping.WRITE, scoping.REVEAL, scoping.MANAGE_USERS])
def test_roles_with_names_the_roles_that_grant_a_capability(one_account_per_role, capability):
    holders = {
        role for role, (user, node) in one_account_per_role.items() if scoping.can(user, capability, node)
    }
    named = scoping.roles_with(capability)
    assert len(named) == len(set(named))
    assert set(named) == holders


def test_roles_with_write_leaves_out_the_viewer_only(db):
    assert set(scoping.roles_with(scoping.WRITE)) == set(Role.values) - {Role.VIEWER}


@pytest.mark.parametrize("capability", [scoping.MANAGE_GRIDS, scoping.VIEW_AUDIT])
def test_roles_with_refuses_a_capability_that_depends_on_the_level(capability):
    with pytest.raises(ValueError, match="level"):
        scoping.roles_with(capability)
