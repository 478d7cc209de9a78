"""How API callers authenticate: a login session (the web UI), or a bearer token (devices).

A bearer token goes to its user, with the user's memberships, in one query.

Every API call of a device starts here, so it is one prepared statement (hot_sql) rather than two ORM
queries, the token with its user and then scoping's memberships, whose compilation alone cost more CPU
than a kiosk check-in's own statement (bench/codes_load.py). The memberships are left where
scoping.memberships looks for them. Columns and type conversions come from the models and the database
backend, as the ORM's own compiler does, so a new field needs no change here.
"""

import datetime as dt
import functools
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from fangkong.lib import hot_sql

from .models import ApiToken, Jurisdiction, Membership, hash_token

# "Last used" to the minute: a write on every call would halve a device's throughput.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class _Part:
    """One model's columns in the joined row, with the converters the ORM would apply to them."""

    def __init__(self, model, alias: str, start: int):
        self.model, self.start = model, start
        self.fields = list(model._meta.concrete_fields)
        self.names = [f.attname for f in self.fields]
        self.select = [f"{alias}.{connection.ops.quote_name(f.column)}" for f in self.fields]
        self.converters = []
        for f in self.fields:
            col = f.get_col(alias)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            self.converters.append((col, found))
        self.end = start + len(self.fields)

    def build(self, row):
        values = []
        for value, (col, converters) in zip(row[self.start : self.end], self.converters, strict=True):
            for convert in converters:
                value = convert(value, col, connection)
            values.append(value)
        return self.model.from_db(connection.alias, self.names, values)


@functools.cache
def _statement(vendor: str):
    token = _Part(ApiToken, "t", 0)
    user = _Part(get_user_model(), "u", token.end)
    membership = _Part(Membership, "m", user.end)
    node = _Part(Jurisdiction, "n", membership.end)
    sql = (
        f"SELECT {', '.join(token.select + user.select + membership.select + node.select)} "
        f"FROM {ApiToken._meta.db_table} t "
        f"JOIN {get_user_model()._meta.db_table} u ON u.id = t.user_id "
        f"LEFT JOIN {Membership._meta.db_table} m ON m.user_id = u.id "
        f"LEFT JOIN {Jurisdiction._meta.db_table} n ON n.id = m.node_id "
        "WHERE t.digest = %s AND t.revoked_at IS NULL AND u.is_active "
        "ORDER BY n.path"
    )
    return sql, token, user, membership, node


def user_for_token(raw: str):
    """The active user holding this unrevoked token, memberships loaded; None for anything else."""
    sql, token_part, user_part, membership_part, node_part = _statement(connection.vendor)
    rows = hot_sql.fetch(sql, [hash_token(raw)])
    if not rows:
        return None
    token = token_part.build(rows[0])
    user = user_part.build(rows[0])
    memberships = []
    for row in rows:
        if row[membership_part.start] is None:
            continue  # no membership: the left join's one empty row
        membership = membership_part.build(row)
        membership.node, membership.user = node_part.build(row), user
        memberships.append(membership)
    user._fangkong_memberships = memberships
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user


_use_noted: dict[str, float] = {}  # token digest → when this process last wrote its use (monotonic)


def note_token_use(digest: str, now: dt.datetime) -> None:
    """ "Last used", to LAST_USED_RESOLUTION, for a token an operation checked itself (UncheckedToken):
    at most one write a minute per process, and none when another process wrote it within the minute."""
    last = _use_noted.get(digest)
    if last is not None and time.monotonic() - last <= LAST_USED_RESOLUTION.total_seconds():
        return
    _use_noted[digest] = time.monotonic()
    ApiToken.objects.filter(digest=digest).filter(
        Q(last_used_at=None) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)


@dataclass(frozen=True)
class UncheckedToken:
    """A bearer token an operation checks itself, together with its write (venues/sql.py does)."""

    raw: str

    @property
    def digest(self) -> str:
        return hash_token(self.raw)


class TokenAuth(HttpBearer):
    """Bearer tokens for devices and integrations. With `checked_by_operation=True` the operation gets an
    UncheckedToken and must check it itself (and answer 401 when it fails): the kiosk check-in does,
    in the same statement as its write. One class either way, so the OpenAPI schema has one scheme."""

    def __init__(self, *, checked_by_operation: bool = False):
        super().__init__()
        self.checked_by_operation = checked_by_operation

    def authenticate(self, request, token):
        if self.checked_by_operation:
            return UncheckedToken(token) if token else None
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(NinjaSessionAuth):
    """The web UI's login session. CSRF is checked (for unsafe methods) only when there is a logged-in
    session: without one there is nothing to forge, and the client should hear 401, not a CSRF 403."""

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)
