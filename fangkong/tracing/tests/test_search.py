"""The co-presence search against a brute-force oracle: the same check-ins read back through the ORM,
stays built, clipped, merged and intersected in plain Python, second by second of the specification
in search.py's docstring. Random check-ins come from hypothesis and are written through the actions
(check_in, check_out), so the search sees exactly what a kiosk or a phone leaves behind."""

import datetime as dt
from collections import defaultdict

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.healthcodes.identity import identify
from fangkong.lib.idcard import make
from fangkong.tracing.search import MAX_STAY, Hit, Query, co_presence
from fangkong.venues import actions as venue_actions
from fangkong.venues.models import CheckIn, VenueKind
from fangkong.venues.queries import dwell_minutes

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# Late evening, so that stays of a few hours cross midnight (Asia/Shanghai) in many examples.
T0 = dt.datetime(2022, 3, 1, 20, 0, tzinfo=SHANGHAI)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def town(world):
    venues = [
        venue_actions.create_venue(
            actor=world.county_admin, node=world.grid07, name="便民超市", kind=VenueKind.SHOP
        ),
        venue_actions.create_venue(
            actor=world.county_admin,
            node=world.grid07,
            name="早点铺",
            kind=VenueKind.RESTAURANT,
            dwell_minutes=45,
        ),
        venue_actions.create_venue(
            actor=world.county_admin,
            node=world.grid08,
            name="卫生室",
            kind=VenueKind.CLINIC,
            dwell_minutes=10,
        ),
    ]
    people = [
        identify(
            id_number=make("371502", dt.date(1970 + i, 1, 1), 10 + i), name=f"居民{i}", phone=f"1380000000{i}"
        )
        for i in range(6)
    ]
    return venues, people


# One check-in: (venue index, person index, minutes after T0, seconds, check-out after minutes or None).
checkins = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.integers(0, 5),
        st.integers(-60, 600),
        st.integers(0, 59),
        st.one_of(st.none(), st.integers(0, 240), st.just(3 * 24 * 60)),  # 3 days: a forgotten check-out
    ),
    max_size=25,
)
# One query: (person indices, since and until in minutes after T0).
queries = st.lists(
    st.tuples(st.sets(st.integers(0, 5), min_size=1, max_size=2), st.integers(-30, 500), st.integers(1, 400)),
    min_size=1,
    max_size=3,
)


def record(venues, people, rows):
    for venue, person, minutes, seconds, out in rows:
        at = T0 + minutes * MINUTE + dt.timedelta(seconds=seconds, microseconds=seconds * 7919)
        done = venue_actions.check_in(
            actor=None, venue=venues[venue], people=[people[person]], at=at, with_colour=False
        )
        if out is not None and not done[0].duplicate:
            venue_actions.check_out(checkins=[done[0].checkin], at=at + out * MINUTE)


def oracle(queries_: list[Query]) -> list[Hit]:
    """The specification, brute force: every check-in of the database, every pair of seconds' worth."""
    rows = list(CheckIn.objects.select_related("venue"))
    minutes = {c.venue_id: dwell_minutes(c.venue) for c in rows}

    def stay(c):
        end = c.at + minutes[c.venue_id] * MINUTE if c.checked_out_at is None else c.checked_out_at
        return c.at, min(end, c.at + MAX_STAY)

    def union(intervals):
        merged = []
        for start, end in sorted(intervals):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    hits = []
    for q in queries_:
        own = defaultdict(list)
        for c in rows:
            if c.identity_id in q.identity_ids:
                start, end = stay(c)
                start, end = max(start, q.since), min(end, q.until)
                if start < end:
                    own[c.venue_id].append((start, end))
        theirs = defaultdict(list)
        for c in rows:
            if c.identity_id not in q.identity_ids and c.venue_id in own:
                start, end = stay(c)
                if start < end:
                    theirs[(c.identity_id, c.venue_id)].append((start, end))
        for (identity_id, venue_id), stays in theirs.items():
            common = [
                (max(a, c), min(b, d))
                for a, b in union(own[venue_id])
                for c, d in union(stays)
                if max(a, c) < min(b, d)
            ]
            if common:
                total = sum((end - start for start, end in common), dt.timedelta())
                seconds = total // dt.timedelta(seconds=1)
                hits.append(
                    Hit.at(q.key, identity_id, venue_id, common[0][0], max(e for _, e in common), seconds)
                )
    return sorted(hits, key=lambda h: (h.key, -h.overlap_seconds, h.venue_id, h.identity_id))


