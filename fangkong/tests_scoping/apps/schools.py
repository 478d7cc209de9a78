"""Schools: grid 07's primary school with 张伟 on its roster: five pupils with fever at today's check raise
its alert, and 张伟 absent for illness yesterday opened an absence; its teacher's account, and the county's
education bureau with one officer (the accounts pages)."""

import datetime as dt

from django.utils import timezone

from fangkong.conftest import PASSWORD
from fangkong.schools import actions as school_actions
from fangkong.schools.rules import SYMPTOMATIC, Mark

from ..values import upload


def records(w, r) -> dict:
    zhang = r["zhang"]
    admin = w.county_admin
    school = school_actions.create_school(actor=admin, node=w.grid07, name="第七网格小学", stage="primary")
    school_class = school_actions.create_class(actor=admin, school=school, grade="一年级", name="1班")
    school_teacher = school_actions.create_school_user(
        actor=admin,
        username="teacher07",
        full_name="王老师",
        password=PASSWORD,
        school=school,
    )
    bureau = school_actions.create_bureau(actor=admin, county=w.county, name="东昌府区教育局")
    bureau_officer = school_actions.create_school_user(
        actor=admin,
        username="edu_officer07",
        full_name="教育局干部",
        password=PASSWORD,
        bureau=bureau,
    )
    pupils = [
        school_actions.add_member(
            actor=admin, school=school, school_class=school_class, name="张伟", id_number=zhang.id_number
        ),
        *[
            school_actions.add_member(actor=admin, school=school, school_class=school_class, name=f"学生{n}")
            for n in range(4)
        ],
    ]
    school_actions.submit_check(
        actor=admin,
        school_class=school_class,
        day=timezone.localdate() - dt.timedelta(days=1),
        slot="morning",
        marks=[Mark(pupils[0].pk, "absent_illness", ("fever",))],
    )
    school_check = school_actions.submit_check(
        actor=admin,
        school_class=school_class,
        day=timezone.localdate(),
        slot="morning",
        marks=[Mark(p.pk, SYMPTOMATIC, ("fever",)) for p in pupils],
    )
    return {
        "school": school,
        "school_class": school_class,
        "school_absence": pupils[0].absences.get(),
        "school_alert": school_check.alerts[0],
        "school_teacher": school_teacher,
        "bureau": bureau,
        "bureau_officer": bureau_officer,
    }


ROUTES = {
    "schools_home": lambda w, r: ({}, f"node={w.grid07.code}"),
    "school_create": lambda w, r: ({}, ""),
    "school_detail": lambda w, r: ({"pk": r["school"].pk}, ""),
    "school_opening": lambda w, r: ({"pk": r["school"].pk}, ""),
    "school_pre_opening": lambda w, r: ({"pk": r["school"].pk}, ""),
    "roster_import": lambda w, r: ({"pk": r["school"].pk}, ""),
    "school_checks_export": lambda w, r: ({"pk": r["school"].pk}, ""),
    "class_check": lambda w, r: ({"pk": r["school_class"].pk}, ""),
    "absence_list": lambda w, r: ({}, ""),
    "absence_edit": lambda w, r: ({"pk": r["school_absence"].pk}, ""),
    "school_alert_resolve": lambda w, r: ({"pk": r["school_alert"].pk}, ""),
    "school_users": lambda w, r: ({"pk": r["school"].pk}, ""),
    "school_user_remove": lambda w, r: ({"pk": r["school"].pk, "user_id": r["school_teacher"].pk}, ""),
    "bureau_users": lambda w, r: ({"pk": r["bureau"].pk}, ""),
    "bureau_user_remove": lambda w, r: ({"pk": r["bureau"].pk, "user_id": r["bureau_officer"].pk}, ""),
}

BODIES = {
    # A class list of one new pupil; today's morning check edited from its version 1 (all present).
    "roster_import": lambda w, r: {
        "file": upload(["年级", "班级", "姓名"], ["一年级", "1班", "第七网格新生"])
    },
    "class_check": lambda w, r: {
        "day": timezone.localdate().isoformat(),
        "slot": "morning",
        "version": "1",
        **{f"{field}_{m.pk}": "" for m in r["school_class"].members.all() for field in ("s", "t", "g")},
    },
}

API_IDS = {
    "school_id": lambda w, r: r["school"].pk,
    "class_id": lambda w, r: r["school_class"].pk,
    "absence_id": lambda w, r: r["school_absence"].pk,
    "day": lambda w, r: timezone.localdate().isoformat(),
    "slot": lambda w, r: "morning",
}

API_BODIES = {
    # A second school of grid 07, a class of it, a pupil without ID number.
    ("post", "/api/v1/schools"): lambda w, r: {
        "node": w.grid07.code,
        "name": "第七网格幼儿园",
        "stage": "kindergarten",
    },
    ("post", "/api/v1/schools/{school_id}/classes"): lambda w, r: {"grade": "二年级", "name": "1班"},
    ("post", "/api/v1/school-classes/{class_id}/roster"): lambda w, r: {
        "name": "第七网格新生",
        "id_number": "",
    },
}
