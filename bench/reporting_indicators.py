"""Benchmark: every indicator for a county of 100,000 people and a year of records, the dashboard's 30-day
trends, and the dashboard page.

    .venv/bin/python bench/reporting_indicators.py [--persons 100000] [--repeat 5] [--json]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fk_bench_r2 .venv/bin/python bench/reporting_indicators.py

The dashboard's figures in bench/README.md come from (each database created empty with `createdb` first;
the first run builds the county, the next ones measure it; `nice -n 10` on a shared machine):

    nice -n 10 .venv/bin/python bench/reporting_indicators.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fk_dash_100k nice -n 10 .venv/bin/python bench/reporting_indicators.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fk_dash_1m nice -n 10 .venv/bin/python \
        bench/reporting_indicators.py --persons 1000000 --repeat 3

**Where the data goes.** Without `DATABASE_URL`: `var/bench/indicators.sqlite3`, created, migrated and
built on the first run (a few minutes), reused afterwards (delete it to rebuild). With `DATABASE_URL`: that
database, which must be empty or hold this benchmark's county (it is migrated; no database is created).

**The county.** The registry benchmark's county (`fangkong.registry.bench.ensure_county`: the real
townships and villages of 东昌府区, two grids per village, `--persons` people from the demo generator),
registered a year before the build, plus a year of key-person records ending at the build, bulk
inserted with a fixed seed in proportions like the source reports':
- screenings: about 12 a day all year, a Spring-Festival wave of returnees (peak about 160 a day), an
  outbreak wave of close contacts and a smaller recent wave in the last month — about 9 % of the
  population in a year, some people twice;
- measures by the 2020 preset's regimes (close contacts and inbound: central quarantine; arrivals: home
  quarantine, monitoring or self-monitoring; fever: hospital), released at their planned end unless it is
  still ahead; about 1 % transferred to hospital part-way; about a tenth of screenings lead to none;
- follow-ups twice a day for everyone under a measure (hospital stays excepted): 95 % of slots recorded,
  0.3 % abnormal (each with an alert, most of them resolved);
- one road checkpoint per township with about 25 passages a day (60 % with a scanned person, 40 % with a
  plate, 3 % turned back) and four venues per township with the last 28 days of check-ins (the default
  retention).

The build moment (the latest `Screening.created_at`) is "now" for every measurement: the clock is set to
it, so a database built last week measures the same day as on the day it was built.

**What is timed** (`--repeat` times after a warm-up; DEBUG off), each with its peak Python memory
(tracemalloc) and the process's peak RSS (ru_maxrss) after it, next to baselines measured in the same
run (a `SELECT 1` round trip, a primary-key fetch, and `indicators.compute` of one grid):
- `indicators.compute(county, today)`: all indicators (target under 1 s, under 300 MB);
- the same for yesterday and for a township;
- `trends.series(county, last 30 days)`: the charted indicators;
- `compute_children(county, today)`: the children table's columns for every township;
- the cards (today and yesterday) with the trends they reuse (so: trends included);
- the dashboard page of the county through the test Client as the county admin (all of the above).
"""

import argparse
import datetime as dt
import json
import math
import os
import random
import resource
import secrets
import statistics
import subprocess
import sys
import time
import tracemalloc
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F, Max  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from fangkong.checkpoints.models import Checkpoint, Outcome, Passage  # noqa: E402
from fangkong.grid.models import Jurisdiction, Level  # noqa: E402
from fangkong.healthcodes.models import Identity  # noqa: E402
from fangkong.measures import rules  # noqa: E402
from fangkong.measures.models import (  # noqa: E402
    Alert,
    FollowUp,
    Kind,
    Measure,
    QuarantineSite,
    Reason,
    Room,
    Screening,
)
from fangkong.policy.queries import preset_values  # noqa: E402
from fangkong.registry import bench as registry_bench  # noqa: E402
from fangkong.registry.models import Person, Residence  # noqa: E402
from fangkong.registry.population import refresh_planner_statistics  # noqa: E402
from fangkong.reporting import indicators, kept, trends  # noqa: E402
from fangkong.reporting.children import compute_children  # noqa: E402
from fangkong.reporting.models import ChangedDay, KeptFigures  # noqa: E402
from fangkong.reporting.views import dashboard  # noqa: E402
from fangkong.venues.models import CheckIn, Venue  # noqa: E402

