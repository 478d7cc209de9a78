"""Smoke test of the browser harness: the login page, in Chinese, on a desktop and on a phone."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_it_shows_the_login_page_in_chinese_and_refuses_a_wrong_password(page, world):
    page.goto(reverse("login"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_title(re.compile("登录"))
    page.get_by_label("用户名").fill("grid07_worker")
    page.get_by_label("密码").fill("not-the-password-1")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("用户名或密码错误")).to_be_visible()
    assert "/login/" in page.url


def test_it_fits_the_login_page_on_a_phone(phone_page):
    phone_page.goto(reverse("login"))
    expect(phone_page.get_by_role("button", name="登录")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
