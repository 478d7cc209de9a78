import datetime as dt

import pytest
from django.test import Client

from fangkong.grid.actions import issue_api_token
from fangkong.schools.models import Check

from .conftest import DAY


@pytest.fixture
def api(teacher):
    # A teacher holds no node of the grid, so cannot issue an API token (grid's rule): the app's session.
    client = Client()
    client.force_login(teacher)
    return client


def url(klass, day=DAY, slot="morning"):
    return f"/api/v1/school-classes/{klass.pk}/checks/{day.isoformat()}/{slot}"


def test_a_check_put_twice_is_one_check_and_a_stale_edit_is_a_conflict(api, klass, pupils):
    body = {"marks": [{"member": pupils[0].pk, "status": "absent_illness", "symptoms": ["fever"]}]}
    first = api.put(url(klass), body, content_type="application/json")
    assert first.status_code == 201, first.content
    assert first.json()["absent_illness"] == 1 and first.json()["zero_report"] is True
    again = api.put(url(klass), body, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Check.objects.count() == 1
    other = {"marks": [{"member": pupils[1].pk, "status": "symptomatic", "symptoms": ["cough"]}]}
    assert api.put(url(klass), other, content_type="application/json").status_code == 409
    edited = api.put(url(klass), {**other, "version": 1}, content_type="application/json")
    assert edited.status_code == 200 and edited.json()["version"] == 2 and edited.json()["symptomatic"] == 1
    got = api.get(url(klass)).json()
    assert [m["name"] for m in got["marks"]] == ["学生02"]


def test_the_api_lists_what_the_teacher_sees(api, world, klass, pupils):
    assert [s["name"] for s in api.get("/api/v1/schools").json()] == ["前屯小学"]
    assert len(api.get(f"/api/v1/school-classes/{klass.pk}/roster").json()) == 45
    api.put(url(klass), {"marks": []}, content_type="application/json")
    table = api.get(f"/api/v1/school-completeness?day={DAY.isoformat()}").json()
    assert table[0]["schools"][0]["morning"] == 1 and table[0]["zero_reports"] == 1


def test_a_grid_worker_elsewhere_gets_404(world, klass, pupils):
    _, token = issue_api_token(actor=world.grid08_worker, name="x")
    other = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert other.put(url(klass), {"marks": []}, content_type="application/json").status_code == 404
    assert other.get(f"/api/v1/school-classes/{klass.pk}/roster").status_code == 404
    assert other.get("/api/v1/schools").json() == []


def test_absences_over_the_api(api, klass, pupils):
    api.put(
        url(klass),
        {"marks": [{"member": pupils[0].pk, "status": "absent_illness"}]},
        content_type="application/json",
    )
    rows = api.get("/api/v1/school-absences").json()
    assert len(rows) == 1
    back = (DAY + dt.timedelta(days=2)).isoformat()
    r = api.put(
        f"/api/v1/school-absences/{rows[0]['id']}",
        {"reason": "发热", "returned_on": back, "certificate": False},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["returned_on"] == back
    assert len(api.get("/api/v1/school-absences?overdue=true").json()) == 1
