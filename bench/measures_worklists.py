"""Benchmark: a caretaker's worklist and the township's views with 20,000 people under measures.

    .venv/bin/python bench/measures_worklists.py [--people 20000] [--repeat 15]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fk_bench .venv/bin/python bench/measures_worklists.py

Builds, in a throw-away test database (a temporary SQLite file, or test_<name> on PostgreSQL), one
township with 10 villages of 2 grids, 20,000 people each under an active measure (plus 5,000 older
released measures, 4 quarantine sites of 100 rooms, three days of twice-daily follow-ups and today's
ended slots, 200 open alerts), a caretaker (grid worker) with 500 people and a township user. Then
times, over `--repeat` runs, the median and 95th percentile and counts the queries of:
queries.worklist (caretaker), queries.overdue / due_for_release / site_occupancy (township user),
reporting.indicators.compute (township, today), and, when their URL names exist, the pages `worklist`
and `township_overview` through the test Client, next to the `home` page as a baseline of what any page
costs. Target: under 300 ms each.
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
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from fangkong.grid.models import Jurisdiction, Level, Membership, Role  # noqa: E402
from fangkong.lib.idcard import make  # noqa: E402
from fangkong.measures import queries, rules  # noqa: E402
from fangkong.measures.models import (  # noqa: E402
    Alert,
    Caretaker,
    FollowUp,
    Kind,
    Measure,
    QuarantineSite,
    Reason,
    Room,
    Screening,
)
from fangkong.policy.queries import preset_values  # noqa: E402
from fangkong.registry.models import Person, Residence, Sex, Verification  # noqa: E402
from fangkong.reporting import indicators  # noqa: E402

TARGET_MS = 300
BATCH = 2000
ORIGINS = [("42", "4201"), ("11", "1101"), ("31", "3101"), ("44", "4403"), ("37", "3701")]


def node(code, name, level, parent):
    return Jurisdiction.objects.create(
        code=code, name=name, level=level, parent=parent, path=f"{parent.path if parent else ''}{code}/"
    )


def build(n_people: int, caretaker_load: int, seed: int = 7) -> dict:
    rnd = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    province = node("37", "山东省", Level.PROVINCE, None)
    city = node("3715", "聊城市", Level.CITY, province)
    county = node("371502", "东昌府区", Level.COUNTY, city)
    township = node("371502103", "梁水镇", Level.TOWNSHIP, county)
    grids = []
    for v in range(10):
        village = node(f"371502103{201 + v}", f"第{v + 1}村委会", Level.VILLAGE, township)
        for g in range(2):
            grids.append(node(f"{village.code}-0{g + 1}", f"第{g + 1}网格", Level.GRID, village))
    users = get_user_model()
    township_user = users.objects.create_user(username="township", password=None)
    Membership.objects.create(user=township_user, node=township, role=Role.TOWNSHIP_STAFF)
    workers = []
    for i, grid in enumerate(grids):
        for k in range(2):
            worker = users.objects.create_user(username=f"worker{i}_{k}", password=None)
            Membership.objects.create(user=worker, node=grid, role=Role.GRID_WORKER)
            workers.append((grid, worker))
    caretaker = workers[0][1]

    per_grid = n_people // len(grids)
    people = []
    base_birth = dt.date(1950, 1, 1)
    for i in range(n_people):
        grid = grids[min(i // per_grid, len(grids) - 1)]
        id_number = make("371502", base_birth + dt.timedelta(days=i // 500), i % 500 + 1)
        people.append(
            Person(
                node=grid,
                name=f"测试{i:05d}",
                name_pinyin=f"ceshi{i:05d}",
                name_initials="cs",
                sex=Sex.MALE if i % 2 else Sex.FEMALE,
                id_number=id_number,
                id_last4=id_number[-4:],
                phone=f"138{i:08d}",
                phone_last4=f"{i:04d}"[-4:],
                verification=Verification.IN_PERSON if i % 3 else Verification.NONE,
                verified_at=now - dt.timedelta(days=20) if i % 3 else None,
            )
        )
    Person.objects.bulk_create(people, batch_size=BATCH)
    people = list(Person.objects.order_by("id").only("id", "node_id"))
    registered_at = now - dt.timedelta(days=60)
    Residence.objects.bulk_create(
        [Residence(person_id=p.id, node_id=p.node_id, started_at=registered_at) for p in people],
        batch_size=BATCH,
    )

    sites = [QuarantineSite.objects.create(node=township, name=f"隔离点{s + 1}") for s in range(4)]
    Room.objects.bulk_create(
        [Room(site=s, number=str(100 + r), capacity=1) for s in sites for r in range(100)]
    )
    rooms = list(Room.objects.order_by("id"))

    policy = preset_values("2020")
    screenings, measures = [], []
    for i, p in enumerate(people):
        origin = ORIGINS[i % len(ORIGINS)]
        started_day = today - dt.timedelta(days=rnd.randint(0, 13))
        started_at = dt.datetime.combine(started_day, dt.time(rnd.randint(7, 20), 0), tzinfo=rules.SHANGHAI)
        started_at = min(started_at, now - dt.timedelta(minutes=1))
        reference = started_day - dt.timedelta(days=1)
        screenings.append(
            Screening(
                person_id=p.id,
                node_id=p.node_id,
                reason=Reason.ARRIVAL,
                screened_on=started_day,
                reference_date=reference,
                origin_province=origin[0],
                origin_city=origin[1],
                arrived_on=reference,
            )
        )
        kind = (
            Kind.CENTRAL_QUARANTINE
            if i < len(rooms)
            else (Kind.HOME_QUARANTINE if i % 4 else Kind.HOME_MONITORING)
        )
        end, days = rules.planned_end(
            kind=kind, reason=Reason.ARRIVAL, reference_date=reference, started_at=started_at, policy=policy
        )
        measures.append(
            Measure(
                person_id=p.id,
                node_id=p.node_id,
                kind=kind,
                started_at=started_at,
                planned_end=end,
                period_days=days,
                policy_label="默认预设",
                room=rooms[i] if i < len(rooms) else None,
            )
        )
    # Earlier episodes, released: 5,000 people were under a measure a month ago.
    for p in people[:5000]:
        old_start = now - dt.timedelta(days=30)
        measures.append(
            Measure(
                person_id=p.id,
                node_id=p.node_id,
                kind=Kind.HOME_QUARANTINE,
                started_at=old_start,
                planned_end=old_start + dt.timedelta(days=14),
                period_days=14,
                released_at=old_start + dt.timedelta(days=14, hours=9),
                release_reason="期满解除",
            )
        )
    Screening.objects.bulk_create(screenings, batch_size=BATCH)
    Measure.objects.bulk_create(measures, batch_size=BATCH)
    active = list(Measure.objects.filter(released_at=None).order_by("id").only("id", "person_id", "node_id"))

    # Caretakers: each grid's two workers share its people; the benchmark caretaker has `caretaker_load`.
    by_grid: dict[int, list] = {}
    for m in active:
        by_grid.setdefault(m.node_id, []).append(m)
    rows = []
    for grid, worker in workers:
        mine = by_grid.get(grid.id, [])
        half = caretaker_load if worker == caretaker else len(mine) // 2
        share = mine[:half] if worker.username.endswith("_0") else mine[half:]
        rows += [Caretaker(measure_id=m.id, user=worker, role="grid_worker") for m in share]
    Caretaker.objects.bulk_create(rows, batch_size=BATCH)

    # Follow-ups: three past days (about 90 % done) and today's ended slots (about 80 % done).
    follow_ups = []
    starts = dict(Measure.objects.filter(released_at=None).values_list("id", "started_at"))
    for back in range(3, -1, -1):
        day = today - dt.timedelta(days=back)
        for slot, hour, rate in ((rules.MORNING, 8, 0.9), (rules.EVENING, 19, 0.9)):
            taken = dt.datetime.combine(day, dt.time(hour, 30), tzinfo=rules.SHANGHAI)
            if taken > now:
                continue
            if back == 0:
                rate = 0.8
            for m in active:
                if starts[m.id] <= taken and rnd.random() < rate:
                    fever = rnd.random() < 0.002
                    follow_ups.append(
                        FollowUp(
                            measure_id=m.id,
                            person_id=m.person_id,
                            slot_date=day,
                            slot=slot,
                            taken_at=taken,
                            temperature="37.6" if fever else "36.5",
                            is_abnormal=fever,
                        )
                    )
    FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH)
    abnormal = list(FollowUp.objects.filter(is_abnormal=True).select_related("measure")[:200])
    Alert.objects.bulk_create(
        [
            Alert(
                person_id=f.person_id,
                measure=f.measure,
                follow_up=f,
                raised_at=f.taken_at,
                summary="体温37.6℃",
            )
            for f in abnormal
        ]
    )
    return {
        "township": township,
        "township_user": township_user,
        "caretaker": caretaker,
        "counts": {
            "people": len(people),
            "active measures": len(active),
            "measures": len(measures),
            "follow-ups": len(follow_ups),
            "caretaker rows": len(rows),
            "caretaker's people": Caretaker.objects.filter(user=caretaker, measure__released_at=None).count(),
            "alerts": len(abnormal),
        },
    }


def fresh(user):
    """As a new request would see the user: no memberships cached on the object."""
    user.__dict__.pop("_fangkong_memberships", None)
    return user


def measure_it(label: str, fn, repeat: int) -> dict:
    fn()  # warm-up: first-call costs (imports, statement caches) are not what users wait for each time
    times, query_counts, size = [], [], None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = fn()
            times.append((time.perf_counter() - started) * 1000)
        query_counts.append(len(captured.captured_queries))
        size = result
    times.sort()
    p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
    return {
        "label": label,
        "median": statistics.median(times),
        "p95": p95,
        "queries": max(query_counts),
        "size": size,
    }


def first_page(queryset, size: int = 50) -> str:
    total = queryset.count()
    return f"{len(list(queryset[:size]))} of {total} rows"


def page(client: Client, name: str):
    try:
        url = reverse(name)
    except NoReverseMatch:
        return None

    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{name}: HTTP {response.status_code}")
        return f"{len(response.content) // 1024} KB"

    return get


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--caretaker", type=int, default=500, help="people of the benchmark caretaker")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    tmp = None
    if connection.vendor == "sqlite":  # a file, as in production, not the in-memory test default
        tmp = tempfile.mkdtemp(prefix="fangkong-bench-")
        connection.settings_dict["TEST"]["NAME"] = os.path.join(tmp, "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        world = build(args.people, args.caretaker)
        built = time.perf_counter() - started
        if connection.vendor == "postgresql":  # as autovacuum would after a load this size
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
        print(f"Built in {built:.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in world["counts"].items()))
        township, township_user, caretaker = world["township"], world["township_user"], world["caretaker"]
        today = timezone.localdate()
        checks = [
            (
                "queries.worklist (caretaker)",
                lambda: f"{len(queries.worklist(fresh(caretaker), day=today))} rows",
            ),
            (
                "queries.overdue (township)",
                lambda: f"{len(list(queries.overdue(fresh(township_user))))} rows",
            ),
            (
                "  the same, ids only (database share)",
                lambda: (
                    f"{len(list(queries.overdue(fresh(township_user)).values_list('pk', flat=True)))} rows"
                ),
            ),
            (
                "  count + first page of 50, as a page",
                lambda: first_page(queries.overdue(fresh(township_user))),
            ),
            (
                "queries.due_for_release (township)",
                lambda: f"{len(list(queries.due_for_release(fresh(township_user), day=today)))} rows",
            ),
            (
                "queries.site_occupancy (township)",
                lambda: f"{len(queries.site_occupancy(fresh(township_user)))} sites",
            ),
            (
                "indicators.compute (township, today)",
                lambda: f"{len(indicators.compute(township, today))} indicators",
            ),
        ]
        clients = {}
        for user, key in ((caretaker, "caretaker"), (township_user, "township")):
            clients[key] = Client()
            clients[key].force_login(user)
        for label, name, who in (
            ("page home (baseline, caretaker)", "home", "caretaker"),
            ("page worklist (caretaker)", "worklist", "caretaker"),
            ("page home (baseline, township)", "home", "township"),
            ("page township_overview (township)", "township_overview", "township"),
        ):
            fn = page(clients[who], name)
            if fn is None:
                print(f"{label}: URL name {name!r} does not exist yet, skipped")
            else:
                checks.append((label, fn))
        results = []
        for label, fn in checks:
            try:
                results.append(measure_it(label, fn, args.repeat))
            except Exception as exc:  # a page still being built must not hide the other figures
                print(f"{label}: failed: {type(exc).__name__}: {exc}")
        print()
        print(f"{'what':<40} {'median ms':>10} {'p95 ms':>8} {'queries':>8}  result")
        for r in results:
            flag = "" if r["p95"] < TARGET_MS else f"  over {TARGET_MS} ms"
            print(
                f"{r['label']:<40} {r['median']:>10.1f} {r['p95']:>8.1f} {r['queries']:>8}  {r['size']}{flag}"
            )
        print(f"\n{args.repeat} runs each after one warm-up; target under {TARGET_MS} ms.")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
