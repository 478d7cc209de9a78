"""Who a resident is to the codes, and which residents a phone remembers.

Model: a resident identifies once on a phone with name, ID number and phone number. `identify` finds or
creates the one `Identity` for that ID number and links the registry `Person` with the same resident ID,
so that person's screenings and measures count for the colour. A name and an ID number are written in
many ledgers, so they prove nothing alone: the phone number must match too. For a registered person it is
the phone the community registered for them; for one registered without a phone (a child, an elder) the
phone of a member of their household (the family adds them on their own phone); with neither, the
community must register a phone first. For someone not registered here (a visitor) it is the phone first
given. A phone number is never replaced by identifying: a new number is registered by the community
(registry.update_person), and identify then takes it. The name must match what is already known too.
Guessing is what the attempt limit is for: failures are counted per device and per address in the
database (as failed logins are), so the limit holds across server processes.

The phone remembers identities in a cookie signed with SECRET_KEY (its own salt): the ids of the family
members identified on it, the current one first, and a random device id for the attempt limit. The
cookie can be read but not forged: a changed id breaks the signature. It is good for a year and shared
by every resident page (the code page, venue check-ins).
"""

import datetime as dt
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from fangkong.healthcodes.models import IdentifyAttempt, Identity
from fangkong.lib import idcard
from fangkong.lib.errors import RuleError
from fangkong.lib.phones import InvalidPhone, normalize_phone
from fangkong.registry.models import DocumentType, Person

COOKIE = "fk_device"
SALT = "fangkong.codes.device"  # unchanged by the move: phones stay identified
COOKIE_SECONDS = 365 * 24 * 3600
MAX_ON_DEVICE = 8  # the household: a phone that identifies a ninth forgets the oldest

# Attempt limit: a family adds a few members; failing five times on one phone, or many more times from
# one address (a village behind one carrier NAT), stops identification for a while.
WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_DEVICE = 5
MAX_FAILURES_PER_ADDRESS = 30
MAX_ATTEMPTS_PER_ADDRESS = 120
LOCKED_OUT = "尝试次数过多，请15分钟后再试"


def clean_name(raw: str) -> str:
    return (raw or "").strip().replace(" ", "").replace("\u3000", "")


WRONG_PHONE = "手机号与登记的不符，请填写在社区（村）登记的手机号；如已更换号码，请联系所在社区（村）更新"
NO_PHONE = "登记信息中没有您的手机号，请联系所在社区（村）登记手机号后再申领"


def _normalized(raw: str) -> str:
    try:
        return normalize_phone(raw) if raw else ""
    except InvalidPhone:
        return ""


def _accepted_phones(person: Person) -> set[str]:
    """The numbers that identify a registered person: their own, or with none, their household's."""
    own = _normalized(person.phone)
    if own:
        return {own}
    if person.household_id is None:
        return set()
    others = Person.objects.filter(household_id=person.household_id).exclude(pk=person.pk)
    return {_normalized(p) for p in others.values_list("phone", flat=True)} - {""}


def _check_registered_phone(person: Person, phone: str) -> None:
    """RuleError unless `phone` is one of `_accepted_phones(person)`."""
    accepted = _accepted_phones(person)
    if not accepted:
        raise RuleError({"phone": NO_PHONE})
    if phone not in accepted:
        raise RuleError({"phone": WRONG_PHONE})


@transaction.atomic
def identify(*, id_number: str, name: str, phone: str) -> Identity:
    """The Identity for this ID number, created on first use; RuleError with Chinese reasons per field.
    Idempotent: the same details give the same identity. The phone must be the registered one (see the
    module's docstring); the identity takes the registry's number when the community changed it."""
    errors: dict[str, str] = {}
    name = clean_name(name)
    if not name:
        errors["name"] = "姓名不能为空"
    elif len(name) > 50:
        errors["name"] = "姓名不能超过50个字"
    try:
        number = idcard.parse(id_number).normalized
    except idcard.InvalidIdNumber as exc:
        errors["id_number"] = str(exc)
    try:
        phone = normalize_phone(phone)
    except InvalidPhone as exc:
        errors["phone"] = str(exc)
    if errors:
        raise RuleError(errors)
    person = Person.objects.filter(document_type=DocumentType.RESIDENT_ID, id_number=number).first()
    if person is not None and person.name != name:
        raise RuleError({"name": "姓名与身份证号不符，请核对；如有疑问请联系所在社区（村）"})
    identity = Identity.objects.filter(id_number=number).first()
    if person is not None:
        _check_registered_phone(person, phone)
    elif identity is not None and identity.phone and identity.phone != phone:
        raise RuleError({"phone": WRONG_PHONE})
    if identity is None:
        try:
            with transaction.atomic():
                identity = Identity.objects.create(id_number=number, name=name, phone=phone)
        except IntegrityError:  # the same person identifying on two phones at once
            identity = Identity.objects.get(id_number=number)
    if identity.name != name and person is None:
        raise RuleError({"name": "姓名与身份证号不符，请核对；如有疑问请联系所在社区（村）"})
    changed = {}
    if identity.phone != phone:  # checked above: the registry's (or the household's) number, or a first one
        changed["phone"] = phone
    if (
        person is not None
        and identity.person_id is None
        and not Identity.objects.filter(person=person).exists()
    ):
        changed["person"] = person
    if person is not None and identity.name != name:
        changed["name"] = name  # the registry's name is the reference
    if changed:
        for field, value in changed.items():
            setattr(identity, field, value)
        identity.save(update_fields=list(changed))
    return identity


