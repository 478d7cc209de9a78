"""Completeness and timeliness against a count made in the test: units created, reports submitted at
known times around the deadline (D+1 10:00), the figures rolled up to the township and the county, the
deadline taken from the policy, the missing units' staff, and a fixed number of queries per view."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fangkong.conftest import PASSWORD
from fangkong.policy.actions import set_policy
from fangkong.policy.queries import policy_for
from fangkong.registry import actions as registry_actions
from fangkong.reporting import actions as daily_actions
from fangkong.reporting import completeness
from fangkong.reporting.completeness import Status
from fangkong.reporting.tests.daily_fixtures import START, D, at, clock, next_day, units

__all__ = ["units"]

DEADLINE = at(next_day(D), "10:00")  # the default: 10:00 the next day


def add_unit(world, node, name, kind="enterprise", active_from=START):
    unit = registry_actions.create_unit(actor=world.township_admin, node=node, name=name, kind=kind)
    return daily_actions.add_reporting_unit(actor=world.township_admin, unit=unit, active_from=active_from)


def send(actor, unit, moment, **kwargs):
    with clock(moment):
        return daily_actions.submit_report(actor=actor, reporting_unit=unit, day=D, **kwargs)


def classify(submitted: dt.datetime | None, deadline: dt.datetime, now: dt.datetime) -> str:
    """The rule, written again independently of completeness.py."""
    if submitted is None:
        return "pending" if now <= deadline else "missing"
    return "late" if submitted > deadline else "on_time"


def recount(sent: dict, where: dict, now: dt.datetime) -> dict[str, dict[str, int]]:
    """{bucket: {status: n}} counted from the test's own records of what was sent when."""
    counts: dict[str, dict[str, int]] = {}
    for name, submitted in sent.items():
        for bucket in (where[name], "total"):
            tally = counts.setdefault(bucket, dict.fromkeys(["on_time", "late", "missing", "pending"], 0))
            tally[classify(submitted, DEADLINE, now)] += 1
    return counts


def as_counts(tally) -> dict[str, int]:
    return {"on_time": tally.on_time, "late": tally.late, "missing": tally.missing, "pending": tally.pending}


@pytest.fixture
def town(world, units):
    """Eight reporting units; six expected on D (one starts after D, one stopped before it)."""
    extra = {
        "kindergarten08": add_unit(world, world.grid08, "八组幼儿园", kind="school"),
        "farm": add_unit(world, world.other_village, "后屯养殖场"),
        "later": add_unit(world, world.village, "前屯新厂", active_from=next_day(D)),
        "stopped": add_unit(world, world.other_village, "后屯旧厂"),
    }
    daily_actions.remove_reporting_unit(
        actor=world.township_admin, reporting_unit=extra["stopped"], active_until=D
    )
    return {**units, **extra}


# Which child of the township each expected unit rolls up to.
WHERE = {
    "qian": "前屯村委会",
    "kindergarten": "前屯村委会",
    "kindergarten08": "前屯村委会",
    "hou": "后屯村委会",
    "farm": "后屯村委会",
    "school": "本级",
}


def test_it_counts_on_time_late_missing_and_pending_around_the_deadline(world, town):
    sent = dict.fromkeys(WHERE)
    sent["qian"] = send(town["qian_staff"], town["qian"], at(next_day(D), "09:00"))[0].submitted_at
    # Exactly at the deadline is on time; a microsecond later is late.
    sent["kindergarten"] = send(world.grid07_worker, town["kindergarten"], DEADLINE)[0].submitted_at
    late = DEADLINE + dt.timedelta(microseconds=1)
    sent["kindergarten08"] = send(world.grid08_worker, town["kindergarten08"], late)[0].submitted_at
    sent["farm"] = send(town["hou_staff"], town["farm"], at(D, "20:00"))[0].submitted_at
    # A correction after the deadline does not make an on-time report late.
    send(town["hou_staff"], town["farm"], at(next_day(D), "12:00"), note="补充", reason="补充说明")
    assert sent["kindergarten"] == DEADLINE and sent["kindergarten08"] == late

    for now in (DEADLINE, DEADLINE + dt.timedelta(minutes=1), at(D + dt.timedelta(days=3), "08:00")):
        expected = recount(sent, WHERE, now)
        township = completeness.completeness(world.township, D, now=now)
        assert as_counts(township.total) == expected["total"]
        assert township.total.expected == 6
        assert township.total.received == 4
        by_child = {row.node.name: as_counts(row.tally) for row in township.children}
        assert by_child == {"前屯村委会": expected["前屯村委会"], "后屯村委会": expected["后屯村委会"]}
        assert as_counts(township.own) == expected["本级"]
        # Rolled up once more: the county's only child is the township, with the same figures.
        county = completeness.completeness(world.county, D, now=now)
        assert [row.node for row in county.children] == [world.township]
        assert as_counts(county.children[0].tally) == expected["total"] == as_counts(county.total)
        assert county.own.expected == 0
        # And down: the village's children are its grids.
        village = completeness.completeness(world.village, D, now=now)
        grids = {row.node.name: as_counts(row.tally) for row in village.children}
        assert grids["第七网格"]["on_time"] == 1 and grids["第八网格"]["late"] == 1
        assert village.own.on_time == 1  # 前屯村委会 itself

    at_deadline = completeness.completeness(world.township, D, now=DEADLINE)
    assert {r.unit.name: r.status for r in at_deadline.owed} == {
        "后屯村委会": Status.PENDING,
        "梁水镇中学": Status.PENDING,
    }
    after = completeness.completeness(world.township, D, now=DEADLINE + dt.timedelta(minutes=1))
    assert {r.unit.name for r in after.owed if r.status == Status.MISSING} == {"后屯村委会", "梁水镇中学"}
    assert after.total.received_pct == round(100 * 4 / 6, 1)
    assert after.total.on_time_pct == 50.0


