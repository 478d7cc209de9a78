"""Inspections through their actions: failed items become orders, re-inspection closes or escalates,
overdue orders climb the tree, closure and reopening, templates copied and edited; each write audited."""

import datetime as dt

import pytest
from django.utils import timezone

from fangkong.audit.models import AuditEvent
from fangkong.inspections import actions, rules
from fangkong.inspections.models import Closure, Inspection, InspectionKind, OrderStatus, Rectification
from fangkong.lib.errors import RuleError

from .conftest import answers, inspect


def test_it_turns_each_failed_item_into_an_order(world, preset, shop):
    inspection = inspect(world, shop, preset, {2: "无进出登记本", 4: "无消杀记录"})
    assert inspection.results.count() == 8
    orders = Rectification.objects.order_by("finding__position")
    assert [o.problem for o in orders] == [
        f"{inspection.results.get(position=2).text}：无进出登记本",
        f"{inspection.results.get(position=4).text}：无消杀记录",
    ]
    order = orders[0]
    # Default deadline: the policy's 3 days from the inspection day; owner: the unit's contact.
    assert order.deadline == timezone.localdate(inspection.inspected_at) + dt.timedelta(days=3)
    assert (order.owner, order.owner_phone, order.node) == ("刘店长", "13700001111", world.grid07)
    assert order.status == OrderStatus.OPEN
    assert AuditEvent.objects.filter(target_type="Inspection", target_id=str(inspection.pk)).count() == 1


def test_it_refuses_an_inspection_outside_the_actors_area(world, preset, shop):
    with pytest.raises(RuleError) as caught:
        inspect(world, shop, preset, actor=world.grid08_worker)
    assert caught.value.code == "forbidden"
    assert not Inspection.objects.exists()


def test_it_refuses_a_failed_item_without_a_note_and_a_future_time(world, preset, shop):
    results = answers(preset)
    results[0]["passed"] = False
    with pytest.raises(RuleError) as caught:
        actions.record_inspection(
            actor=world.county_admin,
            target=shop,
            template=preset,
            inspected_at=timezone.now(),
            inspectors="王督查",
            results=results,
        )
    assert "results.0" in caught.value.errors
    with pytest.raises(RuleError) as caught:
        inspect(world, shop, preset, at=timezone.now() + dt.timedelta(hours=1))
    assert caught.value.errors == {"inspected_at": "时间不能晚于现在"}
    assert not Rectification.objects.exists()


def test_it_inspects_a_venue_like_a_unit(world, preset, stall):
    inspection = inspect(world, stall, preset, {3: "摊主未戴口罩"}, owner="摊主老赵")
    assert inspection.venue == stall and inspection.node == world.grid08
    assert Rectification.objects.get().owner == "摊主老赵"


def test_it_asks_for_an_owner_when_nobody_is_known(world, preset, stall):
    with pytest.raises(RuleError) as caught:
        inspect(world, stall, preset, {3: "摊主未戴口罩"})
    assert "owner" in caught.value.errors


def test_it_closes_an_order_on_a_passed_reinspection(world, preset, shop):
    inspect(world, shop, preset, {2: "无进出登记本", 4: "无消杀记录"})
    fixed, not_fixed = Rectification.objects.order_by("finding__position")
    again = actions.reinspect(
        actor=world.grid07_worker,
        target=shop,
        inspected_at=timezone.now(),
        inspectors="七网格员",
        checks=[{"order": fixed, "passed": True}, {"order": not_fixed, "passed": False, "note": "仍无记录"}],
    )
    fixed.refresh_from_db()
    not_fixed.refresh_from_db()
    assert again.kind == InspectionKind.REINSPECTION
    assert (fixed.status, fixed.closed_by) == (OrderStatus.CLOSED, again)
    assert (
        not_fixed.status == OrderStatus.OPEN and not_fixed.escalated_to is None
    )  # still within its deadline
    with pytest.raises(RuleError):  # a closed order cannot be re-inspected again
        actions.reinspect(
            actor=world.grid07_worker,
            target=shop,
            inspected_at=timezone.now(),
            inspectors="七网格员",
            checks=[{"order": fixed, "passed": True}],
        )


