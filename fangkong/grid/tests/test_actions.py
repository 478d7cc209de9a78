"""Writes to the tree and to accounts (grid/actions.py): who may do them, what they refuse, the audit row."""

import pytest
from django.contrib.auth import get_user_model

from fangkong.audit.models import Action, AuditEvent
from fangkong.grid import actions, scoping
from fangkong.grid.models import ApiToken, Jurisdiction, Level, Membership, Role, hash_token
from fangkong.lib.errors import RuleError

GOOD_PASSWORD = "plum-blossom-river-42"


def refused(call, **kwargs) -> RuleError:
    with pytest.raises(RuleError) as exc:
        call(**kwargs)
    return exc.value


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def audit_rows(action: str, **filters):
    return AuditEvent.objects.filter(action=action, **filters)


# Grids ---------------------------------------------------------------------------------------------


def test_it_creates_a_grid_under_a_village_with_the_village_code(world):
    grid = actions.create_grid(
        actor=world.township_admin, village=world.village, local_code=" 09 ", name="第九网格"
    )
    assert grid.code == "371502103201-09"
    assert grid.path == world.village.path + "371502103201-09/"
    assert (grid.level, grid.parent, grid.vintage) == (Level.GRID, world.village, world.village.vintage)
    row = audit_rows(Action.CREATE, target_type="Jurisdiction", target_id=str(grid.pk)).get()
    assert (row.actor, row.node_path) == (world.township_admin, grid.path)


def test_it_creates_grids_only_under_a_village(world):
    for node in (world.township, world.grid07, world.county):
        error = refused(
            actions.create_grid, actor=world.county_admin, village=node, local_code="01", name="网格"
        )
        assert error.errors == {"village": "网格只能建在村（社区）下"}
    assert not Jurisdiction.objects.filter(code__endswith="-01").exists()


@pytest.mark.parametrize("persona", ["grid07_worker", "grid07_viewer", "grid08_worker", "outsider"])
def test_it_lets_only_admins_draw_grids(world, persona):
    error = refused(
        actions.create_grid,
        actor=getattr(world, persona),
        village=world.village,
        local_code="09",
        name="第九网格",
    )
    assert error.code == "forbidden"
    assert not Jurisdiction.objects.filter(code="371502103201-09").exists()


def test_it_refuses_a_local_code_the_village_already_has(world):
    error = refused(
        actions.create_grid,
        actor=world.county_admin,
        village=world.village,
        local_code="07",
        name="又一个七网格",
    )
    assert (error.code, error.errors) == ("duplicate", {"local_code": "该村（社区）已有编号为 07 的网格"})
    # The same local code under another village is another grid.
    actions.create_grid(
        actor=world.county_admin, village=world.other_village, local_code="07", name="后屯七网格"
    )


def test_it_names_each_bad_grid_field(world):
    error = refused(
        actions.create_grid, actor=world.county_admin, village=world.village, local_code="0 7/", name=" "
    )
    assert error.errors == {"local_code": "网格编号应为1至8位数字或字母", "name": "网格名称不能为空"}


# Users ---------------------------------------------------------------------------------------------


def new_user(world, **overrides):
    kwargs = {
        "actor": world.township_admin,
        "username": "liu_worker",
        "full_name": "刘网格员",
        "password": GOOD_PASSWORD,
        "node": world.grid08,
        "role": Role.GRID_WORKER,
    } | overrides
    return actions.create_user(**kwargs)


def test_it_creates_a_user_who_can_log_in_and_sees_their_node(world, people, client):
    user = new_user(world)
    assert client.login(username="liu_worker", password=GOOD_PASSWORD)
    assert user.first_name == "刘网格员"
    assert [(m.node, m.role) for m in Membership.objects.filter(user=user)] == [
        (world.grid08, Role.GRID_WORKER)
    ]
    assert scoping.can(user, scoping.WRITE, world.grid08)
    assert not scoping.can(user, scoping.VIEW, world.grid07)
    row = audit_rows(Action.USER_CHANGE, target_id=str(user.pk)).get()
    assert (row.actor, row.node_path, row.detail["change"]) == (
        world.township_admin,
        world.grid08.path,
        "create",
    )
    assert GOOD_PASSWORD not in str(row.detail)