def test_it_lists_the_staff_of_the_missing_units(world, town):
    with clock(DEADLINE + dt.timedelta(hours=1)):
        view = completeness.completeness(world.township, D)
    staff = {row.unit.name: {m.user.username for m in row.staff} for row in view.owed}
    # Everyone who may write at or below the unit's node; not viewers, not the township above.
    assert staff["前屯村委会"] == {"qian_staff", "grid07_worker", "grid08_worker"}
    assert staff["七组幼儿园"] == {"grid07_worker"}
    assert staff["后屯村委会"] == {"hou_staff"}
    assert staff["梁水镇中学"] == {"township_admin"}


def test_it_takes_the_deadline_from_the_policy_of_the_units_node(world, town):
    set_policy(
        actor=world.county_admin,
        node=world.other_village,
        effective_from=D,
        preset="2020",
        overrides={completeness.DEADLINE_KEY: "08:00"},
    )
    set_policy(actor=world.county_admin, node=world.township, effective_from=START, preset="2020")
    send(town["hou_staff"], town["hou"], at(next_day(D), "09:00"))
    send(town["qian_staff"], town["qian"], at(next_day(D), "09:00"))
    view = completeness.completeness(world.township, D, now=at(next_day(D), "12:00"))
    rows = {row.unit.name: row for row in view.rows}
    assert (
        rows["后屯村委会"].deadline == at(next_day(D), "08:00") and rows["后屯村委会"].status == Status.LATE
    )
    assert rows["后屯养殖场"].status == Status.MISSING  # its own deadline, 08:00, has passed too
    assert rows["前屯村委会"].deadline == DEADLINE and rows["前屯村委会"].status == Status.ON_TIME
    # The batch resolution agrees with policy_for for every node and day.
    for node in (world.county, world.township, world.village, world.grid07, world.other_village):
        for day in (START - dt.timedelta(days=1), START, D - dt.timedelta(days=1), D):
            policies = completeness.Policies.for_subtree(world.county, day)
            assert policies.deadline(node.path, day) == completeness.deadline_from(
                policy_for(node, day).values, day
            ), (node.name, day)


def test_it_falls_back_to_the_default_for_a_deadline_that_is_not_a_time():
    assert completeness.deadline_from({"report_deadline": "25:00"}, D) == DEADLINE
    assert completeness.deadline_from({"report_deadline": "9：30"}, D) == at(next_day(D), "09:30")
    assert completeness.deadline_from({}, D) == DEADLINE


def query_count(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def test_it_runs_a_fixed_number_of_queries_whatever_the_number_of_units(world, town):
    client = Client()
    client.login(username=world.township_admin.username, password=PASSWORD)
    url = reverse("completeness", kwargs={"code": world.township.code}) + f"?date={D.isoformat()}"
    client.get(url)  # warm-up: session, content types
    before_fn = query_count(lambda: completeness.completeness(world.township, D))
    before_page = query_count(lambda: client.get(url))
    for n in range(30):
        unit = add_unit(world, world.village if n % 2 else world.other_village, f"企业{n:02d}")
        if n % 3:
            send(world.township_admin, unit, at(next_day(D), "09:00"))
    after_fn = query_count(lambda: completeness.completeness(world.township, D))
    after_page = query_count(lambda: client.get(url))
    assert before_fn == after_fn == 4  # units with submissions, policies, children, staff
    assert before_page == after_page
    assert after_page <= 10


def test_it_shows_the_completeness_page_to_the_township(world, town):
    send(town["qian_staff"], town["qian"], at(next_day(D), "09:00"))
    client = Client()
    client.login(username=world.township_admin.username, password=PASSWORD)
    with clock(at(next_day(D), "11:00")):
        response = client.get(
            reverse("completeness", kwargs={"code": world.township.code}), {"date": "2022-03-10"}
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert "后屯村委会" in html and "后屯村干部" in html and "缺报" in html
    assert f'id="unit-{town["qian"].pk}"' not in html  # 前屯 has reported: not in the owed list
    assert f'id="unit-{town["hou"].pk}"' in html
