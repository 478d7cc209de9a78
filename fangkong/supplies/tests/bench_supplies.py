"""Benchmarks, run by hand (not collected with the suite): `.venv/bin/pytest fangkong/supplies/tests/bench_supplies.py -s`.
A 10,000-row 出入库台账 import, and the county stock page over 300 stores, 1,000 items and 40,000 movements."""

import datetime as dt
import io
import random
import time
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from fangkong.conftest import PASSWORD
from fangkong.supplies import ledgers
from fangkong.supplies.models import Movement, Store


def test_bench(world, supplies):
    rng = random.Random(1)
    today = timezone.localdate()
    wb = Workbook()
    ws = wb.active
    ws.append(["日期", "单据号", "物资名称", "单位", "来源", "入库数量", "出库数量", "领用单位", "审批人"])
    for n in range(10_000):
        day = today - dt.timedelta(days=365 - n * 365 // 10_000)
        if n % 3 == 0:
            ws.append(
                [day, f"RK{n}", rng.choice(["医用外科口罩", "N95口罩"]), "只", "下拨", 1000, None, None, None]
            )
        else:
            ws.append(
                [
                    day,
                    f"CK{n}",
                    rng.choice(["医用外科口罩", "N95口罩"]),
                    "只",
                    None,
                    None,
                    100,
                    "前屯小学",
                    "刘",
                ]
            )
    buf = io.BytesIO()
    wb.save(buf)
    started = time.perf_counter()
    result = ledgers.import_ledger(
        actor=world.county_admin, store=supplies.township, data=buf.getvalue(), filename="x.xlsx"
    )
    print(
        f"\nIMPORT 10k rows: {time.perf_counter() - started:.2f}s written={result.written} rejected={len(result.rejected)}"
    )
    # 300 stores × a year of movements (30k lines over 50 items) for the county page.
    stores = Store.objects.bulk_create(
        [Store(node=world.village, name=f"物资点{i}", kind="village") for i in range(300)]
    )
    from fangkong.supplies.models import Item

    items = Item.objects.bulk_create([Item(name=f"物资{i}", unit="个", threshold=50) for i in range(1000)])
    rows = []
    for _ in range(30_000):
        rows.append(
            Movement(
                store=rng.choice(stores),
                item=rng.choice(items),
                kind="receipt",
                source="bought",
                on=today - dt.timedelta(days=rng.randint(0, 365)),
                quantity=Decimal(rng.randint(1, 100)),
            )
        )
    Movement.objects.bulk_create(rows, batch_size=2000)
    client = Client()
    client.login(username="county_admin", password=PASSWORD)
    client.get(reverse("supplies_home"))
    started = time.perf_counter()
    response = client.get(reverse("supplies_home"))
    print(
        f"COUNTY PAGE 300 stores, 1000 items, {Movement.objects.count()} movements: {(time.perf_counter() - started) * 1000:.0f} ms status={response.status_code}"
    )