TARGET_MS = 1000
TARGET_MB = 300
BATCH = 2000
SEED = 20200123
DAYS = 365
SH = rules.SHANGHAI

# Where returnees come from (province, city), weighted roughly like a county in 山东 in 2020–2022.
ORIGINS = [
    (("42", "4201"), 8),  # 武汉
    (("11", "1101"), 10),  # 北京
    (("31", "3101"), 8),  # 上海
    (("44", "4401"), 6),  # 广州
    (("44", "4403"), 6),  # 深圳
    (("37", "3701"), 20),  # 济南
    (("37", "3702"), 14),  # 青岛
    (("13", "1301"), 8),  # 石家庄
    (("41", "4101"), 8),  # 郑州
    (("32", "3201"), 6),  # 南京
    (("12", "1201"), 6),  # 天津
]
REASONS = [
    (Reason.ARRIVAL, 60),
    (Reason.ARRIVAL_MEDIUM, 10),
    (Reason.ARRIVAL_HIGH, 5),
    (Reason.CLOSE_CONTACT, 12),
    (Reason.SECONDARY_CONTACT, 5),
    (Reason.INBOUND, 1),
    (Reason.FEVER, 2),
    (Reason.TIP_OFF, 2),
    (Reason.SELF_DECLARED, 3),
]
ARRIVALS = {Reason.ARRIVAL, Reason.ARRIVAL_MEDIUM, Reason.ARRIVAL_HIGH, Reason.INBOUND}


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def screenings_on(offset: int, rng: random.Random, scale: float) -> int:
    """How many screenings `offset` days before the build: a base rate and three waves (for 100,000
    people; `scale` = people / 100,000)."""
    waves = (
        160 * math.exp(-(((offset - 300) / 10) ** 2))  # Spring Festival returnees
        + 80 * math.exp(-(((offset - 150) / 8) ** 2))  # an outbreak: close contacts traced
        + 60 * math.exp(-(((offset - 12) / 6) ** 2))  # a recent wave, inside the dashboard's 30 days
    )
    return int((12 + waves + rng.random() * 6) * scale)


def kind_for(reason: str, rng: random.Random) -> str | None:
    if reason in (Reason.CLOSE_CONTACT, Reason.INBOUND, Reason.ARRIVAL_HIGH):
        return Kind.CENTRAL_QUARANTINE
    if reason in (Reason.ARRIVAL_MEDIUM, Reason.SECONDARY_CONTACT):
        return Kind.HOME_QUARANTINE
    if reason == Reason.FEVER:
        return Kind.HOSPITAL
    pick = rng.random()
    if pick < 0.10:
        return None  # screened, nothing more
    if pick < 0.25:
        return Kind.SELF_MONITORING
    if pick < 0.55:
        return Kind.HOME_MONITORING
    return Kind.HOME_QUARANTINE


def moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SH)


# Building ------------------------------------------------------------------------------------------------


def has_records(county: Jurisdiction) -> bool:
    return Screening.objects.filter(node__path__startswith=county.path).exists()


