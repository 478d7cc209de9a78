"""The triggers of migration reporting/0006 that count in ChangedDay every write that can change a closed
day's figures: the day each kind of write bumps (the earliest it can change) and its family, per table,
through the actions and through the write paths that bypass them (bulk_create, QuerySet.update());
nothing for writes of today or later, or for changes of nothing counted; on PostgreSQL once per
transaction until ChangedDay is read again.

The triggers read the database's clock, which the tests cannot freeze: days are built back from the
database's own today (`T`), and an action that stamps timezone.now() runs under a patched clock set to
such a day. Each test runs in one transaction: `changed()` reads ChangedDay as the kept figures do, so a
write after it bumps again on both databases; writes with no read between them bump a day once on
PostgreSQL (`per_write`)."""

import datetime as dt

import pytest
from django.db import connection, transaction

from fangkong.grid.models import Jurisdiction
from fangkong.lib.idcard import make
from fangkong.measures import actions, rules
from fangkong.measures.models import FollowUp, Measure, Screening
from fangkong.policy.models import Kind, Reason
from fangkong.registry import actions as registry_actions
from fangkong.registry.models import Person, Residence
from fangkong.reporting.kept import changed_days_read
from fangkong.reporting.models import ChangedDay
from fangkong.reporting.tests.test_trends import at, clock
from fangkong.vaccination import actions as vaccination_actions
from fangkong.vaccination.models import Dose

SH = rules.SHANGHAI
TABLES = [
    "measures_screening",
    "measures_measure",
    "measures_followup",
    "registry_residence",
    "registry_person",
    "vaccination_dose",
    "grid_jurisdiction",
]


def db_today() -> dt.date:
    """Today in Asia/Shanghai by the database's clock, as the triggers see it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date")
        else:
            cursor.execute("SELECT date('now', '+8 hours')")
        value = cursor.fetchone()[0]
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def changed() -> dict[dt.date, int]:
    """{day: bumps of both families}, read as the kept figures read it."""
    changed_days_read()
    return {day: records + residents for day, (records, residents) in families().items()}


def families() -> dict[dt.date, tuple[int, int]]:
    return {
        day: (records, residents)
        for day, records, residents in ChangedDay.objects.values_list("day", "records", "residents")
    }


def forget() -> None:
    """Empty ChangedDay (and read it: the days bumped so far in this transaction are bumped again)."""
    ChangedDay.objects.all().delete()
    changed_days_read()


def per_write(n: int) -> int:
    """The bumps of n writes of one day with no read of ChangedDay between them."""
    return 1 if connection.vendor == "postgresql" else n


@pytest.fixture
def T(db) -> dt.date:
    return db_today()


def ago(T, days: int) -> dt.date:
    return T - dt.timedelta(days=days)


@pytest.fixture
def person(world, T):
    """Someone registered in grid 07 a month ago; ChangedDay is emptied after."""
    with clock(at(ago(T, 30), "10:00")):
        found = registry_actions.register_person(
            actor=world.township_admin,
            node=world.grid07,
            name="张伟",
            id_number=make("371502", dt.date(1990, 3, 7), 123),
        )
    assert changed() == {ago(T, 30): 1}  # the residence that registration opened
    forget()
    return found


def screen(world, person, day):
    return actions.record_screening(
        actor=world.township_admin, person=person, reason=Reason.ARRIVAL, screened_on=day, arrived_on=day
    )


def start(world, person, started_at, kind=Kind.HOME_QUARANTINE):
    return actions.start_measure(actor=world.township_admin, person=person, kind=kind, started_at=started_at)


def release(world, measure, released_at):
    return actions.release_measure(
        actor=world.township_admin,
        measure=measure,
        version=measure.version,
        released_at=released_at,
        override=True,
        reason="专家组评估",
    )


def test_every_table_has_its_triggers(db):
    """A later migration that rebuilds one of these tables on SQLite drops its triggers: caught here."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = (
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname LIKE %s"
            )
        else:
            sql = "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s"
        cursor.execute(sql, ["fk_changed_day_%"])
        tables = {row[0] for row in cursor.fetchall()}
    assert tables == set(TABLES)


