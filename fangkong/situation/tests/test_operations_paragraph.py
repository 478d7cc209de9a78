import datetime as dt

from django.utils import timezone

from fangkong.disinfection import actions as disinfection_actions
from fangkong.disinfection.models import Place
from fangkong.situation import compose
from fangkong.situation.links import records_link
from fangkong.supplies import actions as supply_actions


def test_the_supplies_and_disinfection_paragraph(world):
    admin = world.county_admin
    now = timezone.now()
    today = timezone.localdate()
    masks = supply_actions.create_item(actor=admin, name="口罩", unit="只", threshold=1000)
    store = supply_actions.create_store(actor=admin, node=world.township, name="镇物资点", kind="township")
    supply_actions.receive(
        actor=admin, store=store, item=masks, quantity=500, on=today, source="donated", donor="商会"
    )
    place = disinfection_actions.create_place(
        actor=admin, node=world.grid07, name="公厕", kind="public_toilet"
    )
    Place.objects.update(created_at=now - dt.timedelta(days=3))
    start = now - dt.timedelta(minutes=40)
    disinfection_actions.record_entry(
        actor=admin,
        place=place,
        started_at=start,
        ended_at=start + dt.timedelta(minutes=20),
        agent="84",
        method="spray",
        done_by="李",
    )
    situation = compose.compose(node=world.county, as_of=timezone.now())
    body = [p for p in situation.paragraphs if p.section == compose.OPERATIONS]
    text = "".join(p.text for p in body)
    assert "物资保障与消杀" in text
    assert "当日防疫物资入库1笔（其中接收社会捐赠1笔）" in text
    assert "低于警戒库存的物资1项" in text
    assert "应对公共场所消杀2次，已完成1次，完成率50.0%" in text
    assert records_link("supplies_low_stock", world.county).startswith("/supplies/?node_code=")
