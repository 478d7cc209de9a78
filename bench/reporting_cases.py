"""Benchmark: the cases and contacts indicators (fangkong/reporting/cases.py) for a county with 5,000 cases
and 200,000 candidates, one day's compute() and the dashboard's children table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fk_bench_cases .venv/bin/python bench/reporting_cases.py
    .venv/bin/python bench/reporting_cases.py [--cases 5000] [--candidates 200000] [--persons 20000] [--json]

**Where the data goes.** Without `DATABASE_URL`: `var/bench/cases.sqlite3`, created, migrated and built on
the first run, reused afterwards (delete it to rebuild). With `DATABASE_URL`: that database, which must be
empty or hold this benchmark's county (it is migrated; no database is created).

**The county.** The registry benchmark's county (`fangkong.registry.bench.ensure_county`: the real
townships and villages of 东昌府区, two grids per village) with `--persons` people, then, bulk inserted with
a fixed seed:
- `--cases` cases over 60 days ending at the build, rising then falling (an outbreak), at random grids
  (a tenth at a township itself), 80 % local, 15 % from abroad, 5 % from another province; each with its
  events: 60 % reported confirmed, 30 % asymptomatic (a third of them confirmed 1–4 days later), 10 %
  suspected (half confirmed, half excluded); half of the confirmed discharged after 10–20 days, 0.5 % died;
- `--candidates` candidates spread over the cases (venue co-presence, household, named), each decided a few
  hours after the case: 10 % close, 5 % secondary, 25 % general, 10 % cleared, the rest pending; a quarter
  of them registered people (a measure started 2–30 hours after a close or secondary decision), the rest
  code identities (one per candidate, a few thousand of them people's identities).

**What is timed** (`--repeat` times after a warm-up; DEBUG off), with the peak of Python allocations and
the process's peak RSS, next to baselines measured in the same run (a `SELECT 1` round trip and a
`Case.objects.count()` of the county):
- `compute(county, day, codes=cases.CODES)` on the busiest day and the last day;
- the same as of noon of the busiest day (the situation report's path);
- the same for a township;
- `compute_children(county, day)` of the case codes (the dashboard's table: 23 townships in one query per
  source).
"""

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F, Max  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from fangkong.grid.models import Jurisdiction, Level  # noqa: E402
from fangkong.healthcodes.models import Identity  # noqa: E402
from fangkong.lib.idcard import make  # noqa: E402
from fangkong.measures import rules  # noqa: E402
from fangkong.measures.models import Measure  # noqa: E402
from fangkong.policy.models import Kind  # noqa: E402
from fangkong.registry import bench as registry_bench  # noqa: E402
from fangkong.registry.models import Person  # noqa: E402
from fangkong.registry.population import refresh_planner_statistics  # noqa: E402
from fangkong.reporting import cases as case_indicators  # noqa: E402
from fangkong.reporting import indicators  # noqa: E402
from fangkong.reporting.children import compute_children  # noqa: E402
from fangkong.tracing.models import (  # noqa: E402
    Candidate,
    CandidateSource,
    Case,
    CaseEvent,
    CaseKind,
    Decision,
    EventKind,
    Outcome,
    Source,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reporting_indicators import clock, count_queries, maxrss_mb, measure  # noqa: E402

SEED = 20220310
DAYS = 60
BATCH = 5000
SH = rules.SHANGHAI
TARGET_MS = 1000  # the indicators' budget (bench/README.md: all indicators of a county under 1 s)


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def build(county: Jurisdiction, *, cases: int, candidates: int, now: dt.datetime, progress=print) -> dict:
    rng = random.Random(SEED)
    admin = get_user_model().objects.get(username=registry_bench.USERNAMES["county_admin"])
    grids = list(Jurisdiction.objects.filter(path__startswith=county.path, level=Level.GRID).order_by("code"))
    townships = list(Jurisdiction.objects.filter(path__startswith=county.path, level=Level.TOWNSHIP))
    people = list(
        Person.objects.filter(node__path__startswith=county.path).order_by("id").values_list("id", "node_id")
    )
    first = now - dt.timedelta(days=DAYS)
    # An outbreak: the daily weight rises to day 25 and falls after.
    weights = [1 + 30 * max(0.0, 1 - abs(d - 25) / 25) for d in range(DAYS)]

    progress(f"基准病例：{cases} 例……")
    case_rows, plans = [], []
    for n in range(cases):
        offset = rng.choices(range(DAYS), weights=weights)[0]
        at = first + dt.timedelta(days=offset, minutes=rng.randrange(24 * 60))
        node = rng.choice(townships) if rng.random() < 0.1 else rng.choice(grids)
        source = _weighted(rng, [(Source.LOCAL, 80), (Source.ABROAD, 15), (Source.OTHER_PROVINCE, 5)])
        first_kind = _weighted(
            rng, [(CaseKind.CONFIRMED, 60), (CaseKind.ASYMPTOMATIC, 30), (CaseKind.SUSPECTED, 10)]
        )
        events = [(first_kind, at)]
        if first_kind == CaseKind.ASYMPTOMATIC and rng.random() < 1 / 3:
            events.append((EventKind.CONFIRMED, at + dt.timedelta(days=rng.randint(1, 4))))
        if first_kind == CaseKind.SUSPECTED:
            later = at + dt.timedelta(hours=rng.randint(6, 48))
            events.append((EventKind.CONFIRMED if rng.random() < 0.5 else EventKind.EXCLUDED, later))
        if events[-1][0] in (EventKind.CONFIRMED, EventKind.ASYMPTOMATIC):
            pick = rng.random()
            if pick < 0.005:
                events.append((EventKind.DIED, events[-1][1] + dt.timedelta(days=rng.randint(3, 15))))
            elif pick < 0.5:
                events.append((EventKind.DISCHARGED, events[-1][1] + dt.timedelta(days=rng.randint(10, 20))))
        events = [(kind, moment) for kind, moment in events if moment <= now]
        kinds = [
            kind
            for kind, _m in events
            if kind in (CaseKind.CONFIRMED, CaseKind.ASYMPTOMATIC, CaseKind.SUSPECTED)
        ]
        outcome = next((kind for kind, _m in reversed(events) if kind not in kinds), "")
        reported = at + dt.timedelta(minutes=rng.randint(10, 180))
        identity = Identity(
            id_number=make("110105", dt.date(1950, 1, 1) + dt.timedelta(days=n % 20000), 100 + n % 800),
            name=f"病例{n}",
        )
        case_rows.append(
            Case(
                number=f"BENCH{n:06d}",
                node=node,
                kind=kinds[-1],
                outcome={
                    "excluded": Outcome.EXCLUDED,
                    "discharged": Outcome.DISCHARGED,
                    "died": Outcome.DIED,
                }.get(outcome, ""),
                source=source,
                diagnosed_at=at,
                reported_at=reported,
                investigation_done_at=reported + dt.timedelta(hours=rng.uniform(4, 30)),
                recorded_by=admin,
            )
        )
        plans.append((identity, events))
    identities = Identity.objects.bulk_create([identity for identity, _e in plans], batch_size=BATCH)
    for case, identity in zip(case_rows, identities, strict=True):
        case.identity = identity
    case_rows = Case.objects.bulk_create(case_rows, batch_size=BATCH)
    events = [
        CaseEvent(case=case, kind=kind, at=moment, recorded_by=admin)
        for case, (_i, case_events) in zip(case_rows, plans, strict=True)
        for kind, moment in case_events
    ]
    CaseEvent.objects.bulk_create(events, batch_size=BATCH)
    # Entered when they happened (auto_now_add stamped the build): reports as of a past moment see them.
    Case.objects.filter(pk__in=[c.pk for c in case_rows]).update(created_at=F("diagnosed_at"))
    CaseEvent.objects.filter(case__in=case_rows).update(created_at=F("at"))

    progress(f"基准待判定人员：{candidates} 人……")
    per_case = [rng.random() for _ in case_rows]
    total = sum(per_case)
    shares = [max(1, round(candidates * w / total)) for w in per_case]
    shares[-1] += candidates - sum(shares)
    serial = 0
    written = {"identities": len(identities), "candidates": 0, "measures": 0}
    batch_candidates, batch_identities, batch_measures = [], [], []

    def flush():
        if not batch_candidates:
            return
        made = Identity.objects.bulk_create(batch_identities, batch_size=BATCH)
        by_key = {identity.id_number: identity for identity in made}
        measures = Measure.objects.bulk_create([m for _c, m in batch_measures], batch_size=BATCH)
        for (candidate, _m), made_measure in zip(batch_measures, measures, strict=True):
            candidate.measure = made_measure
        for candidate in batch_candidates:
            if candidate.identity is not None and candidate.identity.pk is None:
                candidate.identity = by_key[candidate.identity.id_number]
        Candidate.objects.bulk_create(batch_candidates, batch_size=BATCH)
        written["identities"] += len(made)
        written["measures"] += len(measures)
        written["candidates"] += len(batch_candidates)
        batch_candidates.clear()
        batch_identities.clear()
        batch_measures.clear()

    for case, share in zip(case_rows, shares, strict=True):
        named = set()  # one candidate per person and case (tracing's unique constraint)
        for _ in range(share):
            serial += 1
            decision = _weighted(
                rng,
                [
                    (Decision.CLOSE, 10),
                    (Decision.SECONDARY, 5),
                    (Decision.GENERAL, 25),
                    (Decision.CLEARED, 10),
                    (Decision.PENDING, 50),
                ],
            )
            decided_at = None
            if decision != Decision.PENDING:
                decided_at = min(now, case.diagnosed_at + dt.timedelta(hours=rng.uniform(1, 36)))
            candidate = Candidate(
                case=case,
                source=CandidateSource.VENUE,
                decision=decision,
                decided_at=decided_at,
                overlap_minutes=rng.randint(1, 120),
            )
            person_id, node_id = rng.choice(people)
            if rng.random() < 0.25 and person_id not in named:
                named.add(person_id)
                candidate.person_id = person_id
                if decision in (Decision.CLOSE, Decision.SECONDARY):
                    started = min(now, decided_at + dt.timedelta(hours=rng.uniform(2, 30)))
                    batch_measures.append(
                        (
                            candidate,
                            Measure(
                                person_id=person_id,
                                node_id=node_id,
                                kind=Kind.CENTRAL_QUARANTINE,
                                started_at=started,
                                released_at=started + dt.timedelta(days=14)
                                if started + dt.timedelta(days=14) < now
                                else None,
                                recorded_by=admin,
                            ),
                        )
                    )
            else:
                identity = Identity(
                    id_number=make(
                        "120105", dt.date(1940, 1, 1) + dt.timedelta(days=serial % 25000), serial % 997
                    ),
                    name=f"接触者{serial}",
                )
                batch_identities.append(identity)
                candidate.identity = identity
            batch_candidates.append(candidate)
        if len(batch_candidates) >= BATCH * 4:
            flush()
    flush()
    return {"cases": len(case_rows), "events": len(events), **written}


def has_cases(county: Jurisdiction) -> bool:
    return Case.objects.filter(node__path__startswith=county.path).exists()


def ensure(*, persons: int, cases: int, candidates: int, progress=print) -> dict:
    county = registry_bench.ensure_county(persons=persons, progress=progress)
    built, seconds, counts = False, None, {}
    if not has_cases(county.county):
        started = time.perf_counter()
        with transaction.atomic():
            counts = build(
                county.county, cases=cases, candidates=candidates, now=timezone.now(), progress=progress
            )
        refresh_planner_statistics()
        seconds = round(time.perf_counter() - started, 1)
        built = True
        progress(f"基准病例已建好（{seconds} 秒）：{counts}")
    anchor = Case.objects.filter(node__path__startswith=county.county.path).aggregate(at=Max("diagnosed_at"))[
        "at"
    ]
    return {"county": county, "now": anchor, "built": built, "build_seconds": seconds, "counts": counts}


def busiest_day(county: Jurisdiction) -> dt.date:
    days = {}
    for at in CaseEvent.objects.filter(
        case__node__path__startswith=county.path, kind=EventKind.CONFIRMED
    ).values_list("at", flat=True):
        day = at.astimezone(SH).date()
        days[day] = days.get(day, 0) + 1
    return max(days, key=days.get)


def run(*, persons: int, cases: int, candidates: int, repeat: int, progress=print) -> dict:
    bench = ensure(persons=persons, cases=cases, candidates=candidates, progress=progress)
    county = bench["county"].county
    now = bench["now"]
    last = now.astimezone(SH).date()
    peak = busiest_day(county)
    township = Jurisdiction.objects.get(code=registry_bench.BENCH_TOWNSHIP)
    codes = case_indicators.CODES
    noon = dt.datetime.combine(peak, dt.time(12), tzinfo=SH)
    results = {}
    rss_start = maxrss_mb()
    with override_settings(DEBUG=False), clock(now):
        with connection.cursor() as cursor:

            def select_1():
                cursor.execute("SELECT 1")
                cursor.fetchone()

            results["baseline_select_1"] = measure(select_1, repeat * 5)
        results["baseline_case_count"] = measure(
            lambda: Case.objects.filter(node__path__startswith=county.path).count(), repeat
        )
        plan = [
            ("compute_county_busiest_day", lambda: indicators.compute(county, peak, codes=codes, now=now)),
            ("compute_county_last_day", lambda: indicators.compute(county, last, codes=codes, now=now)),
            (
                "compute_county_as_of_noon",
                lambda: indicators.compute(county, peak, codes=codes, now=now, as_of=noon),
            ),
            (
                "compute_township_busiest_day",
                lambda: indicators.compute(township, peak, codes=codes, now=now),
            ),
            ("children_county_busiest_day", lambda: compute_children(county, peak, codes=codes, now=now)),
        ]
        for name, fn in plan:
            results[name] = {**measure(fn, repeat), "queries": count_queries(fn)}
            results[name]["within_target"] = results[name]["median_ms"] < TARGET_MS
    values = indicators.compute(county, peak, codes=codes, now=now)
    counts = {
        "cases": Case.objects.filter(node__path__startswith=county.path).count(),
        "events": CaseEvent.objects.filter(case__node__path__startswith=county.path).count(),
        "candidates": Candidate.objects.filter(case__node__path__startswith=county.path).count(),
    }
    return {
        "database": {"vendor": connection.vendor, "name": str(connection.settings_dict["NAME"])},
        "records": counts,
        "built": bench["built"],
        "build_seconds": bench["build_seconds"],
        "now": now.astimezone(SH).isoformat(),
        "busiest_day": peak.isoformat(),
        "repeat": repeat,
        "maxrss_mb_before": rss_start,
        "cases": results,
        "indicators_busiest_day": values,
    }


def format_report(result: dict) -> str:
    db = result["database"]
    lines = [
        f"病例指标基准 / cases indicators benchmark — {db['vendor']} ({db['name']})",
        f"记录 {result['records']}；最忙一天 {result['busiest_day']}；时点 {result['now']}",
        f"每项重复 {result['repeat']} 次；目标 < {TARGET_MS} ms；测量前进程峰值 RSS {result['maxrss_mb_before']} MB",
        "",
        f"{'case':<32}{'median ms':>11}{'p95 ms':>10}{'py peak MB':>12}{'maxrss MB':>11}{'queries':>9}",
    ]
    for name, case in result["cases"].items():
        lines.append(
            f"{name:<32}{case['median_ms']:>11.2f}{case['p95_ms']:>10.2f}{case['peak_python_mb']:>12.2f}"
            f"{case['maxrss_mb']:>11.1f}{case.get('queries', ''):>9}"
            + ("" if "within_target" not in case else ("  ✓" if case["within_target"] else "  ✗"))
        )
    lines.append(
        "最忙一天的指标 / values: " + json.dumps(result["indicators_busiest_day"], ensure_ascii=False)
    )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--cases", type=int, default=5_000)
    parser.add_argument("--candidates", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        registry_bench.use_sqlite_file(Path(settings.VAR_DIR) / "bench" / "cases.sqlite3")
    else:
        call_command("migrate", verbosity=0, interactive=False)
    progress = (lambda text: print(text, file=sys.stderr)) if args.json else print
    bench = ensure(persons=args.persons, cases=args.cases, candidates=args.candidates, progress=progress)
    if bench["built"]:
        # Building held everything in Python lists: measure in a new process so its peak RSS is its own.
        progress("在新进程中测量 / measuring in a new process")
        sys.stdout.flush()
        connection.close()
        sys.exit(subprocess.run([sys.executable, *sys.argv], check=False).returncode)
    result = run(
        persons=args.persons,
        cases=args.cases,
        candidates=args.candidates,
        repeat=args.repeat,
        progress=progress,
    )
    print(
        json.dumps(result, ensure_ascii=False, indent=1, default=str) if args.json else format_report(result)
    )


if __name__ == "__main__":
    main()
