"""Checkpoints (卡口): the checkpoints of a node, their duty shifts, and the passages recorded there.

Who may do what (grid.scoping decides the area; this module adds only the duty shift):
- A checkpoint belongs to a node. Staff who may write at that node create it and plan its shifts.
- A duty shift lets its user see the checkpoint and record passages there while it lasts, even when the
  checkpoint lies outside their own area (a grid worker manning the village gate).
- A verification at a checkpoint shows the colour and the masked name; the full name and the reasons
  only when the person lives in the verifier's area (the door keeper needs no more).
- A fever at a checkpoint is stored on the passage (`fever`, by the threshold of the policy in force
  there) and listed in the checkpoint fever list, which the checkpoint's area and the person's home area
  see. When the person is in the registry and the recorder may write for them, a `fever` screening is
  created at once; otherwise the home area sees the fever in its list and screens from there. The key
  persons' `Alert` is not used: it belongs to a measure, and most people at a checkpoint have none.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import parse_qs, unquote, urlsplit

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.checkpoints.models import Checkpoint, CheckpointKind, Direction, DutyShift, Outcome, Passage
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Membership
from fangkong.healthcodes import identity as identities
from fangkong.healthcodes.actions import verify_token
from fangkong.healthcodes.colours import colour_of
from fangkong.healthcodes.models import Colour, Identity
from fangkong.lib import idcard
from fangkong.lib.errors import RuleError
from fangkong.lib.temperature import check_temperature
from fangkong.measures import rules
from fangkong.measures.actions import record_screening
from fangkong.measures.models import Screening
from fangkong.policy.models import Reason
from fangkong.policy.queries import policy_for
from fangkong.registry.models import DocumentType, Person

MAX_SHIFT = dt.timedelta(hours=24)
FUTURE_SLACK = dt.timedelta(minutes=5)  # a phone's clock a little ahead is not an error
BACKFILL = dt.timedelta(days=7)  # how late a device may upload a passage
MAX_PASSENGERS = 99
SUBJECT_SALT = "fangkong.codes.checkpoint-subject"  # unchanged by the move: issued subjects stay valid
SUBJECT_MAX_AGE = 30 * 60  # seconds between the verification and the passage it is recorded with
# 鲁P12345, 鲁PD12345 (new energy), 鲁P1234挂 / 学 / 警: a province character, a letter, 5 or 6 more.
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE = re.compile(rf"^[{_PROVINCES}][A-Z][A-Z0-9]{{4,5}}[A-Z0-9挂学警港澳]$")
_FULL_WIDTH = {ord("Ａ") + i: ord("A") + i for i in range(26)} | {
    ord("０") + i: ord("0") + i for i in range(10)
}


# Access -------------------------------------------------------------------------------------------------


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _on_duty(user, at: dt.datetime) -> Exists:
    return Exists(
        DutyShift.objects.filter(checkpoint=OuterRef("pk"), user=user, starts_at__lte=at, ends_at__gt=at)
    )


def _checkpoints(user, capability: str, at: dt.datetime | None) -> QuerySet[Checkpoint]:
    if not _active(user):
        return Checkpoint.objects.none()
    condition = Q(_on_duty(user, at or timezone.now()))
    area = scoping.subtree_filter(user, capability, "node__path")
    if area is not None:
        condition |= area
    return Checkpoint.objects.filter(condition).select_related("node")


def checkpoints_visible_to(user, *, at: dt.datetime | None = None) -> QuerySet[Checkpoint]:
    """Checkpoints in the user's area, and the one where they are on duty now."""
    return _checkpoints(user, scoping.VIEW, at)


