"""Writes of disinfection: places and entries. Each checks the actor's scope, runs in one transaction and
writes its audit row there."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.lib.errors import RuleError
from fangkong.registry.models import Unit

from . import rules
from .models import DisinfectionMethod, Entry, Place, PlaceKind


@transaction.atomic
def create_place(
    *,
    actor,
    node: Jurisdiction,
    name: str,
    kind: str,
    unit: Unit | None = None,
    address: str = "",
    request=None,
) -> Place:
    scoping.require(actor, scoping.WRITE, node, "无权在该辖区登记消杀场所", field="node")
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = "请填写场所名称"
    elif Place.objects.filter(node=node, name=name).exists():
        errors["name"] = "该辖区已有同名场所"
    if kind not in PlaceKind.values:
        errors["kind"] = "请选择场所类型"
    if unit is not None and not unit.node.path.startswith(node.path):
        errors["unit"] = "单位不在该辖区内"
    if errors:
        raise RuleError(errors)
    place = Place.objects.create(node=node, name=name, kind=kind, unit=unit, address=address.strip())
    record(actor=actor, action=Action.CREATE, target=place, node_path=node.path, request=request, kind=kind)
    return place


@transaction.atomic
def set_active(*, actor, place: Place, active: bool, request=None) -> Place:
    scoping.require(actor, scoping.WRITE, place.node, "无权修改该场所")
    place.active = active
    place.save(update_fields=["active"])
    record(
        actor=actor,
        action=Action.UPDATE,
        target=place,
        node_path=place.node.path,
        request=request,
        active=active,
    )
    return place


def clean_entry(fields: dict, *, now: dt.datetime) -> dict:
    """The entry's fields checked; RuleError naming each wrong one."""
    errors = {}
    started_at, ended_at = fields.get("started_at"), fields.get("ended_at")
    if started_at is None:
        errors["started_at"] = "请填写开始时间"
    if ended_at is None:
        errors["ended_at"] = "请填写结束时间"
    if started_at is not None and ended_at is not None:
        errors.update(rules.check_times(started_at=started_at, ended_at=ended_at, now=now))
    clean = {key: (value.strip() if isinstance(value, str) else value) for key, value in fields.items()}
    if not clean.get("agent"):
        errors["agent"] = "请填写消毒剂"
    if clean.get("method") not in DisinfectionMethod.values:
        errors["method"] = "请选择消毒方式"
    if not clean.get("done_by"):
        errors["done_by"] = "请填写消毒人员"
    area = clean.get("area_m2")
    if area not in (None, ""):
        try:
            area = Decimal(str(area))
        except InvalidOperation:
            errors["area_m2"] = "面积须为数字"
        else:
            if area < 0:
                errors["area_m2"] = "面积不能为负数"
        clean["area_m2"] = area
    else:
        clean["area_m2"] = None
    minutes = clean.get("contact_minutes")
    if minutes not in (None, ""):
        try:
            minutes = int(minutes)
        except (TypeError, ValueError):
            errors["contact_minutes"] = "作用时间须为整数分钟"
        else:
            if minutes < 0 or minutes > 24 * 60:
                errors["contact_minutes"] = "作用时间须在0至1440分钟之间"
        clean["contact_minutes"] = minutes
    else:
        clean["contact_minutes"] = None
    if errors:
        raise RuleError(errors)
    return clean


ENTRY_FIELDS = (
    "started_at",
    "ended_at",
    "target",
    "area_m2",
    "agent",
    "concentration",
    "method",
    "contact_minutes",
    "done_by",
    "checked_by",
    "note",
)


@transaction.atomic
def record_entry(*, actor, place: Place, import_key: str = "", request=None, **fields) -> Entry:
    """One disinfection done at a place (a row of the 消杀记录表)."""
    scoping.require(actor, scoping.WRITE, place.node, "无权登记该场所的消杀", field="place")
    unknown = set(fields) - set(ENTRY_FIELDS)
    if unknown:
        raise RuleError({name: "不是消杀记录的字段" for name in sorted(unknown)})
    clean = clean_entry(fields, now=timezone.now())
    entry = Entry.objects.create(
        place=place,
        import_key=import_key,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        **{name: clean.get(name) if clean.get(name) is not None else _blank(name) for name in ENTRY_FIELDS},
    )
    record(
        actor=actor,
        action=Action.CREATE,
        target=entry,
        node_path=place.node.path,
        request=request,
        started_at=entry.started_at.isoformat(),
    )
    return entry


def _blank(name: str):
    return None if name in ("area_m2", "contact_minutes") else ""
