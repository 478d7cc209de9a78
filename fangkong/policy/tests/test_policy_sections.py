"""The policy form's sections of the later modules (§4 test days, §13 key groups and vaccines, §16
supplies and disinfection): edited, validated at their field, and kept when the form leaves them out."""

import pytest

from fangkong.policy.forms import parse_test_days
from fangkong.policy.models import Policy
from fangkong.policy.presets import PRESETS
from fangkong.policy.queries import disinfection_values, supplies_values, vaccination_values

from .test_pages_policy import form_data


def test_it_reads_test_days_as_people_type_them():
    assert parse_test_days("1,2,3,5,7") == [1, 2, 3, 5, 7]
    assert parse_test_days("7、1，4  4") == [1, 4, 7]
    assert parse_test_days("") == []
    for bad in ("0", "61", "一", "1.5"):
        with pytest.raises(ValueError):
            parse_test_days(bad)


def test_it_lets_an_admin_edit_the_sections_of_the_later_modules(client, world):
    client.force_login(world.county_admin)
    url = f"/measures/policy/{world.county.code}/new/"
    page = client.get(url).content.decode()
    assert "重点人群检测频次" in page and "消毒频次" in page and "临期预警天数" in page
    response = client.post(
        url,
        form_data(
            "2021",
            "2021-01-01",
            tests_central_quarantine="1、3、7、14",
            tests_home_monitoring="",
            kg_cold_chain="2",
            vac_bibp_interval="28",
            use_days="14",
            expiry_warning_days="60",
            dis_lift_times="4",
            dis_square_every="3",
        ),
    )
    assert response.status_code == 302
    values = Policy.objects.get(node=world.county).values
    assert values["tests"]["central_quarantine"] == [1, 3, 7, 14]
    assert "home_monitoring" not in values["tests"]  # emptied: no test required
    assert values["tests"].get("home_quarantine") == PRESETS["2021"]["tests"].get("home_quarantine")  # kept
    assert values["testing"]["key_group_days"]["cold_chain"] == 2
    assert values["testing"]["key_group_days"]["port"] == 7  # not edited: kept
    assert vaccination_values(values)["products"]["bibp"]["min_interval_days"] == 28
    assert supplies_values(values) == {"use_days": 14, "expiry_warning_days": 60}
    rules = disinfection_values(values)
    assert rules["lift"] == {"times": 4, "every_days": 1} and rules["square"] == {"times": 1, "every_days": 3}


def test_it_names_the_field_of_a_bad_value_and_saves_nothing(client, world):
    client.force_login(world.county_admin)
    url = f"/measures/policy/{world.county.code}/new/"
    response = client.post(url, form_data("2021", "2021-01-01", tests_home_quarantine="1,99", kg_port="0"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "第1至60天" in form.errors["tests_home_quarantine"][0]
    assert "kg_port" in form.errors
    assert not Policy.objects.exists()


def test_it_keeps_the_sections_when_the_form_leaves_them_out(client, world):
    client.force_login(world.county_admin)
    url = f"/measures/policy/{world.county.code}/new/"
    client.post(url, form_data("2021", "2021-01-01", kg_medical="3", dis_bus_times="6"))
    client.post(url, form_data("2021", "2021-02-01"))  # an edit of other sections only
    values = Policy.objects.get(node=world.county, effective_from="2021-02-01").values
    assert values["testing"]["key_group_days"]["medical"] == 3
    assert disinfection_values(values)["bus"]["times"] == 6
    assert values["tests"] == PRESETS["2021"]["tests"]
