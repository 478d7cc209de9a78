"""The daily-report pages: the figures shown are the indicators, one tap sends a zero report, a refused
zero report says why in Chinese, corrections ask for a reason and show the history, reporting units are
set by admins, and nobody reaches another area's reports."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from fangkong.conftest import PASSWORD
from fangkong.lib.idcard import make
from fangkong.measures import actions as measure_actions
from fangkong.policy.models import Reason
from fangkong.registry import actions as registry_actions
from fangkong.reporting import actions as daily_actions
from fangkong.reporting import indicators
from fangkong.reporting import queries as daily_queries
from fangkong.reporting.models import DailyReport, ReportingUnit
from fangkong.reporting.tests.daily_fixtures import START, D, units

__all__ = ["units"]


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def report_url(unit, day=D, zero=False) -> str:
    return reverse("daily_zero" if zero else "daily_report", kwargs={"pk": unit.pk, "day": day.isoformat()})


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def figure_cell(html: str, code: str) -> str:
    match = re.search(rf'<dd id="figure-{code}">(.*?)</dd>', html, re.S)
    assert match, f"no row for {code}"
    return re.sub(r"<[^>]+>", "", match[1])


def screen_on_d(world, node, seq: int):
    person = registry_actions.register_person(
        actor=world.township_admin,
        node=node,
        name="赵强",
        id_number=make("371502", dt.date(1980, 1, 1) + dt.timedelta(days=seq), seq),
    )
    measure_actions.record_screening(
        actor=world.township_admin, person=person, reason=Reason.ARRIVAL, screened_on=D, arrived_on=D
    )


def test_it_shows_the_indicators_of_the_unit_read_only(world, units):
    screen_on_d(world, world.grid08, 1)
    response = client_for(units["qian_staff"]).get(report_url(units["qian"]))
    assert response.status_code == 200
    html = response.content.decode()
    expected = indicators.compute(world.village, D)
    for code, value in expected.items():
        assert daily_queries.display(value) in figure_cell(html, code), code
    assert 'name="screened_new"' not in html  # read-only: not a form field
    assert "当日有需报告的情况，不能零报告：当日新增排查1人" in text_of(response)
    assert "一键零报告" not in html


def test_it_sends_a_zero_report_with_one_tap(world, units):
    client = client_for(units["qian_staff"])
    page = client.get(report_url(units["qian"]))
    assert "一键零报告" in page.content.decode()
    response = client.post(report_url(units["qian"], zero=True), follow=True)
    assert response.redirect_chain[-1][0] == report_url(units["qian"])
    report = DailyReport.objects.get()
    assert report.is_zero and report.submitted_by == units["qian_staff"]
    assert "零报告已报送" in text_of(response)
    assert "第1次报送" in text_of(response)
    client.post(report_url(units["qian"], zero=True))  # the double tap
    assert DailyReport.objects.count() == 1


def test_it_says_in_chinese_why_a_zero_report_is_refused(world, units):
    screen_on_d(world, world.grid07, 1)
    response = client_for(units["qian_staff"]).post(report_url(units["qian"], zero=True))
    assert response.status_code == 400
    assert "不能零报告：当日新增排查1人" in text_of(response)
    assert not DailyReport.objects.exists()


def test_it_submits_corrects_and_shows_the_history(world, units):
    client = client_for(units["qian_staff"])
    url = report_url(units["qian"])
    form = {"act_meetings": "1", "act_volunteers": "6", "note": "村口卡点值守"}
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302  # same content again: nothing new
    assert DailyReport.objects.count() == 1
    refused = client.post(url, {**form, "act_volunteers": "8"})
    assert refused.status_code == 400 and "更正须填写更正原因" in text_of(refused)
    assert client.post(url, {**form, "act_volunteers": "8", "reason": "晚班人数漏报"}).status_code == 302
    page = text_of(client.get(url))
    assert "第2次报送" in page and "第1次报送" in page and "晚班人数漏报" in page
    assert "志愿者在岗人数8人" in page and "志愿者在岗人数6人" in page
    assert 'value="8"' in page  # the form starts from the current revision
    bad = client.post(url, {"act_meetings": "-2", "reason": "x"})
    assert bad.status_code == 400 and DailyReport.objects.count() == 2


def test_it_refuses_other_areas_and_read_only_accounts(world, units):
    daily_actions.submit_report(
        actor=world.grid07_worker, reporting_unit=units["kindergarten"], day=D, note="七组消杀"
    )
    grid08 = client_for(world.grid08_worker)
    for unit in (units["kindergarten"], units["qian"], units["hou"]):
        assert grid08.get(report_url(unit)).status_code == 404
        assert grid08.post(report_url(unit), {"act_meetings": "1"}).status_code == 404
        assert grid08.post(report_url(unit, zero=True)).status_code == 404
    viewer = client_for(world.grid07_viewer)
    page = viewer.get(report_url(units["kindergarten"]))
    assert page.status_code == 200 and "七组消杀" in page.content.decode()
    assert "报送更正" not in page.content.decode() and "一键零报告" not in page.content.decode()
    assert (
        viewer.post(report_url(units["kindergarten"]), {"act_meetings": "3", "reason": "改"}).status_code
        == 403
    )
    assert viewer.post(report_url(units["kindergarten"], zero=True)).status_code == 404
    assert DailyReport.objects.count() == 1


def test_it_lists_the_units_a_user_reports_for(world, units):
    page = client_for(units["qian_staff"]).get(reverse("daily_list"), {"date": "2022年3月10日"})
    html = page.content.decode()
    assert "前屯村委会" in html and "七组幼儿园" in html
    assert "后屯村委会" not in html and "梁水镇中学" not in html
    assert report_url(units["qian"]) in html


def test_it_lets_admins_add_and_stop_reporting_units(world, units):
    admin = client_for(world.township_admin)
    clinic = registry_actions.create_unit(
        actor=world.township_admin, node=world.village, name="前屯卫生室", kind="clinic"
    )
    url = reverse("reporting_units", kwargs={"code": world.township.code})
    response = admin.post(url, {"unit": clinic.pk, "active_from": "2022-03-05"})
    assert response.status_code == 302
    added = ReportingUnit.objects.get(unit=clinic)
    assert added.node == world.village and added.active_from == dt.date(2022, 3, 5)
    both = admin.post(url, {"node": world.village.pk, "unit": clinic.pk, "active_from": "2022-03-05"})
    assert both.status_code == 400 and "请选择一个村（社区）或一个单位" in both.content.decode()
    stop = reverse("reporting_unit_remove", kwargs={"pk": added.pk})
    assert admin.post(stop, {"active_until": "2022-03-20"}).status_code == 302
    added.refresh_from_db()
    assert added.active_until == dt.date(2022, 3, 20)
    staff = client_for(units["qian_staff"])
    assert staff.post(url, {"unit": clinic.pk, "active_from": "2022-03-05"}).status_code == 404
    village_url = reverse("reporting_units", kwargs={"code": world.village.code})
    assert staff.get(village_url).status_code == 200
    assert staff.post(village_url, {"unit": clinic.pk, "active_from": "2022-03-05"}).status_code == 403
    villages = reverse("reporting_units_villages", kwargs={"code": world.county.code})
    county = client_for(world.county_admin)
    assert county.post(villages, {"all-active_from": START.isoformat()}).status_code == 302
    assert ReportingUnit.objects.filter(unit=None).count() == 2  # both villages already were


@pytest.mark.parametrize("persona", ["grid08_worker", "outsider"])
def test_it_hides_reporting_units_of_other_areas(world, units, persona):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("reporting_units", kwargs={"code": world.township.code})).status_code == 404
    assert client.get(reverse("completeness", kwargs={"code": world.village.code})).status_code == 404
    html = client.get(reverse("daily_list")).content.decode()
    assert "前屯村委会" not in html and "七组幼儿园" not in html
