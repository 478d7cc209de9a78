"""The market-supervision figures of inspections made with the market checklist preset (the inspections
app's machinery), recounted from the records. The indicators and the situation report's paragraph are
tested in situation/tests/test_situation_markets.py (reporting and situation come after markets)."""

import datetime as dt

from django.utils import timezone

from fangkong.inspections import actions as inspection_actions
from fangkong.inspections.models import ChecklistTemplate, Inspection, Rectification, Result
from fangkong.markets import queries, rules
from fangkong.registry import actions as registry_actions


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
