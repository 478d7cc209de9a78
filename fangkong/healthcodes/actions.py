"""Writes for health codes — risk areas, manual colours, appeals, the rule table — and the verification
of a code that the API and the checkpoint pages share. Each write checks the actor's scope, runs in one
transaction and writes its audit row there."""

import datetime as dt
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.healthcodes import rules as code_rules
from fangkong.healthcodes import sources, tokens
from fangkong.healthcodes.colours import colour_of
from fangkong.healthcodes.identity import identity_for_person
from fangkong.healthcodes.models import (
    Appeal,
    Colour,
    Identity,
    ManualColour,
    RiskArea,
    RiskLevel,
    VerificationCount,
)
from fangkong.healthcodes.queries import DECLARING_LEVELS, active_manual_colours, can_handle_appeal
from fangkong.lib.errors import RuleError
from fangkong.policy import actions as policy_actions
from fangkong.policy.presets import DEFAULT_PRESET
from fangkong.policy.queries import policy_for, preset_values
from fangkong.registry.models import Person

MAX_MANUAL_DAYS = 30  # a manual colour is a stopgap: renew it, or fix the records behind it


# Risk areas -----------------------------------------------------------------------------------------------


@transaction.atomic
def create_risk_area(
    *,
    actor,
    declared_by: Jurisdiction,
    level: str,
    starts_on: dt.date,
    node: Jurisdiction | None = None,
    division_code: str = "",
    name: str = "",
    ends_on: dt.date | None = None,
    request=None,
) -> RiskArea:
    """A medium or high-risk area declared by a county (or above): a node of the tree, or a named place
    elsewhere with its division code."""
    if declared_by.level not in DECLARING_LEVELS:
        raise RuleError({"declared_by": "风险区由县级及以上发布"}, code="forbidden")
    scoping.require(actor, scoping.MANAGE_USERS, declared_by, "只有县级及以上管理员可以发布风险区")
    errors = {}
    division_code = (division_code or "").strip()
    name = (name or "").strip() or (node.name if node else "")
    if level not in RiskLevel.values:
        errors["level"] = "请选择风险等级"
    if node is None and not division_code:
        errors["division_code"] = "请选择辖区，或填写外地地名的区划代码"
    if node is not None and not declared_by.contains(node):
        errors["node"] = "只能将本辖区内的地方划为风险区"
    if division_code and not (division_code.isdigit() and len(division_code) in (2, 4, 6, 9, 12)):
        errors["division_code"] = "区划代码应为2、4、6、9或12位数字"
    if not name:
        errors["name"] = "名称不能为空"
    elif len(name) > 100:
        errors["name"] = "名称不能超过100个字"
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "解除日期不能早于起始日期"
    if errors:
        raise RuleError(errors)
    area = RiskArea.objects.create(
        level=level,
        node=node,
        division_code=division_code,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        declared_by=declared_by,
        created_by=actor,
    )
    record(
        actor=actor,
        action=Action.CREATE,
        target=area,
        node_path=declared_by.path,
        request=request,
        level=level,
        starts_on=str(starts_on),
    )
    return area


@transaction.atomic
def end_risk_area(*, actor, area: RiskArea, ends_on: dt.date, request=None) -> RiskArea:
    scoping.require(actor, scoping.MANAGE_USERS, area.declared_by, "只有发布辖区的管理员可以解除风险区")
    if ends_on < area.starts_on:
        raise RuleError({"ends_on": "解除日期不能早于起始日期"})
    changed = RiskArea.objects.filter(pk=area.pk, ends_on=None).update(ends_on=ends_on)
    if not changed:
        raise RuleError({"__all__": "该风险区已解除"}, code="conflict")
    area.refresh_from_db()
    record(
        actor=actor,
        action=Action.UPDATE,
        target=area,
        node_path=area.declared_by.path,
        request=request,
        change="end",
        ends_on=str(ends_on),
    )
    return area


# Manual colours -------------------------------------------------------------------------------------------


