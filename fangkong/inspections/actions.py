"""Writes of inspections: templates, inspections with their findings and orders, re-inspections,
escalation of overdue orders, closure and reopening. Each action checks the actor's scope, runs in one
transaction and writes its audit row there."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.lib.errors import RuleError
from fangkong.registry.models import Unit
from fangkong.venues.models import Venue

from . import queries, rules
from .models import (
    ChecklistItem,
    ChecklistTemplate,
    Closure,
    Inspection,
    InspectionKind,
    OrderStatus,
    Rectification,
    Result,
)

SOON = dt.timedelta(minutes=5)  # clocks of devices differ: "now" is allowed a little ahead


def _object_fields(target) -> dict:
    if isinstance(target, Unit):
        return {"unit": target, "venue": None, "node": target.node}
    if isinstance(target, Venue):
        return {"unit": None, "venue": target, "node": target.node}
    raise TypeError("an inspection is about a registry unit or a venue")


def _check_moment(moment: dt.datetime, field: str) -> None:
    if timezone.is_naive(moment):
        raise RuleError({field: "时间须带时区"})
    if moment > timezone.now() + SOON:
        raise RuleError({field: "时间不能晚于现在"})


# Templates -------------------------------------------------------------------------------------------


def _require_template(actor, template: ChecklistTemplate) -> None:
    if template.node is None:
        raise RuleError({"__all__": "预置检查表不能直接修改，请先复制到本辖区再编辑"}, code="forbidden")
    scoping.require(actor, scoping.WRITE, template.node, "无权修改该检查表")


@transaction.atomic
def create_template(
    *, actor, node: Jurisdiction | None, name: str, items: list[str], description: str = "", request=None
) -> ChecklistTemplate:
    """A template of a node (None: a preset, only by data migration or the CLI with no actor)."""
    if node is not None:
        scoping.require(actor, scoping.WRITE, node, "无权在该辖区新建检查表")
    name = name.strip()
    texts = [text.strip() for text in items if text and text.strip()]
    if not name:
        raise RuleError({"name": "检查表名称不能为空"})
    if not texts:
        raise RuleError({"items": "检查项不能为空：至少一项"})
    template = ChecklistTemplate.objects.create(node=node, name=name, description=description.strip())
    ChecklistItem.objects.bulk_create(
        ChecklistItem(template=template, position=index + 1, text=text[:200])
        for index, text in enumerate(texts)
    )
    record(
        actor=actor,
        action=Action.CREATE,
        target=template,
        node_path=node.path if node else "",
        request=request,
        items=len(texts),
    )
    return template


@transaction.atomic
def copy_template(
    *, actor, template: ChecklistTemplate, node: Jurisdiction, request=None
) -> ChecklistTemplate:
    """A copy at the actor's node, to edit (a preset or another node's template stays as it was)."""
    texts = [item.text for item in template.items.filter(active=True).order_by("position", "id")]
    return create_template(
        actor=actor,
        node=node,
        name=template.name,
        items=texts,
        description=template.description,
        request=request,
    )


@transaction.atomic
def update_template(
    *,
    actor,
    template: ChecklistTemplate,
    name: str,
    description: str,
    active: bool,
    items: list[str],
    request=None,
) -> ChecklistTemplate:
    """Rename, switch on or off, and set the items: items kept keep their rows (and their history),
    new texts are added, missing ones are switched off."""
    _require_template(actor, template)
    name = name.strip()
    texts = [text.strip()[:200] for text in items if text and text.strip()]
    if not name:
        raise RuleError({"name": "检查表名称不能为空"})
    if not texts:
        raise RuleError({"items": "检查项不能为空：至少一项"})
    template.name, template.description, template.active = name, description.strip(), active
    template.save(update_fields=["name", "description", "active"])
    existing = {item.text: item for item in template.items.all()}
    for position, text in enumerate(texts, start=1):
        item = existing.pop(text, None)
        if item is None:
            ChecklistItem.objects.create(template=template, position=position, text=text)
        else:
            item.position, item.active = position, True
            item.save(update_fields=["position", "active"])
    for item in existing.values():
        if item.active:
            item.active = False
            item.save(update_fields=["active"])
    record(
        actor=actor,
        action=Action.UPDATE,
        target=template,
        node_path=template.node.path,
        request=request,
        items=len(texts),
        active=active,
    )
    return template


# Inspections -----------------------------------------------------------------------------------------


@transaction.atomic
def record_inspection(
    *,
    actor,
    target,
    inspected_at: dt.datetime,
    inspectors: str,
    results: list[dict],
    template: ChecklistTemplate | None = None,
    note: str = "",
    deadline: dt.date | None = None,
    owner: str = "",
    owner_phone: str = "",
    requirement: str = "",
    import_key: str = "",
    request=None,
) -> Inspection:
    """An inspection of a unit or a venue. `results`: [{"text", "passed", "note", "photo", "item"}] in
    order. Each failed item becomes a rectification order with `deadline` (default: the policy's days
    from the inspection day) and `owner` (default: the object's contact)."""
    fields = _object_fields(target)
    scoping.require(actor, scoping.WRITE, fields["node"], "无权检查该单位或场所")
    _check_moment(inspected_at, "inspected_at")
    if not inspectors.strip():
        raise RuleError({"inspectors": "检查人员不能为空"})
    errors = rules.check_results(results)
    if errors:
        raise RuleError(errors)
    day = timezone.localdate(inspected_at)
    failed = [result for result in results if not result["passed"]]
    if failed:
        deadline = deadline or queries.default_deadline(fields["node"], day)
        if deadline < day:
            raise RuleError({"deadline": "整改期限不能早于检查日期"})
        owner = (owner or target.contact_name or "").strip()
        if not owner:
            raise RuleError({"owner": "有不合格项，请填写整改责任人"})
        owner_phone = owner_phone or target.contact_phone
    inspection = Inspection.objects.create(
        **fields,
        template=template,
        kind=InspectionKind.ROUTINE,
        inspected_at=inspected_at,
        inspectors=inspectors.strip()[:200],
        note=note,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        import_key=import_key,
    )
    orders = 0
    for position, result in enumerate(results, start=1):
        row = Result.objects.create(
            inspection=inspection,
            item=result.get("item"),
            position=position,
            text=result["text"][:200],
            passed=result["passed"],
            note=(result.get("note") or "")[:500],
            photo=result.get("photo") or "",
        )
        if not row.passed:
            Rectification.objects.create(
                **fields,
                finding=row,
                problem=f"{row.text}：{row.note}"[:500],
                requirement=requirement[:500],
                ordered_on=day,
                deadline=deadline,
                owner=owner[:50],
                owner_phone=(owner_phone or "")[:20],
            )
            orders += 1
    record(
        actor=actor,
        action=Action.CREATE,
        target=inspection,
        node_path=fields["node"].path,
        request=request,
        items=len(results),
        failed=orders,
    )
    return inspection


@transaction.atomic
def reinspect(
    *,
    actor,
    target,
    inspected_at: dt.datetime,
    inspectors: str,
    checks: list[dict],
    new_deadline: dt.date | None = None,
    note: str = "",
    request=None,
) -> Inspection:
    """A re-inspection (复查) of open orders of one object. `checks`: [{"order", "passed", "note", "photo"}].
    A fixed item closes its order (销号); one still not fixed stays open, with `new_deadline` if given,
    and is reported one level up at once when it is already overdue."""
    fields = _object_fields(target)
    scoping.require(actor, scoping.WRITE, fields["node"], "无权复查该单位或场所")
    _check_moment(inspected_at, "inspected_at")
    if not inspectors.strip():
        raise RuleError({"inspectors": "检查人员不能为空"})
    if not checks:
        raise RuleError({"checks": "请选择要复查的整改单"})
    ids = [check["order"].pk for check in checks]
    orders = {o.pk: o for o in Rectification.objects.select_for_update().filter(pk__in=ids)}
    errors = {}
    for index, check in enumerate(checks):
        order = orders.get(check["order"].pk)
        if order is None or order.target != target:
            errors[f"checks.{index}"] = "整改单不属于该单位或场所"
        elif order.status != OrderStatus.OPEN:
            errors[f"checks.{index}"] = f"整改单“{order.problem}”已销号"
        elif check.get("passed") is None:
            errors[f"checks.{index}"] = f"“{order.problem}”未填写复查结果"
        elif not check["passed"] and not (check.get("note") or "").strip():
            errors[f"checks.{index}"] = f"“{order.problem}”仍未整改，请说明情况"
    if new_deadline is not None and new_deadline < timezone.localdate(inspected_at):
        errors["new_deadline"] = "新的整改期限不能早于复查日期"
    if errors:
        raise RuleError(errors)
    inspection = Inspection.objects.create(
        **fields,
        kind=InspectionKind.REINSPECTION,
        inspected_at=inspected_at,
        inspectors=inspectors.strip()[:200],
        note=note,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    closed = escalated = 0
    for position, check in enumerate(checks, start=1):
        order = orders[check["order"].pk]
        Result.objects.create(
            inspection=inspection,
            position=position,
            text=order.finding.text,
            passed=check["passed"],
            note=(check.get("note") or "")[:500],
            photo=check.get("photo") or "",
            order=order,
        )
        if check["passed"]:
            order.status, order.closed_at, order.closed_by = OrderStatus.CLOSED, inspected_at, inspection
            closed += 1
        else:
            if new_deadline is not None:
                order.deadline = new_deadline
            elif rules.is_overdue(order.deadline, inspected_at):
                escalated += _step_up(order, inspected_at)
        order.save()
    record(
        actor=actor,
        action=Action.CREATE,
        target=inspection,
        node_path=fields["node"].path,
        request=request,
        change="reinspect",
        closed=closed,
        escalated=escalated,
    )
    return inspection


def _step_up(order: Rectification, at: dt.datetime) -> int:
    """One level higher than now (a failed re-inspection after the deadline); 0 at the top already."""
    chain = queries.escalation_chain(order.node)
    current = chain.index(order.escalated_to) if order.escalated_to in chain else 0
    target = rules.escalation_target(chain, current + 1)
    if target is None or target == order.escalated_to:
        return 0
    order.escalated_to, order.escalated_at = target, at
    return 1


@transaction.atomic
def escalate_overdue(*, now: dt.datetime | None = None, actor=None) -> int:
    """The job: every open order stands as many levels up as the rules say for `now` (never lower than it
    already stands). Safe to run twice. Returns how many orders moved."""
    now = now or timezone.now()
    today = now.astimezone(rules.SHANGHAI).date()
    moved = 0
    chains: dict[str, list] = {}
    policies: dict[str, dict] = {}
    # Lock the orders only: the escalated-to node is on the nullable side of an outer join.
    candidates = Rectification.objects.select_for_update(of=("self",)).filter(
        status=OrderStatus.OPEN, deadline__lt=today
    )
    for order in candidates.select_related("node", "escalated_to"):
        path = order.node.path
        if path not in chains:
            chains[path] = queries.escalation_chain(order.node)
            policies[path] = queries.policy_of(order.node, today)
        chain = chains[path]
        steps = rules.escalation_steps(order.deadline, now, int(policies[path]["escalate_every_days"]))
        current = chain.index(order.escalated_to) if order.escalated_to in chain else 0
        target = rules.escalation_target(chain, max(steps, current))
        if target is None or target == order.escalated_to:
            continue
        order.escalated_to, order.escalated_at = target, now
        order.save(update_fields=["escalated_to", "escalated_at"])
        record(
            actor=actor,
            action=Action.UPDATE,
            target=order,
            node_path=path,
            change="escalate",
            to=target.code,
        )
        moved += 1
    return moved


@transaction.atomic
def update_order(
    *,
    actor,
    order: Rectification,
    deadline: dt.date,
    owner: str,
    owner_phone: str,
    requirement: str,
    request=None,
) -> Rectification:
    scoping.require(actor, scoping.WRITE, order.node, "无权修改该整改单")
    if order.status != OrderStatus.OPEN:
        raise RuleError({"__all__": "整改单已销号，不能修改"})
    if deadline < order.ordered_on:
        raise RuleError({"deadline": "整改期限不能早于下达日期"})
    if not owner.strip():
        raise RuleError({"owner": "整改责任人不能为空"})
    order.deadline, order.owner = deadline, owner.strip()[:50]
    order.owner_phone, order.requirement = owner_phone[:20], requirement[:500]
    order.save(update_fields=["deadline", "owner", "owner_phone", "requirement"])
    record(
        actor=actor,
        action=Action.UPDATE,
        target=order,
        node_path=order.node.path,
        request=request,
        deadline=deadline.isoformat(),
    )
    return order


# Closure and reopening -------------------------------------------------------------------------------


@transaction.atomic
def close_object(*, actor, target, reason: str, closed_at: dt.datetime, request=None) -> Closure:
    """Close a unit or venue (停业整顿) until it is reopened."""
    fields = _object_fields(target)
    scoping.require(actor, scoping.WRITE, fields["node"], "无权关停该单位或场所")
    _check_moment(closed_at, "closed_at")
    if not reason.strip():
        raise RuleError({"reason": "请填写关停原因"})
    if queries.open_closure_of(target) is not None:
        raise RuleError({"__all__": f"{target.name}已处于停业整顿状态"}, code="duplicate")
    closure = Closure.objects.create(
        **fields,
        reason=reason.strip()[:300],
        closed_at=closed_at,
        closed_by=actor if getattr(actor, "pk", None) else None,
    )
    record(
        actor=actor,
        action=Action.UPDATE,
        target=closure,
        node_path=fields["node"].path,
        request=request,
        change="close",
    )
    return closure


@transaction.atomic
def reopen_object(
    *, actor, closure: Closure, reopened_at: dt.datetime, note: str = "", request=None
) -> Closure:
    """Reopen: refused while an order about the object is still open (复查合格后方可恢复营业)."""
    scoping.require(actor, scoping.WRITE, closure.node, "无权恢复该单位或场所营业")
    closure = Closure.objects.select_for_update().get(pk=closure.pk)
    if closure.reopened_at is not None:
        raise RuleError({"__all__": "已恢复营业"}, code="conflict")
    _check_moment(reopened_at, "reopened_at")
    if reopened_at < closure.closed_at:
        raise RuleError({"reopened_at": "恢复营业时间不能早于关停时间"})
    still_open = queries.open_orders_of(closure.target).count()
    if still_open:
        raise RuleError({"__all__": f"尚有{still_open}项整改未销号，复查合格后方可恢复营业"})
    closure.reopened_at, closure.reopen_note = reopened_at, note.strip()[:300]
    closure.reopened_by = actor if getattr(actor, "pk", None) else None
    closure.save(update_fields=["reopened_at", "reopen_note", "reopened_by"])
    record(
        actor=actor,
        action=Action.UPDATE,
        target=closure,
        node_path=closure.node.path,
        request=request,
        change="reopen",
    )
    return closure
