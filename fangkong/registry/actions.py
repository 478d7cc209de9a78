"""Writes to the registry. Each action checks the actor's scope, runs in one transaction and writes
its audit row in that transaction."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.lib import idcard
from fangkong.lib.dates import today_in_shanghai
from fangkong.lib.errors import RuleError, StaleEdit
from fangkong.lib.phones import InvalidPhone, normalize_phone
from fangkong.lib.pinyin import pinyin_keys
from fangkong.lib.sorting import natural_key

from .models import DocumentType, Household, Person, Residence, Sex, Unit, UnitKind, Verification

# People and households live on a village or on one of its grids.
RESIDENTIAL_LEVELS = (Level.VILLAGE, Level.GRID)


def _check_node(actor, node: Jurisdiction, field: str = "node") -> None:
    if node.level not in RESIDENTIAL_LEVELS:
        raise RuleError({field: "请选择村（社区）或网格"})
    if not scoping.can(actor, scoping.WRITE, node):
        raise RuleError({field: "无权在该辖区登记"}, code="forbidden")


def _clean_household_fields(address: str) -> str:
    address = (address or "").strip()
    if not address:
        raise RuleError({"address": "地址不能为空"})
    return address


@transaction.atomic
def create_household(
    *, actor, node: Jurisdiction, address: str, dwelling_type: str, notes: str = "", request=None
) -> Household:
    _check_node(actor, node)
    address = _clean_household_fields(address)
    household = Household.objects.create(
        node=node,
        address=address,
        address_key=natural_key(address),
        dwelling_type=dwelling_type,
        notes=notes.strip(),
    )
    record(actor=actor, action=Action.CREATE, target=household, node_path=node.path, request=request)
    return household


@transaction.atomic
def update_household(
    *,
    actor,
    household: Household,
    version: int,
    address: str,
    dwelling_type: str,
    notes: str = "",
    request=None,
) -> Household:
    if not scoping.can(actor, scoping.WRITE, household.node):
        raise RuleError({"__all__": "无权修改该户"}, code="forbidden")
    address = _clean_household_fields(address)
    changed = Household.objects.filter(pk=household.pk, version=version).update(
        address=address,
        address_key=natural_key(address),
        dwelling_type=dwelling_type,
        notes=notes.strip(),
        version=F("version") + 1,
    )
    if not changed:
        raise StaleEdit("该户信息")
    household.refresh_from_db()
    record(
        actor=actor, action=Action.UPDATE, target=household, node_path=household.node.path, request=request
    )
    return household


def clean_person_fields(
    *,
    name: str,
    document_type: str,
    id_number: str,
    phone: str,
    sex: str | None = None,
    birth_date: dt.date | None = None,
) -> dict:
    """Normalise and validate what identifies a person; the resident ID decides sex and birth date."""
    errors: dict[str, str] = {}
    fields: dict = {"name": (name or "").strip().replace(" ", ""), "document_type": document_type}
    if not fields["name"]:
        errors["name"] = "姓名不能为空"
    elif len(fields["name"]) > 50:
        errors["name"] = "姓名不能超过50个字"
    if document_type == DocumentType.RESIDENT_ID:
        try:
            parsed = idcard.parse(id_number)
        except idcard.InvalidIdNumber as exc:
            errors["id_number"] = str(exc)
        else:
            fields.update(id_number=parsed.normalized, sex=parsed.sex, birth_date=parsed.birth_date)
    else:
        number = (id_number or "").strip().upper().replace(" ", "")
        if not number:
            errors["id_number"] = "证件号码不能为空"
        elif sex not in Sex.values:
            errors["sex"] = "请选择性别"
        if birth_date is not None and birth_date > today_in_shanghai():
            errors["birth_date"] = "出生日期不能晚于今天"
        elif birth_date is not None and birth_date.year < 1880:
            errors["birth_date"] = "出生日期不合理"
        fields.update(id_number=number, sex=sex, birth_date=birth_date)
    if phone and phone.strip():
        try:
            fields["phone"] = normalize_phone(phone)
        except InvalidPhone as exc:
            errors["phone"] = str(exc)
    else:
        fields["phone"] = ""
    if errors:
        raise RuleError(errors)
    fields["name_pinyin"], fields["name_initials"] = pinyin_keys(fields["name"])
    fields["id_last4"] = fields["id_number"][-4:]
    fields["phone_last4"] = fields["phone"][-4:]
    return fields


def _check_household(household: Household | None, node: Jurisdiction) -> None:
    if household is not None and household.node_id != node.id:
        raise RuleError({"household": "所选户不在该网格"})


def _check_unit(actor, unit: Unit | None) -> None:
    if unit is not None and not scoping.can(actor, scoping.VIEW, unit.node):
        raise RuleError({"unit": "单位不存在"})


@transaction.atomic
def register_person(
    *,
    actor,
    node: Jurisdiction,
    name: str,
    id_number: str,
    document_type: str = DocumentType.RESIDENT_ID,
    phone: str = "",
    household: Household | None = None,
    relation: str = "other",
    occupation: str = "",
    unit: Unit | None = None,
    notes: str = "",
    sex: str | None = None,
    birth_date: dt.date | None = None,
    request=None,
) -> Person:
    _check_node(actor, node)
    _check_household(household, node)
    _check_unit(actor, unit)
    fields = clean_person_fields(
        name=name,
        document_type=document_type,
        id_number=id_number,
        phone=phone,
        sex=sex,
        birth_date=birth_date,
    )
    if Person.objects.filter(document_type=fields["document_type"], id_number=fields["id_number"]).exists():
        # Say so without saying where: the other registration may be outside the actor's area.
        raise RuleError(
            {"id_number": "该证件号码已登记，如人员迁入请联系原所在网格办理迁移"}, code="duplicate"
        )
    try:
        with transaction.atomic():
            person = Person.objects.create(
                node=node,
                household=household,
                relation=relation,
                occupation=occupation.strip(),
                unit=unit,
                notes=notes.strip(),
                **fields,
            )
    except IntegrityError:  # registered at the same moment by someone else
        raise RuleError({"id_number": "该证件号码已登记"}, code="duplicate") from None
    Residence.objects.create(
        person=person, node=node, household=household, started_at=person.created_at, recorded_by=actor
    )
    record(actor=actor, action=Action.CREATE, target=person, node_path=node.path, request=request)
    return person


@transaction.atomic
def update_person(
    *,
    actor,
    person: Person,
    version: int,
    name: str,
    id_number: str,
    document_type: str,
    phone: str = "",
    household: Household | None = None,
    relation: str = "other",
    occupation: str = "",
    unit: Unit | None = None,
    notes: str = "",
    sex: str | None = None,
    birth_date: dt.date | None = None,
    request=None,
) -> Person:
    """Edit in place (not a move: the node stays). Refused with StaleEdit if `version` is not current."""
    if not scoping.can(actor, scoping.WRITE, person.node):
        raise RuleError({"__all__": "无权修改该人员"}, code="forbidden")
    _check_household(household, person.node)
    _check_unit(actor, unit)
    fields = clean_person_fields(
        name=name,
        document_type=document_type,
        id_number=id_number,
        phone=phone,
        sex=sex,
        birth_date=birth_date,
    )
    clash = Person.objects.filter(
        document_type=fields["document_type"], id_number=fields["id_number"]
    ).exclude(pk=person.pk)
    if clash.exists():
        raise RuleError({"id_number": "该证件号码已登记为另一人员"}, code="duplicate")
    before = {k: getattr(person, k) for k in ("name", "id_number", "phone")}
    changed = Person.objects.filter(pk=person.pk, version=version).update(
        household=household,
        relation=relation,
        occupation=occupation.strip(),
        unit=unit,
        notes=notes.strip(),
        version=F("version") + 1,
        updated_at=timezone.now(),
        **fields,
    )
    if not changed:
        raise StaleEdit("该人员信息")
    person.refresh_from_db()
    # The open residence follows the household, also when the person is taken out of one.
    Residence.objects.filter(person=person, ended_at=None).update(household=household)
    changed_fields = sorted(k for k, v in before.items() if getattr(person, k) != v)
    record(
        actor=actor,
        action=Action.UPDATE,
        target=person,
        node_path=person.node.path,
        request=request,
        changed=changed_fields,
    )
    return person


@transaction.atomic
def move_person(
    *,
    actor,
    person: Person,
    to_node: Jurisdiction,
    household: Household | None = None,
    reason: str = "",
    request=None,
) -> Person:
    """Move someone to another grid or village. The actor must be able to write at both ends;
    the old residence is closed and a new one opened, so history shows where they lived when."""
    if not scoping.can(actor, scoping.WRITE, person.node):
        raise RuleError({"__all__": "无权迁出该人员"}, code="forbidden")
    _check_node(actor, to_node, field="to_node")
    _check_household(household, to_node)
    if to_node.id == person.node_id and household == person.household:
        raise RuleError({"to_node": "迁入地与现住地相同"})
    now = timezone.now()
    from_path = person.node.path
    Residence.objects.filter(person=person, ended_at=None).update(ended_at=now)
    Residence.objects.create(
        person=person,
        node=to_node,
        household=household,
        started_at=now,
        reason=reason.strip(),
        recorded_by=actor,
    )
    Person.objects.filter(pk=person.pk).update(
        node=to_node, household=household, version=F("version") + 1, updated_at=now
    )
    person.refresh_from_db()
    record(
        actor=actor,
        action=Action.MOVE,
        target=person,
        node_path=to_node.path,
        request=request,
        from_path=from_path,
        reason=reason,
    )
    return person


@transaction.atomic
def verify_person(*, actor, person: Person, method: str, request=None) -> Person:
    if method not in (Verification.IN_PERSON, Verification.BY_PHONE):
        raise RuleError({"method": "请选择核查方式"})
    if not scoping.can(actor, scoping.WRITE, person.node):
        raise RuleError({"__all__": "无权核查该人员"}, code="forbidden")
    now = timezone.now()
    Person.objects.filter(pk=person.pk).update(
        verification=method, verified_at=now, verified_by=actor, version=F("version") + 1
    )
    person.refresh_from_db()
    record(
        actor=actor,
        action=Action.VERIFY,
        target=person,
        node_path=person.node.path,
        request=request,
        method=method,
    )
    return person


def reveal_person(*, actor, person: Person, request=None) -> dict:
    """The full ID and phone numbers, for an actor allowed to reveal them; audited."""
    if not scoping.can(actor, scoping.REVEAL, person.node):
        raise RuleError({"__all__": "无权查看完整证件号码和电话"}, code="forbidden")
    record(actor=actor, action=Action.REVEAL, target=person, node_path=person.node.path, request=request)
    return {"id_number": person.id_number, "phone": person.phone, "birth_date": person.birth_date}


def record_person_view(*, actor, person: Person, request=None) -> None:
    record(actor=actor, action=Action.VIEW_PERSON, target=person, node_path=person.node.path, request=request)


def record_household_view(*, actor, household: Household, members: int, request=None) -> None:
    """The household page lists its members' names and masked numbers: a read of personal data."""
    record(
        actor=actor,
        action=Action.VIEW_PERSON,
        target=household,
        node_path=household.node.path,
        request=request,
        page="household",
        members=members,
    )


