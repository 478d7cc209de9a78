"""`fangkong bench coldchain`: the goods trace of a positive lot among 1,000,000 movements (issue 14: under
100 ms). The bench county (registry/bench.py) gets a supervision warehouse and a cold store in each of its
villages, each with three workers; lots arrive at the warehouse and are split three levels down: 4 parts to
stores, each part halved to two more stores, each of those selling to a buyer (21 movements a lot). The
movements are written in bulk (not timed); the timed part is queries.trace — the recursive query, the
movements it finds, and the workers of each store in the goods' window — for lots taken across the table,
and the trace page as a browser asks for it.

Figures (2 shared cores, 2026-12-06; per lot, medians of 20 runs over 10 lots; setup not timed):
- SQLite, 999,999 movements / 47,619 lots: recursive query 0.08 ms, whole trace with workers 6.2 ms, trace
  page 14.9 ms (load average 3.15); under load 13.4: 0.08 / 74 / 321 ms.
- PostgreSQL, the same: 0.16 ms, 7.1 ms, page 19.3 ms (load average 3.12); under load 5.9: 0.17 / 10.6 / 40 ms.
Commands: `DEBUG=1 fangkong bench coldchain --movements 1000000 --repeat 20 --json`, with
DATABASE_URL=postgres://…/fk_coldchain_bench for PostgreSQL (after `fangkong migrate`)."""

import datetime as dt
import random
import statistics
import time

from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from fangkong.grid.models import Jurisdiction, Level
from fangkong.registry.bench import ensure_county
from fangkong.registry.models import Person
from fangkong.registry.population import refresh_planner_statistics

from . import queries
from .models import ColdStore, Lot, Movement, Sample, StoreKind, Worker

TARGET_MS = 100.0
PER_LOT = 21
BATCH = 20_000
PREFIX = "BENCH-CC"


def _stores(county, progress) -> tuple[ColdStore, list[ColdStore]]:
    warehouse = ColdStore.objects.filter(name=f"{PREFIX}-仓").first()
    if warehouse is None:
        warehouse = ColdStore.objects.create(
            node=county, name=f"{PREFIX}-仓", kind=StoreKind.WAREHOUSE, enterprise="基准冷链", manager="库长"
        )
        villages = list(
            Jurisdiction.objects.filter(path__startswith=county.path, level=Level.VILLAGE).order_by("path")
        )
        ColdStore.objects.bulk_create(
            [
                ColdStore(node=v, name=f"{PREFIX}-{v.code}", enterprise=f"{v.name}冻品", manager="库长")
                for v in villages
            ]
        )
        stores = list(
            ColdStore.objects.filter(name__startswith=f"{PREFIX}-").exclude(pk=warehouse.pk).order_by("pk")
        )
        persons = list(
            Person.objects.filter(node__path__startswith=county.path)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        since = timezone.localdate() - dt.timedelta(days=400)
        Worker.objects.bulk_create(
            [
                Worker(store=s, person_id=persons[(3 * i + k) % len(persons)], since=since)
                for i, s in enumerate([warehouse, *stores])
                for k in range(3)
            ]
        )
        progress(f"冷库：1个监管仓、{len(stores)}个冷库")
    stores = list(
        ColdStore.objects.filter(name__startswith=f"{PREFIX}-").exclude(pk=warehouse.pk).order_by("pk")
    )
    return warehouse, stores


def _movements(*, warehouse, stores, movements: int, seed: int, progress) -> int:
    have = Movement.objects.count()
    if have >= movements:
        return have
    rng = random.Random(seed)
    lots_wanted = (movements - have) // PER_LOT
    start = timezone.localdate() - dt.timedelta(days=300)
    done = Lot.objects.filter(number__startswith=PREFIX).count()
    while lots_wanted > 0:
        n = min(lots_wanted, BATCH // PER_LOT)
        with transaction.atomic():
            lots = Lot.objects.bulk_create(
                [
                    Lot(
                        node=warehouse.node,
                        product="冻品",
                        origin_country="巴西",
                        quantity=800,
                        number=f"{PREFIX}-{done + i:07d}",
                        received_on=start + dt.timedelta(days=(done + i) % 290),
                        released_at=timezone.now(),
                    )
                    for i in range(n)
                ]
            )
            rows = []
            for lot in lots:
                day = lot.received_on
                rows.append(Movement(lot=lot, target=warehouse, on=day, quantity=800))
                for _ in range(4):
                    second = rng.choice(stores)
                    rows.append(
                        Movement(
                            lot=lot,
                            source=warehouse,
                            target=second,
                            on=day + dt.timedelta(days=1),
                            quantity=200,
                        )
                    )
                    for _ in range(2):
                        third = rng.choice(stores)
                        if third.pk == second.pk:
                            third = stores[(stores.index(second) + 1) % len(stores)]
                        rows.append(
                            Movement(
                                lot=lot,
                                source=second,
                                target=third,
                                on=day + dt.timedelta(days=2),
                                quantity=100,
                            )
                        )
                        rows.append(
                            Movement(
                                lot=lot,
                                source=third,
                                buyer="基准买家",
                                on=day + dt.timedelta(days=3),
                                quantity=40,
                            )
                        )
            Movement.objects.bulk_create(rows, batch_size=5000)
        done += n
        lots_wanted -= n
        if done % 10_000 < n:
            progress(f"批次 {done}，进出货记录 {Movement.objects.count()}")
    return Movement.objects.count()


def _time(fn, repeat: int) -> dict:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(times), 2), "max_ms": round(max(times), 2)}


