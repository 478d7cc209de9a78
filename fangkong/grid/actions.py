"""Writes to the tree and to accounts. Each checks the actor's scope, runs in one transaction and
writes its audit row there."""

import re
import secrets
import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.lib.errors import RuleError
from fangkong.lib.workbook import Book

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


def check_new_account(username: str, full_name: str, password: str) -> None:
    User = get_user_model()
    errors = {}
    if not re.match(r"^[A-Za-z0-9_.@-]{3,150}$", username):
        errors["username"] = "用户名应为3至150位字母、数字或 _ . @ -"
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = "用户名已被使用"
    if not (full_name or "").strip():
        errors["full_name"] = "姓名不能为空"
    try:
        validate_password(password, User(username=username, first_name=full_name))
    except ValidationError as exc:
        errors["password"] = "；".join(exc.messages)
    if errors:
        raise RuleError(errors)


@transaction.atomic
def create_admin(*, username: str, full_name: str, password: str, node: Jurisdiction):
    """The administrator of a node, made from the command line by whoever runs the server: the first
    account of an installation has nobody above it to create it (the audit row has no actor)."""
    username = (username or "").strip()
    if node.level not in ROLE_LEVELS[Role.ADMIN]:
        raise RuleError({"node": f"{Level(node.level).label}一级不设管理员，请选择县（区）或乡镇（街道）"})
    check_new_account(username, full_name, password)
    User = get_user_model()
    user = User.objects.create_user(username=username, password=password, first_name=full_name.strip()[:150])
    Membership.objects.create(user=user, node=node, role=Role.ADMIN)
    record(
        actor=None,
        action=Action.USER_CHANGE,
        target=user,
        node_path=node.path,
        change="create_admin",
        role=Role.ADMIN,
        via="command line",
    )
    return user


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
    if not scoping.can(actor, scoping.MANAGE_USERS, node):  # before the checks that tell which names exist
        raise RuleError({"node": "只能在本辖区内设置账号"}, code="forbidden")
    username = (username or "").strip()
    check_new_account(username, full_name, password)
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


def _managed_user(actor, user) -> str:
    """An admin manages a user only when every node of that user is inside the admin's area.
    Returns the path of the user's first node, where the audit row of the change is filed."""
    nodes = [
        m.node for m in Membership.objects.filter(user=user).select_related("node").order_by("node__path")
    ]
    if not nodes or not all(scoping.can(actor, scoping.MANAGE_USERS, n) for n in nodes):
        raise RuleError({"__all__": "只能管理本辖区内的账号"}, code="forbidden")
    return nodes[0].path


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
    if not Membership.objects.filter(user_id=membership.user_id).exclude(pk=membership.pk).exists():
        # Without a membership the account is inside nobody's area and no admin could manage it again.
        raise RuleError({"__all__": "不能删除账号的最后一个岗位；不再使用的账号请停用"})
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
    node_path = _managed_user(actor, user)
    if user.pk == actor.pk and not active:
        raise RuleError({"__all__": "不能停用自己的账号"})
    type(user).objects.filter(pk=user.pk).update(is_active=active)
    user.is_active = active
    record(
        actor=actor,
        action=Action.USER_CHANGE,
        target=user,
        node_path=node_path,
        request=request,
        change="activate" if active else "deactivate",
    )