@pytest.mark.django_db(transaction=False)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=checkins, asked=queries)
def test_it_finds_the_same_people_and_overlaps_as_the_brute_force_oracle(town, rows, asked):
    venues, people = town
    with transaction.atomic():
        record(venues, people, rows)
        qs = [
            Query(
                key=k,
                identity_ids=tuple(people[i].pk for i in sorted(who)),
                since=T0 + start * MINUTE,
                until=T0 + (start + length) * MINUTE,
            )
            for k, (who, start, length) in enumerate(asked)
        ]
        assert co_presence(qs, dwell=dwell_minutes) == oracle(qs)
        transaction.set_rollback(True)


def test_it_counts_a_person_checked_in_twice_once_and_never_the_case_itself(town):
    venues, (case, other, *_) = town
    shop = venues[0]  # 30 minutes without a check-out
    venue_actions.check_in(actor=None, venue=shop, people=[case], at=T0, with_colour=False)
    for minutes in (0, 10):  # two scans 10 minutes apart: the second is not a duplicate after 5 minutes
        venue_actions.check_in(
            actor=None, venue=shop, people=[other], at=T0 + minutes * MINUTE, with_colour=False
        )
    [hit] = co_presence(
        [Query(7, (case.pk,), T0 - dt.timedelta(hours=1), T0 + dt.timedelta(hours=2))], dwell=dwell_minutes
    )
    assert (hit.key, hit.identity_id, hit.venue_id) == (7, other.pk, shop.pk)
    assert hit.overlap_minutes == 30  # the union of 0–30 and 10–40, cut by the case's 0–30
    assert (hit.first_at, hit.last_at) == (T0, T0 + 30 * MINUTE)


def test_it_bounds_a_forgotten_check_out_at_twelve_hours(town):
    venues, (case, other, *_) = town
    shop = venues[0]
    [forgot] = venue_actions.check_in(actor=None, venue=shop, people=[other], at=T0, with_colour=False)
    venue_actions.check_out(checkins=[forgot.checkin], at=T0 + dt.timedelta(days=3))
    venue_actions.check_in(
        actor=None, venue=shop, people=[case], at=T0 + dt.timedelta(hours=11, minutes=50), with_colour=False
    )
    venue_actions.check_in(
        actor=None, venue=shop, people=[case], at=T0 + dt.timedelta(hours=13), with_colour=False
    )
    window = Query(1, (case.pk,), T0, T0 + dt.timedelta(days=2))
    [hit] = co_presence([window], dwell=dwell_minutes)
    assert hit.overlap_minutes == 10  # 11:50–12:00 after the check-in, not the visit an hour later


def test_it_runs_the_same_few_statements_for_one_query_and_for_many(town):
    venues, people = town
    for i, person in enumerate(people):
        venue_actions.check_in(
            actor=None, venue=venues[i % 3], people=[person], at=T0 + i * MINUTE, with_colour=False
        )
    window = (T0 - dt.timedelta(hours=1), T0 + dt.timedelta(hours=1))
    counts = []
    for n in (1, len(people)):
        with CaptureQueriesContext(connection) as ctx:
            found = co_presence([Query(i, (people[i].pk,), *window) for i in range(n)], dwell=dwell_minutes)
        counts.append(len(ctx.captured_queries))
    assert found  # the bulk run finds the people who shared a venue
    assert counts[0] == counts[1] <= 3 + len(venues)  # venues, the search, and the dwell's policy look-ups


@pytest.mark.django_db(transaction=False)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=checkins, asked=queries)
def test_a_bulk_search_finds_what_each_case_searched_alone_finds(town, rows, asked):
    venues, people = town
    with transaction.atomic():
        record(venues, people, rows)
        qs = [
            Query(k, tuple(people[i].pk for i in sorted(who)), T0 + start * MINUTE, T0 + (start + n) * MINUTE)
            for k, (who, start, n) in enumerate(asked)
        ]
        alone = [hit for q in qs for hit in co_presence([q], dwell=dwell_minutes)]
        assert co_presence(qs, dwell=dwell_minutes) == alone
        transaction.set_rollback(True)


def test_a_hit_s_times_are_aware_datetimes_of_its_microseconds(town):
    hit = Hit.at(1, 2, 3, T0, T0 + dt.timedelta(minutes=5, microseconds=7), 300)
    assert (hit.first_at, hit.last_at) == (T0, T0 + dt.timedelta(minutes=5, microseconds=7))
    assert hit.first_at.utcoffset() == dt.timedelta(0) and hit.overlap_minutes == 5
