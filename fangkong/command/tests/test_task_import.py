"""The task ledger (任务督办台账) in through imports/: owner, deadline and status columns as offices
write them, every bad row named with its row, column and reason, nothing half-written, and the same
ledger again changing nothing (a changed status updates the task)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from fangkong.audit.models import AuditEvent
from fangkong.command import actions, ledgers, rules
from fangkong.command.models import Task
from fangkong.imports.tests.sheets import workbook
from fangkong.lib.errors import RuleError

HEADER = ["序号", "督办事项", "牵头组", "责任单位", "负责人", "截止时间", "进展", "备注"]
SH = rules.SHANGHAI


def test_it_reads_statuses_as_offices_write_them():
    assert rules.status_of("") == "open"
    assert rules.status_of(" 进行中 ") == "in_progress"
    assert rules.status_of("已完成") == "done"
    assert rules.status_of("取消") == "cancelled"
    assert rules.status_of("差不多") is None


@pytest.fixture
def groups(world):
    return {g.name: g for g in actions.create_preset_groups(actor=world.county_admin, node=world.county)}


def test_a_task_ledger_imports_once_and_a_changed_status_updates(world, groups):
    name = next(iter(groups))
    rows = [
        [1, "核酸采样点增设", name, "", "王局长", "2030-05-06 18:00", "待办", ""],
        [None] * 8,
        [2, "隔离酒店巡查", "", world.township.name, "李镇长", "2030年5月7日", "办理中", "已排班"],
    ]
    data = workbook(rows, header=HEADER, title_rows=[["疫情防控任务督办台账"]], merges=["A1:H1"])
    args = {"actor": world.county_admin, "node": world.county, "filename": "任务.xlsx"}
    dry = ledgers.import_tasks(data=data, dry_run=True, **args)
    assert (dry.rows, dry.created, dry.rejected, dry.written) == (2, 2, [], False)
    assert not Task.objects.exists()
    result = ledgers.import_tasks(data=data, **args)
    assert result.written and result.created == 2
    first = Task.objects.get(title="核酸采样点增设")
    assert (first.node, first.group, first.owner, first.status) == (
        world.county,
        groups[name],
        "王局长",
        "open",
    )
    assert first.deadline == dt.datetime(2030, 5, 6, 18, 0, tzinfo=SH)
    second = Task.objects.get(title="隔离酒店巡查")
    assert (second.node, second.status, second.note) == (world.township, "in_progress", "已排班")
    assert second.deadline == dt.datetime(2030, 5, 7, 23, 59, tzinfo=SH)
    again = ledgers.import_tasks(data=data, **args)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Task.objects.count() == 2
    rows[2][6], rows[2][4] = "已办结", "张镇长"
    changed = ledgers.import_tasks(data=workbook(rows, header=HEADER), **args)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    second.refresh_from_db()
    assert (second.status, second.owner) == ("done", "张镇长") and second.finished_at is not None
    assert AuditEvent.objects.filter(target_type="Task", target_id=str(second.pk)).count() == 4


def test_a_bad_task_ledger_names_row_column_and_reason_and_writes_nothing(world, groups):
    rows = [
        [1, "好的任务", "", "", "王局长", "2030-05-06", "待办", ""],
        [2, "", "", "", "王局长", "2030-05-06", "", ""],
        [3, "无人负责", "", "", "", "2030-05-06", "", ""],
        [4, "坏日期", "", "", "王局长", "2030-02-30", "", ""],
        [5, "坏状态", "", "", "王局长", "2030-05-06", "差不多", ""],
        [6, "外县", "", "别的县", "王局长", "2030-05-06", "", ""],
        [7, "无此组", "宣传报道组X", "", "王局长", "2030-05-06", "", ""],
        [8, "好的任务", "", "", "李局长", "2030-05-08", "", ""],
        [9, "无时限", "", "", "王局长", "", "", ""],
    ]
    result = ledgers.import_tasks(
        actor=world.county_admin, node=world.county, data=workbook(rows, header=HEADER), filename="任务.xlsx"
    )
    reasons = {(p.row, p.column): p.reason for p in result.rejected}
    assert set(reasons) == {
        (3, "督办事项"),
        (4, "负责人"),
        (5, "截止时间"),
        (6, "进展"),
        (7, "责任单位"),
        (8, "牵头组"),
        (9, "督办事项"),
        (10, "截止时间"),
    }
    assert reasons[(9, "督办事项")] == "与第2行是同一任务" and "不存在" in reasons[(5, "截止时间")]
    assert not result.written and not Task.objects.exists()
    with pytest.raises(RuleError):
        ledgers.import_tasks(
            actor=world.grid07_worker,
            node=world.county,
            data=workbook(rows[:1], header=HEADER),
            filename="x.xlsx",
        )


def test_the_task_import_pages(world):
    client = Client()
    client.force_login(world.county_admin)
    data = workbook([[1, "物资清点", "", "", "王局长", "2030-05-06", "", ""]], header=HEADER)
    upload = SimpleUploadedFile("任务.xlsx", data)
    response = client.post(reverse("imports_tasks"), {"node": world.county.code, "file": upload})
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200 and not Task.objects.exists()
    token = response.url.rstrip("/").rsplit("/", 1)[1]
    client.post(reverse("imports_tasks_confirm", args=[token]))
    assert Task.objects.get().title == "物资清点"
    assert "导入台账" in client.get(reverse("task_list")).content.decode()
