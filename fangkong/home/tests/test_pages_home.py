"""The home page: each membership of the user with the counts of its subtree."""

import re

import pytest

from fangkong.grid import actions as grid_actions
from fangkong.registry import actions as registry_actions
from fangkong.registry.models import Household, Person


def counts_on(html: str) -> dict:
    """The figures of the first counts panel, by label."""
    panel = html.split('<div class="counts">', 1)[1].split("</div>\n</div>", 1)[0]
    found = re.findall(r"<b>([^<]*)</b><span>([^<]*)</span>", panel)
    return {re.sub(r"（\d+/\d+）$", "", label): value for value, label in found}


@pytest.fixture
def verified(people, world):
    registry_actions.verify_person(actor=world.grid07_worker, person=people["zhang"], method="in_person")
    return people


def test_it_shows_county_admin_the_counts_of_the_whole_county(client, world, verified):
    grid_actions.create_grid(
        actor=world.county_admin, village=world.other_village, local_code="01", name="一"
    )
    client.force_login(world.county_admin)

    html = client.get("/").content.decode()

    assert "东昌府区" in html
    persons = Person.objects.filter(node__path__startswith=world.county.path).count()
    households = Household.objects.filter(node__path__startswith=world.county.path).count()
    assert counts_on(html) == {
        "乡镇（街道）": "1",
        "村（社区）": "2",
        "网格": "3",
        "户": str(households),
        "实有人口": str(persons),
        "核查率": "33.3%",  # 1 of 3, rounded to one decimal
    }


def test_it_counts_only_the_grid_of_a_grid_worker(client, world, verified):
    client.force_login(world.grid07_worker)

    html = client.get("/").content.decode()

    assert "第七网格" in html
    assert counts_on(html) == {
        "乡镇（街道）": "0",
        "村（社区）": "0",
        "网格": "1",
        "户": "1",
        "实有人口": "2",
        "核查率": "50.0%",
    }
    assert "东昌府区" not in html


def test_it_counts_a_verification_by_phone_as_verified(client, world, people):
    registry_actions.verify_person(actor=world.grid08_worker, person=people["wang"], method="by_phone")

    client.force_login(world.grid08_worker)
    assert counts_on(client.get("/").content.decode())["核查率"] == "100.0%"
    client.force_login(world.township_admin)
    assert counts_on(client.get("/").content.decode())["核查率"] == "33.3%"


def test_it_shows_a_dash_for_the_rate_of_a_node_without_people(client, world):
    client.force_login(world.grid07_viewer)

    assert counts_on(client.get("/").content.decode())["核查率"] == "—"


def test_it_tells_an_account_without_membership_to_ask_an_admin(client, world, people):
    client.force_login(world.outsider)

    html = client.get("/").content.decode()

    assert "您的账号尚未分配辖区，请联系管理员" in html
    assert 'class="counts"' not in html
    assert "东昌府区" not in html and "第七网格" not in html


def test_it_sends_anonymous_visitors_to_the_login_page(client, world):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_counts_in_a_fixed_number_of_queries(client, world, people, django_assert_max_num_queries):
    client.force_login(world.county_admin)
    with django_assert_max_num_queries(12):
        assert client.get("/").status_code == 200


def test_it_rounds_the_rate_half_up_to_one_decimal():
    from decimal import Decimal

    from fangkong.registry.queries import percent

    assert percent(1, 16) == Decimal("6.3")  # 6.25
    assert percent(2, 3) == Decimal("66.7")
    assert percent(0, 5) == Decimal("0.0")
    assert percent(0, 0) is None