@transaction.atomic
def set_manual_colour(
    *,
    actor,
    person: Person,
    colour: str,
    reason: str,
    expires_at: dt.datetime,
    starts_at: dt.datetime | None = None,
    request=None,
) -> ManualColour:
    """Give a person a colour by hand, with a reason and an expiry; only admins of the person's node. It
    replaces the manual colour they had."""
    scoping.require(actor, scoping.MANAGE_USERS, person.node, "只有管理员可以人工赋码")
    now = timezone.now()
    starts_at = starts_at or now
    reason = (reason or "").strip()
    errors = {}
    if colour not in Colour.values:
        errors["colour"] = "请选择颜色"
    if not reason:
        errors["reason"] = "请填写赋码原因"
    elif len(reason) > 200:
        errors["reason"] = "原因不能超过200个字"
    if expires_at is None:
        errors["expires_at"] = "请填写失效时间"
    elif expires_at <= max(starts_at, now):
        errors["expires_at"] = "失效时间应晚于现在"
    elif expires_at - starts_at > dt.timedelta(days=MAX_MANUAL_DAYS):
        errors["expires_at"] = f"人工赋码有效期最长{MAX_MANUAL_DAYS}天，期满可再次赋码"
    if errors:
        raise RuleError(errors)
    identity = identity_for_person(person)
    replaced = list(active_manual_colours(identity, now).values_list("pk", flat=True))
    ManualColour.objects.filter(pk__in=replaced).update(revoked_at=now)
    manual = ManualColour.objects.create(
        identity=identity,
        colour=colour,
        reason=reason,
        starts_at=starts_at,
        expires_at=expires_at,
        node=person.node,
        set_by=actor,
    )
    record(
        actor=actor,
        action=Action.CREATE,
        target=manual,
        node_path=person.node.path,
        request=request,
        colour=colour,
        reason=reason,
        expires_at=expires_at.isoformat(),
        replaced=replaced,
    )
    return manual


@transaction.atomic
def revoke_manual_colour(*, actor, manual: ManualColour, note: str = "", request=None) -> ManualColour:
    scoping.require(actor, scoping.MANAGE_USERS, manual.node, "只有管理员可以撤销人工赋码")
    changed = ManualColour.objects.filter(pk=manual.pk, revoked_at=None).update(revoked_at=timezone.now())
    if not changed:
        raise RuleError({"__all__": "该人工赋码已撤销"}, code="conflict")
    manual.refresh_from_db()
    record(
        actor=actor,
        action=Action.UPDATE,
        target=manual,
        node_path=manual.node.path,
        request=request,
        change="revoke",
        note=note[:200],
    )
    return manual


# Appeals --------------------------------------------------------------------------------------------------


def home_node(identity: Identity) -> Jurisdiction | None:
    """Where an appeal of this identity is handled: the node of their registry person; else the county
    of the ID number's region when the tree has it; else the county of their last checkpoint or venue."""
    if identity.person_id:
        return identity.person.node
    county = Jurisdiction.objects.filter(code=identity.id_number[:6], level=Level.COUNTY).first()
    if county is not None:
        return county
    node = next(filter(None, (source(identity) for source in sources.LAST_SEEN)), None)
    if node is None:
        return None
    codes = node.path.strip("/").split("/")
    return Jurisdiction.objects.filter(code__in=codes, level=Level.COUNTY).first() or node


@transaction.atomic
def submit_appeal(*, identity: Identity, text: str, request=None) -> Appeal:
    """A resident's objection to their colour, from their code page (no account: the device is theirs)."""
    text = (text or "").strip()
    if not text:
        raise RuleError({"text": "请写明申诉理由"})
    if len(text) > 500:
        raise RuleError({"text": "申诉理由不能超过500个字"})
    if Appeal.objects.filter(identity=identity, status=Appeal.Status.OPEN).exists():
        raise RuleError({"text": "您已有一条申诉正在处理，请耐心等待"}, code="duplicate")
    node = home_node(identity)
    appeal = Appeal.objects.create(identity=identity, colour=colour_of(identity).colour, text=text, node=node)
    record(
        actor=None,
        action=Action.CREATE,
        target=appeal,
        node_path=node.path if node else "",
        request=request,
    )
    return appeal


def _handle(actor, appeal: Appeal, status: str, response: str, request, **detail) -> Appeal:
    if not can_handle_appeal(actor, appeal):
        raise RuleError({"__all__": "只有管理员可以处理申诉"}, code="forbidden")
    response = (response or "").strip()
    if not response:
        raise RuleError({"response": "请填写处理意见"})
    if len(response) > 500:
        raise RuleError({"response": "处理意见不能超过500个字"})
    changed = Appeal.objects.filter(pk=appeal.pk, status=Appeal.Status.OPEN).update(
        status=status, response=response, handled_by=actor, handled_at=timezone.now()
    )
    if not changed:
        raise RuleError({"__all__": "该申诉已处理"}, code="conflict")
    appeal.refresh_from_db()
    record(
        actor=actor,
        action=Action.UPDATE,
        target=appeal,
        node_path=appeal.node.path if appeal.node else "",
        request=request,
        change=status,
        **detail,
    )
    return appeal


