"""On a phone, the market-supervision officer records the lab's positive result for a packaging sample
taken at a township cold store, and one tap leads to the whole trace: the lot sealed, the stores its parts
went to level by level, the buyers, and the workers put on the test list."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from fangkong.coldchain import actions
from fangkong.coldchain.models import Lot, TraceTest

from .test_followup_flow import log_in

pytestmark = pytest.mark.browser


def test_a_positive_sample_leads_to_its_trace(phone_page, world, people):
    admin = world.county_admin
    day = timezone.localdate() - dt.timedelta(days=3)
    warehouse = actions.create_store(
        actor=admin,
        node=world.county,
        name="区集中监管仓",
        kind="warehouse",
        enterprise="冷链物流公司",
        manager="刘库长",
    )
    town = actions.create_store(
        actor=admin, node=world.township, name="梁水镇冷库", enterprise="梁水冻品", manager="钱库长"
    )
    village = actions.create_store(
        actor=admin, node=world.village, name="前屯冷库", enterprise="前屯冷藏", manager="孙库长"
    )
    lot = actions.register_lot(
        actor=admin,
        store=warehouse,
        product="冻南美白虾",
        origin_country="厄瓜多尔",
        quantity=1000,
        number="EC01",
        received_on=day,
    )
    for kind in ("inspection", "disinfection", "nat_report", "trace_info"):
        actions.record_document(actor=admin, lot=lot, kind=kind, number=f"{kind}-1", issued_on=day)
    actions.release_lot(actor=admin, lot=lot)
    check = actions.record_sample(
        actor=admin, store=warehouse, kind="goods", code="JG-1", sampled_on=day, lot=lot
    )
    actions.record_result(actor=admin, sample=check, result="negative", result_on=day)
    actions.record_disinfection(actor=admin, lot=lot, on=day)
    actions.move(
        actor=admin, lot=lot, source=warehouse, target=town, quantity=600, on=day, exit_certificate="CC-1"
    )
    actions.move(
        actor=admin, lot=lot, source=town, target=village, quantity=200, on=day + dt.timedelta(days=1)
    )
    actions.move(
        actor=admin, lot=lot, source=village, buyer="前屯饭店", quantity=20, on=day + dt.timedelta(days=2)
    )
    actions.add_worker(
        actor=admin, store=village, person=people["zhang"], since=day - dt.timedelta(days=30), role="搬运工"
    )
    sample = actions.record_sample(
        actor=admin, store=town, kind="packaging", code="BZ-7", sampled_on=day + dt.timedelta(days=2), lot=lot
    )

    log_in(phone_page, "county_admin")
    phone_page.goto(reverse("coldsample_detail", args=[sample.pk]))
    phone_page.get_by_label("检测结果").select_option("positive")
    phone_page.get_by_role("button", name="登记结果").click()
    expect(phone_page.get_by_text("已登记检测结果")).to_be_visible()
    phone_page.get_by_role("link", name="查看追溯：去向与接触人员").click()
    expect(phone_page.get_by_role("heading", name="冷链追溯 · 样本 BZ-7")).to_be_visible()
    expect(phone_page.get_by_text("已封存").first).to_be_visible()
    stores = phone_page.locator("table.trace-stores tbody tr")
    expect(stores).to_have_count(3)
    expect(stores.nth(2)).to_contain_text("前屯冷库")
    expect(stores.nth(2)).to_contain_text("3")
    expect(phone_page.locator("table.trace-buyers")).to_contain_text("前屯饭店")
    expect(phone_page.locator("#owed")).to_contain_text("前屯冷库")
    assert Lot.objects.get(pk=lot.pk).sealed
    assert TraceTest.objects.filter(sample=sample, person=people["zhang"]).exists()
