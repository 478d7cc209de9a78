"""The inspections API as a county system uses it: every answer as the published schema says, records
made by the same actions as the pages, nothing of grid 07 for the grid-08 worker."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from fangkong.grid.actions import issue_api_token
from fangkong.grid.tests.openapi_check import conforms
from fangkong.inspections.models import OrderStatus, Rectification

INSPECTIONS = "/api/v1/inspections"
INSPECTION = "/api/v1/inspections/{inspection_id}"
REINSPECTIONS = "/api/v1/inspections/reinspections"
ORDERS = "/api/v1/rectifications"
ORDER = "/api/v1/rectifications/{order_id}"
CHECKLISTS = "/api/v1/checklists"
CLOSURES = "/api/v1/closures"
REOPEN = "/api/v1/closures/{closure_id}/reopen"


def api(user) -> Client:
    _, raw = issue_api_token(actor=user, name="督查系统")
    return Client(headers={"authorization": f"Bearer {raw}"})


def send(client, method, template, body=None, **ids):
    url = template.format(**ids)
    if method == "get":
        response = client.get(url, body or {})
    else:
        response = getattr(client, method)(url, body or {}, content_type="application/json")
    return response, conforms(response, method, template)


def test_it_records_an_inspection_lists_its_order_and_closes_it(world, preset, shop):
    county = api(world.county_admin)
    response, checklists = send(county, "get", CHECKLISTS)
    assert response.status_code == 200
    [listed] = [c for c in checklists if c["name"] == "复工复产检查表"]
    items = listed["items"]
    at = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    body = {
        "unit": shop.pk,
        "template": listed["id"],
        "inspected_at": at,
        "inspectors": "县督查组",
        "results": [
            {"item": item["id"], "passed": index != 2, "note": "无消杀记录" if index == 2 else ""}
            for index, item in enumerate(items)
        ],
    }
    response, created = send(county, "post", INSPECTIONS, body)
    assert response.status_code == 201, created
    [failed] = [r for r in created["results"] if not r["passed"]]
    response, orders = send(county, "get", ORDERS, {"state": "open"})
    assert orders["count"] == 1 and orders["items"][0]["id"] == failed["order"]
    assert orders["items"][0]["owner"] == "刘店长" and not orders["items"][0]["overdue"]
    response, order = send(county, "get", ORDER, order_id=failed["order"])
    assert order["inspection"] == created["id"]
    response, again = send(
        county,
        "post",
        REINSPECTIONS,
        {
            "unit": shop.pk,
            "inspected_at": timezone.now().isoformat(),
            "inspectors": "县督查组",
            "checks": [{"order": failed["order"], "passed": True}],
        },
    )
    assert response.status_code == 201 and again["kind"] == "reinspection"
    assert Rectification.objects.get().status == OrderStatus.CLOSED
    response, page = send(county, "get", INSPECTIONS, {"kind": "routine"})
    assert page["count"] == 1
    response, detail = send(county, "get", INSPECTION, inspection_id=created["id"])
    assert len(detail["results"]) == len(items)


def test_it_refuses_bad_bodies_with_field_reasons(world, preset, shop):
    county = api(world.county_admin)
    response, body = send(
        county,
        "post",
        INSPECTIONS,
        {"inspected_at": timezone.now().isoformat(), "inspectors": "x", "results": []},
    )
    assert response.status_code == 422
    response, body = send(
        county,
        "post",
        INSPECTIONS,
        {
            "unit": shop.pk,
            "inspected_at": timezone.now().isoformat(),
            "inspectors": "x",
            "results": [{"text": "口罩", "passed": False}],
        },
    )
    assert response.status_code == 422 and "results.0" in body["errors"]


def test_it_closes_and_reopens_through_the_api(world, shop):
    county = api(world.county_admin)
    response, closure = send(
        county,
        "post",
        CLOSURES,
        {"unit": shop.pk, "reason": "停业整顿", "closed_at": timezone.now().isoformat()},
    )
    assert response.status_code == 201
    response, again = send(
        county, "post", CLOSURES, {"unit": shop.pk, "reason": "再次", "closed_at": timezone.now().isoformat()}
    )
    assert response.status_code == 409
    response, reopened = send(
        county, "post", REOPEN, {"reopened_at": timezone.now().isoformat()}, closure_id=closure["id"]
    )
    assert response.status_code == 200 and reopened["reopened_at"]


@pytest.mark.parametrize("persona", ["grid08_worker", "grid07_viewer"])
def test_it_keeps_grid_07_from_others_and_viewers_from_writing(world, preset, shop, persona):
    from .conftest import inspect

    inspection = inspect(world, shop, preset, {1: "未测温"})
    order = Rectification.objects.get()
    client = api(getattr(world, persona))
    body = {
        "unit": shop.pk,
        "inspected_at": timezone.now().isoformat(),
        "inspectors": "x",
        "results": [{"text": "口罩", "passed": True}],
    }
    response, _ = send(client, "post", INSPECTIONS, body)
    if persona == "grid08_worker":
        assert response.status_code == 404
        assert send(client, "get", INSPECTION, inspection_id=inspection.pk)[0].status_code == 404
        assert send(client, "get", ORDER, order_id=order.pk)[0].status_code == 404
        assert send(client, "get", ORDERS)[1]["count"] == 0
    else:
        assert response.status_code == 404  # a viewer may not write: the target is not theirs to change
        assert send(client, "get", ORDER, order_id=order.pk)[0].status_code == 200
