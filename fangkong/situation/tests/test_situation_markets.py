"""The market-supervision indicators (reporting/markets.py) and the situation report's 市场监管 paragraph,
recounted from the records: pharmacies' purchases and fever-medicine buyers, the communities' open
follow-ups, the townships' gatherings, inspections with the market checklist."""

import datetime as dt

from django.utils import timezone

from fangkong.markets import actions, rules
from fangkong.markets.models import Purchase
from fangkong.markets.tests.conftest import STRANGER_ID, buy, make_other_township, make_pharmacy
from fangkong.markets.tests.test_market_reports import market_world
from fangkong.reporting import indicators
from fangkong.situation import compose, links


def test_indicators_and_the_paragraph(world, people):
    pharmacy, other_township = make_pharmacy(world), make_other_township(world)
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
