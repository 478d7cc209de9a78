"""A county user opens a case, runs the co-presence search, and decides in one go everyone who overlapped
the case for 15 minutes or more at the village restaurant as close contacts; a township user, in a browser
of their own, sees the one registered in their township in the contacts worklist, under a measure."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from fangkong.tracing.models import Candidate, Decision
from fangkong.tracing.tests.conftest import cases_world

from .test_followup_flow import log_in

__all__ = ["cases_world"]  # the tracing app's world of a case, used as a fixture here

pytestmark = pytest.mark.browser


def test_it_decides_the_close_contacts_at_one_venue_and_the_township_sees_them(
    browser, page, live_server, world, cases_world
):
    case = cases_world.case
    log_in(page, "county_admin")
    page.goto(reverse("case_list"))
    page.get_by_role("link", name=case.number).click()
    expect(page.get_by_role("heading", name=re.compile(case.number))).to_be_visible()

    page.get_by_role("button", name="检索时空交集人员").click()
    expect(page.get_by_text("检索完成：共 4 人")).to_be_visible()
    panel = page.locator("#candidate-panel")
    expect(panel).to_contain_text("陈*")

    # Narrow to the restaurant and 15 minutes or more: the panel is redrawn in place.
    page.evaluate("window.stillTheSamePage = true")
    page.locator("select[name=venue]").select_option(label="前屯农家饭庄")
    page.get_by_label("重叠至少（分钟）").fill("15")
    page.get_by_label("重叠至少（分钟）").press("Enter")
    expect(panel).to_contain_text("筛选结果 2 人")
    expect(panel).not_to_contain_text("赵*")
    assert page.evaluate("window.stillTheSamePage === true")

    page.get_by_label("判定为").select_option(label="密切接触者")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile(r"判定全部筛选结果（2 人）")).click()
    expect(page.get_by_text("已判定 2 人")).to_be_visible()

    decided = dict(Candidate.objects.filter(case=case).values_list("identity_id", "decision"))
    ids = cases_world.identities
    assert decided[ids["wang"].pk] == decided[ids["chen"].pk] == Decision.CLOSE
    assert decided[ids["zhao"].pk] == Decision.PENDING

    township = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai")
    other = township.new_page()
    log_in(other, "township_admin")
    other.goto(reverse("contact_worklist"))
    row = other.get_by_role("row", name=re.compile(r"王\*"))
    expect(row).to_contain_text(case.number)
    expect(row).to_contain_text("密切接触者")
    expect(row.get_by_role("link", name=re.compile("隔离"))).to_be_visible()
    expect(other.locator("body")).not_to_contain_text("王芳")
    township.close()
