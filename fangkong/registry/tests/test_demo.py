"""The demo county's population: drawn people are repeatable and plausible, stored as the actions would
store them, and each demo account sees its own area only (the command: home/tests/test_load_demo.py)."""

import functools

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q
from django.urls import reverse

from fangkong.grid import divisions
from fangkong.grid.models import Jurisdiction
from fangkong.lib import idcard
from fangkong.lib.pinyin import pinyin_keys
from fangkong.lib.sorting import natural_key
from fangkong.registry import demo, population, queries
from fangkong.registry.models import Household, Person, Relation, Residence

# Reading the statistics bureau's 620,000 villages takes about a second; read them once per test run.
_read_county_once = functools.cache(divisions.read_county)


@pytest.fixture(autouse=True)
def read_county_once(monkeypatch):
    monkeypatch.setattr(divisions, "read_county", _read_county_once)


def places():
    return [
        population.Place(
            Jurisdiction(code=f"371502103{300 + i}", name="村"), "梁水镇", f"第{i}村", community=i == 3
        )
        for i in range(4)
    ]


def members(drafts):
    return [m for h in drafts for m in h.members]


def age(person) -> int:
    return population.age_on(person.birth_date)


def test_it_draws_the_same_people_from_the_same_seed():
    first = population.generate_population(places=places(), households=300, seed=7)
    again = population.generate_population(places=places(), households=300, seed=7)
    other = population.generate_population(places=places(), households=300, seed=8)
    key = [(m.name, m.id_number, m.phone) for m in members(first)]
    assert key == [(m.name, m.id_number, m.phone) for m in members(again)]
    assert [h.address for h in first] == [h.address for h in again]
    assert {m.id_number for m in members(first)} != {m.id_number for m in members(other)}


def test_it_draws_valid_unique_id_numbers_that_agree_with_sex_and_birth_date():
    people = members(population.generate_population(places=places(), households=2000, seed=1))
    numbers = [m.id_number for m in people]
    assert len(set(numbers)) == len(numbers)
    for person in people:
        parsed = idcard.parse(person.id_number)
        assert (parsed.sex, parsed.birth_date) == (person.sex, person.birth_date), person
        assert parsed.region.startswith(("3715", "130433", "410922"))


def test_it_gives_names_of_the_right_sex():
    people = members(population.generate_population(places=places(), households=1000, seed=2))
    names_for = {
        sex: {n for (_, s), names in population.GIVEN_NAMES.items() if s == sex for n in names}
        for sex in ("male", "female")
    }
    for person in people:
        assert person.name[0] in population.SURNAMES
        assert person.name[1:] in names_for[person.sex], person


def test_it_gives_every_household_one_head_and_ages_that_fit_the_relations():
    drafts = population.generate_population(places=places(), households=2000, seed=3)
    for household in drafts:
        heads = [m for m in household.members if m.relation == Relation.HEAD]
        assert heads == [household.members[0]]
        head = heads[0]
        spouse = next((m for m in household.members if m.relation == Relation.SPOUSE), None)
        father = head if head.sex == "male" else spouse
        children = sorted((m for m in household.members if m.relation == Relation.CHILD), key=age)
        for person in household.members:
            if person.relation == Relation.SPOUSE:
                assert person.sex != head.sex and abs(age(person) - age(head)) <= 8
            elif person.relation == Relation.CHILD:
                assert age(head) - age(person) >= 18
                if father is not None:
                    assert person.name[0] == father.name[0]  # children take their father's surname
            elif person.relation == Relation.PARENT:
                assert age(person) - age(head) >= 18
            elif person.relation == Relation.GRANDCHILD:
                assert age(head) - age(person) >= 36
        births = [c.birth_date for c in children]
        assert all(abs((a - b).days) >= 365 for a, b in zip(births, births[1:], strict=False))


def test_it_gives_phones_to_adults_only():
    people = members(population.generate_population(places=places(), households=2000, seed=4))
    assert not [p for p in people if age(p) < 18 and p.phone]
    working_age = [p for p in people if 18 <= age(p) < 70]
    assert sum(1 for p in working_age if p.phone) > 0.9 * len(working_age)


def test_it_stops_at_the_number_of_persons_asked_for():
    drafts = population.generate_population(places=places(), persons=1001, seed=5)
    assert len(members(drafts)) == 1001
    assert all(h.members[0].relation == Relation.HEAD for h in drafts)


def test_it_avoids_id_numbers_already_registered():
    first = members(population.generate_population(places=places(), households=50, seed=6))[0].id_number
    again = population.generate_population(places=places(), households=50, seed=6, taken={first})
    assert first not in {m.id_number for m in members(again)}


def test_it_stores_people_the_way_the_actions_would(db):
    demo.load_demo(households=60)
    for person in Person.objects.select_related("node"):
        parsed = idcard.parse(person.id_number)
        assert (person.sex, person.birth_date) == (parsed.sex, parsed.birth_date)
        assert (person.name_pinyin, person.name_initials) == pinyin_keys(person.name)
        assert person.id_last4 == person.id_number[-4:] and person.phone_last4 == person.phone[-4:]
        assert person.household.node_id == person.node_id
        assert person.household.address_key == natural_key(person.household.address)
    open_residences = Residence.objects.filter(ended_at=None)
    assert open_residences.count() == Person.objects.count()
    assert not open_residences.exclude(node=F("person__node")).exists()
    heads = Household.objects.annotate(heads=Count("members", filter=Q(members__relation=Relation.HEAD)))
    assert set(heads.values_list("heads", flat=True)) == {1}
    assert Person.objects.exclude(verification="none").filter(verified_at=None).count() == 0


def test_it_lets_each_demo_account_log_in_and_see_its_own_area_only(db, client):
    result = demo.load_demo(households=60)
    nodes = {row["username"]: Jurisdiction.objects.get(code=row["node_code"]) for row in result.accounts}
    for account in demo.DEMO_ACCOUNTS:
        user = get_user_model().objects.get(username=account.username)
        response = client.post(reverse("login"), {"username": account.username, "password": account.password})
        assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk), (
            account.username
        )
        client.logout()
        node = nodes[account.username]
        visible = queries.persons_visible_to(user)
        assert visible.count() == Person.objects.filter(node__path__startswith=node.path).count() > 0
        assert not visible.exclude(node__path__startswith=node.path).exists()
    grid1 = set(queries.persons_visible_to(get_user_model().objects.get(username="demo_grid1")))
    grid2 = set(queries.persons_visible_to(get_user_model().objects.get(username="demo_grid2")))
    assert grid1 and grid2 and not grid1 & grid2
    viewer = queries.persons_visible_to(get_user_model().objects.get(username="demo_viewer"))
    assert not viewer.filter(node__path__startswith=nodes["demo_township"].path).exists()
