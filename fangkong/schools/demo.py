"""The demo county's schools: the county's education bureau with its officer, 梁水镇's central kindergarten
and primary school and a middle school in the second township, with their classes. The rosters take the
children registered in the school's township (linked to the registry by ID number) and fill up with
pupils of other villages. A week of morning and noon checks (school days), a few pupils absent for illness
or with symptoms; in one class five pupils coughing within three days, so the class alert shows."""

import datetime as dt
import random

from django.utils import timezone

from fangkong.registry.models import Person

from . import actions
from .models import School
from .rules import ABSENT_ILLNESS, ABSENT_OTHER, SYMPTOMATIC, Mark

DAYS = 7
PUPILS = 30
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "子涵浩然欣怡梓轩雨桐一诺佳怡宇航思远俊杰诗涵嘉怡晨曦文博梦琪雅静天佑明轩"
# Published and printed like the other demo logins (never load the demo on a real server).
BUREAU_ACCOUNT = ("demo_education", "Dcf-Edu-2020", "孟庆华")
TEACHER_ACCOUNT = ("demo_teacher", "Lsz-Teacher-2020", "周雅琴")
SCHOOLS = [
    # (township index, name, stage, grades: [(grade, order, classes)])
    (0, "梁水镇中心幼儿园", "kindergarten", [("小班", 1, 1), ("中班", 2, 1), ("大班", 3, 1)]),
    (0, "梁水镇中心小学", "primary", [(f"{g}年级", n, 2) for n, g in enumerate("一二三四五六", start=1)]),
    (1, "第二中学", "middle", [("七年级", 7, 1), ("八年级", 8, 1), ("九年级", 9, 1)]),
]
AGES = {"kindergarten": (3, 6), "primary": (6, 12), "middle": (12, 15)}


def is_loaded(context) -> bool:
    return School.objects.filter(node__path__startswith=context.county.path).exists()


def _name(rng: random.Random) -> str:
    i = rng.randrange(0, len(GIVEN) - 1, 2)
    return rng.choice(SURNAMES) + GIVEN[i : i + 2]


def _school_days(today: dt.date) -> list[dt.date]:
    days, day = [], today
    while len(days) < DAYS - 2:
        if day.weekday() < 5:
            days.append(day)
        day -= dt.timedelta(days=1)
    return sorted(days)


def load(*, context, seed: int, now: dt.datetime | None = None) -> dict | None:
    if is_loaded(context):
        return None
    rng = random.Random(f"{seed}-schools")
    admin = context.users["county"]
    now = now or timezone.now()
    today = timezone.localdate(now)
    bureau = actions.create_bureau(
        actor=admin, county=context.county, name=f"{context.county.name}教育和体育局"
    )
    username, password, full_name = BUREAU_ACCOUNT
    actions.create_school_user(
        actor=admin, username=username, password=password, full_name=full_name, bureau=bureau
    )
    counts = {"schools": 0, "classes": 0, "pupils": 0, "linked": 0, "checks": 0, "alerts": 0}
    cluster_class = None
    teacher = None
    for township_index, name, stage, grades in SCHOOLS:
        township = context.townships[township_index]
        village = context.gridded[township_index][0]
        school = actions.create_school(
            actor=admin, node=village, name=name, stage=stage, opening_date=today + dt.timedelta(days=60)
        )
        counts["schools"] += 1
        low, high = AGES[stage]
        children = list(
            Person.objects.filter(
                node__path__startswith=township.path,
                birth_date__gt=today.replace(year=today.year - high),
                birth_date__lte=today.replace(year=today.year - low),
            ).order_by("birth_date", "pk")[:400]
        )
        for grade, order, classes in grades:
            for n in range(classes):
                k = actions.create_class(
                    actor=admin, school=school, grade=grade, name=f"{n + 1}班", grade_order=order
                )
                counts["classes"] += 1
                for _ in range(PUPILS):
                    if children and rng.random() < 0.3:
                        p = children.pop()
                        member = actions.add_member(
                            actor=admin, school=school, school_class=k, name=p.name, id_number=p.id_number
                        )
                        counts["linked"] += member.person_id is not None
                    else:
                        actions.add_member(actor=admin, school=school, school_class=k, name=_name(rng))
                    counts["pupils"] += 1
                if name == "梁水镇中心小学" and grade == "三年级" and n == 0:
                    cluster_class = k
        if stage == "primary":
            username, password, full_name = TEACHER_ACCOUNT
            teacher = actions.create_school_user(
                actor=admin, username=username, password=password, full_name=full_name, school=school
            )
    days = _school_days(today)
    for school in School.objects.filter(node__path__startswith=context.county.path).prefetch_related(
        "classes"
    ):
        for k in school.classes.all():
            roster = list(k.members.all())
            for day in days:
                for slot in ("morning", "noon"):
                    if day == today and slot == "noon" and timezone.localtime(now).hour < 12:
                        continue
                    marks = []
                    for m in rng.sample(roster, 3):
                        r = rng.random()
                        if r < 0.25:
                            marks.append(Mark(m.pk, ABSENT_ILLNESS, ("fever",), None, True, "上呼吸道感染"))
                        elif r < 0.4:
                            marks.append(Mark(m.pk, ABSENT_OTHER))
                        elif r < 0.5:
                            marks.append(Mark(m.pk, SYMPTOMATIC, (rng.choice(["rash", "diarrhoea"]),)))
                    if k == cluster_class and day >= days[-3] and slot == "morning":
                        coughing = roster[:5][: 2 if day == days[-3] else 4 if day == days[-2] else 5]
                        # The coughing pupils' own marks replace the random ones: on the last day all five
                        # cough, so the class crosses the threshold even when the school days before it
                        # lie outside the three days (a Monday after a weekend).
                        ids = {m.pk for m in coughing}
                        marks = [mk for mk in marks if mk.member_id not in ids]
                        marks += [Mark(m.pk, SYMPTOMATIC, ("cough",)) for m in coughing]
                    actor = teacher if (teacher and k.school_id == cluster_class.school_id) else admin
                    at = timezone.make_aware(
                        dt.datetime.combine(day, dt.time(8 if slot == "morning" else 13, 30))
                    )
                    result = actions.submit_check(
                        actor=actor, school_class=k, day=day, slot=slot, marks=marks, at=min(at, now)
                    )
                    counts["checks"] += 1
                    counts["alerts"] += len(result.alerts)
    return counts


def accounts(county) -> list[dict]:
    """The demo's school logins, printed with the others (load_demo), once the schools are loaded."""
    if not School.objects.filter(node__path__startswith=county.path).exists():
        return []
    primary = School.objects.filter(node__path__startswith=county.path, stage="primary").first()
    return [
        {
            "role": "教育局",
            "node": county.name,
            "node_code": county.code,
            "username": BUREAU_ACCOUNT[0],
            "password": BUREAU_ACCOUNT[1],
        },
        {
            "role": "教师",
            "node": primary.name if primary else "",
            "node_code": primary.node.code if primary else "",
            "username": TEACHER_ACCOUNT[0],
            "password": TEACHER_ACCOUNT[1],
        },
    ]
