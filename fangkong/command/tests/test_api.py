"""The command API against the published schema: tasks, the roster, the shift on duty now, its log and
hand-over; nothing of the county's command for a grid worker."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from fangkong.command import actions, rules
from fangkong.grid.actions import issue_api_token
from fangkong.grid.tests.openapi_check import conforms

TASKS = "/api/v1/command/tasks"
TASK = "/api/v1/command/tasks/{task_id}"
STATUS = "/api/v1/command/tasks/{task_id}/status"
GROUPS = "/api/v1/command/groups"
DUTY = "/api/v1/command/duty"
NOW = "/api/v1/command/duty/now"
ENTRIES = "/api/v1/command/duty/{shift_id}/entries"
HANDOVER = "/api/v1/command/duty/{shift_id}/handover"


def api(user) -> Client:
    _, raw = issue_api_token(actor=user, name="指挥系统")
    return Client(headers={"authorization": f"Bearer {raw}"})


def send(client, method, template, body=None, **ids):
    url = template.format(**ids)
    if method == "get":
        response = client.get(url, body or {})
    else:
        response = getattr(client, method)(url, body or {}, content_type="application/json")
    return response, conforms(response, method, template)


def test_it_assigns_tasks_and_tracks_them(world):
    county = api(world.county_admin)
    deadline = (timezone.now() - dt.timedelta(minutes=5)).isoformat()
    response, task = send(
        county,
        "post",
        TASKS,
        {"node": world.grid07.code, "title": "排查", "owner": "七网格员", "deadline": deadline},
    )
    assert response.status_code == 201 and task["overdue"]
    response, page = send(county, "get", TASKS, {"state": "overdue"})
    assert page["count"] == 1
    worker = api(world.grid07_worker)
    response, done = send(worker, "post", STATUS, {"status": "done", "note": "完成"}, task_id=task["id"])
    assert response.status_code == 200 and not done["overdue"] and done["finished_at"]
    other = api(world.grid08_worker)
    assert send(other, "get", TASK, task_id=task["id"])[0].status_code == 404
    assert send(other, "get", TASKS)[1]["count"] == 0


def test_it_keeps_the_roster_and_the_shift_on_duty(world):
    actions.create_preset_groups(actor=world.county_admin, node=world.county)
    county = api(world.county_admin)
    assert len(send(county, "get", GROUPS)[1]) == 8
    day = rules.shift_day(timezone.now(), dt.time(8, 30))
    response, shift = send(
        county,
        "post",
        DUTY,
        {"node": world.county.code, "day": day.isoformat(), "leader": "王副县长", "officers": "张三"},
    )
    assert response.status_code == 201
    response, now = send(county, "get", NOW)
    assert [s["leader"] for s in now] == ["王副县长"]
    response, entry = send(
        county, "post", ENTRIES, {"at": timezone.now().isoformat(), "text": "接报"}, shift_id=shift["id"]
    )
    assert response.status_code == 201
    response, refused = send(
        county, "post", ENTRIES, {"at": shift["ends_at"], "text": "越界"}, shift_id=shift["id"]
    )
    assert response.status_code == 422 and "at" in refused["errors"]
    response, early = send(county, "post", HANDOVER, {"received_by": "李四"}, shift_id=shift["id"])
    # The hand-over opens an hour before the shift ends.
    ends = dt.datetime.fromisoformat(shift["ends_at"])
    assert response.status_code == (200 if timezone.now() >= ends - dt.timedelta(hours=1) else 422)
    assert send(api(world.grid08_worker), "get", DUTY)[1] == []
