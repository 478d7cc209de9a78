"""The pages through the test client: the phone flow (a tube, then people by ID number or a search and a
tap), a hand result, the lab import page, re-tests, the schedule, a round's progress and its not-sampled
list — each figure checked against a plain recount."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from fangkong.conftest import PASSWORD
from fangkong.registry.models import Person
from fangkong.testing import actions, queries
from fangkong.testing.models import Retest, Sample, SampleMember


@pytest.fixture
def admin(world):
    client = Client()
    client.login(username=world.county_admin.username, password=PASSWORD)
    return client


def test_the_phone_flow(world, ten, admin, point):
    page = admin.get(reverse("sample_start"))
    assert page.status_code == 200
    answer = admin.post(
        reverse("sample_start"),
        {"tube_code": "t-100", "kind": "pool", "capacity": 10, "node": world.village.code, "point": point.pk},
    )
    sample = Sample.objects.get(tube_code="T-100")
    assert answer.status_code == 302 and answer["Location"] == reverse("sample_detail", args=[sample.pk])
    add = reverse("sample_add", args=[sample.pk])
    assert admin.post(add, {"q": ten[0].id_number}).status_code == 302  # by ID number: at once
    many = admin.post(add, {"q": "检测"})  # a search with several answers: a list to tap
    assert many.status_code == 200 and "检测0号" in many.content.decode()
    assert admin.post(add, {"person": ten[2].pk}).status_code == 302
    assert admin.post(add, {"person": ten[2].pk}).status_code == 302  # twice: once in the tube
    assert sorted(sample.members.values_list("person_id", flat=True)) == sorted([ten[0].pk, ten[2].pk])
    shown = admin.get(reverse("sample_detail", args=[sample.pk])).content.decode()
    assert "2/10" in shown and ten[0].name in shown and ten[0].id_number not in shown
    # The next tube starts with the same settings.
    assert admin.get(reverse("sample_start")).context["form"].initial["node"] == world.village.code
    admin.post(reverse("sample_result", args=[sample.pk]), {"result": "positive", "ct_orf1ab": "30"})
    sample.refresh_from_db()
    assert sample.result == "positive" and str(sample.ct_orf1ab) == "30.00"
    retests = admin.get(reverse("retest_list")).content.decode()
    assert ten[0].name in retests and ten[2].name in retests
    assert Retest.objects.count() == 2


def test_the_import_page(world, ten, admin, sample_tube):
    sample_tube("P1", ten)
    book = Workbook()
    book.active.append(["试管编码", "检测结果"])
    book.active.append(["P1", "阴性"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "lab.xlsx"
    page = admin.post(reverse("results_import"), {"file": data, "lab": "检验所"})
    assert page.status_code == 200 and "已导入" in page.content.decode()
    assert Sample.objects.get(tube_code="P1").result == "negative"


def test_a_round_progress_and_its_not_sampled_list(world, ten, people, admin, sample_tube):
    round_ = actions.create_round(
        actor=world.county_admin, node=world.township, name="第一轮全员核酸", starts_on=timezone.localdate()
    )
    tube = sample_tube("R1", ten[:5], capacity=5, round=round_)
    sample_tube("R2", [people["wang"]], kind="single", round=round_)
    actions.record_result(actor=world.county_admin, sample=tube, result="positive")
    total, children = queries.round_progress(round_, world.township)
    # A plain recount.
    target = Person.objects.filter(node__path__startswith=world.township.path).count()
    sampled = SampleMember.objects.filter(round=round_).values("person").distinct().count()
    assert (total.target, total.sampled, total.back, total.positive_tubes) == (target, sampled, 5, 1)
    village = {c.node: c for c in children}[world.village]
    assert (village.target, village.sampled) == (
        Person.objects.filter(node__path__startswith=world.village.path).count(),
        6,
    )
    page = admin.get(reverse("round_detail", args=[round_.pk]))
    assert page.status_code == 200 and world.village.name in page.content.decode()
    grid07 = admin.get(reverse("round_unsampled", args=[round_.pk]) + f"?node={world.grid07.code}")
    names = [p.name for p in grid07.context["page"]]
    expected = set(
        Person.objects.filter(node=world.grid07)
        .exclude(pk__in=[p.pk for p in ten[:5]])
        .values_list("name", flat=True)
    )
    assert set(names) == expected and ten[0].name not in names


def test_the_other_pages_answer(world, people, admin):
    for name in ("testing_home", "sample_list", "test_schedule", "round_list", "point_list", "retest_list"):
        assert admin.get(reverse(name)).status_code == 200, name


def test_the_grid08_worker_cannot_open_grid07s_tube(world, ten, sample_tube):
    tube = sample_tube("G7", ten[:1], kind="single")
    client = Client()
    client.login(username=world.grid08_worker.username, password=PASSWORD)
    assert client.get(reverse("sample_detail", args=[tube.pk])).status_code == 404
    assert client.post(reverse("sample_add", args=[tube.pk]), {"q": "x"}).status_code == 404
