import datetime as dt

from django.utils import timezone

from fangkong.reporting.indicators import compute
from fangkong.schools import actions
from fangkong.schools.rules import ABSENT_ILLNESS, SYMPTOMATIC, Mark
from fangkong.situation import compose
from fangkong.situation.links import records_link


def _school(world, node, name, classes):
    admin = world.county_admin
    school = actions.create_school(actor=admin, node=node, name=name, stage="primary")
    made = []
    for n in range(classes):
        k = actions.create_class(actor=admin, school=school, grade="一年级", name=f"{n + 1}班")
        made.append(
            (
                k,
                [
                    actions.add_member(actor=admin, school=school, school_class=k, name=f"{name}{n}{i}")
                    for i in range(3)
                ],
            )
        )
    return made


def test_the_school_paragraph_is_written_from_the_checks(world):
    admin = world.county_admin
    today = timezone.localdate()
    a = _school(world, world.village, "前屯小学", 2)
    b = _school(world, world.other_village, "后屯幼儿园", 1)
    (k1, p1), (k2, p2) = a
    (k3, p3) = b[0]
    actions.submit_check(
        actor=admin, school_class=k1, day=today, slot="morning", marks=[Mark(p1[0].pk, ABSENT_ILLNESS)]
    )
    actions.submit_check(
        actor=admin,
        school_class=k2,
        day=today,
        slot="morning",
        marks=[Mark(p2[0].pk, SYMPTOMATIC, ("fever",))],
    )
    actions.submit_check(actor=admin, school_class=k3, day=today, slot="morning")
    actions.submit_check(actor=admin, school_class=k1, day=today - dt.timedelta(days=1), slot="morning")
    situation = compose.compose(node=world.county, as_of=timezone.now())
    body = [p for p in situation.paragraphs if p.section == compose.SCHOOLS]
    text = "".join(p.text for p in body)
    assert "学校防控" in text
    assert "当日晨午检上报3班次，其中零报告2班次" in text
    assert "发现有发热等症状学生1人，因病缺勤学生1人" in text
    values = compute(
        world.county,
        today,
        codes=["school_checks", "school_zero_reports", "school_symptomatic", "school_absent_illness"],
    )
    for f in (f for p in body for f in p.figures):
        assert f.value == values[f.code]
    assert records_link("school_checks", world.county) == f"/schools/?node_code={world.county.code}"


def test_no_school_paragraph_without_checks(world):
    situation = compose.compose(node=world.county, as_of=timezone.now())
    assert not [p for p in situation.paragraphs if p.section == compose.SCHOOLS]
