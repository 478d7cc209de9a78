"""The tracing API as a county's system uses it: every answer as the published schema says, records made by
the same actions as the pages, people masked, and nothing of grid 07's case for the grid-08 worker."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangkong.grid.actions import issue_api_token
from fangkong.grid.tests.openapi_check import conforms
from fangkong.healthcodes.identity import identify
from fangkong.lib.idcard import make
from fangkong.tracing import actions
from fangkong.tracing.models import Candidate, Case, Decision

from .conftest import at_time

CASES = "/api/v1/cases"
CASE = "/api/v1/cases/{case_id}"
EVENTS = "/api/v1/cases/{case_id}/events"
ENTRIES = "/api/v1/cases/{case_id}/entries"
ENTRY = "/api/v1/cases/{case_id}/entries/{entry_id}"
CANDIDATES = "/api/v1/cases/{case_id}/candidates"
SEARCH = "/api/v1/cases/{case_id}/search"
DECISIONS = "/api/v1/cases/{case_id}/decisions"


def api(user) -> Client:
    _, raw = issue_api_token(actor=user, name="流调系统")
    return Client(headers={"authorization": f"Bearer {raw}"})


def send(client, method, template, body=None, **ids):
    url = template.format(**ids)
    if method == "get":
        response = client.get(url, body or {})
    else:
        response = getattr(client, method)(url, body or {}, content_type="application/json")
    return response, conforms(response, method, template) if response.status_code != 204 else None


@pytest.fixture
def county(world):
    return api(world.county_admin)


def test_it_lists_and_shows_cases_masked(world, cases_world, county):
    case = cases_world.case
    _, body = send(county, "get", CASES)
    assert body["count"] == 1
    [row] = body["items"]
    assert (row["number"], row["name"], row["masked_phone"]) == (case.number, "张*", "138****5678")
    assert row["node"] == world.grid07.code and row["kind"] == "confirmed"
    _, detail = send(county, "get", CASE, case_id=case.pk)
    assert [e["kind"] for e in detail["events"]] == ["confirmed"]
    assert {c["clock"] for c in detail["clocks"]} == {"report", "core", "investigation", "contacts"}
    # The window of a symptomatic case opens 2 days before onset and closes at isolation.
    since = dt.datetime.fromisoformat(detail["window_since"])
    assert since == at_time(cases_world.day - dt.timedelta(days=2), 0)
    assert dt.datetime.fromisoformat(detail["window_until"]) == case.isolated_at
    assert "张伟" not in str(detail)


def test_it_filters_cases(world, cases_world, county):
    assert send(county, "get", CASES, {"kind": "suspected"})[1]["count"] == 0
    day = cases_world.day.isoformat()
    assert send(county, "get", CASES, {"date_from": day, "date_to": day})[1]["count"] == 1


def test_it_reports_edits_and_transitions_a_case(world, people, county):
    day = timezone.localdate() - dt.timedelta(days=1)
    response, created = send(
        county,
        "post",
        CASES,
        {
            "kind": "suspected",
            "person": people["li"].pk,
            "diagnosed_at": f"{day}T09:30:00",
            "onset_on": str(day),
        },
    )
    assert response.status_code == 201
    case = Case.objects.get(pk=created["id"])
    assert (case.person, case.kind, case.onset_on) == (people["li"], "suspected", day)
    # A time without an offset is Beijing time.
    assert timezone.localtime(case.diagnosed_at).hour == 9
    _, edited = send(
        county,
        "put",
        CASE,
        {
            "diagnosed_at": f"{day}T09:30:00+08:00",
            "hospital": "聊城市传染病医院",
            "version": created["version"],
        },
        case_id=case.pk,
    )
    assert edited["hospital"] == "聊城市传染病医院" and edited["version"] == created["version"] + 1
    stale, error = send(
        county,
        "put",
        CASE,
        {"diagnosed_at": f"{day}T09:30:00+08:00", "version": created["version"]},
        case_id=case.pk,
    )
    assert stale.status_code == 409 and error["code"] == "conflict"
    response, _ = send(
        county, "post", EVENTS, {"kind": "confirmed", "at": f"{day}T15:00:00+08:00"}, case_id=case.pk
    )
    assert response.status_code == 201
    case.refresh_from_db()
    assert case.kind == "confirmed"
    refused, error = send(
        county, "post", EVENTS, {"kind": "suspected", "at": f"{day}T16:00:00+08:00"}, case_id=case.pk
    )
    assert refused.status_code == 422 and error["errors"]


def test_it_reports_a_case_of_someone_not_registered_here(world, county):
    identity = identify(id_number=make("110105", dt.date(1988, 8, 8), 64), name="陈静", phone="13600003333")
    _, created = send(
        county,
        "post",
        CASES,
        {"kind": "asymptomatic", "identity": identity.pk, "diagnosed_at": timezone.localtime().isoformat()},
    )
    assert (created["identity"], created["person"], created["node"]) == (identity.pk, None, world.county.code)
    assert created["name"] == "陈*"


def test_it_wants_one_person_or_identity(world, people, county):
    response, error = send(
        county, "post", CASES, {"kind": "confirmed", "diagnosed_at": timezone.localtime().isoformat()}
    )
    assert response.status_code == 422 and error["code"] == "invalid"


def test_it_adds_and_removes_entries(world, cases_world, county):
    case = cases_world.case
    starts = cases_world.at - dt.timedelta(hours=3)
    response, entry = send(
        county,
        "post",
        ENTRIES,
        {
            "kind": "vehicle",
            "starts_at": starts.isoformat(),
            "place": "K101路公交",
            "vehicle": "鲁P12345",
            "seat": "12",
        },
        case_id=case.pk,
    )
    assert response.status_code == 201
    _, listed = send(county, "get", ENTRIES, case_id=case.pk)
    assert [e["vehicle"] for e in listed] == ["鲁P12345"]
    response, _ = send(county, "delete", ENTRY, case_id=case.pk, entry_id=entry["id"])
    assert response.status_code == 204
    assert not case.entries.exists()


def test_it_searches_and_decides_in_bulk_with_filters(world, cases_world, county):
    case = cases_world.case
    _, summary = send(county, "post", SEARCH, case_id=case.pk)
    assert summary == {"found": 4, "new": 4, "venues": 1}
    assert send(county, "post", SEARCH, case_id=case.pk)[1]["new"] == 0  # twice: nothing twice
    _, listed = send(county, "get", CANDIDATES, {"venue": cases_world.restaurant.pk}, case_id=case.pk)
    assert [(c["name"], c["overlap_minutes"]) for c in listed["items"]] == [
        ("陈*", 60),
        ("王*", 40),
        ("赵*", 10),
    ]
    _, decided = send(
        county,
        "post",
        DECISIONS,
        {"decision": "close", "all": True, "venue": cases_world.restaurant.pk, "min_minutes": 15},
        case_id=case.pk,
    )
    assert decided["decided"] == 2
    assert {
        c["name"]: (c["decision"], bool(c["measure"]), bool(c["handed_over_at"])) for c in decided["items"]
    } == {
        "王*": ("close", True, False),  # registered here: under a measure
        "陈*": ("close", False, True),  # registered nowhere here: handed over
    }
    _, pending = send(county, "get", CANDIDATES, {"decision": "pending"}, case_id=case.pk)
    assert [c["name"] for c in pending["items"]] == ["赵*", "李**"]


def test_it_decides_named_candidates_by_id(world, cases_world, county):
    case = cases_world.case
    send(county, "post", SEARCH, case_id=case.pk)
    zhao = Candidate.objects.get(case=case, identity=cases_world.identities["zhao"])
    _, decided = send(
        county, "post", DECISIONS, {"decision": "cleared", "candidates": [zhao.pk]}, case_id=case.pk
    )
    assert [c["decision"] for c in decided["items"]] == ["cleared"]
    zhao.refresh_from_db()
    assert zhao.decision == Decision.CLEARED


def test_it_shows_nothing_of_grid_07_to_the_grid_08_worker(world, cases_world):
    other = api(world.grid08_worker)
    case = cases_world.case
    assert send(other, "get", CASES)[1] == {"count": 0, "items": []}
    for method, template in (("get", CASE), ("get", CANDIDATES), ("post", SEARCH), ("get", ENTRIES)):
        response, error = send(other, method, template, case_id=case.pk)
        assert response.status_code == 404 and error["code"] == "not_found"
    zhao = cases_world.identities["zhao"]
    response, _ = send(other, "post", DECISIONS, {"decision": "close", "all": True}, case_id=case.pk)
    assert response.status_code == 404
    assert not Candidate.objects.filter(identity=zhao).exists()


def test_it_lets_a_viewer_read_but_not_write(world, cases_world):
    viewer = api(world.grid07_viewer)
    case = cases_world.case
    assert send(viewer, "get", CASE, case_id=case.pk)[0].status_code == 200
    response, _ = send(viewer, "post", SEARCH, case_id=case.pk)
    assert response.status_code == 404


def test_it_lists_2_or_10_cases_in_the_same_number_of_queries(world, county):
    def add(n):
        start = Case.objects.count()
        for i in range(start, start + n):
            identity = identify(
                id_number=make("110105", dt.date(1990, 1, 1 + i), 100 + i),
                name=f"外来{i}",
                phone=f"1360000{i:04d}",
            )
            actions.report_case(
                actor=world.county_admin,
                node=world.county,
                kind="suspected",
                identity=identity,
                diagnosed_at=timezone.now() - dt.timedelta(hours=1),
            )

    def count():
        with CaptureQueriesContext(connection) as ctx:
            send(county, "get", CASES)
        return len(ctx.captured_queries)

    send(county, "get", CASES)  # the token's first use is recorded once
    add(2)
    two = count()
    add(8)
    assert count() == two
