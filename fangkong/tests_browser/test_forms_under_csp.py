"""Forms that redraw themselves when a field changes, and a button that asks before it acts, work under
the Content-Security-Policy (script-src 'self', no eval): a worker finds a person by number, screens an
arrival, and a resident removes a person from their phone."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from fangkong.tests_browser.test_followup_flow import log_in

pytestmark = pytest.mark.browser


def watch_csp(page) -> list:
    violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and violations.append(message.text),
    )
    return violations


def test_it_finds_a_person_by_number_and_redraws_the_screening_for_each_reason(page, world, people):
    violations = watch_csp(page)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page, "grid07_worker")
    page.goto("/measures/screenings/new/")

    page.get_by_role("searchbox").fill("5678")  # the last four digits of 张伟's phone
    page.locator("#found").get_by_role("link", name="登记排查").click()
    expect(page.get_by_label("来源省")).to_be_visible()  # before a reason is chosen, every group shows
    page.get_by_label("排查原因").select_option(label="卡口或诊所发现发热")
    expect(page.get_by_label("来源省")).to_have_count(0)  # redrawn by htmx for that reason
    page.get_by_label("排查原因").select_option(label="外地返乡（来返）")

    expect(page.get_by_label("来源省")).to_be_visible()
    expect(page.get_by_label("查找接触对象")).to_have_count(0)
    assert not [url for url in requested if "5678" in url]
    assert violations == []


def test_it_asks_before_a_resident_removes_a_person_from_the_phone(phone_page, world, people):
    phone = phone_page
    violations = watch_csp(phone)
    phone.goto(reverse("resident_code"))
    phone.get_by_label("姓名").fill("张伟")
    phone.get_by_label("身份证号").fill(people["zhang"].id_number)
    phone.get_by_label("手机号").fill("13812345678")
    phone.get_by_role("button", name="确定").click()
    expect(phone.locator(".rc-box")).to_contain_text("绿码")
    remove = phone.get_by_role("button", name="在本机移除张*")

    phone.once("dialog", lambda dialog: dialog.dismiss())
    remove.click()
    expect(phone.locator(".rc-box")).to_contain_text("绿码")  # said no: nothing removed
    phone.once("dialog", lambda dialog: dialog.accept())
    remove.click()

    expect(phone.locator(".rc-box")).to_have_count(0)
    assert violations == []