def build_records(county: Jurisdiction, *, now: dt.datetime, progress=print) -> dict:
    """A year of key-person, checkpoint and venue records for the county, ending at `now`."""
    rng = random.Random(SEED)
    today = now.astimezone(SH).date()
    first_day = today - dt.timedelta(days=DAYS - 1)
    policy = preset_values("2020")
    counts: dict[str, int] = {}

    # Everyone was registered before the year began.
    Residence.objects.filter(node__path__startswith=county.path).update(
        started_at=moment(first_day - dt.timedelta(days=30), 9)
    )
    people = list(
        Person.objects.filter(node__path__startswith=county.path).order_by("id").values_list("id", "node_id")
    )
    scale = len(people) / 100_000  # the volumes below are for 100,000 people
    townships = list(Jurisdiction.objects.filter(path__startswith=county.path, level=Level.TOWNSHIP))
    sites = [
        QuarantineSite.objects.create(node=t, name=f"{t.name}集中隔离点", address=f"{t.name}政府驻地")
        for t in townships[:6]
    ]
    Room.objects.bulk_create(
        [Room(site=s, number=str(100 + r), capacity=1) for s in sites for r in range(100)], batch_size=BATCH
    )
    rooms = list(Room.objects.filter(site__in=sites).order_by("id").values_list("id", flat=True))

    progress("基准记录：排查与管控措施……")
    busy_until: dict[int, dt.datetime] = {}
    screenings, plans = [], []  # plans: (screening index, kind, started_at, planned_end, days)
    for offset in range(DAYS - 1, -1, -1):
        day = today - dt.timedelta(days=offset)
        for _ in range(screenings_on(offset, rng, scale)):
            started_at = moment(day, rng.randint(7, 20), rng.randint(0, 59))
            if started_at >= now:
                started_at = now - dt.timedelta(minutes=rng.randint(5, 120))
                if started_at.astimezone(SH).date() != day:
                    continue
            for _try in range(5):  # someone not under a measure at the moment
                person_id, node_id = people[rng.randrange(len(people))]
                if busy_until.get(person_id, started_at) <= started_at:
                    break
            else:
                continue
            reason = weighted(rng, REASONS)
            reference = day - dt.timedelta(days=rng.randint(0, 2))
            fields = {}
            if reason in ARRIVALS:
                province, city = weighted(rng, ORIGINS)
                fields = {
                    "origin_province": province,
                    "origin_city": city,
                    "arrived_on": reference,
                    "transport": rng.choice(["自驾", "火车", "飞机", "长途汽车"]),
                }
            screenings.append(
                Screening(
                    person_id=person_id,
                    node_id=node_id,
                    reason=reason,
                    screened_on=day,
                    reference_date=reference,
                    **fields,
                )
            )
            kind = kind_for(reason, rng)
            if kind is None:
                continue
            if kind == Kind.HOSPITAL:
                end, days = None, None
                released = started_at + dt.timedelta(days=rng.randint(2, 6), hours=rng.randint(0, 8))
            else:
                end, days = rules.planned_end(
                    kind=kind, reason=reason, reference_date=reference, started_at=started_at, policy=policy
                )
                released = end + dt.timedelta(hours=9)  # released the next morning
            transfer_at = None
            if kind != Kind.HOSPITAL and rng.random() < 0.01:  # fever found part-way: sent to hospital
                transfer_at = started_at + dt.timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 10))
                if transfer_at >= now:
                    transfer_at = None
                else:  # discharged a few days later
                    released = transfer_at + dt.timedelta(days=rng.randint(3, 7))
            plans.append(
                (len(screenings) - 1, person_id, node_id, kind, started_at, end, days, released, transfer_at)
            )
            busy_until[person_id] = released
    screenings = Screening.objects.bulk_create(screenings, batch_size=BATCH)
    counts["screenings"] = len(screenings)

    measures, transfers = [], []
    room_cursor = 0
    for index, person_id, node_id, kind, started_at, end, days, released, transfer_at in plans:
        room_id = None
        if kind == Kind.CENTRAL_QUARANTINE:
            room_id = rooms[room_cursor % len(rooms)]
            room_cursor += 1
        released_at = transfer_at or (released if released <= now else None)
        measures.append(
            Measure(
                person_id=person_id,
                screening=screenings[index],
                node_id=node_id,
                kind=kind,
                started_at=started_at,
                planned_end=end,
                period_days=days,
                policy_label=policy["label"],
                room_id=room_id,
                released_at=released_at,
                release_reason="转送医" if transfer_at else ("期满解除" if released_at else ""),
            )
        )
        if transfer_at:
            back = released
            transfers.append(
                (
                    len(measures) - 1,
                    Measure(
                        person_id=person_id,
                        screening=screenings[index],
                        node_id=node_id,
                        kind=Kind.HOSPITAL,
                        started_at=transfer_at,
                        policy_label=policy["label"],
                        released_at=back if back <= now else None,
                        release_reason="治愈出院" if back <= now else "",
                    ),
                )
            )
    measures = Measure.objects.bulk_create(measures, batch_size=BATCH)
    hospital = Measure.objects.bulk_create([m for _i, m in transfers], batch_size=BATCH)
    for (i, _m), new in zip(transfers, hospital, strict=True):
        measures[i].transferred_to = new
    Measure.objects.bulk_update([measures[i] for i, _m in transfers], ["transferred_to"], batch_size=BATCH)
    counts["measures"] = len(measures) + len(hospital)

    progress("基准记录：随访……")
    follow_ups, abnormal = [], []
    for measure in measures:
        if measure.kind == Kind.HOSPITAL:
            continue
        day = measure.started_at.astimezone(SH).date()
        last = min(measure.released_at or now, now).astimezone(SH).date()
        while day <= last:
            for slot in rules.due_slots(measure.started_at, measure.released_at, day):
                start, end = rules.slot_bounds(day, slot)
                if start >= now or rng.random() >= 0.95:
                    continue
                taken_at = start + dt.timedelta(hours=rng.randint(7, 10), minutes=rng.randint(0, 59))
                taken_at = max(taken_at, measure.started_at + dt.timedelta(minutes=1))
                if taken_at >= min(end, now, measure.released_at or end):
                    continue
                fever = rng.random() < 0.003
                follow_ups.append(
                    FollowUp(
                        measure=measure,
                        person_id=measure.person_id,
                        slot_date=day,
                        slot=slot,
                        taken_at=taken_at,
                        temperature=Decimal(f"{rng.uniform(37.5, 38.6):.1f}")
                        if fever
                        else Decimal(f"{rng.uniform(36.0, 37.1):.1f}"),
                        symptoms=["发热"] if fever else [],
                        is_abnormal=fever,
                    )
                )
                if fever:
                    abnormal.append(len(follow_ups) - 1)
            day += dt.timedelta(days=1)
    follow_ups = FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH)
    alerts = []
    for i in abnormal:
        f = follow_ups[i]
        resolved = f.taken_at + dt.timedelta(hours=3) if f.taken_at < now - dt.timedelta(days=1) else None
        alerts.append(
            Alert(
                person_id=f.person_id,
                measure_id=f.measure_id,
                follow_up=f,
                raised_at=f.taken_at,
                summary=f"体温{f.temperature}℃，症状：发热，建议转运至发热门诊",
                resolved_at=resolved,
                resolution="已转运至发热门诊" if resolved else "",
            )
        )
    Alert.objects.bulk_create(alerts, batch_size=BATCH)
    counts["follow_ups"], counts["alerts"] = len(follow_ups), len(alerts)

    progress("基准记录：卡口与场所码……")
    sample = rng.sample(people, k=min(20000, len(people)))
    persons = {p.id: p for p in Person.objects.filter(id__in=[pid for pid, _n in sample])}
    identities = Identity.objects.bulk_create(
        [
            Identity(id_number=p.id_number, name=p.name, phone=p.phone or "", person=p)
            for p in persons.values()
        ],
        batch_size=BATCH,
    )
    identity_ids = [i.id for i in identities]
    checkpoints = Checkpoint.objects.bulk_create(
        [Checkpoint(node=t, name=f"{t.name}道路卡口", kind="road") for t in townships]
    )
    passages = []
    for offset in range(DAYS - 1, -1, -1):
        day = today - dt.timedelta(days=offset)
        for checkpoint in checkpoints:
            for _ in range(int(rng.randint(15, 35) * scale)):
                at = moment(day, rng.randint(6, 21), rng.randint(0, 59))
                if at >= now:
                    continue
                person = rng.random() < 0.6
                passages.append(
                    Passage(
                        checkpoint=checkpoint,
                        at=at,
                        direction=rng.choice(["in", "out"]),
                        identity_id=rng.choice(identity_ids) if person else None,
                        plate="" if person and rng.random() < 0.6 else f"鲁P{rng.randint(10000, 99999)}",
                        temperature=Decimal(f"{rng.uniform(36.0, 37.0):.1f}"),
                        outcome=Outcome.TURNED_BACK if rng.random() < 0.03 else Outcome.PASS,
                    )
                )
    Passage.objects.bulk_create(passages, batch_size=BATCH)
    counts["passages"] = len(passages)
    venues = Venue.objects.bulk_create(
        [
            Venue(node=t, name=f"{t.name}{kind_name}", kind=kind, code=secrets.token_urlsafe(12))
            for t in townships
            for kind, kind_name in (
                ("market", "农贸市场"),
                ("shop", "超市"),
                ("station", "汽车站"),
                ("school", "中心小学"),
            )
        ]
    )
    checkins = []
    for offset in range(27, -1, -1):
        day = today - dt.timedelta(days=offset)
        for venue in venues:
            for _ in range(int(rng.randint(40, 80) * scale)):
                at = moment(day, rng.randint(7, 20), rng.randint(0, 59))
                if at < now:
                    checkins.append(
                        CheckIn(
                            venue=venue, identity_id=rng.choice(identity_ids), at=at, colour_shown="green"
                        )
                    )
    CheckIn.objects.bulk_create(checkins, batch_size=BATCH)
    counts["checkins"] = len(checkins)
    return counts