# Screenings


def test_a_screening_of_a_past_day_bumps_that_day_once_per_write(world, person, T):
    screen(world, person, ago(T, 5))
    assert families() == {ago(T, 5): (1, 0)}  # the records' family
    assert changed() == {ago(T, 5): 1}
    # After a read, in the same transaction: bumped again (the figures counted at the read miss it).
    screen(world, person, ago(T, 5))
    assert changed() == {ago(T, 5): 2}


def test_many_writes_of_a_day_in_one_transaction_bump_it_once_on_postgresql(world, person, T):
    """On PostgreSQL every bump updates the same row, and n bumps in one transaction cost about n²."""
    Screening.objects.bulk_create(
        Screening(person=person, node=world.grid07, reason=Reason.ARRIVAL, screened_on=ago(T, 5))
        for _ in range(50)
    )
    for _ in range(10):
        screen(world, person, ago(T, 5))
    assert changed() == {ago(T, 5): per_write(60)}


def test_a_savepoint_rolled_back_takes_its_bump_back(world, person, T):
    try:
        with transaction.atomic():
            screen(world, person, ago(T, 5))
            assert families() == {ago(T, 5): (1, 0)}
            raise RuntimeError("导入失败")
    except RuntimeError:
        pass
    assert families() == {}  # (no read of ChangedDay in between: the next write bumps only if unmarked)
    # The bump went with the savepoint; the mark of having bumped the day must have gone too.
    Screening.objects.create(person=person, node=world.grid07, reason=Reason.ARRIVAL, screened_on=ago(T, 5))
    assert families() == {ago(T, 5): (1, 0)}


def test_a_screening_moved_bumps_the_earlier_of_the_two_days(world, person, T):
    screening = screen(world, person, ago(T, 5))
    forget()
    Screening.objects.filter(pk=screening.pk).update(screened_on=ago(T, 3))  # later: its old day
    assert changed() == {ago(T, 5): 1}
    Screening.objects.filter(pk=screening.pk).update(screened_on=ago(T, 8))  # earlier: its new day
    assert changed() == {ago(T, 5): 1, ago(T, 8): 1}
    Screening.objects.filter(pk=screening.pk).delete()
    assert changed() == {ago(T, 5): 1, ago(T, 8): 2}


def test_a_screening_of_today_or_later_bumps_nothing_whatever_changes(world, person, T):
    screening = screen(world, person, T)
    Screening.objects.create(
        person=person, node=world.grid07, reason=Reason.ARRIVAL, screened_on=T + dt.timedelta(days=1)
    )
    Screening.objects.filter(pk=screening.pk).update(screened_on=T + dt.timedelta(days=2))
    assert changed() == {}
    old = screen(world, person, ago(T, 4))
    forget()
    Screening.objects.filter(pk=old.pk).update(notes="复核")
    assert changed() == {ago(T, 4): 1}  # the rule for screenings: any update bumps its day…
    Screening.objects.filter(pk=screening.pk).update(notes="复核")
    assert changed() == {ago(T, 4): 1}  # …but of today's, nothing


# Measures


def test_a_measure_started_in_the_past_bumps_its_start_day(world, person, T):
    measure = start(world, person, at(ago(T, 10), "09:00"))
    assert changed() == {ago(T, 10): 1}
    Measure.objects.filter(pk=measure.pk).update(kind=Kind.HOME_MONITORING)
    assert changed() == {ago(T, 10): 2}
    Measure.objects.filter(pk=measure.pk).update(started_at=at(ago(T, 12), "09:00"))
    assert changed() == {ago(T, 10): 2, ago(T, 12): 1}
    Measure.objects.filter(pk=measure.pk).delete()
    assert changed() == {ago(T, 10): 2, ago(T, 12): 2}


def test_a_release_today_of_a_measure_started_ten_days_ago_bumps_nothing(world, person, T):
    measure = start(world, person, at(ago(T, 10), "09:00"))
    forget()
    release(world, measure, None)  # now: today
    assert changed() == {}


