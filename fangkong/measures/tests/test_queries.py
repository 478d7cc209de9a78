"""Reads for key persons: a caretaker's worklist, the township's overdue follow-ups, people due for
release and site occupancy — scoped, derived from the records, in a fixed number of queries."""

import datetime as dt

import pytest

from fangkong.lib.idcard import make
from fangkong.measures import actions, queries, rules
from fangkong.policy.models import Kind, Reason
from fangkong.registry import actions as registry_actions

SH = rules.SHANGHAI
D = dt.date(2022, 3, 10)


def at(day: dt.date, hhmm: str) -> dt.datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SH)


def start(world, person, started_at, kind=Kind.HOME_QUARANTINE, actor=None, **kw):
    actor = actor or (world.grid08_worker if person.node == world.grid08 else world.grid07_worker)
    return actions.start_measure(actor=actor, person=person, kind=kind, started_at=started_at, **kw)


def check(measure, taken_at, actor, temperature="36.5"):
    return actions.record_follow_up(actor=actor, measure=measure, temperature=temperature, taken_at=taken_at)


def care(world, measure, user, role="grid_worker"):
    return actions.assign_caretaker(actor=world.township_admin, measure=measure, user=user, role=role)


def register(world, name: str, seq: int):
    return registry_actions.register_person(
        actor=world.grid07_worker,
        node=world.grid07,
        name=name,
        id_number=make("371502", dt.date(1970, 1, 1) + dt.timedelta(days=seq), seq),
    )


# ── worklist ──────────────────────────────────────────────────────────────────────────────────────


def test_it_lists_the_people_a_caretaker_looks_after_with_the_days_slots(world, people):
    zhang = start(world, people["zhang"], at(D - dt.timedelta(days=2), "09:00"))
    li = start(world, people["li"], at(D, "13:00"))  # started after the morning slot ended
    wang = start(world, people["wang"], at(D - dt.timedelta(days=1), "09:00"))
    care(world, zhang, world.grid07_worker)
    care(world, li, world.grid07_worker)
    care(world, wang, world.grid08_worker)
    check(zhang, at(D, "08:00"), world.grid07_worker)
    rows = queries.worklist(world.grid07_worker, day=D)
    by_person = {row["measure"].person.name: row for row in rows}
    assert set(by_person) == {"张伟", "李秀英"}  # not 王芳 of grid 08
    assert (by_person["张伟"]["due"], by_person["张伟"]["morning"], by_person["张伟"]["evening"]) == (
        ["morning", "evening"],
        True,
        False,
    )
    assert by_person["李秀英"]["due"] == ["evening"]
    assert [row["measure"].person.name for row in queries.worklist(world.grid08_worker, day=D)] == ["王芳"]
    assert queries.worklist(world.township_admin, day=D) == []  # sees all, but looks after nobody


def test_it_drops_released_people_from_the_worklist(world, people):
    zhang = start(world, people["zhang"], at(D, "09:00"))
    care(world, zhang, world.grid07_worker)
    actions.release_measure(
        actor=world.township_admin,
        measure=zhang,
        version=zhang.version,
        released_at=at(D, "10:00"),
        override=True,
        reason="误排查",
    )
    assert queries.worklist(world.grid07_worker, day=D) == []


def test_it_follows_a_transferred_person_onto_the_new_measure_with_the_slot_already_done(world, people):
    zhang = start(world, people["zhang"], at(D - dt.timedelta(days=1), "09:00"))
    care(world, zhang, world.grid07_worker)
    check(zhang, at(D, "08:00"), world.grid07_worker)
    monitoring = actions.transfer_measure(
        actor=world.grid07_worker,
        measure=zhang,
        version=zhang.version,
        kind=Kind.HOME_MONITORING,
        at=at(D, "10:00"),
    )
    (row,) = queries.worklist(world.grid07_worker, day=D)
    assert row["measure"] == monitoring
    assert row["morning"] is True  # the 08:00 reading answers the morning for the person
    assert list(queries.overdue(world.township_admin, now=at(D, "12:30"))) == []


# ── overdue ───────────────────────────────────────────────────────────────────────────────────────


