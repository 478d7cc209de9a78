"""A worker searches for a person by phone number in a real browser: the results come through HTMX,
the address bar and the browser history never hold the number, the next page keeps the search, and
the page runs under its Content-Security-Policy without a single violation."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from fangkong.lib.idcard import make
from fangkong.registry import actions
from fangkong.tests_browser.test_followup_flow import log_in

pytestmark = pytest.mark.browser


def test_it_finds_a_person_by_phone_without_the_number_in_any_address(page, world, people, settings):
    settings.PAGE_SIZE = 2
    for n in range(3):  # three more phones ending in 5678, like 张伟's: two pages
        actions.register_person(
            actor=world.grid07_worker,
            node=world.grid07,
            name=f"测试{chr(0x4E00 + n)}",
            id_number=make("371502", dt.date(1980, 1, 1) + dt.timedelta(days=n), 100 + n),
            phone=f"13{n}00005678",
        )
    violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and violations.append(message.text),
    )
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page, "grid07_worker")

    page.goto("/persons/")
    page.get_by_role("searchbox").fill("5678")
    expect(page.locator("#results")).to_contain_text("共 4 人")
    expect(page.locator("#results")).not_to_contain_text("李秀英")
    page.get_by_role("link", name="下一页").click()
    expect(page.locator("#results")).to_contain_text("第 2 / 2 页")
    page.go_back()
    page.go_forward()

    assert "t=" in page.url
    assert not [url for url in requested + [page.url] if "5678" in url]
    assert violations == []


def test_it_redraws_the_register_form_for_another_document_under_the_csp(page, world):
    violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and violations.append(message.text),
    )
    log_in(page, "grid07_worker")
    page.goto("/persons/new/")
    expect(page.get_by_label("出生日期")).to_have_count(0)  # the resident ID decides sex and birth date

    page.get_by_label("证件类型").select_option(label="护照")
    expect(page.get_by_label("出生日期")).to_be_visible()
    # Choose again only once htmx has settled the redrawn fields (a person is never that quick).
    page.wait_for_function("!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    page.get_by_label("证件类型").select_option(label="居民身份证")
    expect(page.get_by_label("出生日期")).to_have_count(0)

    assert violations == []