@pytest.mark.parametrize("password", ["12345678901", "password123", "short-1", "liu_worker1"])
def test_it_refuses_a_weak_password(world, password):
    error = refused(new_user, world=world, password=password)
    assert set(error.errors) == {"password"}
    assert not get_user_model().objects.filter(username="liu_worker").exists()


def test_it_refuses_a_taken_username_whatever_its_case(world):
    error = refused(new_user, world=world, username="Grid07_Worker")
    assert error.errors == {"username": "用户名已被使用"}


def test_it_refuses_a_username_with_spaces_or_chinese(world):
    for username in ("liu worker", "刘网格员", "ab"):
        assert set(refused(new_user, world=world, username=username).errors) == {"username"}


def test_it_refuses_a_role_at_the_wrong_level(world):
    error = refused(new_user, world=world, node=world.township, role=Role.GRID_WORKER)
    assert error.errors == {"role": "“网格员”不能设在乡镇（街道）一级"}
    assert set(refused(new_user, world=world, node=world.grid08, role=Role.ADMIN).errors) == {"role"}
    assert refused(new_user, world=world, role="superuser").errors == {"role": "角色不存在"}
    assert not get_user_model().objects.filter(username="liu_worker").exists()


def test_it_refuses_a_node_outside_the_admins_area(world):
    error = refused(new_user, world=world, node=world.county, role=Role.VIEWER)
    assert (error.code, error.errors) == ("forbidden", {"node": "只能在本辖区内设置账号"})
    assert not get_user_model().objects.filter(username="liu_worker").exists()


@pytest.mark.parametrize("persona", ["grid07_worker", "grid07_viewer", "outsider"])
def test_it_lets_only_admins_create_users(world, persona):
    error = refused(new_user, world=world, actor=getattr(world, persona), node=world.grid07)
    assert error.code == "forbidden"


def test_it_does_not_tell_a_non_admin_which_usernames_exist(world):
    error = refused(
        new_user, world=world, actor=world.grid07_worker, node=world.grid07, username="county_admin"
    )
    assert error.code == "forbidden"
    assert "用户名" not in str(error)


# Memberships ---------------------------------------------------------------------------------------


def test_it_adds_a_membership_and_the_user_sees_the_new_subtree(world):
    membership = actions.add_membership(
        actor=world.township_admin, user=world.grid08_worker, node=world.grid07, role=Role.VIEWER
    )
    assert (membership.node, membership.role) == (world.grid07, Role.VIEWER)
    worker = fresh(world.grid08_worker)
    assert scoping.can(worker, scoping.VIEW, world.grid07)
    assert not scoping.can(worker, scoping.WRITE, world.grid07)
    row = audit_rows(Action.USER_CHANGE, target_id=str(worker.pk)).get()
    assert (row.detail["change"], row.node_path) == ("membership", world.grid07.path)


def test_it_changes_the_role_of_an_existing_membership(world):
    actions.add_membership(
        actor=world.county_admin, user=world.grid07_viewer, node=world.grid07, role=Role.GRID_WORKER
    )
    assert Membership.objects.get(user=world.grid07_viewer).role == Role.GRID_WORKER
    assert scoping.can(fresh(world.grid07_viewer), scoping.WRITE, world.grid07)


def test_it_refuses_to_manage_a_user_who_sits_outside_the_admins_area(world):
    error = refused(
        actions.add_membership,
        actor=world.township_admin,
        user=world.county_admin,
        node=world.grid07,
        role=Role.VIEWER,
    )
    assert error.code == "forbidden"
    error = refused(
        actions.add_membership,
        actor=world.grid07_worker,
        user=world.grid07_viewer,
        node=world.grid07,
        role=Role.VIEWER,
    )
    assert error.code == "forbidden"


