"""The market-supervision figures: inspections with the market checklist preset (the inspections app's
machinery), the §9 indicators of pharmacies and gatherings, and the situation report's paragraph, each
recounted by an independent route."""

import datetime as dt

from django.utils import timezone

from fangkong.inspections import actions as inspection_actions
from fangkong.inspections.models import ChecklistTemplate, Inspection, Rectification, Result
from fangkong.markets import actions, queries, rules
from fangkong.markets.models import Purchase
from fangkong.registry import actions as registry_actions
from fangkong.reporting import indicators
from fangkong.situation import compose, links

from .conftest import STRANGER_ID, buy


def preset():
    return ChecklistTemplate.objects.get(node__isnull=True, name=rules.CHECKLIST_NAME)


def answers(template, failed: dict[int, str]):
    items = list(template.items.filter(active=True).order_by("position"))
    return [
        {"item": it, "text": it.text, "passed": i not in failed, "note": failed.get(i, "")}
        for i, it in enumerate(items, start=1)
    ]


def inspect(world, target, template, failed, at):
    return inspection_actions.record_inspection(
        actor=world.county_admin,
        target=target,
        template=template,
        inspected_at=at,
        inspectors="市场监管所",
        results=answers(template, failed),
        owner="店长",
    )


def test_the_preset_is_there_with_the_four_problems_of_the_report(db):
    texts = [item.text for item in preset().items.order_by("position")]
    kinds = {rules.problem_kind(text)[0] for text in texts}
    assert {"no_disinfection", "no_temperature", "no_masks", "ledger"} <= kinds


def market_world(world, pharmacy):
    """Three establishments; four market inspections over two days and one 复工复产 inspection (not market
    supervision); a re-inspection (not counted as a visit)."""
    shop = registry_actions.create_unit(
        actor=world.county_admin, node=world.grid08, name="八组超市", kind="market"
    )
    cafe = registry_actions.create_unit(
        actor=world.county_admin, node=world.grid07, name="七组餐馆", kind="enterprise"
    )
    market = preset()
    copy = inspection_actions.copy_template(actor=world.county_admin, template=market, node=world.township)
    other = ChecklistTemplate.objects.get(node__isnull=True, name="复工复产检查表")
    now = timezone.now()
    yesterday = now - dt.timedelta(days=1)
    inspect(world, shop, market, {1: "无消杀记录", 3: "店员未戴口罩"}, yesterday)
    inspect(world, pharmacy.unit, market, {4: "进货台账缺页"}, yesterday)
    inspect(world, cafe, copy, {}, now - dt.timedelta(minutes=30))
    inspect(world, shop, market, {2: "未测温"}, now - dt.timedelta(minutes=20))
    inspect(world, cafe, other, {1: "未测温"}, now - dt.timedelta(minutes=10))
    order = Rectification.objects.filter(unit=pharmacy.unit).get()
    inspection_actions.reinspect(
        actor=world.county_admin,
        target=pharmacy.unit,
        inspected_at=now - dt.timedelta(minutes=5),
        inspectors="市场监管所",
        checks=[{"order": order, "passed": True, "note": ""}],
    )
    return {"shop": shop, "cafe": cafe}


def test_market_figures_of_a_period(world, pharmacy):
    market_world(world, pharmacy)
    today = timezone.localdate()
    figures = queries.market_figures(world.county, today - dt.timedelta(days=1), today)
    # Recount from the records: inspections whose checklist carries the market preset's name.
    market = [i for i in Inspection.objects.all() if i.template and i.template.name == rules.CHECKLIST_NAME]
    assert figures["visits"] == len(market) == 4
    assert figures["places"] == len({(i.unit_id, i.venue_id) for i in market}) == 3
    ordered = {(o.unit_id, o.venue_id) for o in Rectification.objects.filter(finding__inspection__in=market)}
    assert figures["rectification_places"] == len(ordered) == 2
    assert figures["orders"] == 4 and figures["orders_closed"] == 1
    failed = Result.objects.filter(inspection__in=market, passed=False)
    by_kind = {}
    for r in failed:
        code = rules.problem_kind(r.text)[0]
        by_kind[code] = by_kind.get(code, 0) + 1
    assert {p["code"]: p["count"] for p in figures["problems"]} == by_kind
    assert by_kind == {"no_disinfection": 1, "no_masks": 1, "ledger": 1, "no_temperature": 1}
    # A subtree: grid 07 holds the pharmacy and the café.
    assert queries.market_figures(world.grid07, today - dt.timedelta(days=1), today)["visits"] == 2
    assert queries.market_figures(world.county, today, today)["visits"] == 2


