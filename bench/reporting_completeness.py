"""Benchmark: a township's completeness view with 300 reporting units and a month of their reports.

    .venv/bin/python bench/reporting_completeness.py [--units 300] [--days 30] [--repeat 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fk_bench .venv/bin/python bench/reporting_completeness.py

Builds, in a throw-away test database (a temporary SQLite file, or test_<name> on PostgreSQL), one county
with one township of 30 villages (two grids each) and `--units` reporting units: the 30 villages and
schools, enterprises and markets attached to the villages and the township. Staff: one village cadre per
village, one grid worker per grid, two township users. For each of the last `--days` days every unit's
report, as people send them: about 85 % on time, 7 % late, 8 % never; 5 % corrected once; each with the
snapshot of a village's indicators as its figures. A township policy sets the deadline to 10:00.

Timed (median and 95th percentile of `--repeat` runs after one warm-up, with the number of SQL queries
and the peak of Python memory allocated during one run, by tracemalloc):
- `completeness.completeness(township, yesterday)`: the function;
- the `completeness` page of the township through the test Client (middleware, session, template);
- baselines measured in the same run: `SELECT 1` and the `home` page of the same user;
- for information: `send_report_reminders` (every unit of the installation) and the Excel export of the
  whole month (`ledgers.export_daily`), a few runs each.
Target: the view well under 300 ms. The process's peak resident memory is printed at the end.
"""

import argparse
import datetime as dt
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
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
from fangkong.measures.rules import SHANGHAI  # noqa: E402
from fangkong.policy.models import Policy  # noqa: E402
from fangkong.policy.queries import preset_values  # noqa: E402
from fangkong.registry.models import Unit, UnitKind  # noqa: E402
from fangkong.reporting import completeness, indicators, ledgers, reminders  # noqa: E402
from fangkong.reporting import queries as daily_queries  # noqa: E402
from fangkong.reporting.models import DailyReport, ReportingUnit  # noqa: E402

TARGET_MS = 300
BATCH = 2000
VILLAGES = 30


def node(code, name, level, parent):
    return Jurisdiction.objects.create(
        code=code, name=name, level=level, parent=parent, path=f"{parent.path if parent else ''}{code}/"
    )


def build(n_units: int, n_days: int, seed: int = 11) -> dict:
    rnd = random.Random(seed)
    today = timezone.localdate()
    first_day = today - dt.timedelta(days=n_days)
    province = node("37", "山东省", Level.PROVINCE, None)
    city = node("3715", "聊城市", Level.CITY, province)
    county = node("371502", "东昌府区", Level.COUNTY, city)
    township = node("371502103", "梁水镇", Level.TOWNSHIP, county)
    users = get_user_model()
    township_user = users.objects.create_user(username="township", password=None, first_name="镇干部")
    Membership.objects.create(user=township_user, node=township, role=Role.TOWNSHIP_STAFF)
    admin = users.objects.create_user(username="township_admin", password=None, first_name="镇管理员")
    Membership.objects.create(user=admin, node=township, role=Role.ADMIN)
    Policy.objects.create(
        node=township,
        effective_from=first_day - dt.timedelta(days=10),
        preset="2020",
        values=preset_values("2020") | {completeness.DEADLINE_KEY: "10:00"},
    )
    villages = []
    for v in range(VILLAGES):
        village = node(f"371502103{201 + v:03d}", f"第{v + 1}村委会", Level.VILLAGE, township)
        villages.append(village)
        cadre = users.objects.create_user(username=f"cadre{v}", password=None, first_name=f"村干部{v}")
        Membership.objects.create(user=cadre, node=village, role=Role.VILLAGE_STAFF)
        for g in range(2):
            grid = node(f"{village.code}-0{g + 1}", f"第{g + 1}网格", Level.GRID, village)
            worker = users.objects.create_user(username=f"worker{v}_{g}", password=None)
            Membership.objects.create(user=worker, node=grid, role=Role.GRID_WORKER)
    start = first_day - dt.timedelta(days=5)
    units = [ReportingUnit(node=v, name=v.name, active_from=start) for v in villages]
    kinds = [UnitKind.SCHOOL, UnitKind.ENTERPRISE, UnitKind.MARKET, UnitKind.CLINIC]
    registry_units = Unit.objects.bulk_create(
        [
            Unit(
                node=township if i % 10 == 0 else villages[i % VILLAGES],
                name=f"单位{i:03d}",
                kind=kinds[i % len(kinds)],
            )
            for i in range(max(0, n_units - VILLAGES))
        ]
    )
    units += [ReportingUnit(node=u.node, unit=u, name=u.name, active_from=start) for u in registry_units]
    units = ReportingUnit.objects.bulk_create(units)
    snapshot = indicators.compute(villages[0], first_day)  # the figures as a report stores them
    activities = {code: 0 for code, _, _ in daily_queries.DEFAULT_ACTIVITIES}
    reports = []
    for back in range(n_days, 0, -1):
        day = today - dt.timedelta(days=back)
        deadline = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(10, 0), tzinfo=SHANGHAI)
        for unit in units:
            roll = rnd.random()
            if roll < 0.08:
                continue  # never sent
            if roll < 0.15:
                sent = deadline + dt.timedelta(minutes=rnd.randint(1, 600))
            else:
                sent = deadline - dt.timedelta(minutes=rnd.randint(0, 900))
            corrected = rnd.random() < 0.05
            common = {
                "reporting_unit": unit,
                "day": day,
                "indicators": snapshot if unit.unit_id is None else {},
                "submitted_by": admin,
                "is_zero": roll > 0.6,
            }
            reports.append(
                DailyReport(
                    **common,
                    revision=1,
                    is_current=not corrected,
                    activities=activities | {"meetings": rnd.randint(0, 2)},
                    submitted_at=sent,
                )
            )
            if corrected:
                reports.append(
                    DailyReport(
                        **common,
                        revision=2,
                        is_current=True,
                        activities=activities | {"meetings": 3},
                        submitted_at=sent + dt.timedelta(hours=2),
                        correction_reason="补报",
                    )
                )
    DailyReport.objects.bulk_create(reports, batch_size=BATCH)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "township": township,
        "user": township_user,
        "admin": admin,
        "counts": {
            "reporting units": len(units),
            "days": n_days,
            "reports (revisions)": len(reports),
            "staff": Membership.objects.count(),
        },
    }


