"""发热门诊就诊登记表 in: all or nothing, empty is not reported, a second import changes nothing."""

import datetime as dt

from django.utils import timezone

from fangkong.surveillance.ledgers import import_visits
from fangkong.surveillance.models import ClinicVisits, EntrySource


def sheet(rows) -> bytes:
    lines = ["日期,发热门诊,就诊人次"] + [",".join(map(str, r)) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def test_import_all_or_nothing_and_again(world, clinics):
    d1 = timezone.localdate() - dt.timedelta(days=2)
    d2 = d1 + dt.timedelta(days=1)
    front, back = clinics["front"].name, clinics["back"].name
    good = [(d1, front, 5), (d2, front, 7), (d1, back, ""), (d2, back, 0)]
    bad = [*good, (d2, "不存在的门诊", 3)]
    result = import_visits(
        actor=world.county_admin, node=world.county, data=sheet(bad), filename="visits.csv"
    )
    assert result.rejected and not ClinicVisits.objects.exists()
    result = import_visits(
        actor=world.county_admin, node=world.county, data=sheet(good), filename="visits.csv"
    )
    assert not result.rejected and result.created == 3
    assert {(v.clinic.name, v.day, v.visits) for v in ClinicVisits.objects.all()} == {
        (front, d1, 5),
        (front, d2, 7),
        (back, d2, 0),
    }
    assert set(ClinicVisits.objects.values_list("source", flat=True)) == {EntrySource.IMPORT}
    again = import_visits(
        actor=world.county_admin, node=world.county, data=sheet(good), filename="visits.csv"
    )
    assert again.unchanged == 3 and again.created == 0 and ClinicVisits.objects.count() == 3
    negative = import_visits(
        actor=world.county_admin, node=world.county, data=sheet([(d1, front, -1)]), filename="visits.csv"
    )
    assert negative.rejected and ClinicVisits.objects.get(clinic=clinics["front"], day=d1).visits == 5


def test_import_page(world, clinics):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fangkong.surveillance.tests.test_pages_api import login

    day = timezone.localdate() - dt.timedelta(days=1)
    upload = SimpleUploadedFile("v.csv", sheet([(day, clinics["front"].name, 9)]), content_type="text/csv")
    response = login(world.county_admin).post(
        f"/surveillance/clinics/import/?node={world.county.code}", {"file": upload}
    )
    assert response.status_code == 200
    assert ClinicVisits.objects.get(clinic=clinics["front"], day=day).visits == 9
