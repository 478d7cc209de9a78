"""Compliance at the edges of its windows, by the rules and through recorded entries (recounted by hand)."""

import datetime as dt

import pytest
from django.utils import timezone

from fangkong.disinfection import queries, rules
from fangkong.disinfection.rules import Frequency
from fangkong.lib.errors import RuleError

from .conftest import at, entry

D = dt.date(2020, 2, 10)


def test_daily_places_owe_their_times_and_extra_rounds_do_not_count():
    twice = Frequency(times=2, every_days=1)
    assert rules.day_of(twice, day=D, since=D, count=lambda d: 3) == rules.Day(2, 2)
    assert rules.day_of(twice, day=D, since=D, count=lambda d: 1) == rules.Day(2, 1)
    assert rules.day_of(twice, day=D - dt.timedelta(days=1), since=D, count=lambda d: 0) == rules.Day(0, 0)


def test_a_weekly_place_is_due_again_on_the_eighth_day():
    weekly = Frequency(times=1, every_days=7)
    done = {D}
    count = lambda d: 1 if d in done else 0  # noqa: E731
    assert rules.day_of(weekly, day=D, since=D - dt.timedelta(days=30), count=count) == rules.Day(1, 1)
    for back in range(1, 7):
        assert rules.day_of(weekly, day=D + dt.timedelta(days=back), since=D, count=count).required == 0
    assert rules.day_of(weekly, day=D + dt.timedelta(days=7), since=D, count=count) == rules.Day(1, 0)
    assert rules.day_of(weekly, day=D + dt.timedelta(days=8), since=D, count=count) == rules.Day(1, 0)


def test_times_of_an_entry():
    now = at(D, 12)
    assert rules.check_times(started_at=at(D, 9), ended_at=at(D, 9, 30), now=now) == {}
    assert "ended_at" in rules.check_times(started_at=at(D, 9), ended_at=at(D, 8), now=now)
    assert "started_at" in rules.check_times(started_at=at(D, 13), ended_at=at(D, 14), now=now)


def test_an_entry_at_23_59_counts_that_day_and_at_midnight_the_next(world, places):
    admin, toilet = world.county_admin, places["toilet"]
    day = timezone.localdate() - dt.timedelta(days=3)
    entry(admin, toilet, at(day, 8))
    entry(admin, toilet, at(day, 23, 59, 59), minutes=0)
    entry(admin, toilet, at(day + dt.timedelta(days=1), 0, 0, 0))
    rows = {r.day: r for r in queries.place_days([toilet], day, day + dt.timedelta(days=1))}
    assert (rows[day].required, rows[day].done) == (2, 2)
    assert (rows[day + dt.timedelta(days=1)].required, rows[day + dt.timedelta(days=1)].done) == (2, 1)


def test_compliance_rolled_up_matches_a_recount(world, places):
    admin = world.county_admin
    day = timezone.localdate() - dt.timedelta(days=1)
    entry(admin, places["toilet"], at(day, 7))  # 1 of 2
    entry(admin, places["classroom"], at(day, 7))  # 1 of 1
    entry(admin, places["classroom"], at(day, 17))  # extra: does not count
    # The square was never done: due (1) every day.
    rows = queries.place_days(queries.subtree_places(world.county), day, day)
    total = queries.tally(rows)
    assert (total.required, total.done) == (2 + 1 + 1, 1 + 1 + 0)
    assert total.percent == 50.0
    rolled = dict((node.code, t) for node, t in queries.rolled_up(world.township, rows))
    assert (rolled[world.township.code].required, rolled[world.township.code].done) == (1, 0)  # the square
    assert (rolled[world.village.code].required, rolled[world.village.code].done) == (2, 1)
    assert (rolled[world.other_village.code].required, rolled[world.other_village.code].done) == (1, 1)


def test_missed_disinfections_are_in_the_worklist(world, places):
    admin = world.county_admin
    today = timezone.localdate()
    for back in range(4):
        day = today - dt.timedelta(days=back)
        entry(admin, places["classroom"], at(day, 0, 5))
    rows = queries.worklist(queries.subtree_places(world.county), today, days=3)
    names = {(r.place.name, r.day, r.short) for r in rows}
    assert ("后屯小学一年级教室", today, 1) not in names
    assert ("前屯村公厕", today - dt.timedelta(days=1), 2) in names
    assert ("梁水镇文化广场", today - dt.timedelta(days=3), 1) in names


def test_entries_are_checked_and_scoped(world, places):
    with pytest.raises(RuleError) as refused:
        entry(
            world.county_admin,
            places["toilet"],
            timezone.now() - dt.timedelta(hours=1),
            agent="",
            method="x",
            done_by="",
        )
    assert set(refused.value.errors) == {"agent", "method", "done_by"}
    with pytest.raises(RuleError):
        entry(world.grid08_worker, places["toilet"], timezone.now() - dt.timedelta(hours=1))
    made = entry(world.grid07_worker, places["toilet"], timezone.now() - dt.timedelta(hours=1))
    assert made.recorded_by == world.grid07_worker
    assert list(queries.entries_visible_to(world.grid08_worker)) == []


def test_the_policy_form_offers_every_place_kind():
    from fangkong.disinfection.models import PlaceKind
    from fangkong.policy.forms import PLACE_KINDS

    assert {code: str(label) for code, label in PLACE_KINDS.items()} == dict(PlaceKind.choices)