def test_indicators_and_the_paragraph(world, people, pharmacy, other_township):
    market_world(world, pharmacy)
    now = timezone.now()
    today = timezone.localdate()
    earlier = max(now - dt.timedelta(hours=1), rules.local_midnight(today) + dt.timedelta(minutes=1))
    buy(world, pharmacy, id_number=people["wang"].id_number, at=earlier)
    buy(world, pharmacy, id_number=people["wang"].id_number, at=earlier)  # the same buyer twice
    buy(world, pharmacy, id_number=STRANGER_ID, at=earlier)
    buy(world, pharmacy, id_number=people["zhang"].id_number, drug_class="cough", at=earlier)
    buy(world, other_township["pharmacy"], id_number=people["li"].id_number, at=earlier)
    buy(world, pharmacy, id_number=STRANGER_ID, at=earlier - dt.timedelta(days=1))  # yesterday
    done = Purchase.objects.filter(person=people["wang"]).first().followup
    actions.complete_followup(actor=world.grid08_worker, followup=done, outcome="已联系")
    actions.record_gatherings(
        actor=world.county_admin, node=world.township, day=today, reported=3, cancelled=2
    )
    actions.record_gatherings(
        actor=world.county_admin,
        node=world.township,
        day=today - dt.timedelta(days=2),
        reported=5,
        cancelled=5,
    )
    actions.record_gatherings(
        actor=world.county_admin, node=other_township["township"], day=today, reported=1, cancelled=1
    )
    values = indicators.compute(world.township, today)
    purchases_today = [
        p
        for p in Purchase.objects.all()
        if timezone.localdate(p.purchased_at) == today and p.node.path.startswith(world.township.path)
    ]
    assert values["pharmacy_purchases"] == len(purchases_today) == 4
    assert (
        values["pharmacy_fever_buyers"]
        == len({p.id_number for p in purchases_today if p.drug_class == "fever"})
        == 2
    )
    # Tasks of buyers living in 梁水镇: 王芳's two (one done) and 李秀英's (bought in 沙镇).
    assert values["pharmacy_fever_followups_open"] == 2
    assert values["gatherings_reported"] == 3 and values["gatherings_cancelled"] == 2
    assert values["gatherings_cancelled_total"] == 7
    assert values["market_inspections"] == 2 and values["market_inspections_total"] == 4
    assert values["market_rectification_places_total"] == 2
    county = indicators.compute(world.county, today)
    assert county["gatherings_cancelled"] == 3 and county["pharmacy_purchases"] == 5

    now = timezone.now()
    situation = compose.compose(node=world.township, as_of=now, now=now)
    [heading] = [
        p for p in situation.paragraphs if p.section == compose.MARKETS and p.kind == compose.HEADING
    ]
    assert heading.segments[0].endswith("市场监管")
    bodies = [p for p in situation.paragraphs if p.section == compose.MARKETS and p.kind == compose.BODY]
    text = "".join(b.text for b in bodies)
    assert "当日检查农贸市场、商场超市、餐饮店、药店等经营户2家次，累计检查经营户4家次" in text
    assert "责令整改2家" in text
    assert "四类药品4人次，其中购买退热药2人，已推送至其所在社区核查；尚有2人待社区核查。" in text
    assert "当日各乡镇上报群体性聚餐3起，取消2起；累计取消群体性聚餐7起。" in text
    as_of = indicators.compute(world.township, situation.day, now=now, as_of=now)
    for body in bodies:
        for f in body.figures:
            assert f.value == as_of[f.code]
            assert links.records_link(f.code, world.township)


def test_no_paragraph_without_records(world):
    now = timezone.now()
    situation = compose.compose(node=world.county, as_of=now, now=now)
    assert not [p for p in situation.paragraphs if p.section == compose.MARKETS]
