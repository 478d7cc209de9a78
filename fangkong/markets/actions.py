"""Writes of market supervision: pharmacies, weekly sales reports, real-name purchases (and the follow-up
of a fever-medicine buyer by their community), gatherings. Keyword-only arguments, an actor, one
transaction, its audit row."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.lib import idcard
from fangkong.lib.errors import RuleError
from fangkong.lib.phones import InvalidPhone, normalize_phone
from fangkong.registry.models import DocumentType, Person, Unit, UnitKind

from . import queries, rules
from .models import DrugClass, FeverFollowUp, Gathering, Pharmacy, Purchase, TaskStatus, WeeklySales

SOON = dt.timedelta(minutes=5)  # device clocks differ: "now" is allowed a little ahead
PHARMACY_LEVELS = (Level.TOWNSHIP, Level.VILLAGE, Level.GRID)
CLASS_FIELDS = ("fever", "cough", "antiviral", "antibiotic")


def _phone(raw: str, field: str, errors: dict) -> str:
    if not (raw or "").strip():
        return ""
    try:
        return normalize_phone(raw)
    except InvalidPhone as exc:
        errors[field] = str(exc)
        return ""


# Pharmacies -------------------------------------------------------------------------------------------


@transaction.atomic
def create_pharmacy(
    *,
    actor,
    node: Jurisdiction,
    name: str,
    licence_no: str,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    monitored: bool = True,
    request=None,
) -> Pharmacy:
    """A pharmacy at a node, with the registry unit an inspection of it is about."""
    if node.level not in PHARMACY_LEVELS:
        raise RuleError({"node": "请选择乡镇（街道）、村（社区）或网格"})
    scoping.require(actor, scoping.WRITE, node, "无权在该辖区登记药店", field="node")
    errors: dict[str, str] = {}
    name, licence_no = (name or "").strip(), (licence_no or "").strip().upper()
    if not name:
        errors["name"] = "药店名称不能为空"
    if not licence_no:
        errors["licence_no"] = "药品经营许可证号不能为空"
    elif Pharmacy.objects.filter(licence_no=licence_no).exists():
        errors["licence_no"] = f"许可证号{licence_no}已登记"
    phone = _phone(contact_phone, "contact_phone", errors)
    if errors:
        raise RuleError(errors)
    unit = Unit.objects.filter(node=node, name=name).first() or Unit.objects.create(
        node=node,
        name=name[:100],
        kind=UnitKind.OTHER,
        address=(address or "").strip()[:200],
        contact_name=(contact_name or "").strip()[:50],
        contact_phone=phone,
    )
    pharmacy = Pharmacy.objects.create(
        node=node,
        name=name[:100],
        licence_no=licence_no[:50],
        address=(address or "").strip()[:200],
        contact_name=(contact_name or "").strip()[:50],
        contact_phone=phone,
        unit=unit,
        monitored=monitored,
    )
    record(actor=actor, action=Action.CREATE, target=pharmacy, node_path=node.path, request=request)
    return pharmacy


# Weekly sales report ------------------------------------------------------------------------------------


def check_counts(counts: dict) -> dict[str, str]:
    errors = {}
    for field in CLASS_FIELDS:
        value = counts.get(field)
        if value is None or not isinstance(value, int) or value < 0:
            errors[field] = f"{DrugClass(field).label}销售数量应为不小于0的整数"
    return errors


@transaction.atomic
def submit_weekly(
    *,
    actor,
    pharmacy: Pharmacy,
    week_start: dt.date,
    fever: int,
    cough: int,
    antiviral: int,
    antibiotic: int,
    note: str = "",
    request=None,
    now: dt.datetime | None = None,
) -> tuple[WeeklySales, str]:
    """The pharmacy's report of one week (any day of it: the week is Monday to Sunday), new or corrected.
    Returns (report, "created" | "updated" | "unchanged")."""
    scoping.require(actor, scoping.WRITE, pharmacy.node, "无权为该药店报送周报")
    now = now or timezone.now()
    monday = rules.week_start(week_start)
    if monday > timezone.localdate(now):
        raise RuleError({"week_start": "不能报送尚未开始的周"})
    counts = {"fever": fever, "cough": cough, "antiviral": antiviral, "antibiotic": antibiotic}
    if errors := check_counts(counts):
        raise RuleError(errors)
    note = (note or "").strip()[:200]
    report = WeeklySales.objects.select_for_update().filter(pharmacy=pharmacy, week_start=monday).first()
    if report is None:
        report = WeeklySales.objects.create(
            pharmacy=pharmacy,
            week_start=monday,
            note=note,
            submitted_at=now,
            recorded_by=_by(actor),
            **counts,
        )
        state, action = "created", Action.CREATE
    else:
        before = {f: getattr(report, f) for f in (*CLASS_FIELDS, "note")}
        if before == {**counts, "note": note}:
            return report, "unchanged"
        for field, value in {**counts, "note": note}.items():
            setattr(report, field, value)
        report.submitted_at, report.recorded_by = now, _by(actor)
        report.save()
        state, action = "updated", Action.UPDATE
    record(
        actor=actor,
        action=action,
        target=report,
        node_path=pharmacy.node.path,
        request=request,
        week=monday.isoformat(),
        **counts,
    )
    return report, state


def _by(actor):
    return actor if getattr(actor, "pk", None) else None


# Purchases -----------------------------------------------------------------------------------------------


def check_purchase(
    *,
    buyer_name: str,
    id_number: str,
    phone: str,
    drug: str,
    drug_class: str,
    quantity,
    purchased_at: dt.datetime | None,
    now: dt.datetime,
) -> tuple[dict, dict[str, str]]:
    """(clean values, field → reason) of a purchase as typed at the counter or read from a ledger."""
    errors: dict[str, str] = {}
    values: dict = {}
    values["buyer_name"] = (buyer_name or "").strip()[:50]
    if not values["buyer_name"]:
        errors["buyer_name"] = "购药人姓名不能为空"
    try:
        values["id_number"] = idcard.parse(id_number or "", today=timezone.localdate(now)).normalized
    except idcard.InvalidIdNumber as exc:
        errors["id_number"] = str(exc)
    values["phone"] = _phone(phone, "phone", errors)
    values["drug"] = (drug or "").strip()[:100]
    if not values["drug"]:
        errors["drug"] = "药品名称不能为空"
    if drug_class not in DrugClass.values:
        errors["drug_class"] = "请选择药品类别（退热、止咳、抗病毒、抗生素）"
    values["drug_class"] = drug_class
    if not isinstance(quantity, int) or quantity < 1 or quantity > 1000:
        errors["quantity"] = "数量应为1至1000的整数"
    values["quantity"] = quantity
    if purchased_at is None:
        errors["purchased_at"] = "购药时间不能为空"
    elif timezone.is_naive(purchased_at):
        errors["purchased_at"] = "时间须带时区"
    elif purchased_at > now + SOON:
        errors["purchased_at"] = "购药时间不能晚于现在"
    values["purchased_at"] = purchased_at
    return values, errors


def registered_buyers(id_numbers) -> dict[str, Person]:
    """ID number → the registered person holding it (resident ID cards only)."""
    people = Person.objects.filter(
        document_type=DocumentType.RESIDENT_ID, id_number__in=list(set(id_numbers))
    ).select_related("node")
    return {p.id_number: p for p in people}


def _followup_for(purchase: Purchase, person: Person | None, *, hours: int) -> FeverFollowUp | None:
    if purchase.drug_class != DrugClass.FEVER or person is None:
        return None
    return FeverFollowUp(
        purchase=purchase,
        person=person,
        node=person.node,
        due_at=rules.followup_due(purchase.purchased_at, hours=hours),
    )


@transaction.atomic
def record_purchase(
    *,
    actor,
    pharmacy: Pharmacy,
    buyer_name: str,
    id_number: str,
    drug: str,
    drug_class: str,
    quantity: int = 1,
    phone: str = "",
    symptoms: str = "",
    purchased_at: dt.datetime | None = None,
    request=None,
    now: dt.datetime | None = None,
) -> Purchase:
    """One purchase entered at the counter (now, unless a time is given). A fever-medicine buyer who is
    registered becomes a follow-up task of their community; one who is not is listed for the pharmacy's
    township to find (queries.unregistered_fever_buyers)."""
    scoping.require(actor, scoping.WRITE, pharmacy.node, "无权为该药店登记购药")
    now = now or timezone.now()
    values, errors = check_purchase(
        buyer_name=buyer_name,
        id_number=id_number,
        phone=phone,
        drug=drug,
        drug_class=drug_class,
        quantity=quantity,
        purchased_at=purchased_at or now,
        now=now,
    )
    if errors:
        raise RuleError(errors)
    person = registered_buyers([values["id_number"]]).get(values["id_number"])
    purchase = Purchase.objects.create(
        pharmacy=pharmacy,
        node=pharmacy.node,
        person=person,
        symptoms=(symptoms or "").strip()[:100],
        recorded_by=_by(actor),
        **values,
    )
    hours = queries.followup_hours(pharmacy.node, timezone.localdate(purchase.purchased_at))
    followup = _followup_for(purchase, person, hours=hours)
    if followup is not None:
        followup.save()
    record(
        actor=actor,
        action=Action.CREATE,
        target=purchase,
        node_path=pharmacy.node.path,
        request=request,
        drug_class=purchase.drug_class,
        registered=person is not None,
        followup=followup.pk if followup else None,
    )
    return purchase


@transaction.atomic
def complete_followup(*, actor, followup: FeverFollowUp, outcome: str, request=None) -> FeverFollowUp:
    """The community has contacted the buyer: what it found (无发热已告知就诊 / 已送发热门诊 …)."""
    scoping.require(actor, scoping.WRITE, followup.node, "无权核查该人员")
    outcome = (outcome or "").strip()
    if not outcome:
        raise RuleError({"outcome": "请填写核查结果"})
    if followup.status == TaskStatus.DONE:
        raise RuleError({"__all__": "该人员已核查"}, code="conflict")
    followup.status = TaskStatus.DONE
    followup.outcome = outcome[:300]
    followup.done_at = timezone.now()
    followup.done_by = _by(actor)
    followup.save(update_fields=["status", "outcome", "done_at", "done_by"])
    record(
        actor=actor,
        action=Action.UPDATE,
        target=followup,
        node_path=followup.node.path,
        request=request,
        change="followup_done",
    )
    return followup


@transaction.atomic
def mark_found(*, actor, purchase: Purchase, note: str, request=None) -> Purchase:
    """An unregistered fever-medicine buyer found by the pharmacy's township (and, where they live in the
    area, registered there through the registry's pages)."""
    scoping.require(actor, scoping.WRITE, purchase.node, "无权处理该购药记录")
    note = (note or "").strip()
    if not note:
        raise RuleError({"found_note": "请填写查找结果"})
    if purchase.person_id or purchase.found_at:
        raise RuleError({"__all__": "该购药人已登记或已找到"}, code="conflict")
    purchase.found_at = timezone.now()
    purchase.found_note = note[:200]
    purchase.save(update_fields=["found_at", "found_note"])
    record(
        actor=actor,
        action=Action.UPDATE,
        target=purchase,
        node_path=purchase.node.path,
        request=request,
        change="buyer_found",
    )
    return purchase


