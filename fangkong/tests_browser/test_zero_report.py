"""A village's staff sends today's zero report with one tap on a phone; the township, in a browser of
its own, sees the village go from 待报 to 按时 on its completeness page.

Today's report is used because its deadline (10:00 tomorrow) is always ahead: the village's status
before the tap is 待报 (not received, deadline not passed) and after it 按时. Yesterday's would be 缺报
before and 迟报 after whenever the test runs after 10:00."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from fangkong.conftest import PASSWORD
from fangkong.grid import actions as grid_actions
from fangkong.grid.models import Role
from fangkong.reporting import actions as daily_actions
from fangkong.reporting.models import DailyReport

pytestmark = pytest.mark.browser


def log_in(page, username: str) -> None:
    page.goto(reverse("login"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def test_it_sends_a_zero_report_with_one_tap_and_the_township_sees_it(phone_page, page, world):
    today = timezone.localdate()
    daily_actions.add_village_reporting_units(
        actor=world.township_admin, node=world.township, active_from=today - dt.timedelta(days=7)
    )
    grid_actions.create_user(
        actor=world.county_admin,
        username="qian_staff",
        full_name="前屯村干部",
        password=PASSWORD,
        node=world.village,
        role=Role.VILLAGE_STAFF,
    )
    completeness_url = reverse("completeness", kwargs={"code": world.township.code}) + f"?date={today}"

    log_in(page, "township_admin")
    page.goto(completeness_url)
    qian = page.locator(f"#child-{world.village.code}")
    expect(qian).to_contain_text("前屯村委会")
    expect(page.locator("#count-received b")).to_have_text("0")
    expect(page.locator("#count-pending b")).to_have_text("2")
    expect(page.locator("#owed")).to_contain_text("前屯村委会")
    expect(page.locator("#owed")).to_contain_text("前屯村干部")  # who to call

    phone = phone_page
    log_in(phone, "qian_staff")
    phone.goto(reverse("daily_list") + f"?date={today}")
    row = phone.get_by_role("row", name=re.compile("前屯村委会"))
    expect(row).to_contain_text("待报")
    row.get_by_role("link", name="填报").click()
    expect(phone.get_by_role("heading", name=re.compile("前屯村委会"))).to_be_visible()
    expect(phone.locator("#figure-screened_new")).to_contain_text("0")  # the figures, read-only
    phone.get_by_role("button", name="一键零报告").click()  # the one tap
    expect(phone.locator(".messages")).to_contain_text("零报告已报送")
    expect(phone.locator("#report-status")).to_contain_text("按时")
    expect(phone.locator("#report-status")).to_contain_text("零报告")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    report = DailyReport.objects.get()
    assert report.is_zero and report.reporting_unit.node == world.village

    page.reload()
    expect(page.locator("#count-received b")).to_have_text("1")
    expect(page.locator("#count-on-time b")).to_have_text("1")
    expect(page.locator("#count-pending b")).to_have_text("1")
    expect(page.locator("#owed")).not_to_contain_text("前屯村委会")
    expect(page.locator("#owed")).to_contain_text("后屯村委会")
    page.locator("#all-units summary").click()
    unit_row = page.locator("#all-units tr", has_text="前屯村委会")
    expect(unit_row).to_contain_text("按时")
    expect(unit_row).to_contain_text("零报告")
