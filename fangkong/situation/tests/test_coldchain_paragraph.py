from django.utils import timezone

from fangkong.coldchain import actions
from fangkong.reporting import indicators
from fangkong.situation import compose
from fangkong.situation.links import records_link


def test_the_cold_chain_paragraph(world):
    admin = world.county_admin
    today = timezone.localdate()
    store = actions.create_store(
        actor=admin, node=world.township, name="镇冷库", enterprise="冻品公司", manager="库长"
    )
    lot = actions.register_lot(
        actor=admin,
        store=store,
        product="冻虾",
        origin_country="厄瓜多尔",
        quantity=50,
        number="E1",
        received_on=today,
    )
    for code, result in (("S1", "positive"), ("S2", "negative"), ("S3", "negative")):
        sample = actions.record_sample(
            actor=admin, store=store, kind="goods", code=code, sampled_on=today, lot=lot
        )
        actions.record_result(actor=admin, sample=sample, result=result, result_on=today)
    as_of = timezone.now()
    situation = compose.compose(node=world.county, as_of=as_of)
    text = "".join(p.text for p in situation.paragraphs if p.section == compose.COLDCHAIN)
    assert "冷链监管" in text
    assert "当日进口冷链食品入库1批" in text
    assert "出具核酸检测结果3份，其中阳性1份，已封存相关批次" in text
    # Each figure is the indicator's, and links to the records behind it.
    values = indicators.compute(world.county, today, now=as_of, as_of=as_of)
    figures = {
        f.code: f.value for p in situation.paragraphs if p.section == compose.COLDCHAIN for f in p.figures
    }
    assert figures == {code: values[code] for code in figures} and len(figures) == 3
    assert records_link("coldchain_samples_positive", world.county) == (
        f"/coldchain/samples/?result=positive&node_code={world.county.code}"
    )
