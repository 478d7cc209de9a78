"""The periods of measures follow the policy in force where and when they start, whether set through the
policy pages or the action, and a measure keeps the policy it started under when a later one is set."""

import datetime as dt

import pytest

from fangkong.conftest import make_node
from fangkong.grid import actions as grid_actions
from fangkong.grid.models import Level
from fangkong.lib.idcard import make
from fangkong.measures import actions, rules
from fangkong.measures.models import Measure
from fangkong.policy import actions as policy_actions
from fangkong.policy.models import Kind, Policy, Reason
from fangkong.policy.tests.test_pages_policy import form_data
from fangkong.registry import actions as registry_actions

SH = rules.SHANGHAI


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def set_policy(world, node, day: str, preset: str, actor=None, **kw):
    return policy_actions.set_policy(
        actor=actor or world.county_admin, node=node, effective_from=d(day), preset=preset, **kw
    )


def close_contact_in_central(world, person, reference: dt.date, room) -> Measure:
    screening = actions.record_screening(
        actor=world.county_admin,
        person=person,
        reason="close_contact",
        screened_on=reference + dt.timedelta(days=1),
        reference_date=reference,
    )
    return actions.start_measure(
        actor=world.county_admin,
        person=person,
        kind="central_quarantine",
        screening=screening,
        started_at=dt.datetime.combine(reference + dt.timedelta(days=1), dt.time(9), tzinfo=SH),
        room=room,
    )


@pytest.fixture
def rooms(world):
    site = actions.create_site(actor=world.county_admin, node=world.county, name="县隔离酒店")
    actions.add_rooms(actor=world.county_admin, site=site, first=1, last=5, capacity=1)
    return list(site.rooms.order_by("number"))


def test_it_plans_a_measure_with_the_values_an_admin_edited_on_the_policy_page(client, world, people, rooms):
    client.force_login(world.county_admin)

    response = client.post(
        f"/measures/policy/{world.county.code}/new/",
        form_data(
            "2021", "2021-01-01", fever_threshold="37.5", days_close_contact_0="10", note="鲁防控〔2021〕1号"
        ),
    )

    assert response.status_code == 302 and response["Location"] == "/measures/policy/"
    policy = Policy.objects.get(node=world.county)
    assert policy.preset == "2021" and policy.effective_from == dt.date(2021, 1, 1)
    assert policy.values["fever_threshold"] == "37.5"
    assert policy.values["regimes"]["close_contact"] == [["central_quarantine", 10], ["home_monitoring", 7]]
    measure = close_contact_in_central(world, people["zhang"], dt.date(2021, 3, 1), rooms[0])
    assert measure.planned_end == dt.datetime(2021, 3, 12, tzinfo=SH)  # day 10 is 11 March
    assert measure.policy == policy


def test_it_lets_a_township_policy_override_the_county_for_its_subtree_from_its_date(
    client, world, people, rooms
):
    other_township = make_node("371502104", "堂邑镇", Level.TOWNSHIP, world.county)
    other_village = make_node("371502104201", "堂邑村委会", Level.VILLAGE, other_township)
    other_grid = grid_actions.create_grid(
        actor=world.county_admin, village=other_village, local_code="01", name="堂邑一网格"
    )
    elsewhere = registry_actions.register_person(
        actor=world.county_admin,
        node=other_grid,
        name="刘洋",
        id_number=make("371502", dt.date(1988, 8, 8), 35),
    )
    client.force_login(world.county_admin)
    assert (
        client.post(f"/measures/policy/{world.county.code}/new/", form_data("2021", "2021-01-01")).status_code
        == 302
    )
    client.force_login(world.township_admin)
    assert (
        client.post(
            f"/measures/policy/{world.township.code}/new/", form_data("2022-06", "2022-06-28")
        ).status_code
        == 302
    )

    before = close_contact_in_central(world, people["zhang"], dt.date(2022, 6, 20), rooms[0])
    after = close_contact_in_central(world, people["li"], dt.date(2022, 7, 1), rooms[1])
    outside = close_contact_in_central(world, elsewhere, dt.date(2022, 7, 1), rooms[2])

    assert before.planned_end == dt.datetime(2022, 7, 5, tzinfo=SH)  # county 2021: 14 days from 20 June
    assert after.planned_end == dt.datetime(2022, 7, 9, tzinfo=SH)  # township 2022-06: 7 days from 1 July
    assert outside.planned_end == dt.datetime(2022, 7, 16, tzinfo=SH)  # another township: the county's 14
    assert "梁水镇 2022-06-28起执行" in after.policy_label and "东昌府区" in outside.policy_label
    html = client.get("/measures/policy/").content.decode()
    assert "梁水镇 2022-06-28起执行（基于2022年6月（防控方案第九版））" in html
    history = client.get(f"/measures/policy/{world.township.code}/new/").content.decode()
    assert "东昌府区" in history and "2021-01-01" in history and "2022-06-28" in history


def test_it_keeps_the_period_a_measure_started_with_when_the_policy_changes_later(world, people):
    set_policy(world, world.county, "2021-06-01", "2021")
    screening = actions.record_screening(
        actor=world.grid07_worker,
        person=people["zhang"],
        reason=Reason.ARRIVAL_MEDIUM,
        screened_on=d("2022-03-01"),
        arrived_on=d("2022-02-28"),
    )
    measure = actions.start_measure(
        actor=world.grid07_worker,
        person=people["zhang"],
        kind=Kind.HOME_QUARANTINE,
        screening=screening,
        started_at=dt.datetime(2022, 3, 1, 10, tzinfo=SH),
    )
    # 2021: arrivals from a medium-risk area 14 days home quarantine, 03-01 … 03-14.
    assert measure.planned_end == dt.datetime(2022, 3, 15, tzinfo=SH)
    later = set_policy(world, world.county, "2022-02-01", "2022-12")  # back-dated, set afterwards
    measure.refresh_from_db()
    assert measure.planned_end == dt.datetime(2022, 3, 15, tzinfo=SH)
    assert measure.policy != later and measure.policy.preset == "2021"
    assert measure.policy_label.startswith("东昌府区 2021-06-01起执行")
