"""`fangkong bench supplies`: the county's stock page (防疫物资库存) over --stores stores (one per village of
the bench county, registry/bench.py), --items items and --movements lines of the 出入库台账 spread over a
year: every store holds every item from an opening receipt a year ago, then receipts, issues and a few
stock-takes; one receipt in 50 is a batch with an expiry date. The movements and the kept balances
(`Stock`, as the actions keep them) are written in bulk: they are not what is timed.

Timed, after one warm-up, `--repeat` times: the page as the county admin's browser asks for it (today, and
a day 30 days back), and in the same run the area's figures computed the way the page did before the kept
balances (every movement summed: `stock_lines` + `item_totals`) for comparison.

Also timed: the import of a 10,000-row ledger (two items, a year of receipts and issues) into a new store
through ledgers.import_ledger.

Targets (issue 13): 1,000 items × 300 stores × a year of movements, the county page under 300 ms; the
10,000-row import under 10 s."""

import datetime as dt
import io
import random
import statistics
import time
from decimal import Decimal

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from fangkong.grid.models import Jurisdiction, Level
from fangkong.registry.bench import ensure_county

from . import actions, ledgers, queries
from .models import Batch, Item, Movement, MovementKind, Stock, Store, StoreKind, SupplySource

TARGET_MS = 300.0
PREFIX = "基准物资点"
BATCH = 20_000
THRESHOLDS = [Decimal(0), Decimal(200), Decimal(800), Decimal(1500)]  # some stores short of some items


def _build(*, county, stores: int, items: int, movements: int, seed: int, progress) -> dict:
    rng = random.Random(seed)
    today = timezone.localdate()
    start = today - dt.timedelta(days=365)
    villages = list(
        Jurisdiction.objects.filter(path__startswith=county.path, level=Level.VILLAGE).order_by("code")
    )
    with transaction.atomic():
        store_rows = Store.objects.bulk_create(
            [
                Store(node=villages[i % len(villages)], name=f"{PREFIX}{i:03d}", kind=StoreKind.VILLAGE)
                for i in range(stores)
            ]
        )
        item_rows = Item.objects.bulk_create(
            [Item(name=f"基准物资{i:04d}", unit="个", threshold=THRESHOLDS[i % 4]) for i in range(items)]
        )
    store_ids = list(Store.objects.filter(name__startswith=PREFIX).values_list("pk", flat=True))
    item_ids = list(Item.objects.filter(name__startswith="基准物资").values_list("pk", flat=True))
    del store_rows, item_rows
    balance: dict[tuple[int, int], Decimal] = {}
    since: dict[tuple[int, int], dt.date] = {}
    pending: list[Movement] = []
    written = 0
    batch_ids: list[tuple[int, int]] = []  # (item id, batch id)

    def flush():
        nonlocal written
        Movement.objects.bulk_create(pending, batch_size=2000)
        written += len(pending)
        pending.clear()
        progress(f"出入库记录：{written} 条……")

    for s in store_ids:  # the opening receipts, a year ago
        for i in item_ids:
            q = Decimal(rng.randint(500, 3000))
            balance[(s, i)] = q
            since[(s, i)] = start
            pending.append(
                Movement(
                    store_id=s,
                    item_id=i,
                    kind=MovementKind.RECEIPT,
                    source=SupplySource.ALLOCATED,
                    on=start,
                    quantity=q,
                )
            )
            if len(pending) >= BATCH:
                flush()
    rest = max(0, movements - len(store_ids) * len(item_ids))
    days = sorted(rng.randint(1, 365) for _ in range(rest))  # in date order, as a ledger grows
    for n, back in enumerate(reversed(days)):
        on = today - dt.timedelta(days=back - 1)
        key = (rng.choice(store_ids), rng.choice(item_ids))
        roll = rng.random()
        batch_id = None
        if roll < 0.30:
            kind, q, source = MovementKind.RECEIPT, Decimal(rng.randint(10, 300)), SupplySource.BOUGHT
            if n % 50 == 0:
                batch = Batch.objects.create(
                    item_id=key[1],
                    number=f"B{n}",
                    expires_on=today + dt.timedelta(days=rng.randint(-30, 400)),
                )
                batch_id = batch.pk
                batch_ids.append((key[1], batch.pk))
        elif roll < 0.99:
            kind, source = MovementKind.ISSUE, ""
            q = -min(balance[key], Decimal(rng.randint(1, 60)))
            if q == 0:
                continue
        else:
            kind, source = MovementKind.STOCKTAKE, ""
            q = -min(balance[key], Decimal(rng.randint(1, 5)))
            if q == 0:
                continue
        balance[key] += q
        pending.append(
            Movement(
                store_id=key[0],
                item_id=key[1],
                batch_id=batch_id,
                kind=kind,
                source=source,
                on=on,
                quantity=q,
            )
        )
        if len(pending) >= BATCH:
            flush()
    if pending:
        flush()
    Stock.objects.bulk_create(
        [Stock(store_id=s, item_id=i, quantity=q, since=since[(s, i)]) for (s, i), q in balance.items()],
        batch_size=5000,
    )
    return {"stores": len(store_ids), "items": len(item_ids), "movements": written}


