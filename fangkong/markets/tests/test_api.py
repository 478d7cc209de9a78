"""The market-supervision API: pharmacies, purchases and the follow-up they make, weekly reports,
gatherings; every answer as the published schema says; nothing of grid 07 for the grid-08 worker."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from fangkong.grid.actions import issue_api_token
from fangkong.grid.tests.openapi_check import conforms

from .conftest import STRANGER_ID

PHARMACIES = "/api/v1/pharmacies"
PURCHASES = "/api/v1/pharmacies/{pharmacy_id}/purchases"
PURCHASE_LIST = "/api/v1/pharmacy-purchases"
WEEKLY = "/api/v1/pharmacies/{pharmacy_id}/weekly-reports"
FOLLOWUPS = "/api/v1/fever-followups"
DONE = "/api/v1/fever-followups/{followup_id}/done"
UNREGISTERED = "/api/v1/fever-buyers-unregistered"
GATHERINGS = "/api/v1/gatherings"


def api(user) -> Client:
    _, raw = issue_api_token(actor=user, name="市场监管系统")
    return Client(headers={"authorization": f"Bearer {raw}"})


def send(client, method, template, body=None, **ids):
    url = template.format(**ids)
    if method == "get":
        response = client.get(url, body or {})
    else:
        response = getattr(client, method)(url, body or {}, content_type="application/json")
    return response, conforms(response, method, template)


def test_pharmacy_purchase_followup_weekly(world, people):
    county = api(world.county_admin)
    response, pharmacy = send(
        county, "post", PHARMACIES, {"node": world.grid07.code, "name": "前屯大药房", "licence_no": "鲁AA1"}
    )
    assert response.status_code == 201, pharmacy
    body = {
        "buyer_name": "王芳",
        "id_number": people["wang"].id_number,
        "drug": "布洛芬",
        "drug_class": "fever",
    }
    response, purchase = send(county, "post", PURCHASES, body, pharmacy_id=pharmacy["id"])
    assert response.status_code == 201, purchase
    assert purchase["registered"] and purchase["followup"]
    assert purchase["id_number"] != people["wang"].id_number and purchase["id_number"].endswith(
        people["wang"].id_number[-4:]
    )
    send(
        county,
        "post",
        PURCHASES,
        body | {"id_number": STRANGER_ID, "buyer_name": "赵六"},
        pharmacy_id=pharmacy["id"],
    )
    _, unregistered = send(county, "get", UNREGISTERED)
    assert unregistered["count"] == 1
    grid08 = api(world.grid08_worker)
    _, tasks = send(grid08, "get", FOLLOWUPS)
    assert [t["id"] for t in tasks["items"]] == [purchase["followup"]]
    response, done = send(grid08, "post", DONE, {"outcome": "已联系"}, followup_id=purchase["followup"])
    assert response.status_code == 200 and done["status"] == "done"
    _, listed = send(grid08, "get", PURCHASE_LIST)
    assert listed["count"] == 0  # the purchases are the pharmacy's (grid 07)
    response, _ = send(grid08, "post", PURCHASES, body, pharmacy_id=pharmacy["id"])
    assert response.status_code == 404
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday() + 7)
    weekly = {"week_start": monday.isoformat(), "fever": 1, "cough": 2, "antiviral": 0, "antibiotic": 0}
    response, report = send(county, "post", WEEKLY, weekly, pharmacy_id=pharmacy["id"])
    assert response.status_code == 201, report
    response, report = send(county, "post", WEEKLY, weekly | {"fever": 5}, pharmacy_id=pharmacy["id"])
    assert response.status_code == 200 and report["fever"] == 5
    _, reports = send(county, "get", WEEKLY, pharmacy_id=pharmacy["id"])
    assert len(reports) == 1


def test_gatherings(world):
    township = api(world.township_admin)
    body = {
        "node": world.township.code,
        "day": timezone.localdate().isoformat(),
        "reported": 2,
        "cancelled": 2,
    }
    response, row = send(township, "post", GATHERINGS, body)
    assert response.status_code == 201, row
    response, row = send(township, "post", GATHERINGS, body | {"cancelled": 3})
    assert response.status_code == 422
    _, rows = send(township, "get", GATHERINGS)
    assert rows["count"] == 1 and rows["items"][0]["cancelled"] == 2
    _, rows = send(api(world.grid08_worker), "get", GATHERINGS)
    assert rows["count"] == 0
