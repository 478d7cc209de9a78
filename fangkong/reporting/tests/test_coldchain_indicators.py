"""coldchain_lots_in, coldchain_samples_tested and coldchain_samples_positive for a subtree and a day,
recounted from the rows; a report as of a moment before a result was entered does not count it."""

import datetime as dt

from django.utils import timezone

from fangkong.coldchain import actions
from fangkong.coldchain.models import Lot, Sample
from fangkong.reporting import indicators, trends


def _store(actor, node, name):
    return actions.create_store(actor=actor, node=node, name=name, enterprise=f"{name}公司", manager="库长")


def test_the_cold_chain_indicators(world):
    admin = world.county_admin
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    town = _store(admin, world.township, "镇冷库")
    other = _store(admin, world.other_village, "后屯冷库")
    village = _store(admin, world.village, "前屯冷库")
    lots = [
        actions.register_lot(
            actor=admin,
            store=town,
            product="冻牛肉",
            origin_country="巴西",
            quantity=100,
            number="B1",
            received_on=today,
        ),
        actions.register_lot(
            actor=admin,
            store=village,
            product="冻虾",
            origin_country="厄瓜多尔",
            quantity=50,
            number="E1",
            received_on=today,
        ),
        actions.register_lot(
            actor=admin,
            store=other,
            product="冻鸡爪",
            origin_country="美国",
            quantity=70,
            number="U1",
            received_on=yesterday,
        ),
    ]
    for n, (store, lot, kind, result) in enumerate(
        [
            (village, lots[1], "goods", "positive"),
            (village, None, "environment", "negative"),
            (other, lots[2], "packaging", "positive"),
            (town, lots[0], "goods", "negative"),
        ]
    ):
        sample = actions.record_sample(
            actor=admin, store=store, kind=kind, code=f"S{n}", sampled_on=today, lot=lot
        )
        actions.record_result(actor=admin, sample=sample, result=result, result_on=today)
    actions.record_sample(actor=admin, store=village, kind="sewage", code="PENDING", sampled_on=today)
    codes = ["coldchain_lots_in", "coldchain_samples_tested", "coldchain_samples_positive"]
    for node in (world.county, world.township, world.village, world.other_village, world.grid07):
        values = indicators.compute(node, today, codes=codes)
        # The recount: rows filtered in Python.
        lots_in = [
            lot
            for lot in Lot.objects.select_related("node")
            if lot.node.path.startswith(node.path) and lot.received_on == today
        ]
        done = [
            s
            for s in Sample.objects.select_related("store__node")
            if s.store.node.path.startswith(node.path) and s.result_on == today and s.result != "pending"
        ]
        assert values == {
            "coldchain_lots_in": len(lots_in),
            "coldchain_samples_tested": len(done),
            "coldchain_samples_positive": sum(1 for s in done if s.result == "positive"),
        }, node.name
    assert indicators.compute(world.county, today, codes=codes) == {
        "coldchain_lots_in": 2,
        "coldchain_samples_tested": 4,
        "coldchain_samples_positive": 2,
    }
    # As the dashboard counts them, both days in one query per source (grouped by the day).
    for node in (world.county, world.village, world.other_village, world.grid07):
        got = trends.series(node, last_day=today, days=2, codes=codes)
        assert [{code: got.values[code][i] for code in codes} for i in range(2)] == [
            indicators.compute(node, yesterday, codes=codes),
            indicators.compute(node, today, codes=codes),
        ], node.name
    county = trends.series(world.county, last_day=today, days=2, codes=codes)
    assert county.values["coldchain_lots_in"] == [1, 2]
    # As of a moment before the results were entered: none of them counts.
    Sample.objects.update(result_at=timezone.now() + dt.timedelta(minutes=5))
    as_of = timezone.now()
    early = indicators.compute(world.county, today, codes=codes, now=as_of, as_of=as_of)
    assert early["coldchain_samples_tested"] == 0 and early["coldchain_lots_in"] == 2
