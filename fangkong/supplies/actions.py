"""Writes of supplies: items, stores, receipts, issues, transfers and stock-takes. Each checks the actor's
scope, runs in one transaction and writes its audit row there.

Every write that changes a balance first locks the `Stock` row of its store and item (SELECT … FOR UPDATE
on PostgreSQL; SQLite's single writer serialises the same way), then checks against the balance it reads
under the lock. So two issues of the last 100 masks that race are served one after the other: the second
sees what the first left, and is refused when it is not enough. A back-dated write is checked against
every later day's balance too, so no day's balance goes negative."""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.lib.errors import RuleError
from fangkong.registry.models import Unit

from . import rules
from .models import Batch, Item, Movement, MovementKind, Store, StoreKind, SupplySource

ZERO = Decimal("0")
CATALOGUE_LEVELS = (Level.PROVINCE, Level.CITY, Level.COUNTY)


def _quantity(value, field: str = "quantity") -> Decimal:
    try:
        return rules.check_quantity(value)
    except ValueError as exc:
        raise RuleError({field: str(exc)}) from None


def _day(on: dt.date) -> dt.date:
    if on is None:
        raise RuleError({"on": "请填写日期"})
    if on > timezone.localdate() + dt.timedelta(days=1):
        raise RuleError({"on": "日期不能晚于今天"})
    return on


def _write_at(actor, store: Store, message: str = "无权登记该库点的出入库") -> None:
    scoping.require(actor, scoping.WRITE, store.node, message, field="store")


# Catalogue and stores ------------------------------------------------------------------------------------


@transaction.atomic
def create_item(*, actor, name: str, unit: str, spec: str = "", threshold=0, request=None) -> Item:
    """A new item of the catalogue, by someone who may write at a county or above."""
    if not any(n.level in CATALOGUE_LEVELS for n in scoping.nodes_with(actor, scoping.WRITE)):
        raise RuleError({"__all__": "物资品种由县级及以上维护"}, code="forbidden")
    name, spec, unit = name.strip(), spec.strip(), unit.strip()
    errors = {}
    if not name:
        errors["name"] = "请填写物资名称"
    if not unit:
        errors["unit"] = "请填写单位"
    if Item.objects.filter(name=name, spec=spec).exists():
        errors["name"] = "该物资品种（名称和规格）已存在"
    try:
        threshold = Decimal(str(threshold or 0))
    except Exception:
        errors["threshold"] = "警戒库存须为数字"
    else:
        if threshold < 0:
            errors["threshold"] = "警戒库存不能为负数"
    if errors:
        raise RuleError(errors)
    item = Item.objects.create(name=name, spec=spec, unit=unit, threshold=threshold)
    record(
        actor=actor, action=Action.CREATE, target=item, request=request, unit=unit, threshold=str(threshold)
    )
    return item


@transaction.atomic
def set_threshold(*, actor, item: Item, threshold, request=None) -> Item:
    if not any(n.level in CATALOGUE_LEVELS for n in scoping.nodes_with(actor, scoping.WRITE)):
        raise RuleError({"__all__": "物资品种由县级及以上维护"}, code="forbidden")
    try:
        value = Decimal(str(threshold))
    except Exception:
        raise RuleError({"threshold": "警戒库存须为数字"}) from None
    if value < 0:
        raise RuleError({"threshold": "警戒库存不能为负数"})
    before = item.threshold
    item.threshold = value
    item.save(update_fields=["threshold"])
    record(
        actor=actor, action=Action.UPDATE, target=item, request=request, threshold=[str(before), str(value)]
    )
    return item


