"""The inspection, rectification and task indicators against a plain-Python recount over every record,
for every node and every day around D, with records built through the actions under a patched clock
(March 2022): inspections on either side of midnight, orders made, escalated, closed, a closure and its
reopening, tasks done, cancelled and overdue."""

import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pytest

from fangkong.command import actions as command_actions
from fangkong.command.models import Task
from fangkong.inspections import actions
from fangkong.inspections import rules as inspection_rules
from fangkong.inspections.models import Closure, Inspection, Rectification
from fangkong.registry import actions as registry_actions
from fangkong.reporting import indicators
from fangkong.reporting.inspections import CODES
from fangkong.venues import actions as venue_actions

SH = inspection_rules.SHANGHAI
D = dt.date(2022, 3, 10)


def at(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=SH)


@contextmanager
def clock(moment: dt.datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def day_of(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SH).date()


@pytest.fixture
def records(world):
    admin = world.county_admin
    with clock(at(D - dt.timedelta(days=3), 8)):
        shop = registry_actions.create_unit(
            actor=admin, node=world.grid07, name="超市", kind="market", contact_name="刘"
        )
        stall = venue_actions.create_venue(actor=admin, node=world.grid08, name="摊位", kind="market")
        other = registry_actions.create_unit(
            actor=admin, node=world.other_village, name="饭店", kind="enterprise", contact_name="赵"
        )

    def inspect(target, moment, failed=(), deadline=None):
        with clock(moment + dt.timedelta(minutes=1)):
            return actions.record_inspection(
                actor=admin,
                target=target,
                inspected_at=moment,
                inspectors="督查组",
                owner="负责人",
                deadline=deadline,
                results=[
                    {"text": f"项{i}", "passed": i not in failed, "note": "问题" if i in failed else ""}
                    for i in range(3)
                ],
            )

    inspect(shop, at(D - dt.timedelta(days=2), 10), failed=(0, 1), deadline=D - dt.timedelta(days=1))
    inspect(stall, at(D, 0, 0, 0), failed=(2,))
    inspect(stall, at(D, 23, 59, 59))
    inspect(other, at(D, 12), failed=(0,), deadline=D)
    inspect(shop, at(D + dt.timedelta(days=1), 0, 0, 0), failed=(2,))
    late = Rectification.objects.filter(unit=shop).order_by("id").first()
    with clock(at(D, 15)):
        actions.reinspect(
            actor=admin,
            target=shop,
            inspected_at=at(D, 14),
            inspectors="复查",
            checks=[{"order": late, "passed": True}],
        )
    with clock(at(D + dt.timedelta(days=1), 9)):
        actions.escalate_overdue(now=at(D + dt.timedelta(days=1), 9))
    with clock(at(D - dt.timedelta(days=1), 9)):
        closure = actions.close_object(
            actor=admin, target=other, reason="整顿", closed_at=at(D - dt.timedelta(days=1), 9)
        )
    with clock(at(D + dt.timedelta(days=1), 0, 0, 0)):
        Rectification.objects.filter(unit=other).update(
            status="closed", closed_at=at(D, 23)
        )  # fixed the day before
        actions.reopen_object(actor=admin, closure=closure, reopened_at=at(D + dt.timedelta(days=1), 0, 0, 0))
    for node, deadline, done_at, status in [
        (world.grid07, at(D, 12), at(D, 11), "done"),
        (world.grid08, at(D, 12), None, None),
        (world.grid07, at(D + dt.timedelta(days=1), 0), at(D + dt.timedelta(days=1), 0, 0, 0), "done"),
        (world.other_village, at(D, 18), at(D, 20), "cancelled"),
    ]:
        with clock(at(D - dt.timedelta(days=1), 8)):
            task = command_actions.create_task(
                actor=admin, node=node, title="任务", owner="某", deadline=deadline
            )
        if done_at:
            with clock(done_at):
                command_actions.set_task_status(actor=admin, task=task, status=status, at=done_at)
    return world


def recount(node, day: dt.date) -> dict:
    start, end = at(day, 0), at(day + dt.timedelta(days=1), 0)
    under = lambda obj: obj.node.path.startswith(node.path)  # noqa: E731
    inspections = [i for i in Inspection.objects.all() if under(i) and start <= i.inspected_at < end]
    orders = [o for o in Rectification.objects.all() if under(o)]
    new = [o for o in orders if o.ordered_on == day]
    open_ = [o for o in orders if o.ordered_on <= day and (o.closed_at is None or o.closed_at >= end)]
    tasks = [
        t
        for t in Task.objects.all()
        if under(t) and t.created_at < end and (t.finished_at is None or t.finished_at >= end)
    ]
    return {
        "inspections_done": len(inspections),
        "inspections_failed": sum(1 for i in inspections if any(not r.passed for r in i.results.all())),
        "rectifications_new": len(new),
        "rectifications_places_new": len({(o.unit_id, o.venue_id) for o in new}),
        "rectifications_open": len(open_),
        "rectifications_overdue": sum(1 for o in open_ if inspection_rules.is_overdue(o.deadline, end)),
        "rectifications_closed_new": sum(1 for o in orders if o.closed_at and start <= o.closed_at < end),
        "closures_active": sum(
            1
            for c in Closure.objects.all()
            if under(c) and c.closed_at < end and (c.reopened_at is None or c.reopened_at >= end)
        ),
        "tasks_open": len(tasks),
        "tasks_overdue": sum(1 for t in tasks if t.deadline <= end),
        "tasks_done_new": sum(
            1
            for t in Task.objects.all()
            if under(t) and t.status == "done" and t.finished_at and start <= t.finished_at < end
        ),
    }


def test_it_agrees_with_a_plain_recount_everywhere_around_d(records):
    w = records
    for node in (w.county, w.township, w.village, w.other_village, w.grid07, w.grid08):
        for offset in range(-3, 3):
            day = D + dt.timedelta(days=offset)
            assert indicators.compute(node, day, codes=CODES) == recount(node, day), (node.name, day)


def test_it_counts_d_as_worked_out_by_hand(records):
    values = indicators.compute(records.county, D, codes=CODES)
    assert values["inspections_done"] == 4  # 00:00:00 and 23:59:59 in, the re-inspection too, next 00:00 out
    assert values["inspections_failed"] == 2
    assert values["rectifications_new"] == 2 and values["rectifications_places_new"] == 2
    assert values["rectifications_closed_new"] == 2  # one by re-inspection, one fixed at 23:00
    assert values["rectifications_open"] == 2  # the shop's second item of D-2, the stall's
    assert values["rectifications_overdue"] == 1  # the shop's second item, due D-1, never re-inspected
    assert values["closures_active"] == 1  # reopened at D+1 00:00: still closed at the end of D
    # Open at 24:00: grid 08's (due 12:00) and grid 07's due at 24:00 exactly, done a moment later; both
    # overdue at 24:00 (a task is overdue from its deadline on). The cancelled one is not open.
    assert values["tasks_open"] == 2 and values["tasks_overdue"] == 2 and values["tasks_done_new"] == 1
