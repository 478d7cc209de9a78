"""Writes of schools: the education bureau, schools, classes, rosters, the morning and noon checks with
the illness absences they open and the class alerts they raise, absence follow-up, the monitoring before
opening. Each checks the actor's scope (queries.school_filter), runs in one transaction and writes its
audit row there.

A check is one row per class, day and slot: submitting again is an edit of that row, never a second one.
Its `version` rises with each change; an edit that started from an older version is refused (StaleEdit)
unless it asks for exactly what is already stored (then it is a repeat, and changes nothing)."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.actions import check_new_account
from fangkong.grid.models import Jurisdiction, Level
from fangkong.lib import idcard
from fangkong.lib.errors import RuleError, StaleEdit
from fangkong.lib.temperature import check_temperature
from fangkong.policy.queries import policy_for, schools_values
from fangkong.registry.models import Person

from . import queries, rules
from .models import (
    Absence,
    Check,
    CheckEntry,
    ClassAlert,
    EducationBureau,
    Member,
    MemberKind,
    PreOpeningEntry,
    School,
    SchoolClass,
    Slot,
    Stage,
    Status,
)

SCHOOL_LEVELS = (Level.TOWNSHIP, Level.VILLAGE, Level.GRID)


def _may_write(actor, school: School, message: str = "无权修改该学校的记录", field: str = "__all__") -> None:
    if not queries.can_write(actor, school):
        raise RuleError({field: message}, code="forbidden")


def _bureau_over(actor, node: Jurisdiction) -> bool:
    return any(node.path.startswith(b.county.path) for b in queries.bureaus_of(actor))


# The education bureau ----------------------------------------------------------------------------------


@transaction.atomic
def create_bureau(*, actor, county: Jurisdiction, name: str, request=None) -> EducationBureau:
    if county.level != Level.COUNTY:
        raise RuleError({"county": "教育局设在区县"})
    scoping.require(actor, scoping.MANAGE_USERS, county, "无权设置该区县的教育局", field="county")
    name = (name or "").strip()
    if not name:
        raise RuleError({"name": "请填写教育局名称"})
    if EducationBureau.objects.filter(county=county).exists():
        raise RuleError({"county": "该区县已有教育局"})
    bureau = EducationBureau.objects.create(county=county, name=name)
    record(actor=actor, action=Action.CREATE, target=bureau, node_path=county.path, request=request)
    return bureau


@transaction.atomic
def add_bureau_member(*, actor, bureau: EducationBureau, user, request=None) -> None:
    scoping.require(actor, scoping.MANAGE_USERS, bureau.county, "无权设置教育局人员")
    bureau.members.add(user)
    record(
        actor=actor,
        action=Action.USER_CHANGE,
        target=bureau,
        node_path=bureau.county.path,
        request=request,
        added=user.username,
    )


@transaction.atomic
def create_school_user(
    *,
    actor,
    username: str,
    full_name: str,
    password: str,
    school: School | None = None,
    bureau: EducationBureau | None = None,
    request=None,
):
    """An account for a teacher (staff of `school`) or an officer of `bureau`: it holds no node of the grid
    and sees the school, or the county's schools, only. Made by who manages users there."""
    if (school is None) == (bureau is None):
        raise RuleError({"__all__": "请选择学校或教育局"})
    node = school.node if school is not None else bureau.county
    scoping.require(actor, scoping.MANAGE_USERS, node, "无权为该学校或教育局开设账号")
    username = (username or "").strip()
    check_new_account(username, full_name, password)  # the grid's rules: name, duplicate, password
    user = get_user_model().objects.create_user(
        username=username, password=password, first_name=(full_name or "").strip()[:150]
    )
    if school is not None:
        school.staff.add(user)
    else:
        bureau.members.add(user)
    record(
        actor=actor,
        action=Action.USER_CHANGE,
        target=school or bureau,
        node_path=node.path,
        request=request,
        created=username,
    )
    return user