def _time_import(admin, county, rows: int = 10_000) -> dict:
    rng = random.Random(1)
    today = timezone.localdate()
    wb = Workbook()
    ws = wb.active
    ws.append(["日期", "单据号", "物资名称", "单位", "来源", "入库数量", "出库数量", "领用单位", "审批人"])
    for n in range(rows):
        day = today - dt.timedelta(days=365 - n * 365 // rows)
        item = rng.choice(["医用外科口罩", "N95口罩"])
        if n % 3 == 0:
            ws.append([day, f"RK{n}", item, "只", "下拨", 1000, None, None, None])
        else:
            ws.append([day, f"CK{n}", item, "只", None, None, 100, "前屯小学", "刘"])
    buf = io.BytesIO()
    wb.save(buf)
    store = actions.create_store(
        actor=admin, node=county, name=f"基准导入库{timezone.now():%H%M%S%f}", kind=StoreKind.COUNTY_RESERVE
    )
    started = time.perf_counter()
    result = ledgers.import_ledger(actor=admin, store=store, data=buf.getvalue(), filename="bench.xlsx")
    seconds = round(time.perf_counter() - started, 2)
    return {"rows": rows, "s": seconds, "written": result.created, "rejected": len(result.rejected)}


def _time_page(client: Client, url: str, repeat: int) -> dict:
    client.get(url)
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return {
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        # This process's CPU time: on SQLite the database's work too; the wall time on a loaded machine
        # is mostly waiting for a core.
        "cpu_median_ms": round(statistics.median(cpu), 1),
        "queries": len(captured),
    }


def _time_recount(user, node, day, repeat: int) -> dict:
    """The area's figures the way the page computed them before the kept balances: every movement summed."""
    settings = queries.settings_for(node, day)
    times = []
    for _ in range(max(1, repeat // 2)):
        started = time.perf_counter()
        stores = queries.stores_visible_to(user).filter(node__path__startswith=node.path)
        lines = queries.stock_lines(stores, day, use_days=settings["use_days"])
        queries.item_totals(lines, settings["use_days"])
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "lines": len(lines)}


def run_supplies_bench(
    *, stores: int, items: int, movements: int, repeat: int = 5, seed: int = 1, progress=print
) -> dict:
    bench = ensure_county(persons=1000, progress=progress)
    county, admin = bench.county, bench.users["county_admin"]
    existing = Store.objects.filter(name__startswith=PREFIX).count()
    if existing and existing != stores:
        raise ValueError(f"the database holds {existing} bench stores, not {stores}: use another database")
    started = time.perf_counter()
    if not existing:
        with transaction.atomic():
            built = _build(
                county=county, stores=stores, items=items, movements=movements, seed=seed, progress=progress
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        built = {
            "stores": existing,
            "items": Item.objects.filter(name__startswith="基准物资").count(),
            "movements": Movement.objects.count(),
        }
    build_s = round(time.perf_counter() - started, 1)
    client = Client()
    client.force_login(admin)
    today = timezone.localdate()
    past = today - dt.timedelta(days=30)
    url = reverse("supplies_home") + f"?node={county.code}"
    with override_settings(DEBUG=False):
        figures = {
            "database": connection.vendor,
            **built,
            "stock_rows": Stock.objects.count(),
            "build_s": build_s,
            "page_today": _time_page(client, url, repeat),
            "page_30_days_back": _time_page(client, url + f"&day={past:%Y-%m-%d}", repeat),
            "recount_today_before": _time_recount(admin, county, today, repeat),
            "target_ms": TARGET_MS,
        }
    figures["import_10k"] = _time_import(admin, county)
    with open("/proc/loadavg") as f:
        figures["loadavg"] = f.read().split()[:3]
    return figures