def test_it_shows_the_township_whose_last_ended_slot_has_no_follow_up(world, people):
    zhang = start(world, people["zhang"], at(D - dt.timedelta(days=1), "09:00"))
    li = start(world, people["li"], at(D - dt.timedelta(days=1), "09:00"))
    start(world, people["wang"], at(D - dt.timedelta(days=1), "09:00"))
    chen = start(world, register(world, "陈静", 31), at(D, "12:00"))
    check(zhang, at(D, "09:00"), world.grid07_worker)
    check(li, at(D - dt.timedelta(days=1), "20:00"), world.grid07_worker)

    def names(user, now):
        return sorted(m.person.name for m in queries.overdue(user, now=now))

    # At 13:00 the morning has ended: 李秀英 and 王芳 missed it; 陈静 started at 12:00 sharp owes nothing.
    assert names(world.township_admin, at(D, "13:00")) == sorted(["李秀英", "王芳"])
    assert names(world.grid07_worker, at(D, "13:00")) == ["李秀英"]
    assert names(world.grid08_worker, at(D, "13:00")) == ["王芳"]
    assert names(world.outsider, at(D, "13:00")) == []
    # At 09:30 the last ended slot is the evening before: only 李秀英 was checked then.
    assert names(world.township_admin, at(D, "09:30")) == sorted(["张伟", "王芳"])
    # The next morning at 08:00, the evening of D: nobody was checked, 陈静 included.
    assert names(world.township_admin, at(D + dt.timedelta(days=1), "08:00")) == sorted(
        ["张伟", "李秀英", "王芳", "陈静"]
    )
    assert chen.node == world.grid07


def test_it_finds_the_overdue_people_in_a_fixed_number_of_queries(
    world, people, django_assert_max_num_queries
):
    for seq in range(12):
        start(world, register(world, f"测试{seq}", 40 + seq), at(D - dt.timedelta(days=1), "09:00"))
    with django_assert_max_num_queries(2):  # memberships, then the list with person and node
        rows = [
            (m.person.name, m.node.code) for m in queries.overdue(world.township_admin, now=at(D, "13:00"))
        ]
    assert len(rows) == 12


# ── release and sites ─────────────────────────────────────────────────────────────────────────────


def test_it_lists_who_is_due_for_release_by_the_end_of_the_day(world, people):
    screening = actions.record_screening(
        actor=world.grid07_worker,
        person=people["zhang"],
        reason=Reason.ARRIVAL,
        screened_on=dt.date(2022, 2, 25),
        arrived_on=dt.date(2022, 2, 24),
    )
    # 2020: 14 days home quarantine from 02-25: ends at 24:00 of 03-10.
    zhang = start(world, people["zhang"], at(dt.date(2022, 2, 25), "10:00"), screening=screening)
    assert zhang.planned_end == at(D + dt.timedelta(days=1), "00:00")
    start(world, people["li"], at(D - dt.timedelta(days=2), "10:00"))  # ends 03-22
    start(world, people["wang"], at(dt.date(2022, 2, 1), "10:00"))  # long overdue for release, grid 08
    names = sorted(m.person.name for m in queries.due_for_release(world.township_admin, day=D))
    assert names == sorted(["张伟", "王芳"])
    assert [m.person.name for m in queries.due_for_release(world.grid07_worker, day=D)] == ["张伟"]
    assert [
        m.person.name for m in queries.due_for_release(world.township_admin, day=D - dt.timedelta(1))
    ] == ["王芳"]


def test_it_counts_beds_occupied_and_free_per_site(world, people):
    site = actions.create_site(actor=world.township_admin, node=world.township, name="梁水宾馆")
    actions.add_rooms(actor=world.township_admin, site=site, first=101, last=103, capacity=2)
    other = actions.create_site(actor=world.county_admin, node=world.county, name="县招待所")
    actions.add_rooms(actor=world.county_admin, site=other, first=1, last=1, capacity=1)
    room = site.rooms.get(number="101")
    for person in (people["zhang"], people["li"]):
        start(
            world, person, at(D, "09:00"), kind=Kind.CENTRAL_QUARANTINE, room=room, actor=world.township_admin
        )
    wang = start(
        world,
        people["wang"],
        at(D, "09:00"),
        kind=Kind.CENTRAL_QUARANTINE,
        room=site.rooms.get(number="102"),
        actor=world.township_admin,
    )
    actions.release_measure(
        actor=world.township_admin,
        measure=wang,
        version=1,
        released_at=at(D, "18:00"),
        override=True,
        reason="转院",
    )
    (row,) = queries.site_occupancy(world.township_admin)  # the county's site is above the township
    assert (row.name, row.beds, row.occupied, row.free) == ("梁水宾馆", 6, 2, 4)
    county_rows = {s.name: (s.beds, s.occupied, s.free) for s in queries.site_occupancy(world.county_admin)}
    assert county_rows == {"梁水宾馆": (6, 2, 4), "县招待所": (1, 0, 1)}
    assert sorted(r.number for r in queries.free_rooms(site)) == ["102", "103"]


@pytest.mark.parametrize("slot", [rules.MORNING, rules.EVENING])
def test_it_marks_each_owed_slot_done_or_not(world, people, slot):
    zhang = start(world, people["zhang"], at(D - dt.timedelta(days=1), "09:00"))
    start(world, people["li"], at(D - dt.timedelta(days=1), "09:00"))
    check(zhang, at(D, "08:00" if slot == rules.MORNING else "20:00"), world.grid07_worker)
    status = {
        m.person.name: m.done
        for m in queries.slot_status(queries.measures_visible_to(world.grid07_worker), D, slot)
    }
    assert status == {"张伟": True, "李秀英": False}