@transaction.atomic
def remove_school_user(
    *, actor, user, school: School | None = None, bureau: EducationBureau | None = None, request=None
):
    """Take a teacher off a school's staff, or an officer off the bureau: the account stays (it may be
    staff elsewhere), it no longer sees the school or the county's schools."""
    if (school is None) == (bureau is None):
        raise RuleError({"__all__": "请选择学校或教育局"})
    node = school.node if school is not None else bureau.county
    scoping.require(actor, scoping.MANAGE_USERS, node, "无权管理该学校或教育局的账号")
    people = school.staff if school is not None else bureau.members
    if not people.filter(pk=user.pk).exists():
        raise RuleError({"__all__": "该账号不是本校教职工" if school is not None else "该账号不是教育局人员"})
    if user.pk == actor.pk:
        raise RuleError({"__all__": "不能移除自己的账号"})
    people.remove(user)
    record(
        actor=actor,
        action=Action.USER_CHANGE,
        target=school or bureau,
        node_path=node.path,
        request=request,
        removed=user.username,
    )


# Schools, classes, rosters ----------------------------------------------------------------------------


@transaction.atomic
def create_school(
    *,
    actor,
    node: Jurisdiction,
    name: str,
    stage: str,
    address: str = "",
    opening_date: dt.date | None = None,
    request=None,
) -> School:
    """A school at a township, village (community) or grid, by the grid above it or the county's
    education bureau."""
    if node.level not in SCHOOL_LEVELS:
        raise RuleError({"node": "请选择乡镇（街道）、村（社区）或网格"})
    if not (scoping.can(actor, scoping.WRITE, node) or _bureau_over(actor, node)):
        raise RuleError({"node": "无权在该辖区登记学校"}, code="forbidden")
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "请填写学校名称"
    elif School.objects.filter(node=node, name=name).exists():
        errors["name"] = "该辖区已有同名学校"
    if stage not in Stage.values:
        errors["stage"] = "请选择学段"
    if errors:
        raise RuleError(errors)
    school = School.objects.create(
        node=node, name=name, stage=stage, address=(address or "").strip(), opening_date=opening_date
    )
    record(actor=actor, action=Action.CREATE, target=school, node_path=node.path, request=request)
    return school


@transaction.atomic
def update_school(*, actor, school: School, opening_date: dt.date | None, request=None) -> School:
    _may_write(actor, school)
    school.opening_date = opening_date
    school.save(update_fields=["opening_date"])
    record(
        actor=actor,
        action=Action.UPDATE,
        target=school,
        node_path=school.node.path,
        request=request,
        opening_date=str(opening_date or ""),
    )
    return school


@transaction.atomic
def add_staff(*, actor, school: School, user, request=None) -> None:
    """A teacher or school doctor who records the school's checks: sees the school, not the grid."""
    _may_write(actor, school)
    school.staff.add(user)
    record(
        actor=actor,
        action=Action.USER_CHANGE,
        target=school,
        node_path=school.node.path,
        request=request,
        added=user.username,
    )


@transaction.atomic
def create_class(
    *, actor, school: School, grade: str, name: str, grade_order: int = 0, head_teacher=None, request=None
) -> SchoolClass:
    _may_write(actor, school)
    grade, name = (grade or "").strip(), (name or "").strip()
    errors = {}
    if not grade:
        errors["grade"] = "请填写年级"
    if not name:
        errors["name"] = "请填写班级"
    elif SchoolClass.objects.filter(school=school, grade=grade, name=name).exists():
        errors["name"] = "该年级已有同名班级"
    if errors:
        raise RuleError(errors)
    school_class = SchoolClass.objects.create(
        school=school, grade=grade, name=name, grade_order=grade_order, head_teacher=head_teacher
    )
    record(
        actor=actor, action=Action.CREATE, target=school_class, node_path=school.node.path, request=request
    )
    return school_class


def clean_member(*, name: str, id_number: str = "", sex: str = "") -> dict:
    """A roster line's fields, or RuleError naming the field."""
    errors, fields = {}, {"name": (name or "").strip(), "id_number": "", "sex": (sex or "").strip()}
    if not fields["name"]:
        errors["name"] = "姓名不能为空"
    if id_number and str(id_number).strip():
        try:
            parsed = idcard.parse(str(id_number))
        except idcard.InvalidIdNumber as exc:
            errors["id_number"] = str(exc)
        else:
            fields["id_number"] = parsed.normalized
            fields["sex"] = fields["sex"] or ("男" if parsed.sex == "male" else "女")
    if errors:
        raise RuleError(errors)
    return fields


def _person_for(id_number: str) -> Person | None:
    return Person.objects.filter(id_number=id_number).first() if id_number else None


