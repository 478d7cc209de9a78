import datetime as dt
from decimal import Decimal

import pytest

from fangkong.audit.models import AuditEvent
from fangkong.lib.errors import RuleError, StaleEdit
from fangkong.schools import actions, queries
from fangkong.schools.models import Absence, Check, CheckEntry
from fangkong.schools.rules import ABSENT_ILLNESS, ABSENT_OTHER, SYMPTOMATIC, Mark

from .conftest import DAY


def test_a_check_counts_the_marked_and_is_a_zero_report_without_symptoms(world, teacher, klass, pupils):
    marks = [Mark(pupils[0].pk, ABSENT_ILLNESS, ("fever",)), Mark(pupils[1].pk, ABSENT_OTHER)]
    result = actions.submit_check(actor=teacher, school_class=klass, day=DAY, slot="morning", marks=marks)
    check = result.check
    assert result.created
    assert (check.enrolled, check.present, check.absent_illness, check.absent_other, check.symptomatic) == (
        45,
        43,
        1,
        1,
        0,
    )
    assert check.zero_report
    # Recount from the entries: every pupil not marked is present.
    entries = CheckEntry.objects.filter(school_check=check)
    assert 45 - entries.exclude(status=SYMPTOMATIC).count() == check.present
    assert AuditEvent.objects.filter(target_type="Check", target_id=str(check.pk)).count() == 1


def test_symptomatic_is_not_a_zero_report_and_fever_comes_from_the_temperature(teacher, klass, pupils):
    marks = [Mark(pupils[2].pk, SYMPTOMATIC, (), Decimal("37.8"), True, "上感")]
    check = actions.submit_check(actor=teacher, school_class=klass, day=DAY, slot="noon", marks=marks).check
    assert check.symptomatic == 1 and not check.zero_report
    entry = check.entries.get()
    assert entry.symptoms == ["fever"] and entry.saw_doctor and entry.diagnosis == "上感"


def test_resubmitting_is_an_edit_and_a_stale_edit_is_refused(teacher, klass, pupils):
    marks = [Mark(pupils[0].pk, ABSENT_ILLNESS)]
    first = actions.submit_check(actor=teacher, school_class=klass, day=DAY, slot="morning", marks=marks)
    again = actions.submit_check(actor=teacher, school_class=klass, day=DAY, slot="morning", marks=marks)
    assert not again.changed and again.check.pk == first.check.pk
    assert Check.objects.count() == 1
    # Two teachers edit version 1: the first wins, the second is told, not silently overwritten.
    edit = actions.submit_check(
        actor=teacher,
        school_class=klass,
        day=DAY,
        slot="morning",
        marks=[*marks, Mark(pupils[1].pk, ABSENT_OTHER)],
        version=1,
    )
    assert edit.changed and edit.check.version == 2 and edit.check.absent_other == 1
    with pytest.raises(StaleEdit):
        actions.submit_check(
            actor=teacher,
            school_class=klass,
            day=DAY,
            slot="morning",
            marks=[Mark(pupils[3].pk, SYMPTOMATIC, ("cough",))],
            version=1,
        )
    assert Check.objects.count() == 1 and CheckEntry.objects.count() == 2


def test_marks_must_be_of_the_class_and_symptomatic_needs_a_symptom(world, school, teacher, klass, pupils):
    other = actions.create_class(actor=world.county_admin, school=school, grade="三年级", name="2班")
    stranger = actions.add_member(actor=world.county_admin, school=school, school_class=other, name="外班")
    with pytest.raises(RuleError):
        actions.submit_check(
            actor=teacher,
            school_class=klass,
            day=DAY,
            slot="morning",
            marks=[Mark(stranger.pk, ABSENT_OTHER)],
        )
    with pytest.raises(RuleError):
        actions.submit_check(
            actor=teacher,
            school_class=klass,
            day=DAY,
            slot="morning",
            marks=[Mark(pupils[0].pk, SYMPTOMATIC)],
        )


def test_a_grid_worker_elsewhere_may_not_submit(world, klass, pupils):
    with pytest.raises(RuleError):
        actions.submit_check(actor=world.grid08_worker, school_class=klass, day=DAY, slot="morning")
    assert not queries.classes_visible_to(world.outsider).exists()