def access_checkpoint(user, pk, *, record: bool = False) -> Checkpoint:
    """One checkpoint, or Http404 for "missing" and "not yours" alike. `record`: the user must be able
    to record passages there (write access to its node, or on duty now)."""
    try:
        return _checkpoints(user, scoping.WRITE if record else scoping.VIEW, None).get(pk=pk)
    except (Checkpoint.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_record(user, checkpoint: Checkpoint, *, at: dt.datetime | None = None) -> bool:
    """Write access to the checkpoint's node, or on duty there now (or at `at`, for a late upload)."""
    if not _active(user):
        return False
    if scoping.can(user, scoping.WRITE, checkpoint.node):
        return True
    moments = {timezone.now()} | ({at} if at else set())
    shifts = DutyShift.objects.filter(checkpoint=checkpoint, user=user)
    return any(shifts.filter(starts_at__lte=m, ends_at__gt=m).exists() for m in moments)


def may_manage(user, checkpoint: Checkpoint) -> bool:
    return scoping.can(user, scoping.WRITE, checkpoint.node)


def current_shift(user, *, at: dt.datetime | None = None) -> DutyShift | None:
    """The user's shift now ("my shift now"), or None."""
    if not _active(user):
        return None
    at = at or timezone.now()
    return (
        DutyShift.objects.filter(user=user, starts_at__lte=at, ends_at__gt=at, checkpoint__active=True)
        .select_related("checkpoint__node")
        .order_by("starts_at")
        .first()
    )


def upcoming_shifts(user, *, at: dt.datetime | None = None, limit: int = 5) -> list[DutyShift]:
    at = at or timezone.now()
    return list(
        DutyShift.objects.filter(user=user, ends_at__gt=at)
        .select_related("checkpoint")
        .order_by("starts_at")[:limit]
    )


def shift_candidates(actor, checkpoint: Checkpoint) -> QuerySet:
    """Who may be put on a shift here by this actor: active users with a membership inside the actor's
    writable area (their own staff) or at the checkpoint's node or above it (township staff at a village
    gate). Nobody else: a shift grants access to the checkpoint."""
    nodes = Q()
    for top in scoping.nodes_with(actor, scoping.WRITE):
        nodes |= Q(node__path__startswith=top.path)
    ancestors = checkpoint.node.path.strip("/").split("/")
    members = Membership.objects.filter(nodes | Q(node__code__in=ancestors)).values("user")
    return get_user_model().objects.filter(is_active=True, pk__in=members).order_by("username")


# Checkpoints and shifts --------------------------------------------------------------------------------


@transaction.atomic
def create_checkpoint(
    *, actor, node: Jurisdiction, name: str, kind: str, address: str = "", request=None
) -> Checkpoint:
    if not scoping.can(actor, scoping.WRITE, node):
        raise RuleError({"node": "无权在该辖区设立卡口"}, code="forbidden")
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "卡口名称不能为空"
    elif len(name) > 100:
        errors["name"] = "卡口名称不能超过100个字符"
    elif Checkpoint.objects.filter(node=node, name=name).exists():
        errors["name"] = "该辖区已有同名卡口"
    if kind not in CheckpointKind.values:
        errors["kind"] = "请选择卡口类型"
    address = (address or "").strip()
    if len(address) > 200:
        errors["address"] = "位置不能超过200个字符"
    if errors:
        raise RuleError(errors)
    checkpoint = Checkpoint.objects.create(node=node, name=name, kind=kind, address=address)
    record(actor=actor, action=Action.CREATE, target=checkpoint, node_path=node.path, request=request)
    return checkpoint


@transaction.atomic
def set_checkpoint_active(*, actor, checkpoint: Checkpoint, active: bool, request=None) -> Checkpoint:
    """Close a checkpoint (it keeps its passages) or open it again."""
    scoping.require(actor, scoping.WRITE, checkpoint.node, "无权修改该卡口")
    Checkpoint.objects.filter(pk=checkpoint.pk).update(active=active)
    checkpoint.active = active
    record(
        actor=actor,
        action=Action.UPDATE,
        target=checkpoint,
        node_path=checkpoint.node.path,
        request=request,
        active=active,
    )
    return checkpoint


@transaction.atomic
def assign_shift(
    *, actor, checkpoint: Checkpoint, user, starts_at: dt.datetime, ends_at: dt.datetime, request=None
) -> DutyShift:
    """Put someone on duty at a checkpoint from `starts_at` to `ends_at` (at most 24 hours)."""
    scoping.require(actor, scoping.WRITE, checkpoint.node, "无权为该卡口排班")
    errors: dict[str, str] = {}
    if user is None or not shift_candidates(actor, checkpoint).filter(pk=user.pk).exists():
        errors["user"] = "请选择本辖区的值守人员"
    if ends_at <= starts_at:
        errors["ends_at"] = "下岗时间应晚于上岗时间"
    elif ends_at - starts_at > MAX_SHIFT:
        errors["ends_at"] = "一个班次不能超过24小时"
    elif ends_at <= timezone.now():
        errors["ends_at"] = "下岗时间已过，无需排班"
    if not checkpoint.active:
        errors["__all__"] = "该卡口已停用"
    if not errors:
        overlapping = DutyShift.objects.filter(user=user, starts_at__lt=ends_at, ends_at__gt=starts_at)
        clash = overlapping.select_related("checkpoint").first()
        if clash is not None:
            local = timezone.localtime(clash.starts_at)
            errors["starts_at"] = f"该人员{local:%m月%d日 %H:%M}起已在{clash.checkpoint.name}值守，时间重叠"
    if errors:
        raise RuleError(errors)
    shift = DutyShift.objects.create(checkpoint=checkpoint, user=user, starts_at=starts_at, ends_at=ends_at)
    record(
        actor=actor,
        action=Action.CREATE,
        target=shift,
        node_path=checkpoint.node.path,
        request=request,
        user=user.get_username(),
    )
    return shift


@transaction.atomic
def remove_shift(*, actor, shift: DutyShift, request=None) -> None:
    """Call off a shift: one that has not begun is removed, one under way ends now, a past one stays."""
    checkpoint = shift.checkpoint
    scoping.require(actor, scoping.WRITE, checkpoint.node, "无权修改该卡口的排班")
    now = timezone.now()
    if shift.ends_at <= now:
        raise RuleError({"__all__": "该班次已结束，不能取消"}, code="conflict")
    record(
        actor=actor,
        action=Action.UPDATE,
        target=shift,
        node_path=checkpoint.node.path,
        request=request,
        removed=shift.starts_at > now,
    )
    if shift.starts_at > now:
        shift.delete()
    else:
        DutyShift.objects.filter(pk=shift.pk).update(ends_at=now)


# Verification at a checkpoint --------------------------------------------------------------------------


@dataclass(frozen=True)
class Sighting:
    """What the door keeper sees after a scan or a typed ID number."""

    identity: Identity
    colour: str
    reasons: list[str]  # empty outside the verifier's area
    green_on: dt.date | None
    in_area: bool
    subject: str  # signed reference to the identity, for the passage form

    @property
    def colour_label(self) -> str:
        return str(Colour(self.colour).label)

    @property
    def name(self) -> str:
        return self.identity.name if self.in_area else self.identity.masked_name

    @property
    def masked_id_number(self) -> str:
        return self.identity.masked_id_number


def in_area(user, identity: Identity) -> bool:
    """Whether the person lives in the user's area: then the name and the reasons may be shown."""
    person = identity.person
    return person is not None and scoping.can(user, scoping.VIEW, person.node)


def sign_subject(*, actor, checkpoint: Checkpoint, identity: Identity) -> str:
    return signing.dumps({"i": identity.pk, "c": checkpoint.pk, "u": actor.pk}, salt=SUBJECT_SALT)


def read_subject(*, actor, checkpoint: Checkpoint, subject: str) -> Identity:
    """The identity a verification at this checkpoint by this user found, within SUBJECT_MAX_AGE."""
    try:
        data = signing.loads(subject, salt=SUBJECT_SALT, max_age=SUBJECT_MAX_AGE)
    except signing.SignatureExpired:
        raise RuleError({"subject": "核验已超过30分钟，请重新扫码或输入身份证号"}) from None
    except signing.BadSignature:
        raise RuleError({"subject": "核验信息无效，请重新扫码或输入身份证号"}) from None
    if not isinstance(data, dict) or data.get("c") != checkpoint.pk or data.get("u") != actor.pk:
        raise RuleError({"subject": "核验信息不属于本卡口，请重新扫码"})
    identity = Identity.objects.filter(pk=data.get("i")).select_related("person__node").first()
    if identity is None:
        raise RuleError({"subject": "核验信息无效，请重新扫码或输入身份证号"})
    return identity


def resight(*, actor, checkpoint: Checkpoint, subject: str) -> Sighting | None:
    """The verification again, for a passage form sent back with errors (already audited; no new row)."""
    try:
        identity = read_subject(actor=actor, checkpoint=checkpoint, subject=subject)
    except RuleError:
        return None
    return _sighting(actor=actor, checkpoint=checkpoint, identity=identity, result=colour_of(identity))


def _sighting(*, actor, checkpoint: Checkpoint, identity: Identity, result) -> Sighting:
    shown = in_area(actor, identity)
    return Sighting(
        identity=identity,
        colour=str(result.colour),
        reasons=list(result.reasons) if shown else [],
        green_on=result.green_on if shown else None,
        in_area=shown,
        subject=sign_subject(actor=actor, checkpoint=checkpoint, identity=identity),
    )


def _require_record(actor, checkpoint: Checkpoint, at: dt.datetime | None = None) -> None:
    if not may_record(actor, checkpoint, at=at):
        raise RuleError({"__all__": "您不在该卡口值守，不能登记"}, code="forbidden")


def extract_token(text: str) -> str:
    """The token in what the camera read: the code holds the token itself, or a link that carries it
    (?token=… / ?t=… or as the last part of the path)."""
    text = (text or "").strip()
    if "://" not in text and not text.startswith("/"):
        return text
    url = urlsplit(text)
    query = parse_qs(url.query)
    for key in ("token", "t"):
        if query.get(key):
            return query[key][0].strip()
    return unquote(url.path.rstrip("/").rpartition("/")[2])


def sight_token(*, actor, checkpoint: Checkpoint, token: str, request=None) -> Sighting:
    """A scanned health code, verified (signature, expiry, rate, audit) by healthcode_actions.verify_token;
    a forged or expired code raises its RuleError (tokens.InvalidToken) with the reason to show."""
    _require_record(actor, checkpoint)
    token = extract_token(token)
    if not token:
        raise RuleError({"token": "请扫描健康码"})
    verified = verify_token(actor, token, request=request)
    identity = verified["identity"]
    return Sighting(
        identity=identity,
        colour=str(verified["colour"]),
        reasons=list(verified["reasons"] or []) if verified["in_area"] else [],
        green_on=verified["green_on"] if verified["in_area"] else None,
        in_area=bool(verified["in_area"]),
        subject=sign_subject(actor=actor, checkpoint=checkpoint, identity=identity),
    )


def sight_id_number(
    *, actor, checkpoint: Checkpoint, id_number: str, name: str = "", phone: str = "", request=None
) -> Sighting:
    """A typed ID number (no phone, or a code that will not scan). Someone the codes have not met is
    taken from the registry, or else identified with the name and phone typed beside it. Audited: it
    reads a person's colour."""
    _require_record(actor, checkpoint)
    try:
        number = idcard.parse(id_number).normalized
    except idcard.InvalidIdNumber as exc:
        raise RuleError({"id_number": str(exc)}) from None
    found = Identity.objects.filter(id_number=number).select_related("person__node").first()
    if found is None:
        person = Person.objects.filter(document_type=DocumentType.RESIDENT_ID, id_number=number).first()
        if person is not None:
            found = identities.identity_for_person(person)
        elif not (name or "").strip() or not (phone or "").strip():
            raise RuleError({"name": "首次登记该身份证号，请填写姓名和手机号"})
        else:
            found = identities.identify(id_number=number, name=name, phone=phone)
    result = colour_of(found)
    record(
        actor=actor,
        action=Action.VIEW_PERSON,
        target=found,
        node_path=checkpoint.node.path,
        request=request,
        checkpoint=checkpoint.pk,
        via="id_number",
        colour=str(result.colour),
    )
    return _sighting(actor=actor, checkpoint=checkpoint, identity=found, result=result)


# Passages -----------------------------------------------------------------------------------------------


def normalize_plate(raw: str) -> str:
    """鲁p 12345 → 鲁P12345; ValueError in Chinese when it is not a plate."""
    plate = re.sub(r"[\s·.\-]", "", str(raw or "")).translate(_FULL_WIDTH).upper()
    if not PLATE.match(plate):
        raise ValueError("车牌号格式不正确，如 鲁P12345 或 鲁PD12345")
    return plate


def fever_threshold(checkpoint: Checkpoint, day: dt.date) -> Decimal:
    return Decimal(str(policy_for(checkpoint.node, day).values.get("fever_threshold", "37.3")))


@dataclass(frozen=True)
class Recorded:
    passage: Passage
    created: bool  # False: the same client_id was uploaded before, nothing new was written
    screening: Screening | None = None
    colour: str = ""


def _clean_text(errors: dict, field: str, value: str, limit: int, label: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        errors[field] = f"{label}不能超过{limit}个字符"
    return value


def replay(actor, checkpoint: Checkpoint, client_id: str) -> Recorded | None:
    """The passage already uploaded under this client_id by this user at this checkpoint, or None;
    RuleError (duplicate) when the client_id was used for something else."""
    existing = Passage.objects.filter(client_id=client_id).select_related("checkpoint__node").first()
    if existing is None:
        return None
    if existing.checkpoint_id != checkpoint.pk or existing.recorded_by_id != actor.pk:
        raise RuleError({"client_id": "该 client_id 已用于另一条记录"}, code="duplicate")
    return Recorded(
        passage=existing, created=False, screening=existing.screening, colour=existing.colour_seen
    )


def record_passage(
    *,
    actor,
    checkpoint: Checkpoint,
    direction: str,
    identity: Identity | None = None,
    plate: str = "",
    passengers: int | None = None,
    temperature=None,
    origin: str = "",
    destination: str = "",
    purpose: str = "",
    outcome: str = Outcome.PASS,
    at: dt.datetime | None = None,
    client_id: str | None = None,
    request=None,
) -> Recorded:
    """One person, or one vehicle (plate, passengers, origin) with nobody scanned, through a checkpoint.
    The colour seen is the person's colour just before this passage. A fever (≥ the policy's threshold)
    is marked on the passage, may not simply pass, and creates a `fever` screening when the person is in
    the registry and the recorder may write for them. Idempotent on `client_id`."""
    client_id = (client_id or "").strip() or None
    if client_id is not None:
        if len(client_id) > 64:
            raise RuleError({"client_id": "client_id 不能超过64个字符"})
        earlier = replay(actor, checkpoint, client_id)
        if earlier is not None:
            return earlier
    now = timezone.now()
    at = at or now
    _require_record(actor, checkpoint, at)
    fields, errors = _passage_fields(
        checkpoint=checkpoint,
        direction=direction,
        identity=identity,
        plate=plate,
        passengers=passengers,
        temperature=temperature,
        origin=origin,
        destination=destination,
        purpose=purpose,
        outcome=outcome,
        at=at,
        now=now,
    )
    colour = ""
    if identity is not None and not errors:
        colour = str(colour_of(identity, at=at).colour)
        if colour == Colour.RED and outcome == Outcome.PASS:
            errors["outcome"] = "红码人员不能放行，请劝返或移交社区"
    if errors:
        raise RuleError(errors)
    try:
        with transaction.atomic():
            passage = Passage.objects.create(
                checkpoint=checkpoint,
                identity=identity,
                colour_seen=colour,
                recorded_by=actor,
                client_id=client_id,
                **fields,
            )
            screening = _fever_screening(actor, checkpoint, passage, request)
            if screening is not None:
                Passage.objects.filter(pk=passage.pk).update(screening=screening)
                passage.screening = screening
            record(
                actor=actor,
                action=Action.CREATE,
                target=passage,
                node_path=checkpoint.node.path,
                request=request,
                outcome=passage.outcome,
                fever=passage.fever,
            )
    except IntegrityError:
        # The same client_id arrived twice at once: the other request wrote it.
        earlier = replay(actor, checkpoint, client_id) if client_id else None
        if earlier is None:
            raise
        return earlier
    return Recorded(passage=passage, created=True, screening=passage.screening, colour=colour)


def _passage_fields(
    *,
    checkpoint,
    direction,
    identity,
    plate,
    passengers,
    temperature,
    origin,
    destination,
    purpose,
    outcome,
    at,
    now,
) -> tuple[dict, dict]:
    errors: dict[str, str] = {}
    if not checkpoint.active:
        errors["__all__"] = "该卡口已停用"
    if direction not in Direction.values:
        errors["direction"] = "请选择进或出"
    if outcome not in Outcome.values:
        errors["outcome"] = "请选择处置结果"
    if at > now + FUTURE_SLACK:
        errors["at"] = "通行时间不能晚于现在"
    elif at < now - BACKFILL:
        errors["at"] = "只能补录7天内的通行记录"
    plate_value = ""
    if (plate or "").strip():
        try:
            plate_value = normalize_plate(plate)
        except ValueError as exc:
            errors["plate"] = str(exc)
    if identity is None and not plate_value and "plate" not in errors:
        errors["__all__"] = "请扫描健康码、输入身份证号，或登记车牌号"
    if passengers is not None:
        if not 0 <= passengers <= MAX_PASSENGERS:
            errors["passengers"] = f"同车人数应在0至{MAX_PASSENGERS}之间"
        elif not plate_value and "plate" not in errors:
            errors["passengers"] = "同车人数须与车牌号一起登记"
    temp = None
    if temperature not in (None, ""):
        try:
            temp = check_temperature(temperature)
        except ValueError as exc:
            errors["temperature"] = str(exc)
    fever = False
    if temp is not None and "at" not in errors:
        fever = rules.is_fever(temp, fever_threshold(checkpoint, timezone.localtime(at).date()))
        if fever and outcome == Outcome.PASS:
            errors["outcome"] = f"体温{temp}℃，为发热，不能直接放行：请引导至发热门诊或移交社区"
    fields = {
        "at": at,
        "direction": direction,
        "plate": plate_value,
        "passengers": passengers,
        "temperature": temp,
        "origin": _clean_text(errors, "origin", origin, 100, "来自何地"),
        "destination": _clean_text(errors, "destination", destination, 100, "去往何地"),
        "purpose": _clean_text(errors, "purpose", purpose, 100, "事由"),
        "outcome": outcome,
        "fever": fever,
    }
    return fields, errors


def _fever_screening(actor, checkpoint: Checkpoint, passage: Passage, request) -> Screening | None:
    identity = passage.identity
    if not passage.fever or identity is None or identity.person_id is None:
        return None
    person = identity.person
    if not scoping.can(actor, scoping.WRITE, person.node):
        return None  # the person's home area sees the fever in its list and screens from there
    day = timezone.localtime(passage.at).date()
    with translation.override("zh-hans"):  # stored: in Chinese whatever the interface language
        outcome = passage.get_outcome_display()
    return record_screening(
        actor=actor,
        person=person,
        reason=Reason.FEVER,
        screened_on=min(day, timezone.localdate()),
        origin_text=passage.origin[:100],
        notes=f"{checkpoint.name}测温{passage.temperature}℃（{outcome}）"[:300],
        request=request,
    )