@transaction.atomic
def add_member(
    *,
    actor,
    school: School,
    name: str,
    school_class: SchoolClass | None = None,
    kind: str = MemberKind.PUPIL,
    sex: str = "",
    id_number: str = "",
    guardian_phone: str = "",
    request=None,
) -> Member:
    """A pupil of a class (or a staff member of the school), linked to the registry person with the same
    ID number when there is one."""
    _may_write(actor, school)
    if kind not in MemberKind.values:
        raise RuleError({"kind": "请选择学生或教职工"})
    if kind == MemberKind.PUPIL and school_class is None:
        raise RuleError({"school_class": "学生须属于一个班级"})
    if school_class is not None and school_class.school_id != school.pk:
        raise RuleError({"school_class": "班级不属于该学校"})
    fields = clean_member(name=name, id_number=id_number, sex=sex)
    if fields["id_number"] and Member.objects.filter(school=school, id_number=fields["id_number"]).exists():
        raise RuleError({"id_number": "该身份证号已在本校花名册中"})
    member = Member.objects.create(
        school=school,
        school_class=school_class,
        kind=kind,
        guardian_phone=(guardian_phone or "").strip(),
        person=_person_for(fields["id_number"]),
        **fields,
    )
    record(actor=actor, action=Action.CREATE, target=member, node_path=school.node.path, request=request)
    return member


# The morning and noon check -----------------------------------------------------------------------------


@dataclass
class Submitted:
    check: Check
    created: bool
    changed: bool
    alerts: list[ClassAlert] = field(default_factory=list)


def _temperature(value, member: Member) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return check_temperature(value)
    except ValueError as exc:
        raise RuleError({"temperature": f"{member.name}：{exc}"}) from None


def _clean_marks(marks: Iterable[rules.Mark], roster: dict[int, Member], fever: Decimal) -> list[rules.Mark]:
    clean: dict[int, rules.Mark] = {}
    for mark in marks:
        member = roster.get(mark.member_id)
        if member is None:
            raise RuleError({"marks": "所标记的学生不在本班花名册中"})
        if mark.member_id in clean:
            raise RuleError({"marks": f"{member.name}被重复标记"})
        if mark.status not in rules.STATUSES:
            raise RuleError({"marks": f"{member.name}：请选择因病缺勤、其他缺勤或有症状"})
        unknown = [s for s in mark.symptoms if s not in rules.SYMPTOMS]
        if unknown:
            raise RuleError({"symptoms": f"{member.name}：未知症状“{'、'.join(unknown)}”"})
        temperature = _temperature(mark.temperature, member)
        with_temp = rules.Mark(
            member_id=mark.member_id,
            status=mark.status,
            symptoms=mark.symptoms,
            temperature=temperature,
            saw_doctor=bool(mark.saw_doctor),
            diagnosis=(mark.diagnosis or "").strip()[:100],
        )
        symptoms = rules.symptoms_of(with_temp, fever_threshold=fever)
        if mark.status == rules.SYMPTOMATIC and not symptoms:
            raise RuleError({"symptoms": f"{member.name}：有症状须勾选症状或填写体温"})
        clean[mark.member_id] = rules.Mark(
            member_id=mark.member_id,
            status=mark.status,
            symptoms=symptoms,
            temperature=temperature,
            saw_doctor=with_temp.saw_doctor,
            diagnosis=with_temp.diagnosis,
        )
    return list(clean.values())


def _stored_marks(check: Check) -> set[tuple]:
    return {
        rules.Mark(
            member_id=e.member_id,
            status=e.status,
            symptoms=tuple(e.symptoms),
            temperature=e.temperature,
            saw_doctor=e.saw_doctor,
            diagnosis=e.diagnosis,
        ).as_tuple()
        for e in check.entries.all()
    }


