"""On a phone, a grid worker records the round just done at the village toilet in one tap (the form comes
filled in); at a desk, the county's supplies clerk issues masks to the village school, and is told when
there are not enough."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from fangkong.disinfection import actions as disinfection_actions
from fangkong.disinfection.models import Entry
from fangkong.registry import actions as registry_actions
from fangkong.supplies import actions as supply_actions
from fangkong.supplies.models import Movement, Stock

from .test_followup_flow import log_in

pytestmark = pytest.mark.browser


def test_a_phone_records_one_disinfection(phone_page, world):
    place = disinfection_actions.create_place(
        actor=world.county_admin, node=world.grid07, name="前屯村公厕", kind="public_toilet"
    )
    log_in(phone_page, "grid07_worker")
    phone_page.goto(reverse("disinfection_home"))
    phone_page.get_by_role("link", name="前屯村公厕").first.click()
    phone_page.get_by_role("link", name="登记一次消杀").click()
    phone_page.get_by_role("button", name="保存").first.click()
    expect(phone_page.get_by_text("已登记消杀：前屯村公厕")).to_be_visible()
    entry = Entry.objects.get(place=place)
    assert entry.done_by == "七网格员" and entry.agent == "含氯消毒剂"
    assert timezone.now() - entry.ended_at < dt.timedelta(minutes=5)


def test_a_desk_issues_masks_to_a_school(page, world):
    admin = world.county_admin
    school = registry_actions.create_unit(actor=admin, node=world.village, name="前屯小学", kind="school")
    masks = supply_actions.create_item(actor=admin, name="医用外科口罩", unit="只", threshold=100)
    store = supply_actions.create_store(
        actor=admin, node=world.county, name="县防疫物资储备库", kind="county_reserve"
    )
    supply_actions.receive(
        actor=admin, store=store, item=masks, quantity=1000, on=timezone.localdate(), source="allocated"
    )
    log_in(page, "county_admin")
    page.goto(reverse("supplies_home"))
    page.get_by_role("link", name="县防疫物资储备库").first.click()
    page.get_by_role("link", name="领用出库").click()
    page.get_by_label("物资").select_option(label="医用外科口罩（只）")
    page.get_by_label("数量").fill("1200")
    page.get_by_label("领用单位", exact=True).select_option(label="前屯小学")
    page.get_by_label("领用人").fill("王老师")
    page.get_by_label("审批人").fill("刘局长")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("库存不足")).to_be_visible()
    page.get_by_label("数量").fill("600")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已出库")).to_be_visible()
    expect(page.locator("#balances")).to_contain_text("400")
    issue = Movement.objects.get(kind="issue")
    assert issue.recipient_unit == school and issue.receiver == "王老师" and issue.approver == "刘局长"
    assert Stock.objects.get(store=store, item=masks).quantity == 400