def ensure_bench(*, persons: int, progress=print) -> dict:
    """The county with its year of records: built when missing, reused otherwise."""
    county = registry_bench.ensure_county(persons=persons, progress=progress)
    built, seconds, counts = False, None, {}
    if not has_records(county.county):
        started = time.perf_counter()
        with transaction.atomic():
            counts = build_records(county.county, now=timezone.now(), progress=progress)
        refresh_planner_statistics()
        seconds = round(time.perf_counter() - started, 1)
        built = True
        progress(f"基准记录已建好（{seconds} 秒）：{counts}")
    anchor = Screening.objects.filter(node__path__startswith=county.county.path).aggregate(
        at=Max("created_at")
    )["at"]
    return {
        "county": county,
        "now": anchor,
        "built": built,
        "build_seconds": seconds,
        "counts": counts or record_counts(county.county),
    }


def record_counts(county: Jurisdiction) -> dict:
    under = {"node__path__startswith": county.path}
    return {
        "persons": Person.objects.filter(**under).count(),
        "screenings": Screening.objects.filter(**under).count(),
        "measures": Measure.objects.filter(**under).count(),
        "follow_ups": FollowUp.objects.filter(measure__node__path__startswith=county.path).count(),
        "alerts": Alert.objects.filter(measure__node__path__startswith=county.path).count(),
        "passages": Passage.objects.filter(checkpoint__node__path__startswith=county.path).count(),
        "checkins": CheckIn.objects.filter(venue__node__path__startswith=county.path).count(),
    }


