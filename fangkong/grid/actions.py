"""Writes to the tree and to accounts. Each checks the actor's scope, runs in one transaction and
writes its audit row there."""

import re
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.lib.errors import RuleError

from . import scoping
from .models import ApiToken, Jurisdiction, Level, Membership, Role, hash_token

_GRID_CODE = re.compile(r"^[0-9A-Za-z]{1,8}$")

# Which roles make sense at which level: a grid worker sits on a grid or village, and so on.
ROLE_LEVELS = {
    Role.ADMIN: {Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP},
    Role.TOWNSHIP_STAFF: {Level.TOWNSHIP},
    Role.VILLAGE_STAFF: {Level.VILLAGE},
    Role.GRID_WORKER: {Level.VILLAGE, Level.GRID},
    Role.UNIT_STAFF: {Level.TOWNSHIP, Level.VILLAGE, Level.GRID},
    Role.VIEWER: set(Level.values),
}


@transaction.atomic
def create_grid(*, actor, village: Jurisdiction, local_code: str, name: str, request=None) -> Jurisdiction:
    """A grid under a village; its code is the village code, a dash and a local code (e.g. 07)."""
    if village.level != Level.VILLAGE:
        raise RuleError({"village": "网格只能建在村（社区）下"})
    if not scoping.can(actor, scoping.MANAGE_GRIDS, village):
        raise RuleError({"__all__": "只有县、乡镇（街道）管理员可以划分网格"}, code="forbidden")
    local_code = (local_code or "").strip()
    name = (name or "").strip()
    errors = {}
    if not _GRID_CODE.match(local_code):
        errors["local_code"] = "网格编号应为1至8位数字或字母"
    if not name:
        errors["name"] = "网格名称不能为空"
    if errors:
        raise RuleError(errors)
    code = f"{village.code}-{local_code}"
    if Jurisdiction.objects.filter(code=code).exists():
        raise RuleError({"local_code": f"该村（社区）已有编号为 {local_code} 的网格"}, code="duplicate")
    grid = Jurisdiction.objects.create(
        code=code,
        name=name,
        level=Level.GRID,
        parent=village,
        path=f"{village.path}{code}/",
        vintage=village.vintage,
    )
    record(actor=actor, action=Action.CREATE, target=grid, node_path=grid.path, request=request)
    return grid


def _check_membership(actor, node: Jurisdiction, role: str) -> None:
    if role not in Role.values:
        raise RuleError({"role": "角色不存在"})
    if node.level not in ROLE_LEVELS[role]:
        raise RuleError({"role": f"“{Role(role).label}”不能设在{Level(node.level).label}一级"})
    if not scoping.can(actor, scoping.MANAGE_USERS, node):
        raise RuleError({"node": "只能在本辖区内设置账号"}, code="forbidden")


@transaction.atomic
def create_user(
    *,
    actor,
    username: str,
    full_name: str,
    password: str,
    node: Jurisdiction,
    role: str,
    phone: str = "",
    request=None,
):
    User = get_user_model()
    username = (username or "").strip()
    errors = {}
    if not re.match(r"^[A-Za-z0-9_.@-]{3,150}$", username):
        errors["username"] = "用户名应为3至150位字母、数字或 _ . @ -"
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = "用户名已被使用"
    if not (full_name or "").strip():
        errors["full_name"] = "姓名不能为空"
    try:
        validate_password(password, User(username=username))
    except ValidationError as exc:
        errors["password"] = "；".join(exc.messages)
    if errors:
        raise RuleError(errors)
    _check_membership(actor, node, role)
    user = User.objects.create_user(username=username, password=password, first_name=full_name.strip()[:150])
    Membership.objects.create(user=user, node=node, role=role)
    record(
        actor=actor,
        action=Action.USER_CHANGE,
        target=user,
        node_path=node.path,
        request=request,
        change="create",
        role=role,
        phone=bool(phone),
    )
    return user


def _managed_user(actor, user) -> None:
    """An admin manages a user only when every node of that user is inside the admin's area."""
    nodes = [m.node for m in Membership.objects.filter(user=user).select_related("node")]
    if not nodes or not all(scoping.can(actor, scoping.MANAGE_USERS, n) for n in nodes):
        raise RuleError({"__all__": "只能管理本辖区内的账号"}, code="forbidden")


@transaction.atomic
def add_membership(*, actor, user, node: Jurisdiction, role: str, request=None) -> Membership:
    _managed_user(actor, user)
    _check_membership(actor, node, role)
    membership, _ = Membership.objects.update_or_create(user=user, node=node, defaults={"role": role})
    record(
        actor=actor,
        action=Action.USER_CHANGE,
        target=user,
        node_path=node.path,
        request=request,
        change="membership",
        role=role,
    )
    return membership


@transaction.atomic
def remove_membership(*, actor, membership: Membership, request=None) -> None:
    _managed_user(actor, membership.user)
    node_path = membership.node.path
    membership.delete()
    record(
        actor=actor,
        action=Action.USER_CHANGE,
        target=membership.user,
        node_path=node_path,
        request=request,
        change="remove_membership",
    )


@transaction.atomic
def set_user_active(*, actor, user, active: bool, request=None) -> None:
    _managed_user(actor, user)
    if user.pk == actor.pk and not active:
        raise RuleError({"__all__": "不能停用自己的账号"})
    type(user).objects.filter(pk=user.pk).update(is_active=active)
    record(
        actor=actor,
        action=Action.USER_CHANGE,
        target=user,
        request=request,
        change="activate" if active else "deactivate",
    )


@transaction.atomic
def reset_password(*, actor, user, password: str, request=None) -> None:
    _managed_user(actor, user)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise RuleError({"password": "；".join(exc.messages)}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    record(actor=actor, action=Action.USER_CHANGE, target=user, request=request, change="password")


@transaction.atomic
def issue_api_token(*, actor, name: str, request=None) -> tuple[ApiToken, str]:
    """A new token for the actor; the raw value is returned once and never stored."""
    if not scoping.memberships(actor):
        raise RuleError({"__all__": "账号未分配辖区，不能申请令牌"}, code="forbidden")
    raw = "fk_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=(name or "API").strip()[:100], digest=hash_token(raw), prefix=raw[:8]
    )
    record(actor=actor, action=Action.TOKEN, target=token, request=request, change="issue")
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor, token: ApiToken, request=None) -> None:
    if token.user_id != actor.pk:
        raise RuleError({"__all__": "令牌不存在"}, code="not_found")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    record(actor=actor, action=Action.TOKEN, target=token, request=request, change="revoke")