@transaction.atomic
def submit_check(
    *,
    actor,
    school_class: SchoolClass,
    day: dt.date,
    slot: str,
    marks: Sequence[rules.Mark] = (),
    version: int | None = None,
    at: dt.datetime | None = None,
    request=None,
) -> Submitted:
    """A class's morning or noon check: everyone on the roster present unless marked. Nobody marked
    symptomatic: the class's zero report for that check. Again for the same class, day and slot: an edit
    of the same check (see the module docstring for `version`)."""
    school = school_class.school
    _may_write(actor, school, "无权填报该班级的晨午检")
    if slot not in Slot.values:
        raise RuleError({"slot": "请选择晨检或午检"})
    at = at or timezone.now()
    if day is None:
        raise RuleError({"day": "请填写日期"})
    if day > timezone.localdate(at):
        raise RuleError({"day": "日期不能晚于今天"})
    # One writer per class at a time: the class row is the lock (SQLite serialises writers anyway).
    SchoolClass.objects.select_for_update().filter(pk=school_class.pk).first()
    values = policy_for(school.node, day).values
    fever = Decimal(str(values.get("fever_threshold") or "37.3"))
    roster = {m.pk: m for m in queries.roster(school_class)}
    marks = _clean_marks(marks, roster, fever)
    counts = rules.check_counts(enrolled=len(roster), marks=marks)
    check = Check.objects.filter(school_class=school_class, day=day, slot=slot).first()
    created = check is None
    if check is not None:
        if _stored_marks(check) == {m.as_tuple() for m in marks}:
            return Submitted(check=check, created=False, changed=False)
        if version != check.version:
            raise StaleEdit("该班级本次晨午检")
        check.entries.all().delete()
        for name in ("enrolled", "present", "absent_illness", "absent_other", "symptomatic"):
            setattr(check, name, getattr(counts, name))
        check.submitted_by, check.submitted_at, check.version = actor, at, check.version + 1
        check.save()
    else:
        check = Check.objects.create(
            school_class=school_class,
            school=school,
            day=day,
            slot=slot,
            submitted_by=actor,
            submitted_at=at,
            **counts.__dict__,
        )
    CheckEntry.objects.bulk_create(
        CheckEntry(
            school_check=check,
            day=day,
            member_id=m.member_id,
            status=m.status,
            symptoms=list(m.symptoms),
            temperature=m.temperature,
            saw_doctor=m.saw_doctor,
            diagnosis=m.diagnosis,
        )
        for m in marks
    )
    _follow_absences(school_class, day, marks)
    alerts = _raise_alerts(school_class, day, schools_values(values), at)
    record(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        target=check,
        node_path=school.node.path,
        request=request,
        version=check.version,
        absent_illness=counts.absent_illness,
        symptomatic=counts.symptomatic,
        alerts=[a.pk for a in alerts],
    )
    return Submitted(check=check, created=created, changed=True, alerts=alerts)


def _follow_absences(school_class: SchoolClass, day: dt.date, marks: list[rules.Mark]) -> None:
    """Open an illness absence for a pupil marked absent for illness with none open; a pupil with an
    absence opened on an earlier day who is not marked absent today is back (returned_on: today). An
    absence opened today whose pupil no check of today marks ill any more was a mistake, and goes."""
    ill_today = set(
        CheckEntry.objects.filter(
            school_check__school_class=school_class, school_check__day=day, status=Status.ABSENT_ILLNESS
        ).values_list("member_id", flat=True)
    )
    absent_now = {m.member_id for m in marks if m.status != rules.SYMPTOMATIC}
    by_member = {m.member_id: m for m in marks}
    members = Member.objects.filter(school_class=school_class)
    open_ = {a.member_id: a for a in Absence.objects.filter(member__in=members, returned_on__isnull=True)}
    for member_id in ill_today:
        if member_id not in open_:
            mark = by_member.get(member_id)
            Absence.objects.create(
                member_id=member_id,
                school=school_class.school,
                first_day=day,
                reason="、".join(rules.SYMPTOMS[s] for s in mark.symptoms) if mark else "",
                saw_doctor=bool(mark and mark.saw_doctor),
                diagnosis=mark.diagnosis if mark else "",
            )
    for member_id, absence in open_.items():
        if absence.first_day < day and member_id not in absent_now:
            absence.returned_on = day
            absence.save(update_fields=["returned_on"])
        elif absence.first_day == day and member_id not in ill_today:
            absence.delete()


def _raise_alerts(school_class: SchoolClass, day: dt.date, policy: dict, at: dt.datetime) -> list[ClassAlert]:
    """The class's symptoms that reached the policy's number of pupils within its days: one alert per
    class and symptom within a window (a class already alerted for it since the window began is not
    alerted again)."""
    pupils, days = int(policy["cluster_pupils"]), int(policy["cluster_days"])
    start, end = rules.window(day=day, days=days)
    sightings = [
        (e["member_id"], e["school_check__day"], e["symptoms"])
        for e in CheckEntry.objects.filter(
            school_check__school_class=school_class,
            school_check__day__gte=start,
            school_check__day__lte=end,
        )
        .exclude(status=Status.ABSENT_OTHER)
        .values("member_id", "school_check__day", "symptoms")
    ]
    raised = []
    for crossing in rules.crossings(sightings, day=day, pupils=pupils, days=days):
        if ClassAlert.objects.filter(
            school_class=school_class, symptom=crossing.symptom, day__gte=start
        ).exists():
            continue
        school = school_class.school
        summary = (
            f"{school.name}{school_class}{days}天内{crossing.pupils}名学生出现"
            f"{rules.SYMPTOMS[crossing.symptom]}（预警阈值{pupils}人），请立即核实并报告"
        )
        raised.append(
            ClassAlert.objects.create(
                school_class=school_class,
                school=school,
                symptom=crossing.symptom,
                day=day,
                window_start=start,
                pupils=crossing.pupils,
                summary=summary[:200],
                raised_at=at,
            )
        )
    return raised


