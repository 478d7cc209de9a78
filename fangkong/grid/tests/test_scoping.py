"""Which nodes each persona sees and what they may do there (grid/scoping.py), with the personas of
conftest.world: the grid-07 worker acts in grid 07 only, the viewer only sees, admins manage."""

import pytest
from django.http import Http404

from fangkong.conftest import make_user
from fangkong.grid import scoping
from fangkong.grid.models import Role


def codes(nodes) -> set[str]:
    return {n.code for n in nodes}


def test_it_shows_the_jurisdictions_of_the_subtree_and_not_above(world):
    assert codes(scoping.visible_jurisdictions(world.grid07_worker)) == {world.grid07.code}
    assert codes(scoping.visible_jurisdictions(world.township_admin)) == {
        world.township.code,
        world.village.code,
        world.other_village.code,
        world.grid07.code,
        world.grid08.code,
    }
    assert world.county.code not in codes(scoping.visible_jurisdictions(world.township_admin))


def test_it_answers_404_for_a_jurisdiction_outside_the_area(world):
    assert scoping.access_jurisdiction(world.grid07_worker, world.grid07.code) == world.grid07
    for code in (world.grid08.code, world.village.code, "no-such-code"):
        with pytest.raises(Http404):
            scoping.access_jurisdiction(world.grid07_worker, code)


def test_it_lets_a_viewer_see_but_not_write_or_reveal(world):
    viewer = world.grid07_viewer
    assert scoping.can(viewer, scoping.VIEW, world.grid07)
    assert not scoping.can(viewer, scoping.WRITE, world.grid07)
    assert not scoping.can(viewer, scoping.REVEAL, world.grid07)


def test_it_lets_a_grid_worker_write_and_reveal_in_their_grid_only(world):
    worker = world.grid07_worker
    assert scoping.can(worker, scoping.WRITE, world.grid07)
    assert scoping.can(worker, scoping.REVEAL, world.grid07)
    assert not scoping.can(worker, scoping.WRITE, world.grid08)
    assert not scoping.can(worker, scoping.WRITE, world.village)  # the parent is not inside the subtree
    for capability in (scoping.MANAGE_USERS, scoping.MANAGE_GRIDS, scoping.VIEW_AUDIT):
        assert not scoping.can(worker, capability, world.grid07)


def test_it_gives_grid_drawing_to_admins_at_township_level_or_above(world):
    assert scoping.can(world.county_admin, scoping.MANAGE_GRIDS, world.village)
    assert scoping.can(world.township_admin, scoping.MANAGE_GRIDS, world.village)
    # An admin membership below the township (made directly: the actions refuse to create one)
    # still cannot draw grids.
    village_admin = make_user("village_admin", world.village, Role.ADMIN)
    assert scoping.can(village_admin, scoping.MANAGE_USERS, world.village)
    assert not scoping.can(village_admin, scoping.MANAGE_GRIDS, world.village)
    township_staff = make_user("township_staff", world.township, Role.TOWNSHIP_STAFF)
    assert not scoping.can(township_staff, scoping.MANAGE_GRIDS, world.village)


def test_it_gives_the_audit_log_to_county_admins_only(world):
    assert scoping.can(world.county_admin, scoping.VIEW_AUDIT, world.county)
    assert scoping.can(world.county_admin, scoping.VIEW_AUDIT, world.grid07)
    assert not scoping.can(world.township_admin, scoping.VIEW_AUDIT, world.township)
    assert not scoping.can(world.township_admin, scoping.VIEW_AUDIT, world.grid07)
    assert scoping.nodes_with(world.township_admin, scoping.VIEW_AUDIT) == []
    assert scoping.nodes_with(world.county_admin, scoping.VIEW_AUDIT) == [world.county]


def test_it_gives_each_role_its_capabilities(world):
    expected = {
        "county_admin": {"view", "write", "reveal", "manage_users", "manage_grids", "view_audit"},
        "township_admin": {"view", "write", "reveal", "manage_users", "manage_grids"},
        "grid07_worker": {"view", "write", "reveal"},
        "grid07_viewer": {"view"},
        "grid08_worker": set(),
        "outsider": set(),
    }
    every = {"view", "write", "reveal", "manage_users", "manage_grids", "view_audit"}
    for persona, capabilities in expected.items():
        user = getattr(world, persona)
        assert {c for c in every if scoping.can(user, c, world.grid07)} == capabilities, persona
