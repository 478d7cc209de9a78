"""The demo county's inspections: two weeks of 复工复产 and market checks of its shops, markets and
restaurants (venues) and enterprises (units), with the preset checklist; failed items become orders,
most re-inspected and closed within their deadline, some overdue and escalated, one business closed.
Loaded by home's load_demo, relative to `now`, once."""

import datetime as dt
import random

from django.utils import timezone

from fangkong.registry.models import Unit
from fangkong.venues.models import Venue

from . import actions, queries
from .models import ChecklistTemplate, Inspection, OrderStatus, Rectification

DAYS = 14
INSPECTORS = ["市场监管所 王强、李静", "镇督查组 张磊、刘洋", "县督导检查组 陈刚", "卫健局 赵敏、孙浩"]
PROBLEMS = {
    0: ["未设测温点", "测温未登记"],
    1: ["无进出登记", "未查验场所码"],
    2: ["员工未戴口罩", "顾客未戴口罩未劝导"],
    3: ["无消杀记录", "消毒液配比不当"],
    4: ["门窗未开窗通风"],
    5: ["未设临时隔离观察室"],
    6: ["无应急预案"],
    7: ["口罩储备不足", "无体温计"],
}


def is_loaded(context) -> bool:
    return Inspection.objects.filter(node__path__startswith=context.county.path).exists()


def load(*, context, seed: int, now: dt.datetime | None = None) -> dict | None:
    if is_loaded(context):
        return None
    now = now or timezone.now()
    rng = random.Random(f"{seed}-inspections")
    actor = context.users["county"]
    template = ChecklistTemplate.objects.get(node__isnull=True, name="复工复产检查表")
    items = queries.active_items(template)
    venues = list(
        Venue.objects.filter(
            node__path__startswith=context.county.path, kind__in=("market", "shop", "restaurant")
        )
        .select_related("node")
        .order_by("id")[:60]
    )
    units = list(
        Unit.objects.filter(node__path__startswith=context.county.path, kind__in=("enterprise", "market"))
        .select_related("node")
        .order_by("id")[:30]
    )
    targets = venues + units
    inspections = reinspections = 0
    for target in targets:
        for _visit in range(rng.randint(1, 2)):
            at = now - dt.timedelta(days=rng.uniform(0.2, DAYS), hours=0)
            at = at.replace(second=0, microsecond=0)
            failed = {i for i in range(len(items)) if rng.random() < 0.08}
            results = [
                {
                    "item": item,
                    "text": item.text,
                    "passed": i not in failed,
                    "note": rng.choice(PROBLEMS.get(i, ["不符合要求"])) if i in failed else "",
                }
                for i, item in enumerate(items)
            ]
            actions.record_inspection(
                actor=actor,
                target=target,
                template=template,
                inspected_at=at,
                inspectors=rng.choice(INSPECTORS),
                results=results,
                owner=getattr(target, "contact_name", "") or "负责人",
                owner_phone=getattr(target, "contact_phone", ""),
                requirement="立即整改，整改完成后报属地复查",
            )
            inspections += 1
    # Re-inspections: most orders are looked at again a day or three later, if that day has come.
    for order in Rectification.objects.filter(
        node__path__startswith=context.county.path, status=OrderStatus.OPEN
    ):
        if order.status != OrderStatus.OPEN:
            continue
        when = order.finding.inspection.inspected_at + dt.timedelta(
            days=rng.randint(1, 4), hours=rng.randint(0, 5)
        )
        if when > now or rng.random() < 0.2:
            continue
        actions.reinspect(
            actor=actor,
            target=order.target,
            inspected_at=when,
            inspectors=rng.choice(INSPECTORS),
            checks=[{"order": order, "passed": rng.random() < 0.85, "note": "仍未整改到位"}],
        )
        reinspections += 1
    # The story's records as if entered when they happened, so that a report as of a past moment counts
    # them (the figures "as recorded then" read created_at).
    for inspection in Inspection.objects.filter(node__path__startswith=context.county.path):
        Inspection.objects.filter(pk=inspection.pk).update(created_at=inspection.inspected_at)
        Rectification.objects.filter(finding__inspection=inspection).update(
            created_at=inspection.inspected_at
        )
    escalated = actions.escalate_overdue(now=now)
    closures = 0
    overdue = Rectification.objects.filter(
        node__path__startswith=context.county.path, status=OrderStatus.OPEN, escalated_to__isnull=False
    ).first()
    if overdue is not None:
        actions.close_object(
            actor=actor,
            target=overdue.target,
            reason="逾期未整改，责令停业整顿",
            closed_at=now - dt.timedelta(hours=3),
        )
        closures = 1
    return {
        "inspections": inspections,
        "reinspections": reinspections,
        "orders": Rectification.objects.filter(node__path__startswith=context.county.path).count(),
        "escalated": escalated,
        "closures": closures,
    }
