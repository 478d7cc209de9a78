"""The command through its actions: the 一办七组 preset, members, tasks overdue up the tree, the duty
roster from the policy's hours, log entries inside their shift, the hand-over; each write audited."""

import datetime as dt

import pytest
from django.utils import timezone

from fangkong.audit.models import AuditEvent
from fangkong.command import actions, queries, rules
from fangkong.command.models import DutyShift, Task, WorkingGroup
from fangkong.lib.errors import RuleError


def test_it_sets_up_the_preset_groups_once(world):
    made = actions.create_preset_groups(actor=world.county_admin, node=world.county)
    assert [g.name for g in made] == [name for name, _ in rules.PRESET_GROUPS]
    assert len(made) == 8  # 一办七组
    assert actions.create_preset_groups(actor=world.county_admin, node=world.county) == []
    group = made[2]
    actions.update_group(actor=world.county_admin, group=group, name="防控组", duties="排查管控", active=True)
    actions.add_member(
        actor=world.county_admin, group=group, name="赵组长", role="leader", phone="13900000000"
    )
    assert list(group.members.values_list("name", flat=True)) == ["赵组长"]
    with pytest.raises(RuleError) as caught:
        actions.create_group(actor=world.county_admin, node=world.county, name="宣传组")
    assert caught.value.code == "duplicate"
    with pytest.raises(RuleError):
        actions.create_preset_groups(actor=world.grid07_worker, node=world.county)
    assert WorkingGroup.objects.count() == 8


def test_it_shows_overdue_tasks_up_the_tree_but_not_sideways(world):
    now = timezone.now()
    late = actions.create_task(
        actor=world.county_admin,
        node=world.grid07,
        title="核查返乡人员",
        owner="七网格员",
        deadline=now - dt.timedelta(hours=1),
    )
    actions.create_task(
        actor=world.county_admin,
        node=world.grid07,
        title="张贴通告",
        owner="七网格员",
        deadline=now + dt.timedelta(days=1),
    )
    done = actions.create_task(
        actor=world.county_admin,
        node=world.grid07,
        title="消杀",
        owner="七网格员",
        deadline=now - dt.timedelta(hours=2),
    )
    actions.set_task_status(actor=world.grid07_worker, task=done, status="done", note="已完成")
    for user in (world.county_admin, world.township_admin, world.grid07_worker):
        overdue = queries.filter_tasks(queries.tasks_visible_to(user), state="overdue", now=now)
        assert list(overdue) == [late], user
    assert not queries.tasks_visible_to(world.grid08_worker).exists()
    done.refresh_from_db()
    assert done.finished_at is not None
    with pytest.raises(RuleError):
        actions.set_task_status(actor=world.grid08_worker, task=late, status="done")
    assert Task.objects.get(pk=late.pk).status == "open"


def test_it_rosters_a_shift_from_the_policy_and_keeps_its_log_inside_it(world):
    today = timezone.localdate()
    shift = actions.schedule_shift(
        actor=world.county_admin,
        node=world.county,
        day=today - dt.timedelta(days=2),  # its whole shift in the past, whatever the hour the test runs
        leader="王副县长",
        officers="张三、李四",
    )
    start = dt.datetime.combine(shift.day, dt.time(8, 30), tzinfo=rules.SHANGHAI)
    assert (shift.starts_at, shift.ends_at) == (start, start + dt.timedelta(hours=24))
    entry = actions.add_log_entry(actor=world.county_admin, shift=shift, at=start, text="接市指挥部通知")
    assert entry.shift == shift
    with pytest.raises(RuleError) as caught:
        actions.add_log_entry(actor=world.county_admin, shift=shift, at=shift.ends_at, text="越界")
    assert "时间不在本班次内" in caught.value.errors["at"]
    with pytest.raises(RuleError) as caught:
        actions.hand_over(
            actor=world.county_admin,
            shift=shift,
            note="",
            received_by="赵六",
            at=shift.ends_at - dt.timedelta(hours=1, seconds=1),
        )
    assert "未到交班时间" in caught.value.errors["at"]
    actions.hand_over(
        actor=world.county_admin,
        shift=shift,
        note="跟进3例密接转运",
        received_by="赵六",
        at=shift.ends_at - dt.timedelta(hours=1),
    )
    shift.refresh_from_db()
    assert shift.handed_over_at is not None and shift.received_by == "赵六"
    with pytest.raises(RuleError):
        actions.add_log_entry(
            actor=world.county_admin, shift=shift, at=start + dt.timedelta(hours=2), text="晚了"
        )
    with pytest.raises(RuleError):
        actions.schedule_shift(
            actor=world.county_admin, node=world.county, day=shift.day, leader="x", officers="y"
        )
    changes = list(
        AuditEvent.objects.filter(target_type="DutyShift").values_list("detail__change", flat=True)
    )
    assert sorted(changes) == ["hand_over", "log", "schedule"]


def test_it_finds_who_is_on_duty_at_the_node_or_above(world):
    now = timezone.now()
    day = rules.shift_day(now, dt.time(8, 30))
    county_shift = actions.schedule_shift(
        actor=world.county_admin, node=world.county, day=day, leader="王副县长", officers="张三"
    )
    assert queries.on_duty(world.grid07, now) == county_shift
    town = actions.schedule_shift(
        actor=world.county_admin, node=world.township, day=day, leader="刘镇长", officers="钱七"
    )
    assert queries.on_duty(world.grid07, now) == town
    assert queries.on_duty(world.county, now) == county_shift
    assert queries.on_duty(world.county, county_shift.ends_at) is None
    assert set(queries.on_duty_for(world.county_admin, now)) == {county_shift}
    assert DutyShift.objects.count() == 2