@transaction.atomic
def create_store(
    *,
    actor,
    node: Jurisdiction,
    name: str,
    kind: str,
    unit: Unit | None = None,
    keeper: str = "",
    request=None,
) -> Store:
    scoping.require(actor, scoping.WRITE, node, "无权在该辖区设立库点", field="node")
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = "请填写库点名称"
    if kind not in StoreKind.values:
        errors["kind"] = "请选择库点类型"
    if kind == StoreKind.UNIT and unit is None:
        errors["unit"] = "单位物资点须选择单位"
    if unit is not None and not unit.node.path.startswith(node.path):
        errors["unit"] = "单位不在该辖区内"
    if name and Store.objects.filter(node=node, name=name).exists():
        errors["name"] = "该辖区已有同名库点"
    if errors:
        raise RuleError(errors)
    store = Store.objects.create(node=node, name=name, kind=kind, unit=unit, keeper=keeper.strip())
    record(actor=actor, action=Action.CREATE, target=store, node_path=node.path, request=request, kind=kind)
    return store


# Balances under a lock -----------------------------------------------------------------------------------


def _lock(store: Store, item: Item):
    """The Stock row of the store and item, locked until the transaction ends (made when missing)."""
    from .models import Stock

    try:
        with transaction.atomic():
            Stock.objects.get_or_create(store=store, item=item)
    except IntegrityError:  # made meanwhile by a concurrent first movement
        pass
    return Stock.objects.select_for_update().get(store=store, item=item)


def _check_room(stock, *, on: dt.date, change: Decimal, item: Item, store: Store) -> None:
    """Refuse a change that would make the balance negative on `on` or any later day."""
    if change >= 0:
        return
    if stock.quantity + change < 0:
        raise RuleError(
            {
                "quantity": f"库存不足：{store.name}现有{item.name}{_fmt(stock.quantity)}{item.unit}，不能出库{_fmt(-change)}{item.unit}"
            },
            code="conflict",
        )
    movements = Movement.objects.filter(store=store, item=item)
    opening = movements.filter(on__lt=on).aggregate(total=Sum("quantity"))["total"] or ZERO
    later = movements.filter(on__gte=on).order_by().values("on").annotate(total=Sum("quantity"))
    lowest = rules.lowest_after(opening, [(r["on"], r["total"]) for r in later], on=on, change=change)
    if lowest < 0:
        raise RuleError(
            {
                "quantity": f"库存不足：按{on:%Y-%m-%d}及以后各日的结存，{store.name}的{item.name}不足以出库{_fmt(-change)}{item.unit}"
            },
            code="conflict",
        )


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def _apply(stock, change: Decimal, on: dt.date) -> None:
    """Add a movement dated `on` to the kept balance (and to the date of its first movement)."""
    stock.quantity += change
    stock.since = on if stock.since is None else min(stock.since, on)
    stock.save(update_fields=["quantity", "since"])


def _batch(item: Item, number: str, expires_on: dt.date | None) -> Batch | None:
    number = (number or "").strip()
    if not number:
        return None
    batch, created = Batch.objects.get_or_create(
        item=item, number=number, defaults={"expires_on": expires_on}
    )
    if not created and expires_on and batch.expires_on != expires_on:
        if batch.expires_on is None:
            batch.expires_on = expires_on
            batch.save(update_fields=["expires_on"])
        else:
            raise RuleError({"expires_on": f"批号{number}的有效期已登记为{batch.expires_on:%Y-%m-%d}"})
    return batch


def _batches_held(store: Store, item: Item) -> list[tuple[int, dt.date | None, Decimal]]:
    rows = (
        Movement.objects.filter(store=store, item=item, batch__isnull=False)
        .order_by()
        .values("batch_id", "batch__expires_on")
        .annotate(total=Sum("quantity"))
    )
    return [(r["batch_id"], r["batch__expires_on"], r["total"]) for r in rows]


