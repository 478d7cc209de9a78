"""The dashboard's kept figures (reporting/kept.py) against indicators.compute() and compute_children() day
by day: counted, kept, read back, stepped from a kept day, and counted again after a correction of a past
day written through each kind of record (the database triggers of reporting migration 0006 bump
ChangedDay). Records: the trends' window (March 2022, edges and random people; test_trends.py)."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from fangkong.measures.models import FollowUp, Measure
from fangkong.policy.models import Kind, Reason
from fangkong.registry import actions as registry_actions
from fangkong.reporting import indicators, kept
from fangkong.reporting.children import compute_children
from fangkong.reporting.models import KeptFigures
from fangkong.reporting.tests.test_trends import AFTER, DURING, FIRST, LAST, at, clock, edges, spread  # noqa: F401
from fangkong.reporting.views.dashboard import CHILD_CODES
from fangkong.vaccination import actions as vaccination_actions

DAYS = [FIRST + dt.timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
NODES = ["county", "township", "village", "other_village", "grid07"]


def expected(node, day, now):
    return indicators.compute(node, day, codes=kept.CODES, now=now)


def values_of(node, days, now):
    return {day: kept.values(figures) for day, figures in kept.figures(node, days, now=now).items()}


def assert_equal_compute(world, now, days=DAYS, nodes=NODES):
    for name in nodes:
        node = getattr(world, name)
        got = values_of(node, days, now)
        for day in days:
            assert got[day] == expected(node, day, now), (name, day)


def assert_children_equal(world, day, now):
    for name in ["county", "township", "village"]:
        node = getattr(world, name)
        got = kept.children(node, day, codes=[*kept.CODES, *CHILD_CODES], now=now)
        assert got == compute_children(node, day, codes=[*kept.CODES, *CHILD_CODES], now=now), name


def test_it_counts_keeps_and_reads_back_the_figures_of_compute(world, spread):  # noqa: F811
    assert_equal_compute(world, DURING)  # counted: the last day is today (its evening still running)
    closed = KeptFigures.objects.filter(node=world.county)
    # Every day before today kept (and the day before the first, counted in full to step from); not today.
    assert sorted(closed.values_list("day", flat=True)) == [FIRST - dt.timedelta(days=1), *DAYS[:-1]]
    with CaptureQueriesContext(connection) as reading:
        assert_equal_compute(world, DURING, nodes=["county"])
    with CaptureQueriesContext(connection) as counting:
        expected(world.county, LAST, DURING)
    # Read back: the kept rows and ChangedDay, then today's step only (compute's 30 days' queries are in
    # `reading` too: leave them out by counting compute's own).
    assert len(reading) - len(DAYS) * len(counting) < 30


def test_a_day_is_kept_only_once_closed(world, spread):  # noqa: F811
    just_after_midnight = at(LAST, "00:05")  # the 29th closed five minutes ago: not yet (GRACE)
    kept.figures(world.county, DAYS[:-1], now=just_after_midnight)
    assert not KeptFigures.objects.filter(day=LAST - dt.timedelta(days=1)).exists()
    assert KeptFigures.objects.filter(day=LAST - dt.timedelta(days=2)).exists()


def test_it_steps_from_the_latest_kept_day(world, spread):  # noqa: F811
    kept.figures(world.township, DAYS[:10], now=AFTER)
    assert KeptFigures.objects.filter(node=world.township).count() == 11
    with CaptureQueriesContext(connection) as queries:
        kept.figures(world.township, DAYS, now=AFTER)
    residents = [q["sql"] for q in queries if "registry_residence" in q["sql"]]
    # Each day's residents stepped through the people changed that day (a UNION of them), none counted in full.
    assert len(residents) == len(DAYS) - 10 and all("UNION" in sql for sql in residents)
    assert_equal_compute(world, AFTER, nodes=["township"])


@pytest.fixture
def site(world):
    return vaccination_actions.create_site(
        actor=world.county_admin, node=world.township, name="梁水镇卫生院接种点"
    )


def corrections(world, spread, site):  # noqa: F811
    """A correction of a past day through each kind of record the kept figures count."""
    day = dt.date(2022, 3, 12)
    late = spread.person(world.grid07, "补录甲")
    screening = spread.screen(late, day, Reason.CLOSE_CONTACT)  # a screening entered late
    measure = spread.start(late, Kind.HOME_QUARANTINE, at(day, "10:00"), screening)
    spread.check(measure, at(day + dt.timedelta(days=1), "09:00"), "38.1")  # a follow-up entered late
    spread.release(measure, at(day + dt.timedelta(days=5), "10:00"))  # released on the 17th
    # A move on the 20th, a verification on the 14th, a dose given on the 15th.
    moved = spread.person(world.grid08, "搬迁乙")
    with clock(at(dt.date(2022, 3, 20), "15:00")):
        registry_actions.move_person(actor=world.county_admin, person=moved, to_node=world.other_village)
    with clock(at(dt.date(2022, 3, 14), "11:00")):
        registry_actions.verify_person(actor=world.county_admin, person=moved, method="in_person")
    vaccination_actions.record_dose(
        actor=world.county_admin, person=late, site=site, product="bibp", given_on=dt.date(2022, 3, 15)
    )


def test_a_correction_of_a_past_day_refreshes_what_was_kept(world, spread, site):  # noqa: F811
    assert_equal_compute(world, AFTER)
    assert_children_equal(world, LAST, AFTER)
    corrections(world, spread, site)
    assert_equal_compute(world, AFTER)
    assert_children_equal(world, LAST, AFTER)


@pytest.mark.parametrize(
    "write",
    [
        "backdated_release",
        "follow_up_deleted",
        "measure_moved_by_update",
    ],
)
def test_writes_that_bypass_the_actions_refresh_it_too(world, spread, write):  # noqa: F811
    assert_equal_compute(world, AFTER)
    measure = Measure.objects.filter(released_at__isnull=False, transferred_to__isnull=True).order_by("pk")[0]
    if write == "backdated_release":
        Measure.objects.filter(pk=measure.pk).update(released_at=measure.released_at - dt.timedelta(days=1))
    elif write == "follow_up_deleted":
        FollowUp.objects.filter(slot_date__gte=FIRST).order_by("pk")[0].delete()
    else:
        Measure.objects.filter(pk=measure.pk).update(node=world.other_village)
    assert_equal_compute(world, AFTER)
    assert_children_equal(world, LAST, AFTER)


def test_the_children_table_equals_compute_children_today_and_read_back(world, spread):  # noqa: F811
    assert_children_equal(world, LAST, DURING)
    assert KeptFigures.objects.filter(node=world.township, day=LAST - dt.timedelta(days=1)).exists()
    assert_children_equal(world, LAST, DURING)  # from the kept day before


def test_the_node_and_its_children_step_their_residents_in_one_count(world, spread):  # noqa: F811
    """As the dashboard does: the node's today and its children's share the count of today's changed
    people (kept.Changes), unless a write reaching back to today or before came in between."""
    moved = spread.person(world.grid08, "今日搬迁")
    with clock(at(LAST, "10:00")):  # today: a move out of the village's grid 08 into the other village
        registry_actions.move_person(actor=world.county_admin, person=moved, to_node=world.other_village)
    assert_equal_compute(world, DURING, nodes=["township"])  # keeps the township's closed days
    assert_children_equal(world, LAST, DURING)  # and its children's
    codes = [*kept.CODES, *CHILD_CODES]

    def page(between=None) -> int:
        changes = kept.Changes()
        with CaptureQueriesContext(connection) as queries:
            days = kept.figures(world.township, DAYS, now=DURING, changes=changes)
            if between:
                between()
            kids = kept.children(world.township, LAST, codes=codes, now=DURING, changes=changes)
        if not between:  # else the node's were counted before the write
            assert kept.values(days[LAST]) == expected(world.township, LAST, DURING)
        assert kids == compute_children(world.township, LAST, codes=codes, now=DURING)
        return sum(1 for q in queries if "registry_residence" in q["sql"] and "UNION" in q["sql"])

    assert page() == 1

    def late_move():  # entered now, reaching back (a residence begun in January, a move of yesterday)
        late = spread.person(world.grid07, "昨日搬迁")
        with clock(at(LAST - dt.timedelta(days=1), "16:00")):
            registry_actions.move_person(actor=world.county_admin, person=late, to_node=world.village)

    assert page(between=late_move) == 2  # today's changes counted again, not taken from before the write


def run_job(moment) -> dict:
    out = io.StringIO()
    call_command("keep_figures", "--now", f"{moment:%Y-%m-%d %H:%M}", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_scheduled_job_keeps_what_is_missing_or_stale_and_nothing_twice(world, spread):  # noqa: F811
    night = at(LAST + dt.timedelta(days=1), "00:20")  # the 30th closed
    first = run_job(night)
    assert first["nodes"] == 4  # province, city, county, township: not the villages
    county_days = set(KeptFigures.objects.filter(node=world.county).values_list("day", flat=True))
    assert county_days >= set(DAYS)
    assert KeptFigures.objects.filter(node=world.village, day=LAST).exists()  # the township's children
    assert not KeptFigures.objects.filter(node=world.grid07).exists()
    assert run_job(at(LAST + dt.timedelta(days=1), "00:35"))["rows_kept"] == 0
    late = at(LAST, "23:50")
    active = Measure.objects.filter(
        Q(released_at__isnull=True) | Q(released_at__gt=late), started_at__lt=late
    )
    spread.check(active.exclude(kind=Kind.HOSPITAL).order_by("pk")[0], late)  # entered after the first run
    again = run_job(at(LAST + dt.timedelta(days=1), "00:50"))
    assert 0 < again["rows_kept"] < first["rows_kept"]  # the 30th, for the nodes above the follow-up
    with CaptureQueriesContext(connection) as reading:
        got = values_of(world.county, DAYS, at(LAST + dt.timedelta(days=1), "09:00"))
    assert len(reading) < 10  # all 30 days read from what the job kept; nothing counted
    assert got == {day: expected(world.county, day, AFTER) for day in DAYS}


def residence_queries(queries) -> int:
    return sum("registry_residence" in q["sql"] for q in queries)


def late_follow_up(world, spread, moment):  # noqa: F811
    """A follow-up taken at `moment` by someone under a measure in the township then (entered now)."""
    active = Measure.objects.filter(
        Q(released_at__isnull=True) | Q(released_at__gt=moment),
        started_at__lt=moment,
        node__path__startswith=world.township.path,
    ).exclude(kind=Kind.HOSPITAL)
    measure = active.order_by("pk")[0]
    spread.check(measure, moment)
    return measure


def test_a_late_follow_up_recounts_the_records_and_keeps_the_residents_counts(world, spread):  # noqa: F811
    """ChangedDay counts the records and the residents apart: a follow-up entered late makes its day's
    figures stale, but not its residents' counts (a pass over the residents at a million people)."""
    assert_equal_compute(world, AFTER, nodes=["township"])
    assert_children_equal(world, LAST, AFTER)
    day = DAYS[20]
    measure = late_follow_up(world, spread, at(day, "19:40"))
    with CaptureQueriesContext(connection) as queries:
        kept.figures(world.township, DAYS, now=AFTER)
    assert residence_queries(queries) == 0
    assert_equal_compute(world, AFTER, nodes=["township"])
    # The same for the children table, on the last day.
    spread.check(measure, at(LAST, "08:10"))
    with CaptureQueriesContext(connection) as queries:
        kept.children(world.county, LAST, codes=kept.CODES, now=AFTER)
    assert residence_queries(queries) == 0
    assert_children_equal(world, LAST, AFTER)
    # A verification that day: the residents' counts are stepped from the day before.
    with clock(at(day, "11:00")):
        registry_actions.verify_person(actor=world.county_admin, person=measure.person, method="in_person")
    with CaptureQueriesContext(connection) as queries:
        kept.figures(world.township, DAYS, now=AFTER)
    assert residence_queries(queries) > 0
    assert_equal_compute(world, AFTER, nodes=["township"])


