"""The policy on the web: what is in force for each of the user's nodes, an administrator's new policy
from a preset with edited values, and refusals for everyone else. How the periods of measures follow
what is set here: measures/tests/test_periods_from_policy.py."""

import datetime as dt

from fangkong.policy import actions as policy_actions
from fangkong.policy.models import Policy
from fangkong.policy.queries import policy_for


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


def test_it_lets_an_admin_set_a_policy_with_edited_values(client, world):
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
    assert policy_for(world.grid07, dt.date(2021, 3, 1)).policy == policy
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


def test_it_lets_an_admin_edit_the_tracing_section(client, world):
    client.force_login(world.county_admin)

    response = client.post(
        f"/measures/policy/{world.county.code}/new/",
        form_data("2021", "2021-01-01", lookback_days="4", report_hours="1", secondary_determined="no"),
    )

    assert response.status_code == 302
    tracing = Policy.objects.get(node=world.county).values["tracing"]
    assert (tracing["lookback_days"], tracing["report_hours"], tracing["core_hours"]) == (4, 1, 4)
    assert tracing["secondary_determined"] is False
    page = client.get("/measures/policy/").content.decode()
    assert "发病（无症状者采样）前4天" in page and "不再判定" in page


def test_it_keeps_the_tracing_section_when_the_form_leaves_it_out(client, world):
    client.force_login(world.county_admin)
    client.post(f"/measures/policy/{world.county.code}/new/", form_data("2022-11", "2022-11-11"))
    assert Policy.objects.get(node=world.county).values["tracing"]["secondary_determined"] is False
