"""Writes of the cold chain: stores, lots and their documents, release for sale, the supervision
warehouse's steps, movements of parts of a lot, samples and their results, workers. Each checks the actor's
scope, runs in one transaction and writes its audit row there.

A movement out of a store first locks the `Holding` row of that store and lot (SELECT … FOR UPDATE on
PostgreSQL; SQLite's single writer serialises the same way), then checks the quantity against the balance
it read under the lock: two racing movements of the last 100 kg are served one after the other, and the
second is refused. A positive sample seals the lot (every part of it: the parts are the lot's movements),
and puts the workers who handled it on the test list (TraceTest, read by testing's schedule) and in the
cold-chain key group (testing.actions.add_to_key_group)."""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.lib.errors import RuleError
from fangkong.registry.models import Person, Unit
from fangkong.testing import actions as testing_actions
from fangkong.testing.models import KeyGroup

from . import rules
from .models import (
    ColdStore,
    DocumentKind,
    Holding,
    Lot,
    LotDocument,
    Movement,
    Sample,
    SampleKind,
    SampleResult,
    StoreKind,
    TraceTest,
    Worker,
)


def _by(actor):
    return actor if getattr(actor, "pk", None) else None


def _quantity(value, field: str = "quantity") -> Decimal:
    try:
        return rules.check_quantity(value)
    except ValueError as exc:
        raise RuleError({field: str(exc)}) from None


def _day(on, field: str = "on") -> dt.date:
    if on is None:
        raise RuleError({field: "请填写日期"})
    if on > timezone.localdate() + dt.timedelta(days=1):
        raise RuleError({field: "日期不能晚于今天"})
    return on


def _write_at(actor, store: ColdStore, message: str = "无权登记该冷库的进出货", field: str = "store") -> None:
    scoping.require(actor, scoping.WRITE, store.node, message, field=field)


# Stores -----------------------------------------------------------------------------------------------------


@transaction.atomic
def create_store(
    *,
    actor,
    node: Jurisdiction,
    name: str,
    manager: str,
    kind: str = StoreKind.COLD_STORE,
    unit: Unit | None = None,
    enterprise: str = "",
    address: str = "",
    capacity=None,
    manager_phone: str = "",
    supervisor: str = "",
    request=None,
) -> ColdStore:
    """A cold store or the supervision warehouse, with its enterprise (a registry unit when it is one)
    and its 库长."""
    scoping.require(actor, scoping.WRITE, node, "无权在该辖区登记冷库", field="node")
    name, manager, enterprise = name.strip(), manager.strip(), enterprise.strip()
    errors = {}
    if not name:
        errors["name"] = "请填写冷库名称"
    if kind not in StoreKind.values:
        errors["kind"] = "请选择类型（冷库或集中监管仓）"
    if unit is not None:
        if not unit.node.path.startswith(node.path):
            errors["unit"] = "企业不在该辖区内"
        enterprise = unit.name
    if not enterprise:
        errors["enterprise"] = "请填写经营企业"
    if not manager:
        errors["manager"] = "请填写库长（冷库负责人）"
    if capacity not in (None, ""):
        try:
            capacity = Decimal(str(capacity))
        except Exception:
            errors["capacity"] = "库容须为数字"
        else:
            if capacity <= 0:
                errors["capacity"] = "库容须大于0"
    else:
        capacity = None
    if name and ColdStore.objects.filter(node=node, name=name).exists():
        errors["name"] = "该辖区已有同名冷库"
    if errors:
        raise RuleError(errors)
    store = ColdStore.objects.create(
        node=node,
        name=name,
        kind=kind,
        unit=unit,
        enterprise=enterprise,
        address=address.strip(),
        capacity=capacity,
        manager=manager,
        manager_phone=manager_phone.strip(),
        supervisor=supervisor.strip(),
    )
    record(actor=actor, action=Action.CREATE, target=store, node_path=node.path, request=request, kind=kind)
    return store


# Holdings under a lock --------------------------------------------------------------------------------------


def _lock(store: ColdStore, lot: Lot) -> Holding:
    """The Holding row of the store and lot, locked until the transaction ends (made when missing)."""
    try:
        with transaction.atomic():
            Holding.objects.get_or_create(store=store, lot=lot)
    except IntegrityError:  # made meanwhile by a concurrent first movement
        pass
    return Holding.objects.select_for_update().get(store=store, lot=lot)


def _add(holding: Holding, change: Decimal) -> None:
    holding.quantity += change
    holding.save(update_fields=["quantity"])


# Lots -------------------------------------------------------------------------------------------------------


