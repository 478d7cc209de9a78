"""On a phone, a sampler opens a pool of ten (the tube's code typed as a scanner would), adds ten people by
their ID numbers, then a county user imports the lab's file in which that pool is positive: the ten are put
under control where they are and listed for single re-tests."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from fangkong.measures.models import Measure
from fangkong.testing.models import Retest, Sample
from fangkong.testing.tests.conftest import ten

from .test_followup_flow import log_in

__all__ = ["ten"]  # the testing app's ten people of grid 07, used as a fixture here

pytestmark = pytest.mark.browser


def test_a_pool_of_ten_on_a_phone_then_a_positive_lab_file(phone_page, live_server, world, ten):
    page = phone_page
    log_in(page, "county_admin")
    page.goto(reverse("sample_start"))
    page.get_by_label("试管编码").fill("DC0410-0001")
    page.get_by_label("采样方式").select_option("pool")
    page.get_by_label("混管人数").select_option("10")
    page.get_by_label("采样辖区").select_option(world.village.code)
    page.get_by_role("button", name="开管").click()
    expect(page.get_by_test_id("count")).to_have_text("0/10")
    for n, person in enumerate(ten, start=1):
        box = page.get_by_label("健康码、身份证号或姓名")
        box.fill(person.id_number)
        box.press("Enter")
        expect(page.get_by_test_id("count")).to_have_text(f"{n}/10")
    expect(page.get_by_text("本管已满。")).to_be_visible()
    assert Sample.objects.get(tube_code="DC0410-0001").members.count() == 10

    page.goto(reverse("results_import"))
    page.get_by_label("检测结果文件（Excel或CSV）").set_input_files(
        files=[
            {
                "name": "检测结果.csv",
                "mimeType": "text/csv",
                "buffer": "条码号,结果,Ct值(ORF1ab),Ct值(N)\nDC0410-0001,阳性,31.2,33\n".encode(),
            }
        ]
    )
    page.get_by_role("button", name="导入").click()
    expect(page.get_by_test_id("outcome")).to_contain_text("新登记 1 管")
    page.get_by_role("link", name="复核采样名单").last.click()
    table = page.get_by_test_id("retests")
    for person in ten:
        expect(table.get_by_role("row", name=re.compile(person.name))).to_contain_text("混管阳性")
    controlled = Measure.objects.filter(person__in=ten, released_at=None, kind="home_quarantine")
    assert controlled.count() == 10 == Retest.objects.filter(done_by=None).count()
