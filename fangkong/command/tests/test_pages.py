"""The command pages through the test client, the duty roster ledger in and out, and who is on duty on
the home page; the grid-08 worker sees nothing of the county's command."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.command import actions, ledgers, rules
from fangkong.command.models import DutyShift, Task, WorkingGroup
from fangkong.conftest import PASSWORD
from fangkong.imports.tests.sheets import read_back, workbook
from fangkong.lib.errors import RuleError


def login(user) -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


def test_it_sets_up_groups_and_members_from_the_pages(world):
    client = login(world.county_admin)
    client.post(reverse("group_preset"), {"node": world.county.code})
    assert WorkingGroup.objects.filter(node=world.county).count() == 8
    page = client.get(reverse("command_home")).content.decode()
    assert "综合办公室" in page and "督导检查组" in page
    group = WorkingGroup.objects.get(name="物资保障组")
    client.post(
        reverse("group_detail", args=[group.pk]),
        {"add_member": "1", "name": "钱组长", "role": "leader", "phone": "13900001111"},
    )
    assert "钱组长" in client.get(reverse("group_detail", args=[group.pk])).content.decode()
    # The county's command is seen in the county's subtree of staff at the county: not by a grid worker.
    assert login(world.grid08_worker).get(reverse("group_detail", args=[group.pk])).status_code == 404
    assert (
        login(world.grid08_worker)
        .post(reverse("group_detail", args=[group.pk]), {"add_member": "1", "name": "x", "role": "member"})
        .status_code
        == 404
    )
    assert login(world.outsider).get(reverse("group_detail", args=[group.pk])).status_code == 404


def test_it_assigns_a_task_and_shows_it_overdue(world):
    client = login(world.county_admin)
    deadline = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("task_create"),
        {
            "title": "核查第七网格返乡人员",
            "node": world.grid07.code,
            "owner": "七网格员",
            "deadline": deadline,
        },
    )
    task = Task.objects.get()
    assert response["Location"] == reverse("task_detail", args=[task.pk])
    overdue = client.get(reverse("task_list") + "?state=overdue").content.decode()
    assert "核查第七网格返乡人员" in overdue and "超时" in overdue
    worker = login(world.grid07_worker)
    worker.post(reverse("task_detail", args=[task.pk]), {"status": "done", "note": "已核查12人"})
    task.refresh_from_db()
    assert task.status == "done" and task.finished_at is not None
    assert "核查第七网格返乡人员" not in login(world.grid08_worker).get(reverse("task_list")).content.decode()
    assert login(world.grid08_worker).get(reverse("task_detail", args=[task.pk])).status_code == 404


def test_it_rosters_logs_and_hands_over_and_the_home_page_shows_who_is_on_duty(world):
    client = login(world.county_admin)
    day = rules.shift_day(timezone.now(), dt.time(8, 30))
    client.post(
        reverse("duty_roster"),
        {
            "node": world.county.code,
            "day": day.isoformat(),
            "leader": "王副县长",
            "leader_phone": "13800000001",
            "officers": "张三、李四",
        },
    )
    shift = DutyShift.objects.get()
    home = client.get(reverse("home")).content.decode()
    assert "王副县长" in home and "张三、李四" in home
    assert "王副县长" in login(world.grid07_worker).get(reverse("home")).content.decode()  # the county's duty
    at = timezone.localtime(max(shift.starts_at, timezone.now() - dt.timedelta(minutes=1)))
    client.post(
        reverse("duty_shift", args=[shift.pk]),
        {"add_entry": "1", "at": at.strftime("%Y-%m-%dT%H:%M"), "text": "接市指挥部电话通知"},
    )
    assert shift.entries.count() == 1
    assert "接市指挥部电话通知" in client.get(reverse("duty_shift", args=[shift.pk])).content.decode()
    assert (
        login(world.grid07_worker)
        .post(
            reverse("duty_shift", args=[shift.pk]),
            {"add_entry": "1", "at": at.strftime("%Y-%m-%dT%H:%M"), "text": "x"},
        )
        .status_code
        == 404
    )


def test_it_imports_a_messy_duty_roster_once_and_exports_it(world):
    today = timezone.localdate()
    d1, d2 = today + dt.timedelta(days=1), today + dt.timedelta(days=2)
    header = ["序号", "值班日期", "星期", "领导带班", "领导联系电话", "值班干部", "联系电话"]
    rows = [
        [1, d1, "一", "王副县长", "13800000001", "张三、李四", "0635-8888888"],
        [None] * 7,
        [2, f"{d2.month}月{d2.day}日", "二", "刘副县长", "", "王五", ""],
    ]
    data = workbook(rows, header=header, title_rows=[["东昌府区疫情防控24小时值班表"]], merges=["A1:G1"])
    result = ledgers.import_duty(actor=world.county_admin, node=world.county, data=data, filename="值班.xlsx")
    assert result.written and result.created == 2
    again = ledgers.import_duty(actor=world.county_admin, node=world.county, data=data, filename="值班.xlsx")
    assert (again.created, again.unchanged, again.updated) == (0, 2, 0)
    bad = workbook(
        [[1, "2月31日", "", "王副县长", "", "张三", ""], [2, d1, "", "", "", "", ""]], header=header
    )
    result = ledgers.import_duty(actor=world.county_admin, node=world.county, data=bad, filename="值班.xlsx")
    reasons = {(p.row, p.column): p.reason for p in result.rejected}
    assert "不存在" in reasons[(2, "值班日期")] and reasons[(3, "领导带班")] == "带班领导不能为空"
    assert not result.written and DutyShift.objects.count() == 2
    with pytest.raises(RuleError):
        ledgers.import_duty(actor=world.grid07_worker, node=world.county, data=data, filename="值班.xlsx")
    _name, content = ledgers.export_duty(
        actor=world.county_admin, node=world.county, date_from=d1, date_to=d2
    )
    back = read_back(content)
    assert [r[3] for r in back[3:]] == ["王副县长", "刘副县长"]


def test_it_pages_answer(world):
    actions.create_preset_groups(actor=world.county_admin, node=world.county)
    client = login(world.county_admin)
    for name in ("command_home", "task_list", "task_create", "duty_roster", "group_create", "imports_duty"):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("export_tasks")).status_code == 200
    assert client.get(reverse("export_duty")).status_code == 200