def _take(
    store: Store, item: Item, quantity: Decimal, batch: Batch | None
) -> list[tuple[int | None, Decimal]]:
    """Which batches an outgoing quantity comes from: the one named (if it holds enough), else first expiry first."""
    held = _batches_held(store, item)
    if batch is not None:
        have = next((q for b, _, q in held if b == batch.pk), ZERO)
        if have < quantity:
            raise RuleError(
                {"batch": f"批号{batch.number}在{store.name}仅存{_fmt(have)}{item.unit}"}, code="conflict"
            )
        return [(batch.pk, quantity)]
    return rules.first_expiring(held, quantity)


# Movements ------------------------------------------------------------------------------------------------


@transaction.atomic
def receive(
    *,
    actor,
    store: Store,
    item: Item,
    quantity,
    on: dt.date,
    source: str,
    donor: str = "",
    donor_public: bool = True,
    batch_number: str = "",
    expires_on: dt.date | None = None,
    document: str = "",
    handler: str = "",
    note: str = "",
    import_key: str = "",
    request=None,
) -> Movement:
    """入库: allocated (下拨), bought (自购) or donated (捐赠, with the donor)."""
    _write_at(actor, store)
    quantity = _quantity(quantity)
    on = _day(on)
    if source not in SupplySource.values:
        raise RuleError({"source": "请选择来源（下拨、自购或捐赠）"})
    donor = donor.strip()
    if source == SupplySource.DONATED and not donor:
        raise RuleError({"donor": "捐赠物资须填写捐赠方"})
    batch = _batch(item, batch_number, expires_on)
    stock = _lock(store, item)
    _apply(stock, quantity, on)
    movement = Movement.objects.create(
        store=store,
        item=item,
        batch=batch,
        kind=MovementKind.RECEIPT,
        on=on,
        quantity=quantity,
        source=source,
        donor=donor if source == SupplySource.DONATED else "",
        donor_public=donor_public,
        document=document.strip(),
        handler=handler.strip(),
        note=note.strip(),
        import_key=import_key,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    record(
        actor=actor,
        action=Action.CREATE,
        target=movement,
        node_path=store.node.path,
        request=request,
        kind=MovementKind.RECEIPT,
        quantity=str(quantity),
    )
    return movement


@transaction.atomic
def issue(
    *,
    actor,
    store: Store,
    item: Item,
    quantity,
    on: dt.date,
    approver: str,
    recipient_unit: Unit | None = None,
    recipient: str = "",
    receiver: str = "",
    batch: Batch | None = None,
    document: str = "",
    handler: str = "",
    note: str = "",
    import_key: str = "",
    request=None,
) -> list[Movement]:
    """领用出库 to a unit, approved by someone: refused when the store does not hold enough. Taken from
    the named batch, else first expiry first: one ledger line per batch it comes from."""
    _write_at(actor, store)
    quantity = _quantity(quantity)
    on = _day(on)
    errors = {}
    if not approver.strip():
        errors["approver"] = "领用须填写审批人"
    if recipient_unit is not None:
        recipient = recipient_unit.name
    if not recipient.strip():
        errors["recipient"] = "请填写领用单位"
    if errors:
        raise RuleError(errors)
    stock = _lock(store, item)
    _check_room(stock, on=on, change=-quantity, item=item, store=store)
    _apply(stock, -quantity, on)
    movements = []
    for batch_id, part in _take(store, item, quantity, batch):
        movements.append(
            Movement.objects.create(
                store=store,
                item=item,
                batch_id=batch_id,
                kind=MovementKind.ISSUE,
                on=on,
                quantity=-part,
                recipient_unit=recipient_unit,
                recipient=recipient.strip(),
                receiver=receiver.strip(),
                approver=approver.strip(),
                document=document.strip(),
                handler=handler.strip(),
                note=note.strip(),
                import_key=import_key,
                recorded_by=actor if getattr(actor, "pk", None) else None,
            )
        )
    record(
        actor=actor,
        action=Action.CREATE,
        target=movements[0],
        node_path=store.node.path,
        request=request,
        kind=MovementKind.ISSUE,
        quantity=str(quantity),
        recipient=recipient.strip(),
    )
    return movements


@transaction.atomic
def transfer(
    *,
    actor,
    source: Store,
    target: Store,
    item: Item,
    quantity,
    on: dt.date,
    document: str = "",
    handler: str = "",
    note: str = "",
    request=None,
) -> list[Movement]:
    """调拨: out of one store and into another, the batches going with the goods."""
    _write_at(actor, source, "无权从该库点调出物资")
    if not scoping.can(actor, scoping.VIEW, target.node):
        raise RuleError({"target": "调入库点不存在"})
    if source.pk == target.pk:
        raise RuleError({"target": "调入库点不能与调出库点相同"})
    quantity = _quantity(quantity)
    on = _day(on)
    # Lock both rows in one order (by store id) so two opposite transfers cannot deadlock.
    first, second = sorted([source, target], key=lambda s: s.pk)
    stocks = {first.pk: _lock(first, item), second.pk: _lock(second, item)}
    _check_room(stocks[source.pk], on=on, change=-quantity, item=item, store=source)
    parts = _take(source, item, quantity, None)
    _apply(stocks[source.pk], -quantity, on)
    _apply(stocks[target.pk], quantity, on)
    by = actor if getattr(actor, "pk", None) else None
    common = {
        "item": item,
        "on": on,
        "document": document.strip(),
        "handler": handler.strip(),
        "note": note.strip(),
    }
    movements = []
    for batch_id, part in parts:
        movements.append(
            Movement.objects.create(
                store=source,
                other_store=target,
                batch_id=batch_id,
                kind=MovementKind.TRANSFER_OUT,
                quantity=-part,
                recipient=target.name,
                recorded_by=by,
                **common,
            )
        )
        movements.append(
            Movement.objects.create(
                store=target,
                other_store=source,
                batch_id=batch_id,
                kind=MovementKind.TRANSFER_IN,
                quantity=part,
                recorded_by=by,
                **common,
            )
        )
    record(
        actor=actor,
        action=Action.CREATE,
        target=movements[0],
        node_path=source.node.path,
        request=request,
        kind="transfer",
        to=target.pk,
        quantity=str(quantity),
    )
    return movements


@transaction.atomic
def stocktake(
    *, actor, store: Store, item: Item, counted, on: dt.date, note: str = "", handler: str = "", request=None
) -> Movement | None:
    """盘点: what was counted at the end of `on`; the difference from the book balance is recorded as a
    movement (none when they agree). A back-dated count may not leave a later day negative."""
    _write_at(actor, store)
    on = _day(on)
    try:
        counted = Decimal(str(counted))
    except Exception:
        raise RuleError({"counted": "实盘数量须为数字"}) from None
    if counted < 0:
        raise RuleError({"counted": "实盘数量不能为负数"})
    if counted != counted.quantize(rules.CENT):
        raise RuleError({"counted": "实盘数量最多两位小数"})
    stock = _lock(store, item)
    book = (
        Movement.objects.filter(store=store, item=item, on__lte=on).aggregate(total=Sum("quantity"))["total"]
        or ZERO
    )
    difference = counted - book
    if difference == 0:
        record(
            actor=actor,
            action=Action.CREATE,
            target=store,
            node_path=store.node.path,
            request=request,
            kind=MovementKind.STOCKTAKE,
            item=item.pk,
            counted=str(counted),
            difference="0",
        )
        return None
    _check_room(stock, on=on, change=difference, item=item, store=store)
    _apply(stock, difference, on)
    movement = Movement.objects.create(
        store=store,
        item=item,
        kind=MovementKind.STOCKTAKE,
        on=on,
        quantity=difference,
        counted=counted,
        note=note.strip(),
        handler=handler.strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    record(
        actor=actor,
        action=Action.CREATE,
        target=movement,
        node_path=store.node.path,
        request=request,
        kind=MovementKind.STOCKTAKE,
        counted=str(counted),
        difference=str(difference),
    )
    return movement