def test_a_release_dated_three_days_ago_bumps_that_day_not_the_start(world, person, T):
    measure = start(world, person, at(ago(T, 10), "09:00"))
    forget()
    measure = release(world, measure, at(ago(T, 3), "16:00"))
    assert changed() == {ago(T, 3): 1}
    # Released later after all: the earlier of the two release days.
    Measure.objects.filter(pk=measure.pk).update(released_at=at(ago(T, 1), "16:00"))
    assert changed() == {ago(T, 3): 2}
    # Reopened: the day of the release taken back.
    Measure.objects.filter(pk=measure.pk).update(released_at=None)
    assert changed() == {ago(T, 3): 2, ago(T, 1): 1}


def test_a_transfer_bumps_its_day_and_a_link_to_an_open_measure_its_start(world, person, T):
    measure = start(world, person, at(ago(T, 10), "09:00"))
    forget()
    new = actions.transfer_measure(
        actor=world.township_admin,
        measure=measure,
        version=measure.version,
        kind=Kind.HOSPITAL,
        at=at(ago(T, 2), "11:00"),
    )
    # The release, the new measure's start and the link to it: all on the day of the transfer.
    assert changed() == {ago(T, 2): per_write(3)}
    # Neither released: a change of transferred_to alone bumps the day the measure started.
    Measure.objects.filter(pk=new.pk).update(transferred_to=measure)
    assert changed() == {ago(T, 2): per_write(3) + 1}


def test_a_change_of_nothing_counted_on_a_measure_bumps_nothing(world, person, T):
    measure = start(world, person, at(ago(T, 10), "09:00"))
    forget()
    Measure.objects.filter(pk=measure.pk).update(version=measure.version + 1, policy_label="别的政策")
    assert changed() == {}


def test_bulk_created_measures_bump_their_start_days(world, person, T):
    other = Person.objects.create(
        node=world.grid07, name="李秀英", sex="female", id_number=make("371502", dt.date(1992, 5, 1), 246)
    )
    Measure.objects.bulk_create(
        [
            Measure(
                person=person, node=world.grid07, kind=Kind.HOME_MONITORING, started_at=at(ago(T, 6), "08:00")
            ),
            Measure(
                person=other, node=world.grid07, kind=Kind.HOME_MONITORING, started_at=at(ago(T, 4), "08:00")
            ),
            Measure(
                person=other, node=world.grid07, kind=Kind.HOME_MONITORING, started_at=at(ago(T, 4), "09:00")
            ),
            Measure(person=person, node=world.grid07, kind=Kind.HOME_MONITORING, started_at=at(T, "00:00")),
        ]
    )
    assert changed() == {ago(T, 6): 1, ago(T, 4): per_write(2)}


def test_a_start_at_2330_local_bumps_that_local_day_not_the_next(world, person, T):
    day = ago(T, 20)
    started_at = at(day, "23:30")
    assert started_at.astimezone(dt.UTC).hour == 15  # 15:30 UTC
    start(world, person, started_at)
    assert changed() == {day: 1}
    Measure.objects.filter(person=person).update(
        started_at=at(ago(T, 21), "00:10")
    )  # 16:10 UTC the day before
    assert changed() == {day: 1, ago(T, 21): 1}


# Follow-ups


def test_a_follow_up_bumps_its_slot_day(world, person, T):
    measure = start(world, person, at(ago(T, 10), "09:00"))
    forget()
    reading = actions.record_follow_up(
        actor=world.township_admin, measure=measure, temperature="36.5", taken_at=at(ago(T, 5), "19:40")
    )
    assert reading.slot_date == ago(T, 5)
    assert changed() == {ago(T, 5): 1}
    FollowUp.objects.filter(pk=reading.pk).update(slot_date=ago(T, 6))
    assert changed() == {ago(T, 5): 1, ago(T, 6): 1}
    FollowUp.objects.filter(pk=reading.pk).delete()
    assert changed() == {ago(T, 5): 1, ago(T, 6): 2}


# Residences and people


def test_a_move_yesterday_bumps_yesterday_only(world, person, T):
    with clock(at(ago(T, 1), "15:00")):
        registry_actions.move_person(actor=world.township_admin, person=person, to_node=world.grid08)
    # The old residence (begun 30 days ago) ended yesterday, the new one began yesterday: the residents'.
    assert families() == {ago(T, 1): (0, per_write(2))}