def link_registry_person(identity: Identity) -> Identity:
    """An identity made before its resident was registered gets the registry person of its ID number,
    when the names agree (as identify would accept them) and no other identity has that person: otherwise
    the person's screenings and measures would not count for the colour, and a resident under quarantine
    would show green. Returns the identity, with `person` set when it is linked.

    Whoever made the identity gave a name and an ID number, which prove nothing alone: when their phone
    number is not one the registry accepts for the person, the identity loses it, and so the phones that
    remember it forget it (`identities_on_device`) until the person identifies with a registered number."""
    if identity.person_id is not None:
        return identity
    person = (
        Person.objects.filter(document_type=DocumentType.RESIDENT_ID, id_number=identity.id_number)
        .select_related("node")
        .first()
    )
    if person is None or person.name != identity.name or Identity.objects.filter(person=person).exists():
        return identity
    phone = identity.phone if identity.phone in _accepted_phones(person) else ""
    if Identity.objects.filter(pk=identity.pk, person=None).update(person=person, phone=phone):
        identity.person, identity.phone = person, phone
    return identity


def identity_for_person(person: Person) -> Identity:
    """The Identity of a registry person, made from the registry when they never identified (staff set a
    manual colour, a checkpoint enters an ID number)."""
    identity = Identity.objects.filter(person=person).first()
    if identity is not None:
        return identity
    try:
        with transaction.atomic():
            identity, _ = Identity.objects.get_or_create(
                id_number=person.id_number, defaults={"name": person.name, "phone": person.phone}
            )
    except IntegrityError:
        identity = Identity.objects.get(id_number=person.id_number)
    if identity.person_id is None:
        Identity.objects.filter(pk=identity.pk, person=None).update(person=person)
        identity.person = person
    return identity


# The device ----------------------------------------------------------------------------------------------


def _read_cookie(request) -> dict:
    value = request.get_signed_cookie(COOKIE, default=None, salt=SALT, max_age=COOKIE_SECONDS)
    if not value or ":" not in value:
        return {"device": "", "ids": []}
    device, _, ids = value.partition(":")
    return {"device": device, "ids": [int(i) for i in ids.split(",") if i.isdigit()]}


def device_id(request) -> str:
    """This phone's random id (empty before it has identified anyone)."""
    return _read_cookie(request)["device"]


def identities_on_device(request) -> list[Identity]:
    """The identities this phone remembers, the current one first (one query, and one more for each not
    linked to a registry person). An identity with no phone number is not shown: it was claimed with a
    number the registry does not have for its person (link_registry_person)."""
    ids = _read_cookie(request)["ids"]
    found = {i.pk: i for i in Identity.objects.filter(pk__in=ids).select_related("person__node")}
    people = [found[i] for i in ids if i in found]
    return [p for p in (link_registry_person(p) for p in people) if p.phone]


def _write_cookie(response, request, device: str, ids: list[int]) -> None:
    response.set_signed_cookie(
        COOKIE,
        f"{device or secrets.token_hex(8)}:{','.join(str(i) for i in ids[:MAX_ON_DEVICE])}",
        salt=SALT,
        max_age=COOKIE_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def remember_on_device(response, request, identity: Identity, *, current: bool = True) -> None:
    """Remember `identity` on this phone: as the current one (the phone's owner, the code page shows it
    first), or with `current=False` after those it has (a family member added at a venue)."""
    cookie = _read_cookie(request)
    others = [i for i in cookie["ids"] if i != identity.pk]
    ids = [identity.pk, *others] if current else [*others, identity.pk]
    _write_cookie(response, request, cookie["device"], ids)


def ensure_device(response, request) -> None:
    """Give a phone its device id when it first shows the identification form, so that its failures are
    counted from the first one."""
    if not device_id(request):
        _write_cookie(response, request, "", [])


def forget_on_device(response, request, identity_id: int) -> None:
    cookie = _read_cookie(request)
    _write_cookie(response, request, cookie["device"], [i for i in cookie["ids"] if i != identity_id])


# Identifying from a resident page, with the attempt limit -------------------------------------------------


def _address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def is_locked_out(request) -> bool:
    recent = IdentifyAttempt.objects.filter(at__gte=timezone.now() - WINDOW)
    device, ip = device_id(request), _address(request)
    if device and recent.filter(device=device, ok=False).count() >= MAX_FAILURES_PER_DEVICE:
        return True
    if ip:
        from_address = recent.filter(ip=ip)
        if from_address.filter(ok=False).count() >= MAX_FAILURES_PER_ADDRESS:
            return True
        if from_address.count() >= MAX_ATTEMPTS_PER_ADDRESS:
            return True
    return False


def identify_from_request(request, *, id_number: str, name: str, phone: str) -> Identity:
    """`identify`, counted against this phone and address; refused while they are locked out. The caller
    then calls `remember_on_device` on its response."""
    if is_locked_out(request):
        raise RuleError({"__all__": LOCKED_OUT}, code="forbidden")
    attempt = {"ip": _address(request), "device": device_id(request)}
    try:
        identity = identify(id_number=id_number, name=name, phone=phone)
    except RuleError:
        IdentifyAttempt.objects.create(ok=False, **attempt)
        raise
    IdentifyAttempt.objects.create(ok=True, **attempt)
    return identity