@transaction.atomic
def register_lot(
    *,
    actor,
    store: ColdStore,
    product: str,
    origin_country: str,
    quantity,
    number: str,
    received_on: dt.date,
    unit: str = "千克",
    container: str = "",
    document: str = "",
    handler: str = "",
    import_key: str = "",
    request=None,
) -> Lot:
    """An imported lot arriving at a store (usually the supervision warehouse): the lot and its first
    movement (入库)."""
    _write_at(actor, store)
    product, origin_country, number = product.strip(), origin_country.strip(), number.strip()
    errors = {}
    if not product:
        errors["product"] = "请填写品名"
    if not origin_country:
        errors["origin_country"] = "请填写原产国"
    if not number:
        errors["number"] = "请填写批号"
    if not (unit or "").strip():
        errors["unit"] = "请填写单位"
    try:
        quantity = rules.check_quantity(quantity)
    except ValueError as exc:
        errors["quantity"] = str(exc)
    if number and product and Lot.objects.filter(number=number, product=product).exists():
        errors["number"] = f"批号{number}（{product}）已登记"
    if errors:
        raise RuleError(errors)
    received_on = _day(received_on, "received_on")
    lot = Lot.objects.create(
        node=store.node,
        product=product,
        origin_country=origin_country,
        quantity=quantity,
        unit=unit.strip(),
        number=number,
        container=container.strip().upper(),
        received_on=received_on,
        import_key=import_key,
        recorded_by=_by(actor),
    )
    Movement.objects.create(
        lot=lot,
        target=store,
        on=received_on,
        quantity=quantity,
        document=document.strip(),
        handler=handler.strip(),
        import_key=import_key,
        recorded_by=_by(actor),
    )
    _add(_lock(store, lot), quantity)
    record(
        actor=actor,
        action=Action.CREATE,
        target=lot,
        node_path=store.node.path,
        request=request,
        store=store.pk,
        quantity=str(quantity),
    )
    return lot


def _write_lot(actor, lot: Lot, message: str) -> None:
    """A lot is written by whoever may write where it was registered or at a store holding it."""
    if scoping.can(actor, scoping.WRITE, lot.node):
        return
    stores = ColdStore.objects.filter(holdings__lot=lot).select_related("node")
    if not any(scoping.can(actor, scoping.WRITE, s.node) for s in stores):
        raise RuleError({"lot": message}, code="forbidden")


@transaction.atomic
def record_document(
    *, actor, lot: Lot, kind: str, number: str, issued_on: dt.date, file=None, request=None
) -> LotDocument:
    """One of 两证明一报告一信息 (number, date, optionally its file); recording it again replaces it."""
    _write_lot(actor, lot, "无权登记该批次的证明")
    number = (number or "").strip()
    errors = {}
    if kind not in DocumentKind.values:
        errors["kind"] = "请选择证明类别"
    if not number:
        errors["number"] = "请填写证明编号"
    if issued_on is None:
        errors["issued_on"] = "请填写出具日期"
    if errors:
        raise RuleError(errors)
    issued_on = _day(issued_on, "issued_on")
    document, created = LotDocument.objects.update_or_create(
        lot=lot,
        kind=kind,
        defaults={"number": number, "issued_on": issued_on, "recorded_by": _by(actor)},
    )
    if file is not None:
        document.file = file
        document.save(update_fields=["file"])
    record(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        target=document,
        node_path=lot.node.path,
        request=request,
        kind=kind,
        number=number,
    )
    return document


@transaction.atomic
def release_lot(*, actor, lot: Lot, request=None) -> Lot:
    """准予销售: only with all four documents, never a sealed lot."""
    _write_lot(actor, lot, "无权放行该批次")
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    if lot.sealed:
        raise RuleError({"__all__": "该批次因阳性样本已封存，不能准予销售"}, code="conflict")
    if lot.released_at is not None:
        return lot
    refusal = rules.release_refusal(rules.missing_documents(lot.documents.values_list("kind", flat=True)))
    if refusal:
        raise RuleError({"__all__": refusal}, code="conflict")
    lot.released_at = timezone.now()
    lot.save(update_fields=["released_at"])
    record(
        actor=actor,
        action=Action.UPDATE,
        target=lot,
        node_path=lot.node.path,
        request=request,
        change="release",
    )
    return lot


@transaction.atomic
def record_disinfection(*, actor, lot: Lot, on: dt.date, request=None) -> Lot:
    """The supervision warehouse disinfected the lot (its packaging) on `on`."""
    _write_lot(actor, lot, "无权登记该批次的消毒")
    lot.disinfected_on = _day(on)
    lot.save(update_fields=["disinfected_on"])
    record(
        actor=actor,
        action=Action.UPDATE,
        target=lot,
        node_path=lot.node.path,
        request=request,
        change="disinfect",
    )
    return lot


