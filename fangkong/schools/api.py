"""JSON API for schools: schools, classes, rosters, the morning and noon check of a class (PUT by class,
day and slot: the same body twice is one check; an edit from an older version: 409), illness absences
and the completeness of the checks. Through the same actions as the pages."""

from django.http import Http404
from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from fangkong.grid.schemas import Date, Id, error_responses

from . import actions, queries, rules
from .models import Slot
from .schemas import (
    CompletenessOut,
    SchoolAbsenceIn,
    SchoolAbsenceOut,
    SchoolCheckIn,
    SchoolCheckOut,
    SchoolClassIn,
    SchoolClassOut,
    SchoolIn,
    SchoolMemberIn,
    SchoolMemberOut,
    SchoolOut,
)

router = Router(tags=["学校"])
READ_ERRORS = error_responses(401, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)


@router.get("/schools", response={200: list[SchoolOut], **READ_ERRORS}, summary="学校")
def list_schools(request):
    return list(queries.schools_visible_to(request.auth)[:2000])


@router.post("/schools", response={201: SchoolOut, **WRITE_ERRORS}, summary="登记学校")
def create_school(request, payload: SchoolIn):
    data = payload.dict()
    node = queries.area_node(request.auth, data.pop("node"))
    school = actions.create_school(actor=request.auth, node=node, request=request, **data)
    return Status(201, school)


@router.get(
    "/schools/{school_id}/classes", response={200: list[SchoolClassOut], **READ_ERRORS}, summary="班级"
)
def list_classes(request, school_id: Id):
    school = queries.access_school(request.auth, school_id)
    return list(school.classes.all())


@router.post(
    "/schools/{school_id}/classes", response={201: SchoolClassOut, **WRITE_ERRORS}, summary="新增班级"
)
def create_class(request, school_id: Id, payload: SchoolClassIn):
    school = queries.access_school(request.auth, school_id, write=True)
    return Status(
        201, actions.create_class(actor=request.auth, school=school, request=request, **payload.dict())
    )


@router.get(
    "/school-classes/{class_id}/roster",
    response={200: list[SchoolMemberOut], **READ_ERRORS},
    summary="班级花名册",
)
def class_roster(request, class_id: Id):
    return queries.roster(queries.access_class(request.auth, class_id))


@router.post(
    "/school-classes/{class_id}/roster",
    response={201: SchoolMemberOut, **WRITE_ERRORS},
    summary="花名册新增学生",
)
def add_pupil(request, class_id: Id, payload: SchoolMemberIn):
    school_class = queries.access_class(request.auth, class_id, write=True)
    member = actions.add_member(
        actor=request.auth,
        school=school_class.school,
        school_class=school_class,
        request=request,
        **payload.dict(),
    )
    return Status(201, member)


def _slot(slot: str) -> str:
    if slot not in Slot.values:
        raise Http404
    return slot


@router.get(
    "/school-classes/{class_id}/checks/{day}/{slot}",
    response={200: SchoolCheckOut, **READ_ERRORS},
    summary="班级某日晨检或午检",
)
def get_check(request, class_id: Id, day: Date, slot: str):
    school_class = queries.access_class(request.auth, class_id)
    check = queries.check_of(school_class, day, _slot(slot))
    if check is None:
        raise Http404
    return check


@router.put(
    "/school-classes/{class_id}/checks/{day}/{slot}",
    response={200: SchoolCheckOut, 201: SchoolCheckOut, **WRITE_ERRORS},
    summary="填报晨午检（按班级、日期、时段幂等；无人有症状即零报告）",
)
def put_check(request, class_id: Id, day: Date, slot: str, payload: SchoolCheckIn):
    school_class = queries.access_class(request.auth, class_id, write=True)
    marks = [
        rules.Mark(
            member_id=m.member,
            status=m.status,
            symptoms=tuple(m.symptoms),
            temperature=m.temperature,
            saw_doctor=m.saw_doctor,
            diagnosis=m.diagnosis,
        )
        for m in payload.marks
    ]
    result = actions.submit_check(
        actor=request.auth,
        school_class=school_class,
        day=day,
        slot=_slot(slot),
        marks=marks,
        version=payload.version,
        request=request,
    )
    return Status(201 if result.created else 200, result.check)


@router.get("/school-absences", response={200: list[SchoolAbsenceOut], **READ_ERRORS}, summary="因病缺勤追踪")
def list_absences(request, overdue: bool = False):
    rows = (
        queries.overdue_absences(request.auth, today=timezone.localdate())
        if overdue
        else queries.absences_visible_to(request.auth)
    )
    return list(rows.select_related("member")[:2000])


@router.put(
    "/school-absences/{absence_id}",
    response={200: SchoolAbsenceOut, **WRITE_ERRORS},
    summary="更新因病缺勤追踪",
)
def update_absence(request, absence_id: Id, payload: SchoolAbsenceIn):
    absence = queries.access_absence(request.auth, absence_id, write=True)
    return actions.update_absence(actor=request.auth, absence=absence, request=request, **payload.dict())


@router.get(
    "/school-completeness",
    response={200: list[CompletenessOut], **READ_ERRORS},
    summary="晨午检及零报告完整性",
)
def completeness(request, node: str | None = None, day: Date | None = None):
    area = queries.area_node(request.auth, node) if node else queries.default_area(request.auth)
    if area is None:
        return []
    return queries.completeness(request.auth, area, day or timezone.localdate())
