"""The market-supervision pages through the test client: the counter's purchase form on a phone, the
weekly report, the communities' list and its 已核查, the townships' list of unregistered buyers, the
gatherings ledger with its Excel, the import page; masked numbers; nobody outside sees or writes."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.conftest import PASSWORD
from fangkong.markets.models import FeverFollowUp, Gathering, Purchase, TaskStatus, WeeklySales

from .conftest import STRANGER_ID, buy, csv


def login(user) -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


def test_counter_registers_a_purchase_and_passes_it_on(world, people, pharmacy):
    client = login(world.grid07_worker)
    page = client.get(reverse("pharmacy_detail", args=[pharmacy.pk]))
    assert page.status_code == 200 and "purchase-form" in page.content.decode()
    response = client.post(
        reverse("purchase_new", args=[pharmacy.pk]),
        {
            "id_number": people["wang"].id_number,
            "buyer_name": "王芳",
            "phone": "15066668888",
            "drug_class": "fever",
            "drug": "布洛芬",
            "quantity": 1,
        },
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "已推送至购药人所在社区核查" in html
    assert people["wang"].id_number not in html and "150****8888" in html
    task = FeverFollowUp.objects.get()
    assert task.node == world.grid08
    # The community (grid 08) sees it and marks it done.
    community = login(world.grid08_worker)
    listed = community.get(reverse("fever_followup_list"))
    assert "王*" in listed.content.decode()
    community.post(reverse("fever_followup_done", args=[task.pk]), {"outcome": "已电话联系，体温正常"})
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    # Grid 07's worker does not see the task.
    assert "王*" not in client.get(reverse("fever_followup_list")).content.decode().split("<tbody>")[1]


def test_counter_refusal_is_shown_next_to_the_field(world, pharmacy):
    client = login(world.grid07_worker)
    response = client.post(
        reverse("purchase_new", args=[pharmacy.pk]),
        {"id_number": "123", "buyer_name": "x", "drug_class": "fever", "drug": "布洛芬", "quantity": 1},
    )
    assert response.status_code == 422
    assert "身份证号应为18位" in response.content.decode()
    assert not Purchase.objects.exists()


def test_outsiders_see_and_write_nothing(world, pharmacy):
    grid08 = login(world.grid08_worker)
    assert grid08.get(reverse("pharmacy_detail", args=[pharmacy.pk])).status_code == 404
    response = grid08.post(
        reverse("purchase_new", args=[pharmacy.pk]),
        {
            "id_number": STRANGER_ID,
            "buyer_name": "赵六",
            "drug_class": "fever",
            "drug": "布洛芬",
            "quantity": 1,
        },
    )
    assert response.status_code == 404
    viewer = login(world.grid07_viewer)
    assert viewer.get(reverse("pharmacy_detail", args=[pharmacy.pk])).status_code == 200
    assert viewer.post(reverse("weekly_new", args=[pharmacy.pk]), {}).status_code == 404
    assert not Purchase.objects.exists()


def test_weekly_form_and_home_completeness(world, people, pharmacy):
    client = login(world.grid07_worker)
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday() + 7)
    response = client.post(
        reverse("weekly_new", args=[pharmacy.pk]),
        {"week_start": monday.isoformat(), "fever": 3, "cough": 1, "antiviral": 0, "antibiotic": 2},
    )
    assert response.status_code == 302
    assert WeeklySales.objects.get().total == 6
    home = login(world.county_admin).get(reverse("markets_home") + f"?week={monday}")
    html = home.content.decode()
    assert home.status_code == 200 and "梁水镇" in html and "100.0%" in html
    export = login(world.county_admin).get(reverse("weekly_export") + f"?week={monday}")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_unregistered_list_and_found(world, people, pharmacy):
    purchase = buy(world, pharmacy, id_number=STRANGER_ID, name="赵六")
    client = login(world.township_admin)
    page = client.get(reverse("unregistered_buyer_list"))
    assert "赵*" in page.content.decode() and STRANGER_ID not in page.content.decode()
    client.post(reverse("purchase_found", args=[purchase.pk]), {"found_note": "已联系"})
    purchase.refresh_from_db()
    assert purchase.found_at is not None


def test_gatherings_entry_ledger_and_excel(world):
    client = login(world.township_admin)
    today = timezone.localdate()
    response = client.post(
        reverse("gathering_list"),
        {
            "node": world.township.pk,
            "day": today.isoformat(),
            "reported": 4,
            "cancelled": 3,
            "tables_cancelled": 20,
        },
    )
    assert response.status_code == 302
    assert Gathering.objects.get().cancelled == 3
    page = client.get(reverse("gathering_list"))
    assert "合计上报聚餐 4 起，取消 3 起" in page.content.decode()
    assert client.get(reverse("gathering_list") + "?format=xlsx").status_code == 200
    bad = client.post(
        reverse("gathering_list"),
        {"node": world.township.pk, "day": today.isoformat(), "reported": 1, "cancelled": 3},
    )
    assert bad.status_code == 422 and "不能多于上报聚餐" in bad.content.decode()


def test_import_page(world, people, pharmacy):
    client = login(world.county_admin)
    day = timezone.localdate() - dt.timedelta(days=1)
    data = csv(
        ["购药时间", "姓名", "身份证号", "药品名称", "类别", "数量"],
        [f"{day:%Y-%m-%d} 09:00", "王芳", people["wang"].id_number, "布洛芬", "退热", 1],
    )
    post = lambda: client.post(  # noqa: E731
        reverse("markets_import"),
        {"kind": "purchases", "pharmacy": pharmacy.pk, "file": SimpleUploadedFile("r.csv", data)},
    )
    assert post().status_code == 200
    again = post()
    assert "此前已导入 1 条" in again.content.decode()
    assert Purchase.objects.count() == 1 and FeverFollowUp.objects.count() == 1
    bad = client.post(
        reverse("markets_import"),
        {
            "kind": "gatherings",
            "file": SimpleUploadedFile("g.csv", csv(["日期", "乡镇", "取消聚餐"], [f"{day}", "无此镇", 1])),
        },
    )
    assert bad.status_code == 422 and "无此镇" in bad.content.decode()


def test_pages_in_english(world, pharmacy):
    client = login(world.county_admin)
    for name, args in (("markets_home", []), ("pharmacy_list", []), ("pharmacy_detail", [pharmacy.pk])):
        response = client.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