def test_a_residence_ended_yesterday_by_an_update_bumps_yesterday_not_its_start(world, person, T):
    Residence.objects.filter(person=person).update(ended_at=at(ago(T, 1), "15:00"))
    assert changed() == {ago(T, 1): 1}
    Residence.objects.filter(person=person).update(ended_at=at(ago(T, 3), "15:00"))
    assert changed() == {ago(T, 1): 1, ago(T, 3): 1}
    Residence.objects.filter(person=person).update(node=world.grid08)
    assert changed() == {ago(T, 1): 1, ago(T, 3): 1, ago(T, 30): 1}
    Residence.objects.filter(person=person).update(reason="更正")
    assert len(changed()) == 3 and sum(changed().values()) == 3  # nothing counted changed
    Residence.objects.filter(person=person).delete()
    assert changed()[ago(T, 30)] == 2


def test_a_residence_begun_today_bumps_nothing(world, person, T):
    registry_actions.move_person(actor=world.township_admin, person=person, to_node=world.grid08)  # now
    assert changed() == {}


def test_a_verification_dated_two_days_ago_bumps_that_day(world, person, T):
    with clock(at(ago(T, 2), "10:00")):
        registry_actions.verify_person(actor=world.township_admin, person=person, method="in_person")
    assert changed() == {ago(T, 2): 1}
    with clock(at(ago(T, 2), "11:00")):
        registry_actions.verify_person(actor=world.township_admin, person=person, method="by_phone")
    assert changed() == {ago(T, 2): 2}
    # Verified again today: the person leaves the verified of two days ago.
    registry_actions.verify_person(actor=world.township_admin, person=person, method="in_person")
    assert changed() == {ago(T, 2): 3}


def test_a_person_change_of_nothing_counted_bumps_nothing(world, person, T):
    registry_actions.verify_person(actor=world.township_admin, person=person, method="in_person")  # today
    Person.objects.filter(pk=person.pk).update(notes="备注", version=person.version + 5)
    Person.objects.create(
        node=world.grid07, name="李秀英", sex="female", id_number=make("371502", dt.date(1992, 5, 1), 246)
    )
    assert changed() == {}


# Doses


@pytest.fixture
def site(world):
    return vaccination_actions.create_site(
        actor=world.county_admin, node=world.township, name="梁水镇卫生院接种点"
    )


def test_a_dose_bumps_its_day(world, person, site, T):
    dose, _ = vaccination_actions.record_dose(
        actor=world.county_admin, person=person, site=site, product="ad5", given_on=ago(T, 3)
    )
    assert set(changed()) == {ago(T, 3)}  # the dose, and its milestones written on it
    before = changed()[ago(T, 3)]
    Dose.objects.filter(pk=dose.pk).update(lot="B2")
    assert changed() == {ago(T, 3): before + 1}
    vaccination_actions.correct_dose(
        actor=world.county_admin, dose=dose, reason="日期录错", given_on=ago(T, 1)
    )
    assert set(changed()) == {ago(T, 3)}  # moved later: from its old day
    dose.refresh_from_db()
    vaccination_actions.void_dose(actor=world.county_admin, dose=dose, reason="录错人员")
    assert set(changed()) == {ago(T, 3), ago(T, 1)}


def test_a_dose_of_today_bumps_nothing(world, person, site, T):
    vaccination_actions.record_dose(
        actor=world.county_admin, person=person, site=site, product="ad5", given_on=T
    )
    assert changed() == {}


# The tree


def test_a_node_moved_in_the_tree_bumps_every_day(world, person, T):
    every_day = dt.date(1900, 1, 1)
    Jurisdiction.objects.filter(pk=world.grid08.pk).update(name="第八网格（新）")
    assert changed() == {}
    Jurisdiction.objects.filter(pk=world.grid08.pk).update(parent=world.other_village)
    assert families() == {every_day: (1, 1)}  # both families: every figure may change
    changed_days_read()
    Jurisdiction.objects.filter(pk=world.grid08.pk).update(path=world.other_village.path + "08/")
    assert families() == {every_day: (2, 2)}