# A unit may also belong to a township (a township central school, the township market).
UNIT_LEVELS = (Level.TOWNSHIP, Level.VILLAGE, Level.GRID)


@transaction.atomic
def create_unit(
    *,
    actor,
    node: Jurisdiction,
    name: str,
    kind: str,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    request=None,
) -> Unit:
    if node.level not in UNIT_LEVELS:
        raise RuleError({"node": "请选择乡镇（街道）、村（社区）或网格"})
    if not scoping.can(actor, scoping.WRITE, node):
        raise RuleError({"node": "无权在该辖区登记"}, code="forbidden")
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "单位名称不能为空"
    elif Unit.objects.filter(node=node, name=name).exists():
        errors["name"] = "该辖区已有同名单位"
    if kind not in UnitKind.values:
        errors["kind"] = "请选择单位类型"
    phone = ""
    if contact_phone and contact_phone.strip():
        try:
            phone = normalize_phone(contact_phone)
        except InvalidPhone as exc:
            errors["contact_phone"] = str(exc)
    if errors:
        raise RuleError(errors)
    unit = Unit.objects.create(
        node=node,
        name=name,
        kind=kind,
        address=(address or "").strip(),
        contact_name=(contact_name or "").strip(),
        contact_phone=phone,
    )
    record(actor=actor, action=Action.CREATE, target=unit, node_path=node.path, request=request)
    return unit
