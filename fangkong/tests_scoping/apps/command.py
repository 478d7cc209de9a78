"""The command: grid 07's working group, a task and yesterday's duty shift."""

import datetime as dt

from django.utils import timezone

from fangkong.command import actions as command_actions
from fangkong.command import rules as command_rules

from ..values import an_hour_ago, upload


def records(w, r) -> dict:
    admin = w.county_admin
    group = command_actions.create_group(actor=admin, node=w.grid07, name="第七网格工作组")
    task = command_actions.create_task(
        actor=admin, node=w.grid07, title="第七网格消杀", owner="第七网格员", deadline=timezone.now()
    )
    duty = command_actions.schedule_shift(
        actor=admin,
        node=w.grid07,
        # Yesterday's shift, over by now: its log takes entries of 24 hours ago and it may be handed over.
        day=command_rules.shift_day(timezone.now(), dt.time(8, 30)) - dt.timedelta(days=1),
        leader="第七网格组长",
        officers="第七网格员",
    )
    return {"group": group, "task": task, "duty": duty}


ROUTES = {
    "command_home": lambda w, r: ({}, ""),
    "export_duty": lambda w, r: ({}, f"node={w.grid07.code}"),
    "export_tasks": lambda w, r: ({}, f"node={w.grid07.code}"),
    "group_preset": lambda w, r: ({}, ""),
    "group_create": lambda w, r: ({}, ""),
    "group_detail": lambda w, r: ({"pk": r["group"].pk}, ""),
    "task_list": lambda w, r: ({}, ""),
    "task_create": lambda w, r: ({}, ""),
    "task_detail": lambda w, r: ({"pk": r["task"].pk}, ""),
    "duty_roster": lambda w, r: ({}, ""),
    "duty_shift": lambda w, r: ({"pk": r["duty"].pk}, ""),
    "imports_duty": lambda w, r: ({}, ""),
    "imports_duty_preview": lambda w, r: ({"token": r["upload"].token}, ""),
    "imports_duty_confirm": lambda w, r: ({"token": r["upload"].token}, ""),
    "imports_duty_rejected": lambda w, r: ({"token": r["upload"].token}, ""),
    "imports_tasks": lambda w, r: ({}, ""),
    "imports_tasks_preview": lambda w, r: ({"token": r["upload"].token}, ""),
    "imports_tasks_confirm": lambda w, r: ({"token": r["upload"].token}, ""),
    "imports_tasks_rejected": lambda w, r: ({"token": r["upload"].token}, ""),
}

BODIES = {
    "task_create": lambda w, r: {"title": "第七网格任务", "owner": "第七网格员", "deadline": an_hour_ago()},
    "duty_roster": lambda w, r: {"leader": "第七网格组长", "officers": "第七网格员"},
    "duty_shift": lambda w, r: {
        "text": "第七网格值班记录",
        "at": (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    },
    "imports_duty": lambda w, r: {
        "file": upload(["日期", "带班领导", "值班人员"], [timezone.localdate(), "第七网格组长", "第七网格员"])
    },
    "imports_tasks": lambda w, r: {
        "node": w.grid07.code,
        "file": upload(["任务", "责任人", "完成时限"], ["第七网格任务二", "第七网格员", "2030-01-01"]),
    },
}

PREVIEWS = {
    "imports_duty": "确认导入",
    "imports_tasks": "确认导入",
}

API_IDS = {
    "task_id": lambda w, r: r["task"].pk,
    "shift_id": lambda w, r: r["duty"].pk,
}

API_BODIES = {
    ("post", "/api/v1/command/tasks"): lambda w, r: {
        "node": w.grid07.code,
        "title": "第七网格任务",
        "owner": "第七网格员",
        "deadline": timezone.localtime().isoformat(),
    },
    ("post", "/api/v1/command/tasks/{task_id}/status"): lambda w, r: {"status": "done"},
    ("post", "/api/v1/command/duty"): lambda w, r: {
        "node": w.grid07.code,
        "day": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
        "leader": "第七网格组长",
        "officers": "第七网格员",
    },
    ("post", "/api/v1/command/duty/{shift_id}/entries"): lambda w, r: {
        "at": (timezone.localtime() - dt.timedelta(days=1)).isoformat(),
        "text": "第七网格值班记录",
    },
    ("post", "/api/v1/command/duty/{shift_id}/handover"): lambda w, r: {"received_by": "第七网格员"},
}
