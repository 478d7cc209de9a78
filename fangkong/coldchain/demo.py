"""The demo county's cold chain: the district's supervision warehouse and three townships' cold stores
with their enterprises and 库长, four imported lots of the last week (three with all four documents and
released, one still lacking its traceability information), their parts moved down to the townships and
sold; workers at each store (registered residents of the store's township); and one positive packaging
sample that sealed a lot split two levels down, with its workers put on the test list."""

import datetime as dt
import random

from django.utils import timezone

from fangkong.coldchain import actions
from fangkong.coldchain.models import ColdStore, StoreKind
from fangkong.registry.models import Person

LOTS = [
    ("冻南美白虾", "厄瓜多尔", 12000, "MSKU7302114"),
    ("冻牛腱", "巴西", 25000, "TCLU5530981"),
    ("冻猪蹄", "西班牙", 18000, "CMAU4120736"),
    ("冻带鱼段", "阿根廷", 9000, "OOLU8821457"),
]
DOCUMENTS = ("inspection", "disinfection", "nat_report", "trace_info")


def is_loaded(context) -> bool:
    return ColdStore.objects.filter(node__path__startswith=context.county.path).exists()


def load(*, context, seed: int, now: dt.datetime | None = None) -> dict | None:
    if is_loaded(context):
        return None
    rng = random.Random(f"{seed}-coldchain")
    admin = context.users["county"]
    today = timezone.localdate(now or timezone.now())
    start = today - dt.timedelta(days=7)
    warehouse = actions.create_store(
        actor=admin,
        node=context.county,
        name=f"{context.county.name}进口冷链食品集中监管仓",
        kind=StoreKind.WAREHOUSE,
        enterprise="聊城市冷链物流有限公司",
        address="聊城市东昌府区物流园区8号",
        capacity=3000,
        manager="刘建国",
        manager_phone="13906350001",
        supervisor="区市场监管局 张科长",
    )
    stores = [
        actions.create_store(
            actor=admin,
            node=t,
            name=f"{t.name}冷库",
            enterprise=f"{t.name}冻品批发部",
            capacity=rng.choice([200, 300, 500]),
            manager=rng.choice(["王", "李", "赵", "陈"]) + rng.choice(["国强", "秀兰", "志刚", "海燕"]),
            manager_phone=f"1390635{rng.randint(1000, 9999)}",
            supervisor=f"{t.name}市场监管所",
        )
        for t in context.townships[:3]
    ]
    counts = {"stores": 1 + len(stores), "lots": 0, "movements": 0, "samples": 0, "workers": 0, "positive": 0}
    for store in [warehouse, *stores]:
        for person in Person.objects.filter(node__path__startswith=store.node.path).order_by("pk")[:2]:
            actions.add_worker(
                actor=admin, store=store, person=person, since=start - dt.timedelta(days=60), role="搬运工"
            )
            counts["workers"] += 1
    lots = []
    for n, (product, country, quantity, container) in enumerate(LOTS):
        day = start + dt.timedelta(days=n)
        lot = actions.register_lot(
            actor=admin,
            store=warehouse,
            product=product,
            origin_country=country,
            quantity=quantity,
            number=f"{day:%Y%m%d}{n + 1:02d}",
            container=container,
            received_on=day,
            document=f"JG{day:%m%d}{n + 1:02d}",
            handler="监管仓收货员",
        )
        kinds = DOCUMENTS if n != 3 else DOCUMENTS[:3]
        for kind in kinds:
            actions.record_document(
                actor=admin, lot=lot, kind=kind, number=f"{kind[:3].upper()}{day:%m%d}{n}", issued_on=day
            )
        sample = actions.record_sample(
            actor=admin,
            store=warehouse,
            kind="goods",
            code=f"JG-{day:%m%d}-{n + 1}",
            sampled_on=day,
            lot=lot,
            lab="区疾控中心",
        )
        actions.record_result(
            actor=admin, sample=sample, result="negative", result_on=day + dt.timedelta(days=1)
        )
        actions.record_disinfection(actor=admin, lot=lot, on=day + dt.timedelta(days=1))
        counts["lots"] += 1
        counts["samples"] += 1
        lots.append(lot)
        if n == 3:
            continue  # lacks its traceability information: not released, stays in the warehouse
        actions.release_lot(actor=admin, lot=lot)
        out_day = day + dt.timedelta(days=1)
        for k, store in enumerate(stores):
            part = quantity // 5
            actions.move(
                actor=admin,
                lot=lot,
                source=warehouse,
                target=store,
                quantity=part,
                on=out_day,
                exit_certificate=f"CC{day:%m%d}{n + 1:02d}",
                document=f"CK{out_day:%m%d}{n}{k}",
            )
            actions.move(
                actor=admin,
                lot=lot,
                source=store,
                buyer=f"{store.node.name}农贸市场{k + 1}号摊位",
                quantity=part // 4,
                on=out_day + dt.timedelta(days=1),
            )
            counts["movements"] += 2
    # The positive: the shrimp's packaging at the first township's store, two days ago.
    positive_day = today - dt.timedelta(days=1)
    sample = actions.record_sample(
        actor=admin,
        store=stores[0],
        kind="packaging",
        code=f"BZ-{positive_day:%m%d}-1",
        sampled_on=positive_day,
        lot=lots[0],
        lab="区疾控中心",
    )
    actions.record_result(actor=admin, sample=sample, result="positive", result_on=today)
    environment = actions.record_sample(
        actor=admin, store=stores[1], kind="environment", code=f"HJ-{today:%m%d}-1", sampled_on=today
    )
    counts["samples"] += 2
    counts["positive"] = 1
    del environment
    return counts