@transaction.atomic
def uphold_appeal(*, actor, appeal: Appeal, response: str, request=None) -> Appeal:
    """The appeal is right: the manual red or yellow the person has is revoked (a colour that comes from
    records is corrected by correcting the records; the response says what was done)."""
    now = timezone.now()
    revoked = list(
        active_manual_colours(appeal.identity, now).exclude(colour=Colour.GREEN).values_list("pk", flat=True)
    )
    appeal = _handle(actor, appeal, Appeal.Status.UPHELD, response, request, revoked=revoked)
    ManualColour.objects.filter(pk__in=revoked).update(revoked_at=now)
    return appeal


@transaction.atomic
def reject_appeal(*, actor, appeal: Appeal, response: str, request=None) -> Appeal:
    return _handle(actor, appeal, Appeal.Status.REJECTED, response, request)


# The rule table -------------------------------------------------------------------------------------------


@transaction.atomic
def set_code_rules(
    *, actor, node: Jurisdiction, effective_from: dt.date, rules: dict, note: str = "", request=None
):
    """A new policy for `node` from a date, equal to the one in force then except for its health-code rule
    table. Only admins (set_policy checks)."""
    unknown = {key: "不是可设置的赋码规则" for key in rules if key not in code_rules.RULES}
    if unknown:
        raise RuleError(unknown)
    in_force = policy_for(node, effective_from).values
    table = code_rules.rule_table(in_force)
    table["rules"] = {key: {**table["rules"][key], **rules.get(key, {})} for key in table["rules"]}
    errors = code_rules.check_rules(table["rules"])
    if errors:
        raise RuleError(errors)
    preset = in_force.get("preset", DEFAULT_PRESET)
    known = preset_values(preset)
    carried = {k: v for k, v in in_force.items() if k in known and k not in ("preset", "health_code")}
    return policy_actions.set_policy(
        actor=actor,
        node=node,
        effective_from=effective_from,
        preset=preset,
        overrides={**carried, "health_code": table},
        note=note or "调整健康码赋码规则",
        request=request,
    )


# Verification ---------------------------------------------------------------------------------------------


class TooManyVerifications(RuleError):
    def __init__(self):
        super().__init__({"__all__": "核验过于频繁，请稍后再试"}, code="rate_limited")


def _count_verification(user) -> None:
    # Per account and clock minute, in the database so that every server process counts the same.
    minute = int(time.time() // 60)
    mine = VerificationCount.objects.filter(user=user, minute=minute)
    with transaction.atomic():
        if not mine.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    VerificationCount.objects.create(user=user, minute=minute, count=1)
            except IntegrityError:  # another process counted this account's first one of the minute
                mine.update(count=F("count") + 1)
            else:  # a new minute: the account's earlier ones are no longer needed
                VerificationCount.objects.filter(user=user, minute__lt=minute).delete()
        count = mine.values_list("count", flat=True).get()
    if count > settings.CODE_VERIFY_PER_MINUTE:
        raise TooManyVerifications()


def verify_token(user, token: str, *, request=None) -> dict:
    """What a staff member sees when they scan a resident's code: the colour and masked name always; the
    reasons, the day it turns green and the masked ID number only for people of their own area. Raises
    tokens.InvalidToken (Chinese message) for a forged, altered or expired token, RuleError for an account
    with no area, TooManyVerifications past the per-minute limit. `identity` is for recording a passage.
    Each verification is in the audit log: it reads a person's health status."""
    if not scoping.nodes_with(user):
        raise RuleError({"__all__": "您的账号没有所属辖区，不能核验健康码"}, code="forbidden")
    _count_verification(user)
    identity = tokens.read_token(token)
    result = colour_of(identity)
    person = identity.person
    in_area = person is not None and scoping.can(user, scoping.VIEW, person.node)
    out = {
        "identity": identity,
        "colour": result.colour,
        "colour_label": result.colour_label,
        "masked_name": identity.masked_name,
        "in_area": in_area,
        "reasons": None,
        "green_on": None,
        "masked_id_number": None,
    }
    if in_area:
        out.update(
            reasons=result.reasons, green_on=result.green_on, masked_id_number=identity.masked_id_number
        )
    record(
        actor=user,
        action=Action.VIEW_PERSON,
        target=identity,
        node_path=person.node.path if person is not None else "",
        request=request,
        via="health_code",
        colour=result.colour,
        in_area=in_area,
    )
    return out