def run_coldchain_bench(
    *, movements: int = 1_000_000, persons: int = 2000, repeat: int = 30, seed: int = 14, progress=print
) -> dict:
    bench = ensure_county(persons=persons, progress=progress)
    county, admin = bench.county, bench.users["county_admin"]
    warehouse, stores = _stores(county, progress)
    started = time.perf_counter()
    total = _movements(warehouse=warehouse, stores=stores, movements=movements, seed=seed, progress=progress)
    setup_s = round(time.perf_counter() - started, 1)
    refresh_planner_statistics()
    lot_ids = list(Lot.objects.filter(number__startswith=PREFIX).order_by("pk").values_list("pk", flat=True))
    picks = [Lot.objects.get(pk=lot_ids[int(i * (len(lot_ids) - 1) / 9)]) for i in range(10)]
    today = timezone.localdate()
    found = queries.trace(picks[5], today=today)
    assert found.levels == 4 and len(found.movements) == PER_LOT and found.sold == 320, (
        found.levels,
        len(found.movements),
    )
    sql_only = _time(lambda: [queries.trace_levels(lot.pk) for lot in picks], repeat)
    full = _time(lambda: [queries.trace(lot, today=today) for lot in picks], repeat)
    sample = Sample.objects.filter(code=f"{PREFIX}-POS").first() or Sample.objects.create(
        code=f"{PREFIX}-POS",
        kind="goods",
        store=warehouse,
        lot=picks[5],
        sampled_on=today,
        result="positive",
        result_on=today,
    )
    client = Client()
    client.force_login(admin)
    url = reverse("coldsample_trace", args=[sample.pk])

    def page():
        response = client.get(url)
        assert response.status_code == 200

    with override_settings(DEBUG=False):
        page_ms = _time(page, max(5, repeat // 3))
    per = lambda d: {k: round(v / len(picks), 2) for k, v in d.items()}  # noqa: E731
    return {
        "database": connection.vendor,
        "movements": total,
        "lots": len(lot_ids),
        "stores": len(stores) + 1,
        "setup_s": setup_s,
        "trace_sql_per_lot": per(sql_only),
        "trace_with_workers_per_lot": per(full),
        "trace_page": page_ms,
        "target_ms": TARGET_MS,
        "load_average": open("/proc/loadavg").read().split()[:3],
    }