def warehouse_missing(lot: Lot, store: ColdStore, certificate: str) -> list[str]:
    samples = Sample.objects.filter(lot=lot, store=store, kind__in=[SampleKind.GOODS, SampleKind.PACKAGING])
    results = set(samples.values_list("result", flat=True))
    return rules.warehouse_exit_missing(
        disinfected=lot.disinfected_on is not None,
        sampled=bool(results),
        negative=bool(results) and results == {SampleResult.NEGATIVE},
        certificate=certificate or lot.exit_certificate,
    )


# Movements --------------------------------------------------------------------------------------------------


@transaction.atomic
def move(
    *,
    actor,
    lot: Lot,
    source: ColdStore,
    quantity,
    on: dt.date,
    target: ColdStore | None = None,
    buyer: str = "",
    buyer_phone: str = "",
    document: str = "",
    handler: str = "",
    exit_certificate: str = "",
    import_key: str = "",
    request=None,
) -> Movement:
    """A part of a lot leaves `source` for another store (调出) or for a buyer (销售). Refused beyond the
    lot's balance at the source (under its lock), for a sealed lot, to a buyer before the lot is released
    for sale, and out of the supervision warehouse without sampling, disinfection and exit certificate."""
    _write_at(actor, source, "无权登记该冷库的出货", field="source")
    quantity = _quantity(quantity)
    on = _day(on)
    buyer = buyer.strip()
    errors = {}
    if target is None and not buyer:
        errors["target"] = "请选择调入冷库或填写购货方"
    if target is not None and buyer:
        errors["buyer"] = "调入冷库与购货方只填一项"
    if target is not None and target.pk == source.pk:
        errors["target"] = "调入冷库不能与调出冷库相同"
    if target is not None and not scoping.can(actor, scoping.VIEW, target.node):
        errors["target"] = "调入冷库不存在"
    if errors:
        raise RuleError(errors)
    # Lock the holdings in one order (by store id) so two opposite transfers cannot deadlock; the source's
    # lock also serialises every write of this lot at this store.
    stores = sorted([source, target] if target is not None else [source], key=lambda s: s.pk)
    holdings = {s.pk: _lock(s, lot) for s in stores}
    holding = holdings[source.pk]
    lot = Lot.objects.get(pk=lot.pk)
    if lot.sealed:
        raise RuleError({"lot": f"批次{lot.number}因阳性样本已封存，不能出货"}, code="conflict")
    if target is None and lot.released_at is None:
        missing = rules.missing_documents(lot.documents.values_list("kind", flat=True))
        reason = rules.release_refusal(missing) or "不能准予销售：该批次尚未放行"
        raise RuleError({"buyer": f"{reason}，不能售出"}, code="conflict")
    if source.is_warehouse:
        missing = warehouse_missing(lot, source, exit_certificate)
        if missing:
            raise RuleError({"exit_certificate": "不能出仓：" + "、".join(missing)}, code="conflict")
        if exit_certificate.strip() and exit_certificate.strip() != lot.exit_certificate:
            lot.exit_certificate = exit_certificate.strip()
            lot.save(update_fields=["exit_certificate"])
    if quantity > holding.quantity:
        raise RuleError(
            {
                "quantity": f"超出结存：{source.name}现有批次{lot.number}共{rules.fmt(holding.quantity)}{lot.unit}，"
                f"不能出货{rules.fmt(quantity)}{lot.unit}"
            },
            code="conflict",
        )
    first_in = (
        Movement.objects.filter(lot=lot, target=source).order_by("on").values_list("on", flat=True).first()
    )
    if first_in is not None and on < first_in:
        raise RuleError({"on": f"出货日期早于该批次进入{source.name}的日期（{first_in:%Y-%m-%d}）"})
    _add(holding, -quantity)
    if target is not None:
        _add(holdings[target.pk], quantity)
    movement = Movement.objects.create(
        lot=lot,
        source=source,
        target=target,
        buyer=buyer,
        buyer_phone=buyer_phone.strip(),
        on=on,
        quantity=quantity,
        document=document.strip(),
        handler=handler.strip(),
        import_key=import_key,
        recorded_by=_by(actor),
    )
    record(
        actor=actor,
        action=Action.CREATE,
        target=movement,
        node_path=source.node.path,
        request=request,
        lot=lot.pk,
        to=target.pk if target else buyer,
        quantity=str(quantity),
    )
    return movement


# Samples ----------------------------------------------------------------------------------------------------


