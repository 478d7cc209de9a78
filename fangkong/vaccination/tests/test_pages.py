"""The pages through the test client: entering a dose on a phone, deferrals, the import, coverage and
the list of who is not vaccinated, each as the personas see them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from fangkong.audit.models import Action, AuditEvent
from fangkong.conftest import PASSWORD
from fangkong.imports.tests.sheets import workbook
from fangkong.vaccination import actions
from fangkong.vaccination.models import Deferral, Dose
from fangkong.vaccination.tests.conftest import days_ago


def client_for(user) -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def grid_site(world):
    return actions.create_site(actor=world.county_admin, node=world.grid07, name="七网格临时接种点")


def test_it_finds_a_person_and_records_a_dose_with_the_suggested_number(world, people, grid_site):
    zhang = people["zhang"]
    actions.record_dose(
        actor=world.county_admin, person=zhang, site=grid_site, product="bibp", given_on=days_ago(40)
    )
    client = client_for(world.grid07_worker)
    found = client.get(reverse("vaccination_entry"), {"q": "zw"}, HTTP_HX_REQUEST="true")
    assert found.status_code == 200 and f"person={zhang.pk}" in found.content.decode()
    assert "<html" not in found.content.decode()  # the fragment only
    page = client.get(reverse("vaccination_entry"), {"person": zhang.pk})
    assert page.context["form"].initial["dose_number"] == 2
    assert page.context["form"].initial["product"] == "bibp"
    response = client.post(
        reverse("vaccination_entry"),
        {
            "person": zhang.pk,
            "site": grid_site.pk,
            "product": "bibp",
            "given_on": days_ago(0).isoformat(),
            "dose_number": 2,
            "lot": "202106C",
        },
    )
    assert response.status_code == 302
    dose = Dose.objects.get(person=zhang, given_on=days_ago(0))
    assert dose.reaches_full and dose.lot == "202106C" and dose.recorded_by == world.grid07_worker
    # The same submission again (a double tap) records nothing more.
    client.post(
        reverse("vaccination_entry"),
        {
            "person": zhang.pk,
            "site": grid_site.pk,
            "product": "bibp",
            "given_on": days_ago(0).isoformat(),
            "dose_number": 2,
        },
    )
    assert Dose.objects.filter(person=zhang).count() == 2


def test_it_refuses_a_dose_in_the_future_next_to_the_field(world, people, grid_site):
    client = client_for(world.grid07_worker)
    response = client.post(
        reverse("vaccination_entry"),
        {
            "person": people["zhang"].pk,
            "site": grid_site.pk,
            "product": "ad5",
            "given_on": days_ago(-1).isoformat(),
            "dose_number": 1,
        },
    )
    assert response.status_code == 200
    assert "接种日期不能晚于今天" in str(response.context["form"].errors["given_on"])


def test_the_grid_08_worker_cannot_open_grid_07s_people(world, people, grid_site):
    client = client_for(world.grid08_worker)
    assert client.get(reverse("vaccination_entry"), {"person": people["zhang"].pk}).status_code in (
        302,
        403,
        404,
    )
    assert (
        client.post(
            reverse("vaccination_deferral_add", args=[people["zhang"].pk]),
            {"kind": "postponed", "reason": "发热"},
        ).status_code
        == 404
    )
    assert Deferral.objects.count() == 0


def test_it_records_a_deferral(world, people, grid_site):
    client = client_for(world.grid07_worker)
    client.post(
        reverse("vaccination_deferral_add", args=[people["li"].pk]),
        {"kind": "postponed", "reason": "孕期", "until": days_ago(-90).isoformat()},
    )
    deferral = Deferral.objects.get()
    assert deferral.reason == "孕期" and deferral.in_force(days_ago(0))
    page = client.get(reverse("vaccination_entry"), {"person": people["li"].pk})
    assert "孕期" in page.content.decode()


def test_the_coverage_page_shows_each_child_and_the_whole(world, people, grid_site):
    actions.record_dose(
        actor=world.county_admin, person=people["zhang"], site=grid_site, product="ad5", given_on=days_ago(3)
    )
    client = client_for(world.township_admin)
    page = client.get(reverse("vaccination_coverage"), {"node": world.village.code})
    assert page.status_code == 200
    rows = {row["name"]: row for row in page.context["rows"]}
    assert rows["第七网格"]["total"].full == 1 and rows["第七网格"]["total"].registered == 2
    assert rows["第八网格"]["total"].full == 0
    assert page.context["whole"]["pcts"][1] == round(100 / 3, 1)
    export = client.get(reverse("vaccination_coverage"), {"node": world.village.code, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert any(row[0] == "合计" for row in sheet.iter_rows(values_only=True))
    assert (
        client_for(world.grid08_worker)
        .get(reverse("vaccination_coverage"), {"node": world.grid07.code})
        .status_code
        == 404
    )


def test_the_list_of_who_is_not_vaccinated_is_masked_and_its_export_audited(world, people, grid_site):
    client = client_for(world.grid07_worker)
    page = client.get(reverse("vaccination_unvaccinated"), {"node": world.grid07.code})
    text = page.content.decode()
    assert "张*" in text and "张伟" not in text and people["zhang"].id_number not in text
    export = client.get(reverse("vaccination_unvaccinated"), {"node": world.grid07.code, "format": "xlsx"})
    cells = [
        c for row in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True) for c in row
    ]
    assert people["zhang"].id_number not in cells and "张*" in cells
    full = client.get(
        reverse("vaccination_unvaccinated"), {"node": world.grid07.code, "format": "xlsx", "full": "1"}
    )
    cells = [
        c for row in load_workbook(io.BytesIO(full.content)).active.iter_rows(values_only=True) for c in row
    ]
    assert people["zhang"].id_number in cells
    assert AuditEvent.objects.filter(action=Action.EXPORT, detail__full=True).count() == 1
    viewer = client_for(world.grid07_viewer)
    assert (
        viewer.get(
            reverse("vaccination_unvaccinated"), {"node": world.grid07.code, "format": "xlsx", "full": "1"}
        ).status_code
        == 403
    )


def test_the_import_pages_preview_then_write(world, people, grid_site, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    zhang = people["zhang"]
    data = workbook(
        [[1, "张伟", zhang.id_number, "", "科兴", "A1", "1", days_ago(30)]],
        header=["序号", "姓名", "身份证号码", "疫苗名称", "生产企业", "批号", "剂次", "接种日期"],
    )
    client = client_for(world.grid07_worker)
    response = client.post(
        reverse("vaccination_import"), {"site": grid_site.pk, "file": SimpleUploadedFile("l.xlsx", data)}
    )
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.context["summary"]["created"] == 1 and Dose.objects.count() == 0
    token = preview.context["upload"].token
    client.post(reverse("vaccination_import_confirm", args=[grid_site.pk, token]))
    assert Dose.objects.get().product == "coronavac"
    # Someone else's upload is a 404.
    other = client_for(world.grid08_worker)
    assert other.get(reverse("vaccination_import_preview", args=[grid_site.pk, token])).status_code == 404


def test_the_policy_page_shows_the_product_table(world):
    page = client_for(world.county_admin).get(reverse("policy_view")).content.decode()
    assert 'id="vaccine-products"' in page and "康希诺" in page