@transaction.atomic
def reset_password(*, actor, user, password: str, request=None) -> None:
    node_path = _managed_user(actor, user)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise RuleError({"password": "；".join(exc.messages)}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    record(
        actor=actor,
        action=Action.USER_CHANGE,
        target=user,
        node_path=node_path,
        request=request,
        change="password",
    )


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


# Grid import: a CSV or .xlsx sheet with one grid a row, all or nothing --------------------------

# Accepted column headers (after removing spaces and "*", with half-width brackets made full-width).
GRID_COLUMNS = {
    "village_code": ("村（社区）代码", "村代码", "社区代码", "村（居）代码"),
    "local_code": ("网格编号", "编号"),
    "name": ("网格名称", "名称"),
}
GRID_COLUMN_LABELS = {"village_code": "村（社区）代码", "local_code": "网格编号", "name": "网格名称"}
_HEADER_SEARCH_ROWS = 10  # a title line or two may sit above the header


def _header_key(cell) -> str:
    text = unicodedata.normalize("NFKC", str(cell or "")).replace(" ", "").replace("*", "")
    return text.replace("(", "（").replace(")", "）")


def _cell_text(cell) -> str:
    """A cell as the user typed it: Excel gives numbers for codes (371502103201 or 3.7e11)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return unicodedata.normalize("NFKC", str(cell)).strip()


def _sheet_rows(data: bytes, filename: str) -> list[tuple[int, list]]:
    """(row number as the spreadsheet shows it, cells) of the first sheet, read with the same bounds
    as every ledger import (fangkong/lib/workbook.py): a small file cannot inflate without limit."""
    return Book(data, filename or "").read(0).rows


def read_grid_rows(data: bytes, filename: str) -> list[dict]:
    """The data rows of a grid sheet: {"row": number as the spreadsheet shows it, "village_code",
    "local_code", "name"}. Blank rows are skipped. A missing column is a RuleError naming it."""
    rows = _sheet_rows(data, filename)
    best, best_found = None, {}
    for index, (_number, row) in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        keys = [_header_key(c) for c in row]
        found = {}
        for field, heads in GRID_COLUMNS.items():
            column = next((keys.index(h) for h in heads if h in keys), None)  # the most specific name wins
            if column is not None:
                found[field] = column
        if len(found) > len(best_found):
            best, best_found = index, found
    missing = [GRID_COLUMN_LABELS[f] for f in GRID_COLUMNS if f not in best_found]
    if missing:
        raise RuleError({"file": "缺少列：" + "、".join(missing)})
    result = []
    for number, row in rows[best + 1 :]:
        values = {f: _cell_text(row[i]) if i < len(row) else "" for f, i in best_found.items()}
        if any(values.values()):
            result.append({"row": number, **values})
    if not result:
        raise RuleError({"file": "文件中没有数据行"})
    return result


def _grid_row_errors(row: dict, village, within: Jurisdiction | None, actor) -> list[tuple[str, str]]:
    errors = []
    if not row["village_code"]:
        errors.append(("village_code", "不能为空"))
    elif (
        village is None
        or not scoping.can(actor, scoping.MANAGE_GRIDS, village)
        or (within is not None and not within.contains(village))
    ):
        errors.append(("village_code", f"{row['village_code']} 不存在或不在您可划分网格的辖区内"))
    elif village.level != Level.VILLAGE:
        errors.append(("village_code", f"{row['village_code']} 不是村（社区）代码"))
    if not _GRID_CODE.match(row["local_code"]):
        errors.append(("local_code", "网格编号应为1至8位数字或字母"))
    if not row["name"]:
        errors.append(("name", "网格名称不能为空"))
    elif len(row["name"]) > 100:
        errors.append(("name", "网格名称不能超过100个字"))
    return errors


@transaction.atomic
def import_grids(
    *, actor, rows: list[dict], within: Jurisdiction | None = None, dry_run: bool, request=None
) -> dict:
    """Create the grids of `rows` (from read_grid_rows) — all of them or, on any error, none.
    A row whose grid already exists with the same name is left alone, so a second import of the same
    file creates nothing. Returns {"dry_run", "created": [rows], "unchanged": [rows], "errors":
    [{"row", "column", "message"}]}; with dry_run nothing is written."""
    if not scoping.nodes_with(actor, scoping.MANAGE_GRIDS) or (
        within is not None and not scoping.can(actor, scoping.MANAGE_GRIDS, within)
    ):
        raise RuleError({"__all__": "只有县、乡镇（街道）管理员可以划分网格"}, code="forbidden")
    villages = Jurisdiction.objects.in_bulk([r["village_code"] for r in rows], field_name="code")
    existing = Jurisdiction.objects.in_bulk(
        [f"{r['village_code']}-{r['local_code']}" for r in rows], field_name="code"
    )
    result = {"dry_run": dry_run, "created": [], "unchanged": [], "errors": []}
    seen = {}
    for row in rows:
        errors = _grid_row_errors(row, villages.get(row["village_code"]), within, actor)
        code = f"{row['village_code']}-{row['local_code']}"
        if not errors and code in seen:
            errors = [("local_code", f"与第{seen[code]}行重复")]
        elif not errors and code in existing and existing[code].name != row["name"]:
            errors = [("name", f"该村（社区）已有编号为 {row['local_code']} 的网格“{existing[code].name}”")]
        seen.setdefault(code, row["row"])
        for field, message in errors:
            result["errors"].append(
                {"row": row["row"], "column": GRID_COLUMN_LABELS[field], "message": message}
            )
        if not errors:
            result["unchanged" if code in existing else "created"].append(row)
    if result["errors"]:
        result["created"] = []
    if dry_run or result["errors"]:
        return result
    for row in result["created"]:
        create_grid(
            actor=actor,
            village=villages[row["village_code"]],
            local_code=row["local_code"],
            name=row["name"],
            request=request,
        )
    return result
