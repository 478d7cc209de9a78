"""The situation report's inspections paragraph: in the register of the source reports, only the figures
that are not zero, each linked to its records."""

import datetime as dt

from django.utils import timezone

from fangkong.inspections import actions
from fangkong.registry import actions as registry_actions
from fangkong.situation import compose, links


def test_it_writes_the_inspections_paragraph_with_its_figures(world):
    admin = world.county_admin
    shop = registry_actions.create_unit(
        actor=admin, node=world.grid07, name="超市", kind="market", contact_name="刘"
    )
    cafe = registry_actions.create_unit(
        actor=admin, node=world.grid08, name="餐馆", kind="enterprise", contact_name="王"
    )
    now = timezone.now()
    for target, failed in ((shop, True), (cafe, False)):
        actions.record_inspection(
            actor=admin,
            target=target,
            inspected_at=now - dt.timedelta(minutes=5),
            inspectors="督查组",
            results=[{"text": "消毒", "passed": not failed, "note": "无消杀记录" if failed else ""}],
        )
    now = timezone.now()  # the report counts what was entered by its moment
    situation = compose.compose(node=world.county, as_of=now, now=now)
    [heading] = [
        p for p in situation.paragraphs if p.section == compose.INSPECTIONS and p.kind == compose.HEADING
    ]
    assert heading.segments[0].endswith("督查整改")
    [body] = [p for p in situation.paragraphs if p.section == compose.INSPECTIONS and p.kind == compose.BODY]
    text = body.text
    assert (
        text
        == "当日共检查单位和经营场所2家次，其中发现问题1家次，对存在问题的1家责令限期整改，下达整改问题1项；尚有1项问题正在整改。"
    )
    codes = [f.code for f in body.figures]
    assert all(links.records_link(code, world.county) for code in codes)


def test_it_says_nothing_without_inspections(world):
    now = timezone.now()
    situation = compose.compose(node=world.county, as_of=now, now=now)
    assert not [p for p in situation.paragraphs if p.section == compose.INSPECTIONS]
