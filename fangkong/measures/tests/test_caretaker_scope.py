"""A caretaker sees their people through the scoping module like everything else: moved to another
village, a grid worker who was caretaker in the first one no longer sees its people anywhere."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from fangkong.grid import actions as grid_actions
from fangkong.grid.models import Membership, Role
from fangkong.measures import actions, queries
from fangkong.measures.tests.test_pages_followups import clock, html, put_under, shanghai  # noqa: F401 — fixtures and helpers


@pytest.fixture
def moved(world, people, clock):  # noqa: F811
    """张伟 in home quarantine in village A (grid 07) with the grid-07 worker as caretaker; then the
    worker is moved to a grid of village B (后屯村) and loses the post in grid 07."""
    measure = put_under(
        world,
        people["zhang"],
        caretaker=world.grid07_worker,
        arrived=dt.date(2020, 1, 31),
        started_at=shanghai(2020, 2, 1, 10, 0),
    )
    actions.record_follow_up(
        actor=world.grid07_worker, measure=measure, temperature="37.9", taken_at=shanghai(2020, 2, 3, 8, 0)
    )
    grid_b = grid_actions.create_grid(
        actor=world.county_admin, village=world.other_village, local_code="01", name="后屯一网格"
    )
    grid_actions.add_membership(
        actor=world.county_admin, user=world.grid07_worker, node=grid_b, role=Role.GRID_WORKER
    )
    grid_actions.remove_membership(
        actor=world.county_admin,
        membership=Membership.objects.get(user=world.grid07_worker, node=world.grid07),
    )
    return measure


def test_it_drops_the_people_of_a_village_the_caretaker_was_moved_away_from(client, world, moved):
    client.force_login(world.grid07_worker)
    page = html(client.get("/measures/worklist/"))
    assert "张伟" not in page and "37.9" not in page and "居家隔离" not in page
    worker = get_user_model().objects.get(pk=world.grid07_worker.pk)  # as the next request loads them
    assert queries.worklist(worker) == []
    assert "今日待随访" not in html(client.get("/"))  # the home page counts the same worklist
    assert client.get(f"/measures/worklist/{moved.pk}/").status_code == 404


def test_it_still_lists_them_for_a_caretaker_who_can_see_them(client, world, moved):
    actions.assign_caretaker(actor=world.county_admin, measure=moved, user=world.township_admin, role="cadre")
    client.force_login(world.township_admin)
    assert "张伟" in html(client.get("/measures/worklist/"))
    assert [row["measure"] for row in queries.worklist(world.township_admin)] == [moved]
