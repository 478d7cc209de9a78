"""Who sees which households and persons (registry.queries through grid/scoping.py), with the personas of
conftest.world: the grid-08 worker must see nothing of grid 07, the outsider and a deactivated account
see nothing at all. Which nodes each persona sees and may act on: grid/tests/test_scoping.py."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.http import Http404

from fangkong.grid import actions as grid_actions
from fangkong.grid import scoping
from fangkong.grid.models import Role
from fangkong.lib.idcard import make
from fangkong.registry import actions as registry_actions
from fangkong.registry.models import Household, Person
from fangkong.registry.queries import (
    access_household,
    access_person,
    households_visible_to,
    persons_visible_to,
)


def names(persons) -> set[str]:
    return {p.name for p in persons}


def codes(nodes) -> set[str]:
    return {n.code for n in nodes}


def fresh(user):
    """The user as the next request loads it (memberships are cached on the object)."""
    return get_user_model().objects.get(pk=user.pk)


def test_it_shows_a_grid_worker_only_their_grid(world, people):
    assert names(persons_visible_to(world.grid07_worker)) == {"张伟", "李秀英"}
    assert names(persons_visible_to(world.grid08_worker)) == {"王芳"}
    assert set(households_visible_to(world.grid08_worker)) == {people["h08"]}


def test_it_shows_township_and_county_admins_their_whole_subtree(world, people):
    assert names(persons_visible_to(world.township_admin)) == {"张伟", "李秀英", "王芳"}
    assert names(persons_visible_to(world.county_admin)) == {"张伟", "李秀英", "王芳"}
    assert households_visible_to(world.county_admin).count() == 2


def test_it_shows_the_outsider_nothing(world, people):
    outsider = world.outsider
    assert not persons_visible_to(outsider).exists()
    assert not households_visible_to(outsider).exists()
    assert not scoping.visible_jurisdictions(outsider).exists()
    assert not any(scoping.can(outsider, cap, world.grid07) for cap in scoping.CAPABILITIES[Role.ADMIN])


def test_it_shows_an_anonymous_user_nothing(world, people):
    from django.contrib.auth.models import AnonymousUser

    assert not persons_visible_to(AnonymousUser()).exists()
    with pytest.raises(Http404):
        access_person(AnonymousUser(), people["zhang"].pk)


def test_it_shows_a_deactivated_user_nothing(world, people):
    grid_actions.set_user_active(actor=world.county_admin, user=world.grid07_worker, active=False)
    worker = fresh(world.grid07_worker)
    assert not persons_visible_to(worker).exists()
    assert not scoping.can(worker, scoping.VIEW, world.grid07)
    with pytest.raises(Http404):
        access_person(worker, people["zhang"].pk)


def test_it_shows_a_user_with_two_memberships_both_subtrees(world, people):
    helper = grid_actions.create_user(
        actor=world.township_admin,
        username="helper",
        full_name="支援人员",
        password="a-long-enough-password-7",
        node=world.grid08,
        role=Role.GRID_WORKER,
    )
    grid_actions.add_membership(
        actor=world.township_admin, user=helper, node=world.other_village, role=Role.VIEWER
    )
    other_h = registry_actions.create_household(
        actor=world.township_admin, node=world.other_village, address="后屯村1号", dwelling_type="owned"
    )
    helper = fresh(helper)
    assert names(persons_visible_to(helper)) == {"王芳"}
    assert set(households_visible_to(helper)) == {people["h08"], other_h}
    assert codes(scoping.visible_jurisdictions(helper)) == {world.grid08.code, world.other_village.code}
    # Each membership keeps its own role: write in grid 08, only view in 后屯.
    assert scoping.can(helper, scoping.WRITE, world.grid08)
    assert not scoping.can(helper, scoping.WRITE, world.other_village)
    assert codes(scoping.visible_jurisdictions(helper, scoping.WRITE)) == {world.grid08.code}


def test_it_does_not_leak_a_grid_whose_code_starts_with_another(world):
    """Grid 070 of the same village: '…-07' is a prefix of '…-070', '…-07/' is not of '…-070/'."""
    grid070 = grid_actions.create_grid(
        actor=world.county_admin, village=world.village, local_code="070", name="第七十网格"
    )
    assert grid070.code.startswith(world.grid07.code)
    assert all(node.path.endswith("/") for node in (world.grid07, grid070))
    person = registry_actions.register_person(
        actor=world.county_admin,
        node=grid070,
        name="赵六",
        id_number=make("371502", dt.date(1970, 1, 1), 11),
    )
    assert not scoping.can(world.grid07_worker, scoping.VIEW, grid070)
    assert "赵六" not in names(persons_visible_to(world.grid07_worker))
    assert grid070.code not in codes(scoping.visible_jurisdictions(world.grid07_worker))
    with pytest.raises(Http404):
        access_person(world.grid07_worker, person.pk)
    with pytest.raises(Http404):
        scoping.access_jurisdiction(world.grid07_worker, grid070.code)


def test_it_answers_404_for_missing_and_not_yours_alike(world, people):
    missing = Person.objects.order_by("-pk").first().pk + 1000
    for pk in (people["zhang"].pk, missing, "not-a-number", None):
        with pytest.raises(Http404):
            access_person(world.grid08_worker, pk)
    with pytest.raises(Http404):
        access_household(world.grid08_worker, people["h07"].pk)
    with pytest.raises(Http404):
        access_household(world.grid08_worker, Household.objects.order_by("-pk").first().pk + 1000)
    assert access_person(world.grid07_worker, people["zhang"].pk) == people["zhang"]


def test_it_answers_404_when_asking_to_write_with_a_viewer(world, people):
    assert access_person(world.grid07_viewer, people["zhang"].pk) == people["zhang"]
    with pytest.raises(Http404):
        access_person(world.grid07_viewer, people["zhang"].pk, write=True)
    assert access_person(world.grid07_worker, people["zhang"].pk, write=True) == people["zhang"]


def test_it_filters_with_one_query_per_list(world, people, django_assert_num_queries):
    worker = fresh(world.grid07_worker)
    with django_assert_num_queries(2):  # the memberships once, then the list
        assert len(persons_visible_to(worker)) == 2
    with django_assert_num_queries(1):  # memberships are cached on the user for the request
        assert len(households_visible_to(worker)) == 1
