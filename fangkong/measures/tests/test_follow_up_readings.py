"""Every reading is kept: a second follow-up in the same half-day slot is a reading of its own, never a
replacement. A fever at 08:05 followed by 36.5 ℃ at 08:57 stays a fever everywhere it is read — the
alert, the worklist, the measure page, the temperature ledger (and 当日随访发现发热等症状 in the
indicators: reporting/tests/test_indicators_readings.py) — and the slot counts once as done. The
resident can still report after a caretaker did."""

import datetime as dt
from decimal import Decimal

import pytest

from fangkong.audit.models import AuditEvent
from fangkong.measures import actions, queries, selfreport
from fangkong.measures.ledgers.exports import temperature_rows
from fangkong.measures.models import Alert, FollowUp
from fangkong.measures.tests.test_pages_followups import clock, html, put_under, shanghai  # noqa: F401 — fixtures and helpers

DAY = dt.date(2020, 2, 3)


@pytest.fixture
def measure(world, people, clock):  # noqa: F811
    """张伟 in home quarantine since 2月1日 10:00, the grid-07 worker caring; now is 2月3日 09:00."""
    return put_under(
        world,
        people["zhang"],
        caretaker=world.grid07_worker,
        arrived=dt.date(2020, 1, 31),
        started_at=shanghai(2020, 2, 1, 10, 0),
    )


def reading(world, measure, hour, minute, temperature, **kw):
    return actions.record_follow_up(
        actor=world.grid07_worker,
        measure=measure,
        temperature=temperature,
        taken_at=shanghai(2020, 2, 3, hour, minute),
        **kw,
    )


@pytest.fixture
def fever_then_normal(world, measure):
    """38.1 ℃ at 08:05, then 36.5 ℃ at 08:57: both in the morning slot of 2月3日."""
    return reading(world, measure, 8, 5, "38.1"), reading(world, measure, 8, 57, "36.5")


def test_it_keeps_both_readings_and_the_alert_names_the_reading_it_points_at(measure, fever_then_normal):
    rows = FollowUp.objects.filter(measure=measure).order_by("taken_at")
    assert [(f.slot_date, f.slot, f.temperature, f.is_abnormal) for f in rows] == [
        (DAY, "morning", Decimal("38.1"), True),
        (DAY, "morning", Decimal("36.5"), False),
    ]
    (alert,) = Alert.objects.all()
    assert alert.follow_up.temperature == Decimal("38.1")
    assert alert.summary.startswith("体温38.1℃")


def test_it_records_a_retry_of_the_same_reading_once(world, measure):
    first = reading(world, measure, 8, 5, "38.1")
    again = reading(world, measure, 8, 5, "38.1")  # the same form sent twice
    assert again == first and FollowUp.objects.count() == 1 and Alert.objects.count() == 1
    assert AuditEvent.objects.filter(target_type="FollowUp").count() == 1


def test_it_raises_an_alert_for_each_abnormal_reading(world, measure):
    reading(world, measure, 8, 5, "38.1")
    reading(world, measure, 8, 40, "36.8", symptoms=["干咳"])
    assert sorted(a.follow_up.taken_at for a in Alert.objects.all()) == [
        shanghai(2020, 2, 3, 8, 5),
        shanghai(2020, 2, 3, 8, 40),
    ]


def test_it_keeps_the_slot_done_and_the_alert_open_after_a_normal_reading(world, measure, fever_then_normal):
    assert not queries.overdue(world.township_admin, now=shanghai(2020, 2, 3, 13, 0)).exists()
    assert queries.open_alerts(world.township_admin).count() == 1
    (row,) = queries.worklist(world.grid07_worker, day=DAY)
    assert row["morning"] is True


def test_it_shows_the_fever_on_the_worklist_card(client, world, fever_then_normal):
    client.force_login(world.grid07_worker)
    page = html(client.get("/measures/worklist/"))
    assert "38.1℃" in page
    assert "包保 1 人，本时段待随访 0 人" in page
    assert "再测上午体温" in page  # another reading, not an edit of the first


def test_it_shows_every_reading_of_the_slot_on_the_measure_page(client, world, measure, fever_then_normal):
    client.force_login(world.grid07_worker)
    page = html(client.get(f"/measures/{measure.pk}/"))
    table = page[page.index('id="follow-ups"') : page.index('id="alerts"')]  # not the alert's summary
    assert "38.1℃" in table and "36.5℃" in table


def test_it_puts_the_highest_reading_of_a_slot_in_the_temperature_ledger(measure, fever_then_normal):
    rows = {row[0]: row for row in temperature_rows(measure, today=DAY)}
    assert rows[DAY][2:4] == [38.1, None]  # 上午体温, 下午体温


def test_it_lets_the_resident_report_after_a_caretaker_took_a_reading(client, world, measure):
    reading(world, measure, 8, 30, "36.6")
    link = f"/r/f/{selfreport.make_token(measure)}/"
    page = html(client.get(link))
    assert 'name="temperature"' in page
    client.post(link, {"temperature": "38.4"})
    rows = FollowUp.objects.order_by("taken_at")
    assert [(f.temperature, f.self_reported) for f in rows] == [
        (Decimal("36.6"), False),
        (Decimal("38.4"), True),
    ]
    assert Alert.objects.get().follow_up.self_reported
