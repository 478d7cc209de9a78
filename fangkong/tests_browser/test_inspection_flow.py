"""An inspector on a phone checks a supermarket with the 复工复产检查表: one item fails with a note, which
becomes a rectification order; two days' work later the re-inspection finds it fixed and closes it."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from playwright.sync_api import expect

from fangkong.conftest import PASSWORD
from fangkong.inspections.models import ChecklistTemplate, OrderStatus, Rectification
from fangkong.registry import actions as registry_actions

pytestmark = pytest.mark.browser


def log_in(page, username: str) -> None:
    page.goto(reverse("login"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def test_a_failed_item_becomes_an_order_that_the_reinspection_closes(phone_page, world):
    # A browser test's database is flushed after each test, data migrations' rows included: the preset
    # checklist is put back as its migration writes it.
    importlib.import_module("fangkong.inspections.migrations.0002_preset_checklist").add_preset(
        django_apps, None
    )
    shop = registry_actions.create_unit(
        actor=world.county_admin, node=world.grid07, name="前屯惠民超市", kind="market", contact_name="刘店长"
    )
    items = ChecklistTemplate.objects.get(node__isnull=True).items.filter(active=True).count()
    phone = phone_page
    log_in(phone, "grid07_worker")
    phone.goto(reverse("inspection_create") + f"?unit={shop.pk}")
    phone.get_by_label("检查人员").fill("七网格员")
    for index in range(items):
        phone.locator(f"input[name=item-{index}][value={'fail' if index == 3 else 'pass'}]").check()
    phone.locator("input[name=note-3]").fill("无消杀记录")
    phone.get_by_role("button", name="保存检查记录").click()
    expect(phone.locator("h1")).to_contain_text("前屯惠民超市")
    expect(phone.locator("body")).to_contain_text("无消杀记录")
    order = Rectification.objects.get()
    assert order.status == OrderStatus.OPEN and order.owner == "刘店长"

    phone.get_by_role("link", name="复查").first.click()
    phone.get_by_label("检查人员").fill("七网格员")
    phone.locator(f"input[name=order-{order.pk}][value=pass]").check()
    phone.get_by_role("button", name="保存复查记录").click()
    expect(phone.locator("body")).to_contain_text("复查")
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