@transaction.atomic
def match_registered(*, actor, purchases, request=None, now: dt.datetime | None = None) -> int:
    """Unregistered fever-medicine buyers who have since been registered: linked, and passed to their
    community. Returns the tasks made."""
    now = now or timezone.now()
    rows = [
        p
        for p in purchases.select_related("pharmacy__node")
        if p.person_id is None and p.drug_class == DrugClass.FEVER
    ]
    people = registered_buyers(p.id_number for p in rows)
    made = 0
    for purchase in rows:
        person = people.get(purchase.id_number)
        if person is None or not scoping.can(actor, scoping.WRITE, purchase.node):
            continue
        purchase.person = person
        purchase.save(update_fields=["person"])
        hours = queries.followup_hours(purchase.node, timezone.localdate(purchase.purchased_at))
        followup = _followup_for(purchase, person, hours=hours)
        if followup is not None and not FeverFollowUp.objects.filter(purchase=purchase).exists():
            followup.save()
            made += 1
            record(
                actor=actor,
                action=Action.UPDATE,
                target=purchase,
                node_path=purchase.node.path,
                request=request,
                change="buyer_matched",
                followup=followup.pk,
            )
    return made


# Gatherings ------------------------------------------------------------------------------------------------


@transaction.atomic
def record_gatherings(
    *,
    actor,
    node: Jurisdiction,
    day: dt.date,
    reported: int,
    cancelled: int,
    tables_cancelled: int = 0,
    note: str = "",
    request=None,
) -> tuple[Gathering, str]:
    """A township's gatherings of one day, new or corrected. Returns (row, created/updated/unchanged)."""
    if node.level != Level.TOWNSHIP:
        raise RuleError({"node": "群体性聚餐按乡镇（街道）每日上报，请选择乡镇（街道）"})
    scoping.require(actor, scoping.WRITE, node, "无权为该乡镇上报", field="node")
    if day > timezone.localdate():
        raise RuleError({"day": "日期不能晚于今天"})
    if errors := rules.check_gathering_counts(
        reported=reported, cancelled=cancelled, tables=tables_cancelled
    ):
        raise RuleError(errors)
    values = {
        "reported": reported,
        "cancelled": cancelled,
        "tables_cancelled": tables_cancelled,
        "note": (note or "").strip()[:200],
    }
    row = Gathering.objects.select_for_update().filter(node=node, day=day).first()
    if row is None:
        row = Gathering.objects.create(node=node, day=day, recorded_by=_by(actor), **values)
        state, action = "created", Action.CREATE
    else:
        if all(getattr(row, k) == v for k, v in values.items()):
            return row, "unchanged"
        for k, v in values.items():
            setattr(row, k, v)
        row.recorded_by = _by(actor)
        row.save()
        state, action = "updated", Action.UPDATE
    record(
        actor=actor,
        action=action,
        target=row,
        node_path=node.path,
        request=request,
        day=day.isoformat(),
        reported=reported,
        cancelled=cancelled,
    )
    return row, state
