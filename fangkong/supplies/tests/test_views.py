from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.conftest import PASSWORD
from fangkong.supplies import actions
from fangkong.supplies.models import Movement, Stock, SupplySource


def client_of(user) -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


def test_the_stock_page_and_a_store(world, supplies):
    admin, s = world.county_admin, supplies
    actions.receive(
        actor=admin,
        store=s.reserve,
        item=s.masks,
        quantity=800,
        on=timezone.localdate(),
        source=SupplySource.DONATED,
        donor="爱心商会",
    )
    client = client_of(admin)
    page = client.get(reverse("supplies_home"))
    assert page.status_code == 200
    assert "医用外科口罩" in page.content.decode() and "县防疫物资储备库" in page.content.decode()
    assert client.get(reverse("store_detail", args=[s.reserve.pk])).status_code == 200
    assert "爱心商会" in client.get(reverse("donation_list")).content.decode()
    assert client.get(reverse("donation_list") + "?format=xlsx")["Content-Type"].startswith(
        "application/vnd.openxml"
    )
    assert client.get(reverse("store_export", args=[s.reserve.pk])).status_code == 200
    assert client.get(reverse("movement_list") + "?kind=receipt").status_code == 200
    assert client.get(reverse("supply_item_list")).status_code == 200


def test_issue_masks_to_a_school_through_the_page(world, supplies):
    admin, s = world.county_admin, supplies
    actions.receive(
        actor=admin,
        store=s.reserve,
        item=s.masks,
        quantity=1000,
        on=timezone.localdate(),
        source=SupplySource.ALLOCATED,
    )
    client = client_of(admin)
    url = reverse("store_issue", args=[s.reserve.pk])
    assert client.get(url).status_code == 200
    form = {
        "item": s.masks.pk,
        "quantity": "1500",
        "on": timezone.localdate().isoformat(),
        "recipient_unit": s.school.pk,
        "approver": "刘局长",
    }
    refused = client.post(url, form)
    assert refused.status_code == 422 and "库存不足" in refused.content.decode()
    done = client.post(url, {**form, "quantity": "600"})
    assert done.status_code == 302
    assert Stock.objects.get(store=s.reserve, item=s.masks).quantity == 400
    assert Movement.objects.get(kind="issue").recipient_unit == s.school


def test_a_worker_elsewhere_cannot_open_the_store(world, supplies):
    client = client_of(world.grid08_worker)
    assert client.get(reverse("store_detail", args=[supplies.reserve.pk])).status_code == 404
    assert client.post(reverse("store_issue", args=[supplies.village.pk])).status_code == 404
    assert client.get(reverse("supplies_home") + f"?node={world.county.code}").status_code == 404


def test_the_import_page(world, supplies):
    from .test_ledgers import GOOD, book

    client = client_of(world.county_admin)
    upload = __import__("django.core.files.uploadedfile", fromlist=["SimpleUploadedFile"]).SimpleUploadedFile(
        "台账.xlsx", book(GOOD)
    )
    response = client.post(reverse("supplies_import"), {"store": supplies.township.pk, "file": upload})
    assert response.status_code == 302 and Movement.objects.count() == 0  # the preview first
    preview = client.get(response.url)
    assert preview.status_code == 200 and "确认导入" in preview.content.decode()
    token = response.url.rstrip("/").rsplit("/", 1)[1]
    client_of(world.grid08_worker).post(reverse("imports_supplies_confirm", args=[token]))
    assert Movement.objects.count() == 0  # not theirs: 404
    client.post(reverse("imports_supplies_confirm", args=[token]))
    assert Movement.objects.count() == 3
    client.post(reverse("imports_supplies_confirm", args=[token]))  # confirmed twice: written once
    assert Movement.objects.count() == 3
