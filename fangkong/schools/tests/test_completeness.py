"""Zero reports by class rolled up to the education bureau, and the counts for early warning."""

import datetime as dt

from fangkong.conftest import make_node
from fangkong.grid.models import Level
from fangkong.schools import actions, queries
from fangkong.schools.models import Check, CheckEntry
from fangkong.schools.rules import ABSENT_ILLNESS, SYMPTOMATIC, Mark

from .conftest import DAY


def _setup(world, bureau):
    other_township = make_node("371502104", "沙镇", Level.TOWNSHIP, world.county)
    other_village = make_node("371502104201", "沙镇村", Level.VILLAGE, other_township)
    a = actions.create_school(actor=bureau.officer, node=world.village, name="前屯小学", stage="primary")
    b = actions.create_school(
        actor=bureau.officer, node=world.other_village, name="后屯幼儿园", stage="kindergarten"
    )
    c = actions.create_school(actor=bureau.officer, node=other_village, name="沙镇中学", stage="middle")
    classes = {}
    for school, n in ((a, 3), (b, 2), (c, 2)):
        for i in range(n):
            k = actions.create_class(actor=bureau.officer, school=school, grade="一年级", name=f"{i + 1}班")
            pupils = [
                actions.add_member(
                    actor=bureau.officer, school=school, school_class=k, name=f"{school.name}{i}{j}"
                )
                for j in range(4)
            ]
            classes[k] = pupils
    return (a, b, c), other_township, classes


def test_zero_reports_by_class_roll_up_to_the_bureau(world, bureau):
    (a, b, c), sha, classes = _setup(world, bureau)
    ks = list(classes)
    officer = bureau.officer
    # School a: three classes morning, one with a symptomatic pupil; noon only for one class.
    actions.submit_check(actor=officer, school_class=ks[0], day=DAY, slot="morning")
    actions.submit_check(
        actor=officer,
        school_class=ks[1],
        day=DAY,
        slot="morning",
        marks=[Mark(classes[ks[1]][0].pk, SYMPTOMATIC, ("cough",))],
    )
    actions.submit_check(actor=officer, school_class=ks[2], day=DAY, slot="morning")
    actions.submit_check(actor=officer, school_class=ks[0], day=DAY, slot="noon")
    # School b: nothing. School c: both classes morning, zero reports; a check of another day is ignored.
    actions.submit_check(actor=officer, school_class=ks[5], day=DAY, slot="morning")
    actions.submit_check(actor=officer, school_class=ks[6], day=DAY, slot="morning")
    actions.submit_check(actor=officer, school_class=ks[6], day=DAY - dt.timedelta(days=1), slot="morning")

    table = queries.completeness(officer, world.county, DAY)
    by_township = {row.node.name: row for row in table}
    assert set(by_township) == {"梁水镇", "沙镇"}
    liang, sha_row = by_township["梁水镇"], by_township["沙镇"]
    assert [s.name for s in liang.schools] == ["前屯小学", "后屯幼儿园"]
    sa, sb = liang.schools
    assert (sa.classes, sa.morning, sa.noon, sa.zero_morning, sa.zero_noon, sa.missing) == (3, 3, 1, 2, 1, 2)
    assert (sb.classes, sb.morning, sb.noon, sb.missing) == (2, 0, 0, 4)
    assert (liang.classes, liang.checks, liang.zero_reports, liang.expected) == (5, 4, 3, 10)
    assert liang.pct == 40.0
    assert (sha_row.classes, sha_row.checks, sha_row.zero_reports) == (2, 2, 2)
    # Recount from the checks themselves.
    day_checks = Check.objects.filter(day=DAY)
    assert sum(r.zero_reports for r in table) == sum(
        1 for ch in day_checks if not ch.entries.filter(status=SYMPTOMATIC).exists()
    )
    assert sum(r.checks for r in table) == day_checks.count()


def test_the_township_sees_its_schools_only_and_a_teacher_their_school(world, bureau):
    (a, b, c), sha, classes = _setup(world, bureau)

    def names(user):
        return [s.name for row in queries.completeness(user, world.county, DAY) for s in row.schools]

    assert names(world.township_admin) == ["前屯小学", "后屯幼儿园"]
    assert names(bureau.officer) == ["前屯小学", "后屯幼儿园", "沙镇中学"]
    from fangkong.conftest import make_user

    teacher = make_user("t2")
    actions.add_staff(actor=bureau.officer, school=c, user=teacher)
    assert names(teacher) == ["沙镇中学"]
    assert names(world.outsider) == []
    assert names(world.grid08_worker) == []


def test_illness_absence_counts_one_row_per_reported_school_node_and_day(world, bureau):
    (a, b, c), sha, classes = _setup(world, bureau)
    ks = list(classes)
    officer = bureau.officer
    p = classes[ks[0]]
    # School a, DAY: two ill in the morning, one of them again at noon, one other ill at noon → 3 pupils.
    actions.submit_check(
        actor=officer,
        school_class=ks[0],
        day=DAY,
        slot="morning",
        marks=[Mark(p[0].pk, ABSENT_ILLNESS), Mark(p[1].pk, ABSENT_ILLNESS)],
    )
    actions.submit_check(
        actor=officer,
        school_class=ks[0],
        day=DAY,
        slot="noon",
        marks=[Mark(p[0].pk, ABSENT_ILLNESS), Mark(p[2].pk, ABSENT_ILLNESS)],
    )
    # School c, DAY: reported, nobody ill → a row with 0. School b: not reported → no row.
    actions.submit_check(actor=officer, school_class=ks[5], day=DAY, slot="morning")
    # School a the day after: one ill; outside the range two days later.
    actions.submit_check(
        actor=officer,
        school_class=ks[1],
        day=DAY + dt.timedelta(days=1),
        slot="morning",
        marks=[Mark(classes[ks[1]][0].pk, ABSENT_ILLNESS)],
    )
    actions.submit_check(actor=officer, school_class=ks[1], day=DAY + dt.timedelta(days=2), slot="morning")
    rows = list(queries.illness_absence_counts(DAY, DAY + dt.timedelta(days=1)))
    assert rows == sorted(
        [
            (a.node_id, DAY, 3),
            (c.node_id, DAY, 0),
            (a.node_id, DAY + dt.timedelta(days=1), 1),
        ]
    )
    # Recount: distinct pupils absent for illness per node and day, from the entries.
    recount = {}
    for e in CheckEntry.objects.filter(status=ABSENT_ILLNESS).select_related("school_check__school"):
        recount.setdefault((e.school_check.school.node_id, e.school_check.day), set()).add(e.member_id)
    for node_id, day, n in rows:
        assert n == len(recount.get((node_id, day), set()))


def test_two_schools_at_one_node_make_one_row(world, bureau):
    a = actions.create_school(actor=bureau.officer, node=world.village, name="甲校", stage="primary")
    b = actions.create_school(actor=bureau.officer, node=world.village, name="乙校", stage="primary")
    for school in (a, b):
        k = actions.create_class(actor=bureau.officer, school=school, grade="一年级", name="1班")
        m = actions.add_member(actor=bureau.officer, school=school, school_class=k, name=f"{school.name}生")
        actions.submit_check(
            actor=bureau.officer, school_class=k, day=DAY, slot="morning", marks=[Mark(m.pk, ABSENT_ILLNESS)]
        )
    assert list(queries.illness_absence_counts(DAY, DAY)) == [(world.village.pk, DAY, 2)]