def fresh(user):
    user.__dict__.pop("_fangkong_memberships", None)
    return user


def measure_it(label: str, fn, repeat: int) -> dict:
    fn()  # warm-up
    times, query_counts, result = [], [], None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = fn()
            times.append((time.perf_counter() - started) * 1000)
        query_counts.append(len(captured.captured_queries))
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    times.sort()
    return {
        "label": label,
        "median": statistics.median(times),
        "p95": times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))],
        "queries": max(query_counts),
        "peak_mb": peak / 2**20,
        "result": result,
    }


def select_1():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0]


def page(client: Client, url: str):
    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
        return f"{len(response.content) // 1024} KB"

    return get


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    tmp = None
    if connection.vendor == "sqlite":  # a file, as in production, not the in-memory test default
        tmp = tempfile.mkdtemp(prefix="fangkong-bench-")
        connection.settings_dict["TEST"]["NAME"] = os.path.join(tmp, "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        world = build(args.units, args.days)
        built = time.perf_counter() - started
        print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
        print(f"Built in {built:.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in world["counts"].items()))
        township, user, admin = world["township"], world["user"], world["admin"]
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        month_start = timezone.localdate() - dt.timedelta(days=args.days)
        client = Client()
        client.force_login(user)
        url = reverse("completeness", kwargs={"code": township.code}) + f"?date={yesterday.isoformat()}"

        def the_function():
            view = completeness.completeness(township, yesterday)
            t = view.total
            return (
                f"expected {t.expected}, on time {t.on_time}, late {t.late}, missing {t.missing + t.pending}"
            )

        checks = [
            ("baseline: SELECT 1", select_1, args.repeat),
            ("baseline: home page (township user)", page(client, reverse("home")), args.repeat),
            ("completeness.completeness (township)", the_function, args.repeat),
            ("completeness page (township)", page(client, url), args.repeat),
            (
                "send_report_reminders (all units)",
                lambda: f"{reminders.send_report_reminders()} new",
                max(3, args.repeat // 5),
            ),
            (
                f"export_daily ({args.days} days)",
                lambda: (
                    f"{len(ledgers.export_daily(actor=fresh(admin), node=township, start=month_start, end=yesterday)[1]) // 1024} KB"
                ),
                3,
            ),
        ]
        results = [measure_it(label, fn, repeat) for label, fn, repeat in checks]
        print()
        print(f"{'what':<40} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'peak MB':>8}  result")
        for r in results:
            flag = ""
            if r["label"].startswith("completeness") and r["p95"] >= TARGET_MS:
                flag = f"  over {TARGET_MS} ms"
            print(
                f"{r['label']:<40} {r['median']:>10.2f} {r['p95']:>8.2f} {r['queries']:>8} "
                f"{r['peak_mb']:>8.2f}  {r['result']}{flag}"
            )
        page_result = next(r for r in results if r["label"] == "completeness page (township)")
        home = next(r for r in results if r["label"].startswith("baseline: home"))
        print(
            f"\nThe completeness page costs {page_result['median'] / home['median']:.1f}× the home page; "
            f"target under {TARGET_MS} ms. {args.repeat} runs each after one warm-up (export: 3)."
        )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
        print(f"Peak resident memory of the whole process (build included): {rss:.0f} MB")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
