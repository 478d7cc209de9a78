"""Writes for quarantine sites and their rooms. Like actions.py: keyword-only arguments, a required actor
whose scope is checked, one transaction with its audit row."""

from django.db import transaction

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.lib.errors import RuleError
from fangkong.lib.phones import InvalidPhone, normalize_phone
from fangkong.registry.models import Unit

from .models import QuarantineSite, Room

# Sites are run by a county, a township or a village, not by a grid.
SITE_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)
MAX_ROOMS_AT_ONCE = 500
MAX_BEDS_PER_ROOM = 20


@transaction.atomic
def create_site(
    *,
    actor,
    node: Jurisdiction,
    name: str,
    address: str = "",
    contact_phone: str = "",
    unit: Unit | None = None,
    request=None,
) -> QuarantineSite:
    if node.level not in SITE_LEVELS:
        raise RuleError({"node": "隔离点须属于县（区）、乡镇（街道）或村（社区）"})
    if not scoping.can(actor, scoping.WRITE, node):
        raise RuleError({"node": "无权在该辖区设立隔离点"}, code="forbidden")
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "隔离点名称不能为空"
    elif QuarantineSite.objects.filter(node=node, name=name).exists():
        errors["name"] = "该辖区已有同名隔离点"
    phone = ""
    if (contact_phone or "").strip():
        try:
            phone = normalize_phone(contact_phone)
        except InvalidPhone as exc:
            errors["contact_phone"] = str(exc)
    if unit is not None and not scoping.can(actor, scoping.VIEW, unit.node):
        errors["unit"] = "单位不存在"
    if errors:
        raise RuleError(errors)
    site = QuarantineSite.objects.create(
        node=node, name=name, address=(address or "").strip(), contact_phone=phone, unit=unit
    )
    record(actor=actor, action=Action.CREATE, target=site, node_path=node.path, request=request)
    return site


@transaction.atomic
def add_rooms(
    *, actor, site: QuarantineSite, first: int, last: int, capacity: int, prefix: str = "", request=None
) -> dict:
    """Rooms numbered first…last (e.g. 101–120, optionally with a prefix such as A座) with `capacity`
    beds each. Numbers the site already has are left as they are. Returns the counts."""
    if not scoping.can(actor, scoping.WRITE, site.node):
        raise RuleError({"__all__": "无权修改该隔离点"}, code="forbidden")
    errors: dict[str, str] = {}
    if first < 1 or last < 1:
        errors["first"] = "房间号应为正整数"
    elif last < first:
        errors["last"] = "结束房间号不能小于起始房间号"
    elif last - first + 1 > MAX_ROOMS_AT_ONCE:
        errors["last"] = f"一次最多添加{MAX_ROOMS_AT_ONCE}间"
    if not 1 <= capacity <= MAX_BEDS_PER_ROOM:
        errors["capacity"] = f"每间床位应在1至{MAX_BEDS_PER_ROOM}之间"
    if errors:
        raise RuleError(errors)
    prefix = (prefix or "").strip()
    numbers = [f"{prefix}{n}" for n in range(first, last + 1)]
    existing = set(site.rooms.filter(number__in=numbers).values_list("number", flat=True))
    Room.objects.bulk_create(
        [Room(site=site, number=number, capacity=capacity) for number in numbers if number not in existing]
    )
    counts = {"created": len(numbers) - len(existing), "existing": len(existing)}
    record(
        actor=actor,
        action=Action.UPDATE,
        target=site,
        node_path=site.node.path,
        request=request,
        change="rooms",
        rooms=f"{numbers[0]}–{numbers[-1]}",
        capacity=capacity,
        **counts,
    )
    return counts