def test_a_late_follow_up_before_every_kept_day_counts_the_records_only(world, spread):  # noqa: F811
    """With no valid day to step from, the day before the first is counted in full — but not its
    residents' counts, still valid after a follow-up (a pass over every resident at a million people)."""
    first = DAYS[10]
    kept.figures(world.township, DAYS[10:], now=AFTER)  # keeps the day before, counted in full, and on
    kept.children(world.county, LAST, codes=kept.CODES, now=AFTER)  # keeps LAST − 1 and LAST
    for day in (first - dt.timedelta(days=1), LAST - dt.timedelta(days=1)):
        late_follow_up(world, spread, at(day, "19:40"))
    # (The children first: the county's one child is the township, whose days kept.figures keeps.)
    with CaptureQueriesContext(connection) as queries:
        kept.children(world.county, LAST, codes=kept.CODES, now=AFTER)
        kept.figures(world.township, DAYS[10:], now=AFTER)
    assert residence_queries(queries) == 0
    got = values_of(world.township, DAYS[10:], AFTER)
    assert got == {day: expected(world.township, day, AFTER) for day in DAYS[10:]}
    assert_children_equal(world, LAST, AFTER)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JIT")
def test_postgresql_runs_the_reports_without_jit(db):
    """Compiling a stale run of days' wide aggregate cost PostgreSQL 18 of its 19 s at a million people
    (docs/decisions/0010): the connections turn JIT off."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