@transaction.atomic
def record_sample(
    *,
    actor,
    store: ColdStore,
    kind: str,
    code: str,
    sampled_on: dt.date,
    lot: Lot | None = None,
    lab: str = "",
    note: str = "",
    request=None,
) -> Sample:
    _write_at(actor, store, "无权在该冷库登记采样")
    code = (code or "").strip().upper()
    errors = {}
    if kind not in SampleKind.values:
        errors["kind"] = "请选择样本类型（货物、外包装、环境或污水）"
    if not code:
        errors["code"] = "请填写样本编号"
    elif Sample.objects.filter(code=code).exists():
        errors["code"] = f"样本编号{code}已登记"
    if kind in (SampleKind.GOODS, SampleKind.PACKAGING) and lot is None:
        errors["lot"] = "货物和外包装样本须选择批次"
    if lot is not None and not Holding.objects.filter(store=store, lot=lot).exists():
        errors["lot"] = "该批次未进入此冷库"
    if errors:
        raise RuleError(errors)
    sample = Sample.objects.create(
        code=code,
        kind=kind,
        store=store,
        lot=lot,
        sampled_on=_day(sampled_on, "sampled_on"),
        lab=lab.strip(),
        note=note.strip(),
        recorded_by=_by(actor),
    )
    record(
        actor=actor,
        action=Action.CREATE,
        target=sample,
        node_path=store.node.path,
        request=request,
        kind=kind,
    )
    return sample


@transaction.atomic
def record_result(
    *, actor, sample: Sample, result: str, result_on: dt.date | None = None, lab: str = "", request=None
) -> Sample:
    """A sample's result. A positive one seals its lot (or, for an environment or sewage sample with no
    lot, the lots the store held), and puts the workers who handled them on the test list."""
    _write_at(actor, sample.store, "无权登记该样本的结果")
    if result not in (SampleResult.NEGATIVE, SampleResult.POSITIVE):
        raise RuleError({"result": "检测结果应为阴性或阳性"})
    sample = Sample.objects.select_for_update().get(pk=sample.pk)
    if sample.result == result:
        return sample
    if sample.result != SampleResult.PENDING:
        raise RuleError(
            {"result": f"该样本已有结果（{sample.get_result_display()}），与本次不符"}, code="conflict"
        )
    sample.result = result
    sample.result_on = _day(result_on or timezone.localdate(), "result_on")
    if lab.strip():
        sample.lab = lab.strip()
    sample.result_at = timezone.now()
    sample.save(update_fields=["result", "result_on", "result_at", "lab"])
    record(
        actor=actor,
        action=Action.UPDATE,
        target=sample,
        node_path=sample.store.node.path,
        request=request,
        result=result,
    )
    if result == SampleResult.POSITIVE:
        _on_positive(actor=actor, sample=sample, request=request)
    return sample


def _on_positive(*, actor, sample: Sample, request=None) -> None:
    from . import queries  # the trace is a read

    now = timezone.now()
    lots = queries.lots_of_sample(sample)
    Lot.objects.filter(pk__in=[lot.pk for lot in lots], sealed_at=None).update(
        sealed_at=now, sealed_by=sample
    )
    handled = queries.workers_of_trace(queries.trace_of_sample(sample, today=sample.result_on))
    today = sample.result_on
    for worker in handled:
        TraceTest.objects.get_or_create(
            sample=sample, person=worker.person, defaults={"store": worker.store, "requested_on": today}
        )
        if scoping.can(actor, scoping.WRITE, worker.person.node):
            testing_actions.add_to_key_group(
                actor=actor, person=worker.person, group=KeyGroup.COLD_CHAIN, request=request
            )
    record(
        actor=actor,
        action=Action.UPDATE,
        target=sample,
        node_path=sample.store.node.path,
        request=request,
        change="seal",
        lots=[lot.pk for lot in lots],
        workers=sorted({w.person_id for w in handled}),
    )


# Workers ----------------------------------------------------------------------------------------------------


@transaction.atomic
def add_worker(
    *, actor, store: ColdStore, person: Person, since: dt.date, role: str = "", request=None
) -> Worker:
    """A person working at the store, put in the cold-chain key group (regular tests, testing/)."""
    _write_at(actor, store, "无权登记该冷库的从业人员")
    if Worker.objects.filter(store=store, person=person, until=None).exists():
        raise RuleError({"person": "该人员已在此冷库登记"})
    worker = Worker.objects.create(store=store, person=person, since=_day(since, "since"), role=role.strip())
    if scoping.can(actor, scoping.WRITE, person.node):
        testing_actions.add_to_key_group(
            actor=actor, person=person, group=KeyGroup.COLD_CHAIN, since=worker.since, request=request
        )
    record(actor=actor, action=Action.CREATE, target=worker, node_path=store.node.path, request=request)
    return worker


@transaction.atomic
def end_worker(*, actor, worker: Worker, until: dt.date, request=None) -> Worker:
    _write_at(actor, worker.store, "无权登记该冷库的从业人员")
    if until < worker.since:
        raise RuleError({"until": "离岗日期不能早于上岗日期"})
    worker.until = until
    worker.save(update_fields=["until"])
    record(
        actor=actor, action=Action.UPDATE, target=worker, node_path=worker.store.node.path, request=request
    )
    return worker