def test_it_removes_a_membership_and_the_subtree_disappears(world):
    actions.add_membership(
        actor=world.township_admin, user=world.grid08_worker, node=world.grid07, role=Role.VIEWER
    )
    membership = Membership.objects.get(user=world.grid08_worker, node=world.grid07)
    actions.remove_membership(actor=world.township_admin, membership=membership)
    worker = fresh(world.grid08_worker)
    assert not scoping.can(worker, scoping.VIEW, world.grid07)
    assert scoping.can(worker, scoping.VIEW, world.grid08)
    assert audit_rows(Action.USER_CHANGE, detail__change="remove_membership").count() == 1


def test_it_keeps_the_last_membership_so_the_account_stays_manageable(world):
    """An account without a membership is inside nobody's area: no admin could manage it again."""
    membership = Membership.objects.get(user=world.grid08_worker)
    error = refused(actions.remove_membership, actor=world.township_admin, membership=membership)
    assert "停用" in error.errors["__all__"]
    assert Membership.objects.filter(user=world.grid08_worker).exists()


# Deactivation and passwords ------------------------------------------------------------------------


def test_it_deactivates_a_user_who_then_cannot_log_in(world, client):
    actions.set_user_active(actor=world.township_admin, user=world.grid07_worker, active=False)
    assert world.grid07_worker.is_active is False  # the object the caller holds says so too
    assert fresh(world.grid07_worker).is_active is False
    assert not client.login(username="grid07_worker", password="correct-horse-battery-9")
    assert audit_rows(
        Action.USER_CHANGE, detail__change="deactivate", target_id=str(world.grid07_worker.pk)
    ).exists()
    actions.set_user_active(actor=world.township_admin, user=world.grid07_worker, active=True)
    assert client.login(username="grid07_worker", password="correct-horse-battery-9")


def test_it_refuses_to_let_an_admin_deactivate_themselves(world):
    error = refused(
        actions.set_user_active, actor=world.township_admin, user=world.township_admin, active=False
    )
    assert error.errors == {"__all__": "不能停用自己的账号"}
    assert fresh(world.township_admin).is_active


def test_it_refuses_to_deactivate_someone_outside_the_area(world):
    assert (
        refused(
            actions.set_user_active, actor=world.township_admin, user=world.county_admin, active=False
        ).code
        == "forbidden"
    )
    assert fresh(world.county_admin).is_active


def test_it_resets_a_password_only_to_a_strong_one(world, client):
    assert (
        "password"
        in refused(
            actions.reset_password, actor=world.township_admin, user=world.grid07_worker, password="12345"
        ).errors
    )
    actions.reset_password(actor=world.township_admin, user=world.grid07_worker, password=GOOD_PASSWORD)
    assert client.login(username="grid07_worker", password=GOOD_PASSWORD)
    assert audit_rows(Action.USER_CHANGE, detail__change="password").count() == 1


# API tokens ----------------------------------------------------------------------------------------


def test_it_issues_a_token_whose_raw_value_is_never_stored(world):
    token, raw = actions.issue_api_token(actor=world.grid07_worker, name="体温枪")
    assert raw.startswith("fk_") and len(raw) > 40
    assert token.digest == hash_token(raw)
    assert token.prefix == raw[:8]
    assert not ApiToken.objects.filter(digest=raw).exists()
    assert raw not in str(list(ApiToken.objects.values_list()))
    row = audit_rows(Action.TOKEN, detail__change="issue").get()
    assert raw not in str(row.detail) and raw not in row.target_label


def test_it_gives_two_tokens_different_values(world):
    _, first = actions.issue_api_token(actor=world.grid07_worker, name="a")
    _, second = actions.issue_api_token(actor=world.grid07_worker, name="b")
    assert first != second


def test_it_refuses_a_token_to_an_account_without_a_node(world):
    assert refused(actions.issue_api_token, actor=world.outsider, name="x").code == "forbidden"
    assert not ApiToken.objects.exists()


def test_it_revokes_only_ones_own_token(world, client):
    token, raw = actions.issue_api_token(actor=world.grid07_worker, name="体温枪")
    error = refused(actions.revoke_api_token, actor=world.grid08_worker, token=token)
    assert error.code == "not_found"
    token.refresh_from_db()
    assert token.revoked_at is None
    actions.revoke_api_token(actor=world.grid07_worker, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert audit_rows(Action.TOKEN, detail__change="revoke").count() == 1
