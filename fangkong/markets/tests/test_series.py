"""pharmacy_sales_counts for early warning: one row per reported (pharmacy node, day)."""

import datetime as dt

from django.utils import timezone

from fangkong.markets import actions, queries, rules

from .conftest import STRANGER_ID, buy, local


def test_reported_days_only(world, people, pharmacy, other_township):
    monday = rules.week_start(timezone.localdate()) - dt.timedelta(days=14)
    tue, wed = monday + dt.timedelta(days=1), monday + dt.timedelta(days=2)
    next_monday = monday + dt.timedelta(days=7)
    # Grid 07: two purchases on Tuesday (one at 23:59 Beijing time), one of another class on Wednesday
    # 00:00, and the weekly report of the week; nothing the next week but one purchase on its Monday.
    buy(world, pharmacy, id_number=STRANGER_ID, at=local(tue, 8))
    buy(world, pharmacy, id_number=people["wang"].id_number, at=local(tue, 23, 59))
    buy(world, pharmacy, id_number=STRANGER_ID, drug_class="antibiotic", at=local(wed, 0, 0))
    buy(world, pharmacy, id_number=STRANGER_ID, drug_class="cough", at=local(next_monday, 9))
    actions.submit_weekly(
        actor=world.county_admin,
        pharmacy=pharmacy,
        week_start=monday,
        fever=2,
        cough=0,
        antiviral=0,
        antibiotic=1,
    )
    # 沙镇: a weekly report with no purchases at all: seven true zeros.
    actions.submit_weekly(
        actor=world.county_admin,
        pharmacy=other_township["pharmacy"],
        week_start=monday,
        fever=0,
        cough=0,
        antiviral=0,
        antibiotic=0,
    )
    rows = list(queries.pharmacy_sales_counts(monday, next_monday + dt.timedelta(days=6)))
    g07, sha = world.grid07.pk, other_township["grid"].pk
    expected = [(g07, monday + dt.timedelta(days=i), 0) for i in range(7)]
    expected[1] = (g07, tue, 2)
    expected[2] = (g07, wed, 1)
    expected.append((g07, next_monday, 1))  # a purchase: reported, though the week has no report
    expected += [(sha, monday + dt.timedelta(days=i), 0) for i in range(7)]
    assert sorted(rows) == sorted(expected)
    # The days of the next week other than Monday are missing, not zero.
    assert (g07, next_monday + dt.timedelta(days=1), 0) not in rows
    # A window cut inside the week keeps only its days.
    assert list(queries.pharmacy_sales_counts(wed, wed)) == sorted([(g07, wed, 1), (sha, wed, 0)])
    assert list(queries.pharmacy_sales_counts(wed, tue)) == []


def test_pharmacies_of_one_node_add_up(world, people, pharmacy):
    second = actions.create_pharmacy(
        actor=world.county_admin, node=world.grid07, name="七组二药房", licence_no="鲁AA6350009"
    )
    day = timezone.localdate() - dt.timedelta(days=3)
    buy(world, pharmacy, id_number=STRANGER_ID, at=local(day, 9))
    buy(world, second, id_number=STRANGER_ID, at=local(day, 10))
    assert list(queries.pharmacy_sales_counts(day, day)) == [(world.grid07.pk, day, 2)]