# Measuring -----------------------------------------------------------------------------------------------


def maxrss_mb() -> float:
    # Linux reports kilobytes (macOS bytes; this bench runs on Linux).
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def measure(fn, repeat: int) -> dict:
    """Median and p95 of `repeat` runs after a warm-up, then one more run under tracemalloc for the peak
    of Python allocations; the process's peak RSS after all of them."""
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    tracemalloc.start()
    fn()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)], 2),
        "peak_python_mb": round(peak / 2**20, 2),
        "maxrss_mb": maxrss_mb(),
    }


@contextmanager
def clock(now: dt.datetime):
    with mock.patch("django.utils.timezone.now", return_value=now):
        yield


def count_queries(fn) -> int:
    seen = []

    def log(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(log):
        fn()
    return len(seen)


def bump_changed_day(day: dt.date, families: list[str]) -> None:
    """What the triggers do when a record of a closed day is written (reporting migration 0006)."""
    ChangedDay.objects.get_or_create(day=day)
    ChangedDay.objects.filter(day=day).update(**{family: F(family) + 1 for family in families})


def run(*, persons: int, repeat: int, progress=print) -> dict:
    bench = ensure_bench(persons=persons, progress=progress)
    county_bench, now = bench["county"], bench["now"]
    county = county_bench.county
    admin = county_bench.users["county_admin"]
    today = now.astimezone(SH).date()
    yesterday = today - dt.timedelta(days=1)
    township = Jurisdiction.objects.get(code=registry_bench.BENCH_TOWNSHIP)
    grid = Jurisdiction.objects.filter(path__startswith=township.path, level=Level.GRID).order_by("code")[0]
    any_person = Person.objects.filter(node__path__startswith=county.path).order_by("id").first()
    days = [today - dt.timedelta(days=n) for n in range(trends.DAYS - 1, -1, -1)]
    rss_start = maxrss_mb()
    cases = {}
    with override_settings(DEBUG=False), clock(now):
        with connection.cursor() as cursor:

            def select_1():
                cursor.execute("SELECT 1")
                cursor.fetchone()

            cases["baseline_select_1"] = measure(select_1, repeat * 5)
        cases["baseline_pk_fetch"] = measure(lambda: Person.objects.get(pk=any_person.pk), repeat * 5)
        cases["baseline_compute_grid"] = measure(lambda: indicators.compute(grid, today, now=now), repeat)
        # The scheduled job first, as on a server (fangkong keep-figures): once from nothing kept, then
        # again with nothing stale.
        for name in ("keep_figures_job_nothing_kept", "keep_figures_job_nothing_stale"):
            started = time.perf_counter()
            if name.endswith("nothing_kept"):
                KeptFigures.objects.all().delete()
            kept.keep_closed_days(now=now)
            cases[name] = {"seconds": round(time.perf_counter() - started, 2)}
        plan = [
            ("compute_county_today", lambda: indicators.compute(county, today, now=now)),
            ("compute_county_yesterday", lambda: indicators.compute(county, yesterday, now=now)),
            ("compute_township_today", lambda: indicators.compute(township, today, now=now)),
            # The same figures counted from every record, as the dashboard did before it kept closed days.
            ("trends_county_30_days", lambda: trends.series(county, last_day=today, now=now)),
            (
                "children_county_today_recounted",
                lambda: compute_children(county, today, now=now, codes=dashboard.CHILD_CODES),
            ),
            # The dashboard's parts: the 30 days' figures (29 kept, today stepped from yesterday), the
            # children table (from each township's kept yesterday) and the cards (today and yesterday).
            ("kept_figures_county_30_days", lambda: kept.figures(county, days, now=now)),
            (
                "children_county_today",
                lambda: kept.children(county, today, now=now, codes=dashboard.CHILD_CODES),
            ),
            (
                "cards_county_two_days",
                lambda: dashboard.cards(county, today, now, kept.figures(county, days, now=now)),
            ),
        ]
        for name, fn in plan:
            cases[name] = {**measure(fn, repeat), "queries": count_queries(fn)}
        client = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["testserver"])[0].lstrip(".*") or "testserver")
        client.force_login(admin)
        url = reverse("dashboard_node", kwargs={"code": county.code})
        response = client.get(url)
        page = {"url": url, "status": response.status_code, "bytes": len(response.content)}
        cases["dashboard_page_county"] = {
            **measure(lambda: client.get(url), repeat),
            "queries": count_queries(lambda: client.get(url)),
            **page,
        }
        # The page when its kept days are stale: the morning's late follow-ups or screenings for
        # yesterday (the page steps yesterday's records and today from the day before), the same with a
        # late move or verification (yesterday's residents too), and a correction of a day before the 30
        # (every day stepped from the last one kept before it); as a write's trigger does, ChangedDay's
        # family of the write is bumped.
        stale = [
            ("yesterday_records", yesterday, ["records"]),
            ("yesterday_records_and_residents", yesterday, ["records", "residents"]),
            ("31_days_back", days[0] - dt.timedelta(days=1), ["records", "residents"]),
        ]
        for name, day, families in stale:

            def stale_page(day=day, families=families):
                bump_changed_day(day, families)
                client.get(url)

            cases[f"dashboard_page_county_{name}_changed"] = {
                **measure(stale_page, repeat),
                "queries": count_queries(stale_page) - 1,
            }

        # And with nothing kept (the first view of a county, before the scheduled job has run).
        def cold_page():
            KeptFigures.objects.all().delete()
            client.get(url)

        cases["dashboard_page_county_nothing_kept"] = {**measure(cold_page, max(1, repeat // 2))}
        kept.keep_closed_days(now=now)  # leave the database as the job leaves it
    values = indicators.compute(county, today, now=now)
    for name in ("compute_county_today", "compute_county_yesterday", "compute_township_today"):
        cases[name]["within_target"] = (
            cases[name]["median_ms"] < TARGET_MS and cases[name]["peak_python_mb"] < TARGET_MB
        )
    return {
        "database": {
            "vendor": connection.vendor,
            "version": ".".join(map(str, connection.Database.sqlite_version_info))
            if connection.vendor == "sqlite"
            else "{}.{}".format(*divmod(getattr(connection, "pg_version", 0), 10000)),
            "name": str(connection.settings_dict["NAME"]),
        },
        "persons": county_bench.persons,
        "now": now.astimezone(SH).isoformat(),
        "built": bench["built"],
        "build_seconds": bench["build_seconds"],
        "records": bench["counts"],
        "repeat": repeat,
        "target_ms": TARGET_MS,
        "target_mb": TARGET_MB,
        "maxrss_mb_before": rss_start,
        "cases": cases,
        "indicators_today": {k: v for k, v in values.items() if k != "screened_by_origin"},
    }


def format_report(result: dict) -> str:
    db = result["database"]
    lines = [
        f"指标基准 / indicators benchmark — {db['vendor']} {db['version']} ({db['name']})",
        f"{result['persons']} 人；记录 {result['records']}；时点 {result['now']}",
        f"每项重复 {result['repeat']} 次；目标 < {result['target_ms']} ms、< {result['target_mb']} MB；"
        f"测量前进程峰值 RSS {result['maxrss_mb_before']} MB",
        "",
        f"{'case':<62}{'median ms':>11}{'p95 ms':>10}{'py peak MB':>12}{'maxrss MB':>11}{'queries':>9}",
    ]
    for name, case in result["cases"].items():
        if "seconds" in case:
            lines.append(f"{name:<62}{case['seconds'] * 1000:>11.0f}  (one run)")
            continue
        lines.append(
            f"{name:<62}{case['median_ms']:>11.2f}{case['p95_ms']:>10.2f}{case['peak_python_mb']:>12.2f}"
            f"{case['maxrss_mb']:>11.1f}{case.get('queries', ''):>9}"
            + ("" if "within_target" not in case else ("  ✓" if case["within_target"] else "  ✗"))
        )
    page = result["cases"]["dashboard_page_county"]
    lines.append(f"\n仪表盘 {page['url']}: HTTP {page['status']}，{page['bytes']} 字节")
    lines.append("今日指标 / today's values: " + json.dumps(result["indicators_today"], ensure_ascii=False))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--build-only", action="store_true", help="build (or check) the data and stop")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        registry_bench.use_sqlite_file(Path(settings.VAR_DIR) / "bench" / "indicators.sqlite3")
    else:
        call_command("migrate", verbosity=0, interactive=False)
    progress = (lambda text: print(text, file=sys.stderr)) if args.json else print
    bench = ensure_bench(persons=args.persons, progress=progress)
    if args.build_only:
        print(bench["counts"])
        return
    if bench["built"]:
        # Building held the whole county in Python lists: measure in a new process (not exec: the peak
        # RSS survives exec), so that its peak RSS is the measurements' own.
        progress("在新进程中测量 / measuring in a new process")
        sys.stdout.flush()
        connection.close()
        sys.exit(subprocess.run([sys.executable, *sys.argv], check=False).returncode)
    result = run(persons=args.persons, repeat=args.repeat, progress=progress)
    print(json.dumps(result, ensure_ascii=False, indent=1) if args.json else format_report(result))


if __name__ == "__main__":
    main()
