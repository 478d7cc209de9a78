"""The key-person, follow-up and alert API as a caretaker's phone or a township's system uses it: every
answer as the published schema says, records made by the same actions as the web pages, and nothing of
grid 07 for the grid-08 worker (404 for a record, an empty list)."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangkong.audit.models import Action, AuditEvent
from fangkong.grid.actions import issue_api_token
from fangkong.grid.tests.openapi_check import conforms
from fangkong.measures import actions
from fangkong.measures.models import Alert, FollowUp
from fangkong.policy.models import Kind, Reason

KEYPERSONS = "/api/v1/keypersons"
KEYPERSON = "/api/v1/keypersons/{person_id}"
FOLLOWUPS = "/api/v1/measures/{measure_id}/followups"
ALERTS = "/api/v1/alerts"
RESOLVE = "/api/v1/alerts/{alert_id}/resolve"


def api(user) -> Client:
    _, raw = issue_api_token(actor=user, name="随访终端")
    return Client(headers={"authorization": f"Bearer {raw}"})


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


@pytest.fixture
def zhang_at_home(world, people):
    """张伟 of grid 07 screened on arrival and in home quarantine since two days ago, the grid-07 worker
    caring for him; 李秀英 screened only."""
    admin = world.county_admin
    screening = actions.record_screening(
        actor=admin,
        person=people["zhang"],
        reason=Reason.ARRIVAL,
        screened_on=timezone.localdate() - dt.timedelta(days=2),
        arrived_on=timezone.localdate() - dt.timedelta(days=3),
    )
    measure = actions.start_measure(
        actor=admin,
        person=people["zhang"],
        kind=Kind.HOME_QUARANTINE,
        screening=screening,
        started_at=timezone.now() - dt.timedelta(days=2),
    )
    actions.assign_caretaker(actor=admin, measure=measure, user=world.grid07_worker, role="grid_worker")
    actions.record_screening(
        actor=admin, person=people["li"], reason=Reason.CLOSE_CONTACT, screened_on=timezone.localdate()
    )
    return measure


def fever(world, measure) -> Alert:
    follow_up = actions.record_follow_up(
        actor=world.county_admin,
        measure=measure,
        temperature="38.4",
        taken_at=timezone.now() - dt.timedelta(minutes=10),
    )
    return follow_up.alert


# Key persons ---------------------------------------------------------------------------------------------


def test_it_lists_the_key_persons_of_the_callers_area(world, people, zhang_at_home):
    client = api(world.grid07_worker)
    body = conforms(client.get(KEYPERSONS), "get", KEYPERSONS)
    assert body["count"] == 2
    rows = {row["id"]: row for row in body["items"]}
    zhang = rows[people["zhang"].pk]
    assert zhang["status"] == "active"
    assert zhang["measure_id"] == zhang_at_home.pk
    assert zhang["measure_kind"] == Kind.HOME_QUARANTINE
    assert zhang["screening_reason"] == Reason.ARRIVAL
    assert zhang["masked_id_number"] != people["zhang"].id_number
    assert "13812345678" not in str(body)
    assert rows[people["li"].pk]["status"] == "screened"


def test_it_filters_key_persons_by_measure_kind_activity_and_node(world, people, zhang_at_home):
    client = api(world.grid07_worker)

    def ids(query):
        body = conforms(client.get(f"{KEYPERSONS}?{query}"), "get", KEYPERSONS)
        return {row["id"] for row in body["items"]}

    zhang, li = people["zhang"].pk, people["li"].pk
    assert ids(f"kind={Kind.HOME_QUARANTINE}") == {zhang}
    assert ids(f"kind={Kind.CENTRAL_QUARANTINE}") == set()
    assert ids("active=true") == {zhang}
    assert ids("active=false") == set()
    assert ids(f"reason={Reason.CLOSE_CONTACT}") == {li}
    assert ids(f"node={world.grid07.code}") == {zhang, li}


def test_it_shows_the_grid_08_worker_none_of_grid_07s_key_persons(world, people, zhang_at_home):
    client = api(world.grid08_worker)
    assert conforms(client.get(KEYPERSONS), "get", KEYPERSONS) == {"count": 0, "items": []}
    response = client.get(f"{KEYPERSONS}?node={world.grid07.code}")
    assert conforms(response, "get", KEYPERSONS)["code"] == "not_found"
    response = client.get(KEYPERSON.format(person_id=people["zhang"].pk))
    assert response.status_code == 404
    conforms(response, "get", KEYPERSON)


def test_it_shows_one_key_person_with_screenings_measures_and_caretakers(world, people, zhang_at_home):
    zhang = people["zhang"]
    response = api(world.grid07_worker).get(KEYPERSON.format(person_id=zhang.pk))
    body = conforms(response, "get", KEYPERSON)
    assert body["name"] == "张伟"
    assert body["masked_id_number"] == zhang.masked_id_number != zhang.id_number
    assert body["masked_phone"] == zhang.masked_phone != zhang.phone
    [screening] = body["screenings"]
    assert screening["reason"] == Reason.ARRIVAL
    [measure] = body["measures"]
    assert (measure["id"], measure["active"], measure["screening"]) == (
        zhang_at_home.pk,
        True,
        screening["id"],
    )
    assert [c["user"] for c in measure["caretakers"]] == [world.grid07_worker.pk]
    # Reading a person's detail is audited, as on the web.
    assert AuditEvent.objects.filter(
        action=Action.VIEW_PERSON, actor=world.grid07_worker, target_id=str(zhang.pk)
    ).exists()


def test_it_answers_404_for_a_registered_person_who_is_no_key_person(world, people):
    response = api(world.grid07_worker).get(KEYPERSON.format(person_id=people["zhang"].pk))
    assert response.status_code == 404
    conforms(response, "get", KEYPERSON)


# Follow-ups ----------------------------------------------------------------------------------------------


def test_it_records_a_follow_up_and_raises_an_alert_for_fever(world, people, zhang_at_home):
    client = api(world.grid07_worker)
    url = FOLLOWUPS.format(measure_id=zhang_at_home.pk)
    taken = timezone.localtime() - dt.timedelta(minutes=3)
    body = {"temperature": 38.2, "symptoms": ["干咳"], "taken_at": taken.isoformat()}
    answer = conforms(post(client, url, body), "post", FOLLOWUPS)
    reading = FollowUp.objects.get(pk=answer["id"])
    assert (str(reading.temperature), reading.symptoms, reading.recorded_by) == (
        "38.2",
        ["干咳"],
        world.grid07_worker,
    )
    assert answer["abnormal"] is True
    assert answer["alert"] == Alert.objects.get(follow_up=reading).pk
    # A retried request changes nothing: the same reading, the same alert, nothing new.
    again = conforms(post(client, url, body), "post", FOLLOWUPS)
    assert (again["id"], again["alert"]) == (answer["id"], answer["alert"])
    assert FollowUp.objects.filter(measure=zhang_at_home).count() == 1
    assert Alert.objects.filter(measure=zhang_at_home).count() == 1


def test_it_refuses_a_follow_up_as_the_action_does(world, people, zhang_at_home):
    client = api(world.grid07_worker)
    url = FOLLOWUPS.format(measure_id=zhang_at_home.pk)
    future = (timezone.localtime() + dt.timedelta(hours=1)).isoformat()
    response = post(client, url, {"temperature": 36.5, "taken_at": future})
    assert response.status_code == 422
    assert "taken_at" in conforms(response, "post", FOLLOWUPS)["errors"]
    response = post(client, url, {"temperature": 45})
    assert response.status_code == 422
    assert "temperature" in conforms(response, "post", FOLLOWUPS)["errors"]
    response = post(client, url, {"temperature": 36.5, "symptoms": ["头晕"]})
    assert response.status_code == 422
    assert "symptoms.0" in conforms(response, "post", FOLLOWUPS)["errors"]


def test_it_keeps_follow_ups_of_grid_07_from_others(world, people, zhang_at_home):
    url = FOLLOWUPS.format(measure_id=zhang_at_home.pk)
    response = post(api(world.grid08_worker), url, {"temperature": 36.5})
    assert response.status_code == 404
    conforms(response, "post", FOLLOWUPS)
    response = post(api(world.grid07_viewer), url, {"temperature": 36.5})  # may see, may not write
    assert response.status_code == 403
    conforms(response, "post", FOLLOWUPS)
    assert not FollowUp.objects.exists()


# Alerts --------------------------------------------------------------------------------------------------


def test_it_lists_open_alerts_in_the_callers_area(world, people, zhang_at_home):
    alert = fever(world, zhang_at_home)
    body = conforms(api(world.township_admin).get(ALERTS), "get", ALERTS)
    assert [row["id"] for row in body["items"]] == [alert.pk]
    assert body["items"][0]["summary"].startswith("体温38.4℃")
    assert body["items"][0]["masked_phone"] != "13812345678"
    assert conforms(api(world.grid08_worker).get(ALERTS), "get", ALERTS) == {"count": 0, "items": []}
    elsewhere = api(world.grid07_worker).get(f"{ALERTS}?node={world.grid08.code}")
    assert elsewhere.status_code == 404
    conforms(elsewhere, "get", ALERTS)


def test_it_resolves_an_alert_once(world, people, zhang_at_home):
    alert = fever(world, zhang_at_home)
    client = api(world.grid07_worker)
    url = RESOLVE.format(alert_id=alert.pk)
    response = post(client, url, {"resolution": "复测体温36.8℃，正常"})
    body = conforms(response, "post", RESOLVE)
    assert response.status_code == 200
    assert body["resolution"] == "复测体温36.8℃，正常" and body["resolved_at"]
    assert conforms(client.get(ALERTS), "get", ALERTS)["count"] == 0
    response = post(client, url, {"resolution": "再次处置"})
    assert response.status_code == 409
    conforms(response, "post", RESOLVE)
    alert.refresh_from_db()
    assert alert.resolution == "复测体温36.8℃，正常"


def test_it_refuses_a_blank_resolution_and_keeps_alerts_of_grid_07_from_others(world, people, zhang_at_home):
    alert = fever(world, zhang_at_home)
    url = RESOLVE.format(alert_id=alert.pk)
    response = post(api(world.grid07_worker), url, {"resolution": "  "})
    assert response.status_code == 422
    assert "resolution" in conforms(response, "post", RESOLVE)["errors"]
    response = post(api(world.grid08_worker), url, {"resolution": "已处置"})
    assert response.status_code == 404
    conforms(response, "post", RESOLVE)
    response = post(api(world.grid07_viewer), url, {"resolution": "已处置"})
    assert response.status_code == 403
    conforms(response, "post", RESOLVE)
    alert.refresh_from_db()
    assert alert.resolved_at is None


def test_it_lists_key_persons_and_alerts_in_as_many_queries_however_many_there_are(
    world, people, zhang_at_home
):
    client = api(world.township_admin)
    fever(world, zhang_at_home)
    client.get(ALERTS)  # the token's first use is written down once

    def queries_for(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = {url: queries_for(url) for url in (KEYPERSONS, ALERTS)}
    wang = people["wang"]
    measure = actions.start_measure(
        actor=world.county_admin,
        person=wang,
        kind=Kind.HOME_MONITORING,
        screening=actions.record_screening(
            actor=world.county_admin, person=wang, reason=Reason.FEVER, screened_on=timezone.localdate()
        ),
        started_at=timezone.now() - dt.timedelta(days=1),
    )
    fever(world, measure)
    assert {url: queries_for(url) for url in (KEYPERSONS, ALERTS)} == before
