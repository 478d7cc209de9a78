"""The daily-report and indicator API as a township's system uses it: every answer as the published schema
says, reports submitted by the same actions as the pages (a retry adds nothing, a correction needs a
reason, a zero report only when nothing happened), the indicators those of `fangkong indicators --json`,
and nothing of grid 07 for the grid-08 worker."""

import json
from io import StringIO

from django.core.management import call_command
from django.test import Client

from fangkong.grid.actions import issue_api_token
from fangkong.grid.tests.openapi_check import conforms
from fangkong.measures import actions as measure_actions
from fangkong.policy.models import Reason
from fangkong.reporting.models import DailyReport
from fangkong.reporting.tests.daily_fixtures import D, units

__all__ = ["units"]

LIST = "/api/v1/daily-reports"
SUBMIT = "/api/v1/reporting-units/{reporting_unit_id}/daily-reports"
ZERO = "/api/v1/reporting-units/{reporting_unit_id}/zero-reports"
INDICATORS = "/api/v1/indicators"


def api(user) -> Client:
    _, raw = issue_api_token(actor=user, name="报表对接")
    return Client(headers={"authorization": f"Bearer {raw}"})


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_it_lists_a_nodes_reporting_units_with_their_reports_of_the_day(world, units):
    client = api(units["qian_staff"])
    url = SUBMIT.format(reporting_unit_id=units["qian"].pk)
    sent = conforms(post(client, url, {"day": D.isoformat(), "activities": {"meetings": 2}}), "post", SUBMIT)
    response = api(world.township_admin).get(LIST, {"node": world.village.code, "day": D.isoformat()})
    body = conforms(response, "get", LIST)
    rows = {row["reporting_unit"]: row for row in body["items"]}
    assert set(rows) == {units["qian"].pk, units["kindergarten"].pk}  # the village and what lies under it
    assert body["count"] == 2
    assert rows[units["qian"].pk]["report"] == sent
    assert rows[units["qian"].pk]["status"] == "late"  # sent now, long after D's deadline
    assert rows[units["kindergarten"].pk]["status"] == "missing"
    assert rows[units["kindergarten"].pk]["report"] is None


def test_it_submits_a_report_once_and_corrects_it_only_with_a_reason(world, units):
    client = api(units["qian_staff"])
    url = SUBMIT.format(reporting_unit_id=units["qian"].pk)
    body = {"day": D.isoformat(), "activities": {"meetings": 2}, "note": "入户排查"}
    first = post(client, url, body)
    assert first.status_code == 201
    report = conforms(first, "post", SUBMIT)
    assert report["activities"]["meetings"] == 2 and report["revision"] == 1
    again = post(client, url, body)  # a retried request
    assert again.status_code == 200
    assert conforms(again, "post", SUBMIT)["id"] == report["id"]
    changed = {**body, "activities": {"meetings": 3}}
    refused = post(client, url, changed)
    assert refused.status_code == 422
    assert "reason" in conforms(refused, "post", SUBMIT)["errors"]
    corrected = post(client, url, {**changed, "reason": "会议次数填错"})
    assert corrected.status_code == 201
    assert conforms(corrected, "post", SUBMIT)["revision"] == 2
    assert DailyReport.objects.filter(reporting_unit=units["qian"], day=D).count() == 2
    negative = post(client, url, {**changed, "activities": {"meetings": -1}, "reason": "再改"})
    assert negative.status_code == 422
    assert "meetings" in conforms(negative, "post", SUBMIT)["errors"]


def test_it_takes_a_zero_report_only_when_nothing_happened(world, people, units):
    client = api(units["qian_staff"])
    url = ZERO.format(reporting_unit_id=units["qian"].pk)
    first = post(client, url, {"day": D.isoformat()})
    assert first.status_code == 201
    assert conforms(first, "post", ZERO)["is_zero"] is True
    assert post(client, url, {"day": D.isoformat()}).status_code == 200
    measure_actions.record_screening(
        actor=world.township_admin, person=people["zhang"], reason=Reason.ARRIVAL, screened_on=D
    )
    day_after = D.replace(day=D.day + 1)
    measure_actions.record_screening(
        actor=world.township_admin, person=people["li"], reason=Reason.ARRIVAL, screened_on=day_after
    )
    refused = post(client, url, {"day": day_after.isoformat()})
    assert refused.status_code == 422
    assert "不能零报告" in conforms(refused, "post", ZERO)["errors"]["__all__"]


def test_it_keeps_grid_07s_reports_from_the_grid_08_worker(world, units):
    client = api(world.grid08_worker)
    kindergarten = units["kindergarten"].pk
    for url in (SUBMIT.format(reporting_unit_id=kindergarten), ZERO.format(reporting_unit_id=kindergarten)):
        response = post(client, url, {"day": D.isoformat()})
        assert response.status_code == 404
        conforms(response, "post", SUBMIT if "daily" in url else ZERO)
    response = client.get(LIST, {"node": world.grid07.code, "day": D.isoformat()})
    assert response.status_code == 404
    conforms(response, "get", LIST)
    own = conforms(client.get(LIST, {"node": world.grid08.code, "day": D.isoformat()}), "get", LIST)
    assert own == {"count": 0, "items": []}
    viewer = post(
        api(world.grid07_viewer), SUBMIT.format(reporting_unit_id=kindergarten), {"day": D.isoformat()}
    )
    assert viewer.status_code == 403
    conforms(viewer, "post", SUBMIT)
    assert not DailyReport.objects.exists()


def test_it_gives_the_indicators_of_the_command_line(world, people, units):
    measure_actions.record_screening(
        actor=world.township_admin, person=people["zhang"], reason=Reason.ARRIVAL, screened_on=D
    )
    out = StringIO()
    call_command("indicators", node=world.township.code, date=D.isoformat(), json=True, stdout=out)
    response = api(world.township_admin).get(INDICATORS, {"node": world.township.code, "day": D.isoformat()})
    body = conforms(response, "get", INDICATORS)
    assert body == json.loads(out.getvalue())
    assert body["indicators"]["screened_new"] == 1


def test_it_keeps_grid_07s_indicators_from_the_grid_08_worker_and_refuses_what_is_no_date(world):
    client = api(world.grid08_worker)
    response = client.get(INDICATORS, {"node": world.grid07.code, "day": D.isoformat()})
    assert response.status_code == 404
    conforms(response, "get", INDICATORS)
    response = client.get(INDICATORS, {"node": world.grid08.code, "day": "0"})
    assert response.status_code == 422
    assert "day" in conforms(response, "get", INDICATORS)["errors"]