def test_illness_absence_opens_returns_and_is_overdue_without_certificate(teacher, klass, pupils):
    ill = pupils[0]
    actions.submit_check(
        actor=teacher,
        school_class=klass,
        day=DAY,
        slot="morning",
        marks=[Mark(ill.pk, ABSENT_ILLNESS, ("fever",))],
    )
    actions.submit_check(
        actor=teacher,
        school_class=klass,
        day=DAY + dt.timedelta(days=1),
        slot="morning",
        marks=[Mark(ill.pk, ABSENT_ILLNESS, ("fever",))],
    )
    absence = Absence.objects.get()
    assert absence.first_day == DAY and absence.reason == "发热" and absence.returned_on is None
    back = DAY + dt.timedelta(days=3)
    actions.submit_check(actor=teacher, school_class=klass, day=back, slot="morning")
    absence.refresh_from_db()
    assert absence.returned_on == back
    assert list(queries.overdue_absences(teacher, today=back)) == [absence]
    actions.update_absence(
        actor=teacher,
        absence=absence,
        reason="发热",
        onset=DAY - dt.timedelta(days=1),
        saw_doctor=True,
        diagnosis="流感",
        returned_on=back,
        certificate=True,
    )
    assert not queries.overdue_absences(teacher, today=back).exists()


def test_an_absence_past_its_expected_return_is_overdue(teacher, klass, pupils):
    actions.submit_check(
        actor=teacher, school_class=klass, day=DAY, slot="morning", marks=[Mark(pupils[0].pk, ABSENT_ILLNESS)]
    )
    absence = Absence.objects.get()
    actions.update_absence(actor=teacher, absence=absence, expected_return=DAY + dt.timedelta(days=2))
    assert not queries.overdue_absences(teacher, today=DAY + dt.timedelta(days=2)).exists()
    assert queries.overdue_absences(teacher, today=DAY + dt.timedelta(days=3)).count() == 1


def test_unmarking_a_mistaken_absence_removes_it(teacher, klass, pupils):
    actions.submit_check(
        actor=teacher, school_class=klass, day=DAY, slot="morning", marks=[Mark(pupils[0].pk, ABSENT_ILLNESS)]
    )
    actions.submit_check(actor=teacher, school_class=klass, day=DAY, slot="morning", marks=[], version=1)
    assert not Absence.objects.exists()


def test_a_roster_member_is_linked_to_the_registry_person(world, people, school, klass):
    member = actions.add_member(
        actor=world.county_admin,
        school=school,
        school_class=klass,
        name="张伟",
        id_number=people["zhang"].id_number,
    )
    assert member.person == people["zhang"]


def test_pre_opening_days_are_the_14_before_opening(world, school, teacher, pupils):
    opening = DAY + dt.timedelta(days=14)
    actions.update_school(actor=teacher, school=school, opening_date=opening)
    actions.record_pre_opening(actor=teacher, member=pupils[0], day=DAY, temperature="36.4")
    actions.record_pre_opening(actor=teacher, member=pupils[0], day=DAY, temperature="36.6")  # an edit
    assert pupils[0].pre_opening.get().temperature == Decimal("36.6")
    for wrong in (DAY - dt.timedelta(days=1), opening):
        with pytest.raises(RuleError):
            actions.record_pre_opening(actor=teacher, member=pupils[0], day=wrong)
    days, rows = queries.pre_opening(school, days=14)
    assert days[0] == DAY and days[-1] == opening - dt.timedelta(days=1) and len(days) == 14
    assert [r.done for r in rows if r.member == pupils[0]] == [1]


def test_accounts_for_teachers_and_the_bureau_are_made_by_user_managers(world, school, bureau):
    with pytest.raises(RuleError):
        actions.create_school_user(
            actor=world.grid07_worker,
            username="teacher9",
            full_name="某老师",
            password="x" * 12,
            school=school,
        )
    user = actions.create_school_user(
        actor=world.county_admin, username="teacher9", full_name="某老师", password="x" * 12, school=school
    )
    assert list(queries.schools_visible_to(user)) == [school]
    officer = actions.create_school_user(
        actor=world.county_admin, username="officer9", full_name="某干部", password="x" * 12, bureau=bureau
    )
    assert list(queries.schools_visible_to(officer)) == [school]
    assert queries.can_write(officer, school) and not queries.can_write(world.grid07_viewer, school)
