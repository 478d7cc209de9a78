"""The policy on the web: what is in force for each of the user's nodes, an administrator's new policy
from a preset with edited values, a township policy overriding the county's for its subtree from its
date, and refusals for everyone else."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from fangkong.conftest import make_node
from fangkong.grid import actions as grid_actions
from fangkong.grid.models import Level
from fangkong.lib.idcard import make
from fangkong.measures import actions, site_actions
from fangkong.measures.models import Measure
from fangkong.policy import actions as policy_actions
from fangkong.policy.models import Policy
from fangkong.registry import actions as registry_actions

SH = ZoneInfo("Asia/Shanghai")


def form_data(preset: str, effective_from: str, **changes) -> dict:
    """The policy form as the page fills it for a preset, with some values changed."""
    from fangkong.policy.presets import PRESETS

    values = PRESETS[preset]
    data = {
        "preset": preset,
        "effective_from": effective_from,
        "fever_threshold": values["fever_threshold"],
        "release_tests": values["release_tests"],
        "note": "",
    }
    for reason, steps in values["regimes"].items():
        for i, (_kind, days) in enumerate(steps):
            data[f"days_{reason}_{i}"] = days
    return {**data, **changes}


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
    site = site_actions.create_site(actor=world.county_admin, node=world.county, name="县隔离酒店")
    site_actions.add_rooms(actor=world.county_admin, site=site, first=1, last=5, capacity=1)
    return list(site.rooms.order_by("number"))


def test_it_shows_the_default_policy_with_its_unverified_entries(client, world):
    client.force_login(world.grid07_worker)

    html = client.get("/measures/policy/").content.decode()

    assert "第七网格" in html and "默认预设：2020年（新冠肺炎防控方案第二至七版）" in html
    assert "体温≥37.3℃" in html and "集中隔离医学观察14天" in html
    assert "未经核实" in html  # the 2020 test days could not be checked against an official text
    assert "/measures/policy/" + world.grid07.code + "/new/" not in html  # not an administrator


def test_it_marks_the_unverified_regimes_of_the_2021_preset(client, world):
    policy_actions.set_policy(
        actor=world.county_admin, node=world.county, effective_from=dt.date(2021, 1, 1), preset="2021"
    )
    client.force_login(world.county_admin)

    html = client.get("/measures/policy/").content.decode()

    section = html.split("外地返乡（来返）", 1)[1].split("</tr>", 1)[0]
    assert "居家健康监测14天" in section and "未经核实" in section
    close_contact = html.split('<td data-label="排查原因">密切接触者</td>', 1)[1].split("</tr>", 1)[0]
    assert "集中隔离医学观察14天 → 居家健康监测7天" in close_contact and "未经核实" not in close_contact
    assert "需2次阴性" in html and "东昌府区 2021-01-01起执行" in html


def test_it_lets_an_admin_set_a_policy_with_edited_values(client, world, people, rooms):
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
    history = client.get(f"/measures/policy/{world.county.code}/new/").content.decode()
    assert "鲁防控〔2021〕1号" in history and "37.5℃" in history


def test_it_shows_the_threshold_error_at_its_field(client, world):
    client.force_login(world.county_admin)

    html = client.post(
        f"/measures/policy/{world.county.code}/new/", form_data("2020", "2021-01-01", fever_threshold="47.0")
    ).content.decode()

    assert "不在合理范围" in html
    assert not Policy.objects.exists()


def test_it_redraws_the_values_when_another_preset_is_chosen(client, world):
    client.force_login(world.township_admin)

    html = client.get(
        f"/measures/policy/{world.township.code}/new/?preset=2022-12", HTTP_HX_REQUEST="true"
    ).content.decode()

    assert "<html" not in html
    assert 'name="days_close_contact_0"' in html and 'value="5"' in html
    assert 'name="days_close_contact_1"' not in html  # 2022-12: home quarantine only, one step


def test_it_refuses_policy_edit_to_a_non_admin(client, world):
    client.force_login(world.grid07_worker)
    url = f"/measures/policy/{world.grid07.code}/new/"

    assert client.get(url).status_code == 403
    assert client.post(url, form_data("2021", "2021-01-01")).status_code == 403
    client.force_login(world.grid08_worker)
    assert client.get(f"/measures/policy/{world.grid07.code}/new/").status_code == 404
    client.force_login(world.township_admin)  # an admin, but not of the county
    assert client.get(f"/measures/policy/{world.county.code}/new/").status_code == 404
    assert not Policy.objects.exists()


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
