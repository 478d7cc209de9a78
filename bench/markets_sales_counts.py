"""Benchmark: the pharmacy series for early warning (markets.queries.pharmacy_sales_counts) and the county's
market-supervision page, over a county's pharmacies and a year of real-name purchases.

    nice -n 10 .venv/bin/python bench/markets_sales_counts.py [--pharmacies 500] [--per-day 20] [--days 365]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fk_markets_bench .venv/bin/python bench/markets_sales_counts.py

Builds, in a throw-away test database (a temporary SQLite file, or test_<name> on PostgreSQL), a county of 10
townships with 10 grids each, `--pharmacies` pharmacies on those grids, `--per-day` purchases a day per
pharmacy on average (Poisson-like) for `--days` days written in bulk, and the weekly report of every week
for 90 % of the pharmacies. Timed (median of `--repeat` runs after a warm-up, with the SQL queries):
- pharmacy_sales_counts over the last 90 days and over the whole year (rows returned);
- the weekly completeness of the county for last week;
- the county's 市场监管 page through the test client.
"""

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from fangkong.grid.models import Jurisdiction, Level, Membership, Role  # noqa: E402
from fangkong.lib.idcard import make  # noqa: E402
from fangkong.markets import queries, rules  # noqa: E402
from fangkong.markets.models import DrugClass, Pharmacy, Purchase, WeeklySales  # noqa: E402

BATCH = 5000


def node(code, name, level, parent):
    return Jurisdiction.objects.create(
        code=code, name=name, level=level, parent=parent, path=f"{parent.path if parent else ''}{code}/"
    )


def build(n_pharmacies: int, per_day: int, days: int, seed: int = 7) -> dict:
    rnd = random.Random(seed)
    today = timezone.localdate()
    province = node("37", "山东省", Level.PROVINCE, None)
    city = node("3715", "聊城市", Level.CITY, province)
    county = node("371502", "东昌府区", Level.COUNTY, city)
    grids = []
    for t in range(10):
        township = node(f"371502{100 + t}", f"第{t + 1}镇", Level.TOWNSHIP, county)
        village = node(f"{township.code}201", f"第{t + 1}村", Level.VILLAGE, township)
        grids += [node(f"{village.code}{g:02d}", f"网格{g}", Level.GRID, village) for g in range(1, 11)]
    pharmacies = Pharmacy.objects.bulk_create(
        Pharmacy(node=grids[i % len(grids)], name=f"药店{i}", licence_no=f"BENCH{i:05d}")
        for i in range(n_pharmacies)
    )
    pharmacies = list(Pharmacy.objects.order_by("id"))
    ids = [make("371502", dt.date(1960 + i % 50, 1 + i % 12, 1 + i % 28), i % 999 + 1) for i in range(5000)]
    classes = DrugClass.values
    rows, total = [], 0
    for back in range(days, 0, -1):
        day = today - dt.timedelta(days=back)
        for p in pharmacies:
            for _ in range(rnd.randint(0, 2 * per_day)):
                at = dt.datetime.combine(
                    day, dt.time(rnd.randint(7, 21), rnd.randint(0, 59)), tzinfo=rules.SHANGHAI
                )
                rows.append(
                    Purchase(
                        pharmacy=p,
                        node_id=p.node_id,
                        purchased_at=at,
                        buyer_name="购药人",
                        id_number=rnd.choice(ids),
                        drug="药",
                        drug_class=rnd.choice(classes),
                    )
                )
                if len(rows) >= BATCH:
                    Purchase.objects.bulk_create(rows)
                    total += len(rows)
                    rows = []
    Purchase.objects.bulk_create(rows)
    total += len(rows)
    weekly = []
    monday = rules.week_start(today - dt.timedelta(days=days))
    while monday < rules.week_start(today):
        for p in pharmacies:
            if rnd.random() < 0.9:
                weekly.append(WeeklySales(pharmacy=p, week_start=monday, submitted_at=timezone.now()))
        monday += dt.timedelta(days=7)
    WeeklySales.objects.bulk_create(weekly, batch_size=BATCH)
    user = get_user_model().objects.create_user(username="county", password=None)
    Membership.objects.create(user=user, node=county, role=Role.ADMIN)
    return {
        "county": county,
        "user": user,
        "counts": {"pharmacies": len(pharmacies), "purchases": total, "weekly": len(weekly)},
    }


def measure(label, fn, repeat):
    fn()
    times, queries_n, result = [], 0, None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = fn()
            times.append((time.perf_counter() - started) * 1000)
        queries_n = len(captured.captured_queries)
    print(
        f"{label}: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms, {queries_n} queries, {result}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pharmacies", type=int, default=500)
    parser.add_argument("--per-day", type=int, default=20)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    tmp = None
    if connection.vendor == "sqlite":
        tmp = tempfile.mkdtemp(prefix="fangkong-bench-")
        connection.settings_dict["TEST"]["NAME"] = os.path.join(tmp, "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        world = build(args.pharmacies, args.per_day, args.days)
        print(
            f"Database: {connection.vendor}; built in {time.perf_counter() - started:.1f} s: {world['counts']}"
        )
        today = timezone.localdate()
        client = Client()
        client.force_login(world["user"])
        measure(
            "pharmacy_sales_counts, 90 days",
            lambda: f"{len(list(queries.pharmacy_sales_counts(today - dt.timedelta(days=90), today)))} rows",
            args.repeat,
        )
        measure(
            "pharmacy_sales_counts, whole year",
            lambda: (
                f"{len(list(queries.pharmacy_sales_counts(today - dt.timedelta(days=args.days), today)))} rows"
            ),
            args.repeat,
        )
        measure(
            "weekly_completeness (county, last week)",
            lambda: (
                f"{len(queries.weekly_completeness(world['county'], today - dt.timedelta(days=7)))} townships"
            ),
            args.repeat,
        )

        def page():
            response = client.get(reverse("markets_home"))
            assert response.status_code == 200, response.status_code
            return f"{len(response.content) // 1024} KB"

        measure("市场监管 page (county)", page, args.repeat)
        print(f"load average: {open('/proc/loadavg').read().strip()}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