def test_it_escalates_a_failed_reinspection_after_the_deadline(world, preset, shop):
    inspect(world, shop, preset, {1: "未测温"}, at=timezone.now() - dt.timedelta(days=5), deadline=None)
    order = Rectification.objects.get()
    assert rules.is_overdue(order.deadline, timezone.now())
    actions.reinspect(
        actor=world.county_admin,
        target=shop,
        inspected_at=timezone.now(),
        inspectors="县督查组",
        checks=[{"order": order, "passed": False, "note": "仍未测温"}],
    )
    order.refresh_from_db()
    assert order.escalated_to == world.village  # grid 07 → its village


def test_it_escalates_overdue_orders_up_the_tree_step_by_step(world, preset, shop):
    inspected = timezone.now() - dt.timedelta(days=30)
    deadline = timezone.localdate(inspected) + dt.timedelta(days=2)
    inspect(world, shop, preset, {1: "未测温"}, at=inspected, deadline=deadline)
    order = Rectification.objects.get()
    end = rules.due_end(deadline)  # 24:00 of the deadline day, Asia/Shanghai
    assert actions.escalate_overdue(now=end - dt.timedelta(minutes=1)) == 0
    assert actions.escalate_overdue(now=end) == 1
    order.refresh_from_db()
    assert order.escalated_to == world.village
    assert actions.escalate_overdue(now=end + dt.timedelta(hours=9)) == 0  # run twice: no change
    assert actions.escalate_overdue(now=end + dt.timedelta(days=3)) == 1  # the policy's 3 days later
    order.refresh_from_db()
    assert order.escalated_to == world.township
    actions.escalate_overdue(now=end + dt.timedelta(days=60))
    order.refresh_from_db()
    assert order.escalated_to == world.county  # and no higher
    assert AuditEvent.objects.filter(target_type="Rectification", detail__change="escalate").count() == 3


def test_it_closes_and_reopens_only_once_the_orders_are_fixed(world, preset, shop):
    inspect(world, shop, preset, {1: "未测温"})
    closure = actions.close_object(
        actor=world.county_admin, target=shop, reason="多项不合格，停业整顿", closed_at=timezone.now()
    )
    with pytest.raises(RuleError) as caught:
        actions.close_object(actor=world.county_admin, target=shop, reason="再次", closed_at=timezone.now())
    assert caught.value.code == "duplicate"
    with pytest.raises(RuleError) as caught:
        actions.reopen_object(actor=world.county_admin, closure=closure, reopened_at=timezone.now())
    assert "1项整改未销号" in str(caught.value)
    actions.reinspect(
        actor=world.county_admin,
        target=shop,
        inspected_at=timezone.now(),
        inspectors="县督查组",
        checks=[{"order": Rectification.objects.get(), "passed": True}],
    )
    actions.reopen_object(
        actor=world.county_admin, closure=closure, reopened_at=timezone.now(), note="复查合格"
    )
    closure.refresh_from_db()
    assert closure.reopened_at is not None and closure.reopen_note == "复查合格"
    changes = list(
        AuditEvent.objects.filter(target_type="Closure")
        .order_by("id")
        .values_list("detail__change", flat=True)
    )
    assert changes == ["close", "reopen"]
    assert Closure.objects.filter(reopened_at__isnull=True).count() == 0


def test_it_copies_a_preset_to_edit_and_keeps_old_findings(world, preset, shop):
    with pytest.raises(RuleError):
        actions.update_template(
            actor=world.county_admin, template=preset, name="x", description="", active=True, items=["a"]
        )
    mine = actions.copy_template(actor=world.county_admin, template=preset, node=world.county)
    first = inspect(world, shop, mine)
    texts = [item.text for item in mine.items.order_by("position")]
    actions.update_template(
        actor=world.county_admin,
        template=mine,
        name="复工复产检查表（东昌府区）",
        description="",
        active=True,
        items=["健康码查验", *texts[1:]],
    )
    active = [item.text for item in mine.items.filter(active=True).order_by("position")]
    assert active == ["健康码查验", *texts[1:]]
    assert first.results.get(position=1).text == texts[0]  # what was found stays as it was
    with pytest.raises(RuleError) as caught:
        actions.copy_template(actor=world.grid08_worker, template=mine, node=world.grid07)
    assert caught.value.code == "forbidden"