@transaction.atomic
def resolve_alert(*, actor, alert: ClassAlert, resolution: str, request=None) -> ClassAlert:
    _may_write(actor, alert.school)
    resolution = (resolution or "").strip()
    if not resolution:
        raise RuleError({"resolution": "请填写处置结果"})
    alert.resolved_at, alert.resolution = timezone.now(), resolution[:200]
    alert.save(update_fields=["resolved_at", "resolution"])
    record(actor=actor, action=Action.UPDATE, target=alert, node_path=alert.school.node.path, request=request)
    return alert


# Illness absences and the monitoring before opening -----------------------------------------------------


@transaction.atomic
def update_absence(
    *,
    actor,
    absence: Absence,
    reason: str = "",
    onset: dt.date | None = None,
    saw_doctor: bool = False,
    diagnosis: str = "",
    expected_return: dt.date | None = None,
    returned_on: dt.date | None = None,
    certificate: bool = False,
    certificate_note: str = "",
    request=None,
) -> Absence:
    """The follow-up of an illness absence (因病缺勤追踪): 缺勤原因、发病时间、就诊、诊断、返校时间、复课证明."""
    _may_write(actor, absence.school)
    errors = {}
    if onset and onset > absence.first_day:
        errors["onset"] = "发病时间不能晚于缺勤日期"
    if returned_on and returned_on < absence.first_day:
        errors["returned_on"] = "返校时间不能早于缺勤日期"
    if returned_on and returned_on > timezone.localdate():
        errors["returned_on"] = "返校时间不能晚于今天"
    if certificate and returned_on is None:
        errors["certificate"] = "返校时才能登记复课证明"
    if errors:
        raise RuleError(errors)
    absence.reason, absence.onset, absence.saw_doctor = (reason or "").strip()[:100], onset, bool(saw_doctor)
    absence.diagnosis, absence.expected_return = (diagnosis or "").strip()[:100], expected_return
    absence.returned_on, absence.certificate = returned_on, bool(certificate)
    absence.certificate_note = (certificate_note or "").strip()[:100]
    absence.save()
    record(
        actor=actor,
        action=Action.UPDATE,
        target=absence,
        node_path=absence.school.node.path,
        request=request,
        returned_on=str(returned_on or ""),
        certificate=absence.certificate,
    )
    return absence


@transaction.atomic
def record_pre_opening(
    *,
    actor,
    member: Member,
    day: dt.date,
    temperature=None,
    symptoms: Sequence[str] = (),
    away: str = "",
    request=None,
) -> PreOpeningEntry:
    """One day of a pupil's or staff member's 14 days before opening; again for the same day: an edit."""
    school = member.school
    _may_write(actor, school)
    if school.opening_date is None:
        raise RuleError({"day": "请先设置开学日期"})
    days = schools_values(policy_for(school.node, day).values)["pre_opening_days"]
    if day not in rules.pre_opening_days(opening=school.opening_date, days=days):
        raise RuleError({"day": f"开学前{days}天健康监测的日期应在开学日期之前{days}天内"})
    unknown = [s for s in symptoms if s not in rules.SYMPTOMS]
    if unknown:
        raise RuleError({"symptoms": f"未知症状“{'、'.join(unknown)}”"})
    value = _temperature(temperature, member)
    entry, created = PreOpeningEntry.objects.update_or_create(
        member=member,
        day=day,
        defaults={
            "temperature": value,
            "symptoms": [s for s in rules.SYMPTOMS if s in set(symptoms)],
            "away": (away or "").strip()[:100],
            "recorded_at": timezone.now(),
        },
    )
    record(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        target=entry,
        node_path=school.node.path,
        request=request,
    )
    return entry
