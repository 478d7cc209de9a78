"""The demo county's command: 一办七组 with their leaders, tasks given to the townships (some done, some
overdue), and the 24-hour duty roster from a week ago to a week ahead, with the log and hand-over of the
shifts that have ended. Loaded by home's load_demo, relative to `now`, once."""

import datetime as dt
import random

from django.utils import timezone

from . import actions, queries, rules
from .models import WorkingGroup

LEADERS = ["王建国", "李红梅", "张志强", "刘晓东", "陈立新", "杨光明", "赵海燕", "周文斌", "吴德胜", "郑丽华"]
OFFICERS = ["孙伟、钱芳", "冯涛、褚静", "卫东、蒋琳", "沈磊、韩雪", "朱峰、秦月", "许超、何丹"]
TASKS = [
    "开展返乡人员全面排查",
    "农贸市场消杀和测温点检查",
    "落实集中隔离点物资补充",
    "核酸检测点人员调配",
    "张贴防控通告和场所码",
    "督导复工企业落实防控措施",
    "统计各村防疫物资储备",
    "重点场所值守人员培训",
]
LOG = [
    "接市指挥部电话通知，传达当日防控要求",
    "收到镇街报送日报告，已汇总",
    "接群众来电咨询返乡政策，已解答",
    "协调转运车辆一辆",
]


def is_loaded(context) -> bool:
    return WorkingGroup.objects.filter(node=context.county).exists()


def load(*, context, seed: int, now: dt.datetime | None = None) -> dict | None:
    if is_loaded(context):
        return None
    now = now or timezone.now()
    rng = random.Random(f"{seed}-command")
    actor = context.users["county"]
    groups = actions.create_preset_groups(actor=actor, node=context.county)
    for i, group in enumerate(groups):
        actions.add_member(
            actor=actor, group=group, name=LEADERS[i % len(LEADERS)], role="leader", title="县政府"
        )
        actions.add_member(actor=actor, group=group, name=LEADERS[(i + 3) % len(LEADERS)], role="member")
    tasks = 0
    townships = (
        list(context.townships.values()) if isinstance(context.townships, dict) else list(context.townships)
    )
    for i, title in enumerate(TASKS):
        node = townships[i % len(townships)] if townships else context.county
        deadline = now + dt.timedelta(hours=rng.randint(-72, 72))
        task = actions.create_task(
            actor=actor,
            node=node,
            group=groups[(i % 7) + 1],
            title=title,
            owner="镇街分管领导",
            deadline=deadline,
        )
        if deadline < now and rng.random() < 0.6:
            actions.set_task_status(actor=actor, task=task, status="done", note="已落实", at=deadline)
        tasks += 1
    starts, hours = queries.duty_policy(context.county, timezone.localdate(now))
    today = rules.shift_day(now, starts)
    shifts = entries = 0
    for offset in range(-7, 8):
        day = today + dt.timedelta(days=offset)
        shift = actions.schedule_shift(
            actor=actor,
            node=context.county,
            day=day,
            leader=LEADERS[offset % len(LEADERS)],
            leader_phone="1380635" + f"{abs(offset):04d}",
            officers=OFFICERS[offset % len(OFFICERS)],
            phone="0635-8212345",
        )
        shifts += 1
        if shift.starts_at >= now:
            continue
        for text in rng.sample(LOG, 2):
            at = shift.starts_at + dt.timedelta(hours=rng.randint(1, 22))
            if at <= now:
                actions.add_log_entry(actor=actor, shift=shift, at=at, text=text, action_taken="已处理")
                entries += 1
        if shift.ends_at <= now:
            actions.hand_over(
                actor=actor,
                shift=shift,
                note="无重大事项，继续跟进未办结任务",
                received_by=LEADERS[(offset + 1) % len(LEADERS)],
                at=shift.ends_at - dt.timedelta(minutes=10),
            )
    return {"groups": len(groups), "tasks": tasks, "shifts": shifts, "log_entries": entries}
