"""The daily-report table as Excel: one row per unit and day owed, a column per indicator (Chinese
labels, the values as submitted) and per activity, the status of each report; scoped and audited, on
the web and on the command line."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from fangkong.audit.models import Action, AuditEvent
from fangkong.conftest import PASSWORD
from fangkong.lib.errors import RuleError
from fangkong.reporting import actions as daily_actions
from fangkong.reporting import indicators
from fangkong.reporting.ledgers import FIXED, daily_table, export_daily
from fangkong.reporting.tests.daily_fixtures import D, at, clock, next_day, units

__all__ = ["units"]

DAY_BEFORE = D - dt.timedelta(days=1)


def read(content: bytes) -> tuple[list[str], list[list]]:
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]
    return rows[0], rows[1:]


@pytest.fixture
def reports(world, units):
    with clock(at(D, "09:00")):
        daily_actions.submit_report(
            actor=units["qian_staff"],
            reporting_unit=units["qian"],
            day=DAY_BEFORE,
            activities={"meetings": 1, "volunteers": 12},
            note="卡点24小时值守",
        )
    with clock(at(next_day(D), "11:30")):
        daily_actions.submit_zero_report(actor=units["hou_staff"], reporting_unit=units["hou"], day=D)
    with clock(at(next_day(D), "12:00")):
        daily_actions.submit_report(
            actor=units["qian_staff"],
            reporting_unit=units["qian"],
            day=DAY_BEFORE,
            activities={"meetings": 1, "volunteers": 14},
            note="卡点24小时值守",
            reason="夜班志愿者漏报",
        )


def test_it_writes_one_row_per_unit_and_day_with_every_indicator(world, units, reports):
    with clock(at(D + dt.timedelta(days=2), "09:00")):
        name, content = export_daily(actor=world.township_admin, node=world.township, start=DAY_BEFORE, end=D)
    assert name == "日报告汇总表_梁水镇_20220309-20220310.xlsx"
    headers, rows = read(content)
    labels = [f"{d['label']}（{d['unit']}）" for d in indicators.describe()]
    assert headers[: len(FIXED)] == FIXED
    assert headers[len(FIXED) : len(FIXED) + len(labels)] == labels
    assert "召开会议（次）" in headers and "志愿者在岗人数（人）" in headers
    assert headers[-2:] == ["备注", "更正原因"]
    # Four units (two villages, the kindergarten, the school) × two days.
    assert len(rows) == 8
    cell = {(row[0], row[2].date()): dict(zip(headers, row, strict=True)) for row in rows}
    qian = cell[("前屯村委会", DAY_BEFORE)]
    assert qian["报送状态"] == "按时" and qian["首次报送时间"] == "2022-03-10 09:00"
    assert (
        qian["志愿者在岗人数（人）"] == 14 and qian["修订次数"] == 1 and qian["更正原因"] == "夜班志愿者漏报"
    )
    assert qian["实有人口登记数（人）"] == 0 and qian["报送人"] == "前屯村干部"
    hou = cell[("后屯村委会", D)]
    assert hou["报送状态"] == "迟报" and hou["零报告"] == "是" and hou["召开会议（次）"] == 0
    school = cell[("梁水镇中学", D)]
    assert school["报送状态"] == "缺报" and school["实有人口登记数（人）"] is None


def test_it_is_scoped_and_audited(world, units, reports):
    client = Client()
    client.login(username=world.grid08_worker.username, password=PASSWORD)
    url = reverse("daily_export", kwargs={"code": world.township.code})
    query = {"date_from": "2022-03-09", "date_to": "2022年3月10日"}
    assert client.get(url, query).status_code == 404
    with pytest.raises(RuleError):
        daily_table(actor=world.grid08_worker, node=world.township, start=D, end=D)
    # The grid-07 worker exporting their own grid sees the kindergarten only.
    headers, rows = daily_table(actor=world.grid07_worker, node=world.grid07, start=DAY_BEFORE, end=D)
    assert {row[0] for row in rows} == {"七组幼儿园"}
    client.login(username=world.township_admin.username, password=PASSWORD)
    before = AuditEvent.objects.filter(action=Action.EXPORT).count()
    response = client.get(url, query)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert len(read(response.content)[1]) == 8
    event = AuditEvent.objects.filter(action=Action.EXPORT).latest("id")
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == before + 1
    assert event.actor == world.township_admin and event.node_path == world.township.path
    assert event.detail["rows"] == 8 and event.detail["start"] == "2022-03-09"
    form = client.get(url, {"date_from": "2022-03-10", "date_to": "2022-03-01"})
    assert form.status_code == 400 and "截止日期不能早于起始日期" in form.content.decode()


def test_it_exports_from_the_command_line(world, units, reports, tmp_path):
    out = tmp_path / "daily.xlsx"
    call_command(
        "export_daily",
        node=world.township.code,
        start="2022-03-09",
        end="2022-03-10",
        user="township_admin",
        out=str(out),
        stdout=io.StringIO(),
    )
    assert len(read(out.read_bytes())[1]) == 8
    with pytest.raises(CommandError, match="不在 grid08_worker 的辖区范围内"):
        call_command(
            "export_daily",
            node=world.township.code,
            start="2022-03-09",
            end="2022-03-10",
            user="grid08_worker",
            out=str(out),
        )
