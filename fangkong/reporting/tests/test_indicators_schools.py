"""school_absent_illness and school_symptomatic: recounted from the entries, equal by compute, by the
children's one query and by the trends' range query."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.reporting.children import compute_children
from fangkong.reporting.indicators import compute
from fangkong.reporting.trends import series
from fangkong.schools import actions
from fangkong.schools.models import CheckEntry
from fangkong.schools.rules import ABSENT_ILLNESS, ABSENT_OTHER, SYMPTOMATIC, Mark

DAY = dt.date(2020, 3, 2)
CODES = ["school_absent_illness", "school_symptomatic"]


@pytest.fixture
def checks(world):
    admin = world.county_admin
    made = {}
    for node, name in ((world.village, "前屯小学"), (world.other_village, "后屯小学")):
        school = actions.create_school(actor=admin, node=node, name=name, stage="primary")
        k = actions.create_class(actor=admin, school=school, grade="一年级", name="1班")
        made[name] = [
            actions.add_member(actor=admin, school=school, school_class=k, name=f"{name}{i}")
            for i in range(6)
        ]
        made[name + "班"] = k
    a, b = made["前屯小学"], made["后屯小学"]
    ka, kb = made["前屯小学班"], made["后屯小学班"]
    # 前屯, DAY: morning two ill, one other, one symptomatic; noon one of the ill again, the symptomatic again.
    actions.submit_check(
        actor=admin,
        school_class=ka,
        day=DAY,
        slot="morning",
        marks=[
            Mark(a[0].pk, ABSENT_ILLNESS),
            Mark(a[1].pk, ABSENT_ILLNESS),
            Mark(a[2].pk, ABSENT_OTHER),
            Mark(a[3].pk, SYMPTOMATIC, ("cough",)),
        ],
    )
    actions.submit_check(
        actor=admin,
        school_class=ka,
        day=DAY,
        slot="noon",
        marks=[Mark(a[0].pk, ABSENT_ILLNESS), Mark(a[3].pk, SYMPTOMATIC, ("cough",))],
    )
    # 后屯, DAY: one symptomatic; the day before one ill.
    actions.submit_check(
        actor=admin, school_class=kb, day=DAY, slot="morning", marks=[Mark(b[0].pk, SYMPTOMATIC, ("rash",))]
    )
    actions.submit_check(
        actor=admin,
        school_class=kb,
        day=DAY - dt.timedelta(days=1),
        slot="morning",
        marks=[Mark(b[1].pk, ABSENT_ILLNESS)],
    )
    return made


def recount(path: str, day: dt.date, status: str) -> int:
    return len(
        {
            e.member_id
            for e in CheckEntry.objects.select_related("school_check__school__node")
            if e.school_check.day == day
            and e.school_check.school.node.path.startswith(path)
            and e.status == status
        }
    )


def test_school_figures_recounted(world, checks):
    for node in (world.county, world.township, world.village, world.other_village):
        for day in (DAY, DAY - dt.timedelta(days=1)):
            values = compute(node, day, codes=CODES)
            assert values["school_absent_illness"] == recount(node.path, day, ABSENT_ILLNESS)
            assert values["school_symptomatic"] == recount(node.path, day, SYMPTOMATIC)
    assert compute(world.township, DAY, codes=CODES) == {"school_absent_illness": 2, "school_symptomatic": 2}
    assert compute(world.village, DAY, codes=CODES) == {"school_absent_illness": 2, "school_symptomatic": 1}


def test_children_and_trends_agree_with_compute(world, checks):
    children = compute_children(world.township, DAY, codes=CODES)
    for child, values in children.items():
        assert values == compute(child, DAY, codes=CODES)
    with CaptureQueriesContext(connection) as ctx:
        trend = series(world.township, last_day=DAY, days=3, codes=CODES)
    # One query for the range, and one for what a day without entries gives.
    assert len([q for q in ctx.captured_queries if "schools_checkentry" in q["sql"]]) <= 2
    for i, day in enumerate(trend.days):
        assert {code: trend.values[code][i] for code in CODES} == compute(world.township, day, codes=CODES)


def test_the_dashboard_shows_the_school_figures_with_their_lists(world, client):
    from django.urls import reverse
    from django.utils import timezone

    from fangkong.conftest import PASSWORD

    admin = world.county_admin
    school = actions.create_school(actor=admin, node=world.village, name="前屯小学", stage="primary")
    k = actions.create_class(actor=admin, school=school, grade="一年级", name="1班")
    m = actions.add_member(actor=admin, school=school, school_class=k, name="学生甲")
    actions.submit_check(
        actor=admin,
        school_class=k,
        day=timezone.localdate(),
        slot="morning",
        marks=[Mark(m.pk, ABSENT_ILLNESS)],
    )
    client.login(username=admin.username, password=PASSWORD)
    text = client.get(reverse("dashboard_node", kwargs={"code": world.county.code})).content.decode()
    assert "学校晨午检" in text and "因病缺勤" in text
    assert "/schools/absences/" in text and "/schools/?node=" in text
