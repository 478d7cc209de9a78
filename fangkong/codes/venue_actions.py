"""Writes for venues (场所). Keyword-only arguments, a required actor whose right to write at the venue's
node is checked, one transaction with its audit row.

A venue's `code` is the only thing its poster's QR code carries (`/r/v/<code>/`): it is random and
unguessable so that nobody can check in at venues they have never been to by walking through ids, and
it never changes, so that a printed poster stays valid for the venue's life."""

import secrets

from django.db import transaction

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.lib.errors import RuleError
from fangkong.lib.phones import InvalidPhone, normalize_phone

from .models import Venue, VenueKind

# A market belongs to a township, a school to a county, a shop to a grid: any node from the county down.
VENUE_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GRID)
MAX_DWELL_MINUTES = 24 * 60
CODE_BYTES = 12  # 16 URL-safe characters, 96 random bits


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def _clean(
    *,
    node: Jurisdiction,
    name: str,
    kind: str,
    address: str,
    contact_name: str,
    contact_phone: str,
    dwell_minutes: int | None,
    venue: Venue | None = None,
) -> dict:
    """The venue's fields, normalised, or a RuleError with every reason at once."""
    errors: dict[str, str] = {}
    if node.level not in VENUE_LEVELS:
        errors["node"] = "场所须属于县（区）、乡镇（街道）、村（社区）或网格"
    name = (name or "").strip()
    if not name:
        errors["name"] = "场所名称不能为空"
    else:
        same = Venue.objects.filter(node=node, name=name, active=True)
        if venue is not None:
            same = same.exclude(pk=venue.pk)
        if same.exists():
            errors["name"] = "该辖区已有同名场所"
    if kind not in VenueKind.values:
        errors["kind"] = "请选择场所类型"
    phone = ""
    if (contact_phone or "").strip():
        try:
            phone = normalize_phone(contact_phone)
        except InvalidPhone as exc:
            errors["contact_phone"] = f"联系电话：{exc}"
    if dwell_minutes is not None and not 1 <= dwell_minutes <= MAX_DWELL_MINUTES:
        errors["dwell_minutes"] = f"默认停留时间应在1至{MAX_DWELL_MINUTES}分钟之间，留空则按政策默认值"
    if errors:
        raise RuleError(errors)
    return {
        "node": node,
        "name": name,
        "kind": kind,
        "address": (address or "").strip(),
        "contact_name": (contact_name or "").strip(),
        "contact_phone": phone,
        "dwell_minutes": dwell_minutes or None,
    }


@transaction.atomic
def create_venue(
    *,
    actor,
    node: Jurisdiction,
    name: str,
    kind: str,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    dwell_minutes: int | None = None,
    request=None,
) -> Venue:
    scoping.require(actor, scoping.WRITE, node, "无权在该辖区登记场所", field="node")
    fields = _clean(
        node=node,
        name=name,
        kind=kind,
        address=address,
        contact_name=contact_name,
        contact_phone=contact_phone,
        dwell_minutes=dwell_minutes,
    )
    venue = Venue.objects.create(code=new_code(), **fields)
    record(actor=actor, action=Action.CREATE, target=venue, node_path=node.path, request=request)
    return venue


@transaction.atomic
def update_venue(
    *,
    actor,
    venue: Venue,
    node: Jurisdiction,
    name: str,
    kind: str,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    dwell_minutes: int | None = None,
    request=None,
) -> Venue:
    """Change a venue's details; moving it to another node needs the right to write at both. The code
    (and so the printed poster) stays the same."""
    scoping.require(actor, scoping.WRITE, venue.node, "无权修改该场所", field="node")
    if node.pk != venue.node_id:
        scoping.require(actor, scoping.WRITE, node, "无权将场所移至该辖区", field="node")
    fields = _clean(
        node=node,
        name=name,
        kind=kind,
        address=address,
        contact_name=contact_name,
        contact_phone=contact_phone,
        dwell_minutes=dwell_minutes,
        venue=venue,
    )
    changed = sorted(key for key, value in fields.items() if getattr(venue, key) != value)
    for key, value in fields.items():
        setattr(venue, key, value)
    venue.save()
    record(
        actor=actor,
        action=Action.UPDATE,
        target=venue,
        node_path=venue.node.path,
        request=request,
        changed=changed,
    )
    return venue


@transaction.atomic
def set_venue_active(*, actor, venue: Venue, active: bool, request=None) -> Venue:
    """Deactivate a venue (closed, moved away): its poster stops accepting check-ins; the check-ins it
    has are kept until their retention period ends. Reactivating checks the name is still free."""
    scoping.require(actor, scoping.WRITE, venue.node, "无权修改该场所", field="node")
    if active and not venue.active:
        if Venue.objects.filter(node=venue.node, name=venue.name, active=True).exists():
            raise RuleError({"name": "该辖区已有同名场所，请先修改名称"})
    if venue.active != active:
        venue.active = active
        venue.save(update_fields=["active"])
        record(
            actor=actor,
            action=Action.UPDATE,
            target=venue,
            node_path=venue.node.path,
            request=request,
            active=active,
        )
    return venue
