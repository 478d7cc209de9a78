"""The inspection pages through the test client: an inspection with a failed item and its photo becomes
an order, the re-inspection closes it, closure and reopening, templates, and nobody outside grid 07
sees or writes grid 07's records."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.conftest import PASSWORD
from fangkong.inspections.models import ChecklistTemplate, Closure, Inspection, OrderStatus, Rectification

from .conftest import inspect

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def login(user) -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def test_it_records_an_inspection_whose_failed_item_becomes_an_order(world, preset, shop):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.grid07_worker)
    url = reverse("inspection_create") + f"?unit={shop.pk}"
    page = client.get(url)
    assert page.status_code == 200 and "第七网格惠民超市" in page.content.decode()
    items = preset.items.filter(active=True).count()
    data = {
        "template": preset.pk,
        "inspected_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "inspectors": "七网格员",
        "owner": "",
        **{f"item-{i}": "pass" for i in range(items)},
    }
    data["item-3"] = "fail"
    # A failed item with no note is refused next to the item, and nothing is written.
    response = client.post(url, data)
    assert response.status_code == 200 and "请填写存在的问题" in response.content.decode()
    assert not Inspection.objects.exists()
    data["note-3"] = "无消杀记录"
    data["photo-3"] = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    response = client.post(url, data)
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "inspection_detail", args=[inspection.pk]
    )
    order = Rectification.objects.get()
    assert order.problem.endswith("无消杀记录") and order.owner == "刘店长"
    detail = client.get(response["Location"]).content.decode()
    assert "无消杀记录" in detail and reverse("order_detail", args=[order.pk]) in detail
    result = order.finding
    photo = client.get(reverse("result_photo", args=[result.pk]))
    assert photo.status_code == 200 and photo.content == PNG and photo["Content-Type"] == "image/png"
    assert login(world.grid08_worker).get(reverse("result_photo", args=[result.pk])).status_code == 404


def test_it_refuses_a_file_that_is_not_a_photo(world, preset, shop):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.grid07_worker)
    url = reverse("inspection_create") + f"?unit={shop.pk}"
    items = preset.items.filter(active=True).count()
    data = {
        "template": preset.pk,
        "inspected_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "inspectors": "七网格员",
        **{f"item-{i}": "pass" for i in range(items)},
        "photo-0": SimpleUploadedFile("x.png", b"<script>", content_type="image/png"),
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "照片须为" in response.content.decode()
    assert not Inspection.objects.exists()


def test_it_closes_an_order_by_reinspection_and_lists_overdue_ones(world, preset, shop):
    inspect(world, shop, preset, {1: "未测温"}, at=timezone.now() - dt.timedelta(days=6))
    inspect(world, shop, preset, {2: "无登记"})
    client = login(world.grid07_worker)
    overdue = client.get(reverse("order_list") + "?state=overdue").content.decode()
    assert "未测温" in overdue and "无登记" not in overdue and "已逾期" in overdue
    late, fresh = Rectification.objects.order_by("ordered_on")
    url = reverse("reinspect") + f"?unit={shop.pk}"
    assert "未测温" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "inspected_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "inspectors": "七网格员",
            f"order-{late.pk}": "pass",
            f"order-{fresh.pk}": "fail",
            f"note-{fresh.pk}": "登记本未到位",
        },
    )
    assert response.status_code == 302
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert late.status == OrderStatus.CLOSED and fresh.status == OrderStatus.OPEN


def test_it_closes_and_reopens_a_unit_from_its_pages(world, preset, shop):
    client = login(world.grid07_worker)
    url = reverse("closure_create") + f"?unit={shop.pk}"
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, {"reason": "未落实防控措施", "closed_at": now}).status_code == 302
    closure = Closure.objects.get()
    assert "未落实防控措施" in client.get(reverse("closure_list")).content.decode()
    client.post(reverse("closure_reopen", args=[closure.pk]), {"reopened_at": now, "note": "已整改"})
    closure.refresh_from_db()
    assert closure.reopened_at is not None
    assert login(world.grid08_worker).post(url, {"reason": "x", "closed_at": now}).status_code == 404


def test_it_copies_the_preset_and_edits_the_copy(world, preset):
    client = login(world.county_admin)
    assert "复工复产检查表" in client.get(reverse("template_list")).content.decode()
    response = client.post(reverse("template_copy", args=[preset.pk]), {"node": world.county.code})
    copy = ChecklistTemplate.objects.get(node=world.county)
    assert response["Location"] == reverse("template_detail", args=[copy.pk])
    client.post(
        reverse("template_detail", args=[copy.pk]),
        {
            "name": "东昌府区复工检查表",
            "description": "",
            "items": "体温检测\n\n健康码查验\n",
            "active": "on",
        },
    )
    copy.refresh_from_db()
    assert copy.name == "东昌府区复工检查表"
    assert [i.text for i in copy.items.filter(active=True).order_by("position")] == ["体温检测", "健康码查验"]
    # The preset itself cannot be edited, and the grid-08 worker cannot edit the county's copy.
    assert (
        client.post(reverse("template_detail", args=[preset.pk]), {"name": "x", "items": "y"}).status_code
        == 404
    )
    assert (
        login(world.grid08_worker)
        .post(reverse("template_detail", args=[copy.pk]), {"name": "x", "items": "y"})
        .status_code
        == 404
    )


def test_it_lists_only_the_users_area(world, preset, shop, stall):
    inspect(world, shop, preset, {1: "未测温"})
    inspect(world, stall, preset, {1: "未测温"}, owner="老赵")
    grid08 = login(world.grid08_worker)
    page = grid08.get(reverse("inspection_list")).content.decode()
    assert "八组农贸摊位" in page and "第七网格惠民超市" not in page
    orders = grid08.get(reverse("order_list")).content.decode()
    assert "第七网格惠民超市" not in orders
    county = login(world.county_admin).get(reverse("inspection_list") + "?kind=routine").content.decode()
    assert "八组农贸摊位" in county and "第七网格惠民超市" in county
    pick = grid08.get(reverse("inspection_pick")).content.decode()
    assert "八组农贸摊位" in pick and "第七网格惠民超市" not in pick
