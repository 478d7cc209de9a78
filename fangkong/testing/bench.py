"""`fangkong bench testing`: a mass-testing round over the bench county (registry/bench.py): every resident
but a share sampled in pools of 10, then the lab's CSV of results imported (a few positive and invalid
pools among the negatives), the county's progress page and the not-yet-sampled list of the largest village
asked for as a user's browser would. The sampling is written in bulk (it is not what is timed); the import
goes through ledgers.import_lab_results, the pages through the test client.

The per-path figures the progress page sums are the kept counts (RoundCount), recounted here once after
the bulk sampling (`actions.recount_round`) and by the lab import itself; the same figures counted from
every member of the round, as the page did before, are timed alongside (`counts`).

Targets (issue 12), at 1,000,000 people / 100,000 pools: import < 60 s, progress page < 300 ms, village
list < 300 ms."""

import datetime as dt
import statistics
import time

from django.db import connection, transaction
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from fangkong.grid.models import Jurisdiction, Level
from fangkong.measures.models import TestResult
from fangkong.registry.bench import ensure_county
from fangkong.registry.models import Person
from fangkong.registry.population import refresh_planner_statistics

from . import actions, queries
from .ledgers import import_lab_results
from .models import Result, RoundCount, Sample, SampleMember

POOL = 10
MISSED_EVERY = 20  # one resident in 20 not sampled: the door-to-door list
POSITIVE_EVERY, INVALID_EVERY = 5000, 3000  # pools
TARGETS = {"import_s": 60.0, "progress_ms": 300.0, "unsampled_ms": 300.0}
BATCH = 5000


def _sample_round(*, admin, county, round_, prefix: str, progress) -> int:
    """Every resident but one in MISSED_EVERY into pools of 10 (bulk: tubes, pending results, members)."""
    rows = list(
        Person.objects.filter(node__path__startswith=county.path)
        .order_by("node__path", "pk")
        .values_list("pk", "node_id", "node__path")
    )
    sampled = [r for i, r in enumerate(rows) if i % MISSED_EVERY != MISSED_EVERY - 1]
    at = timezone.now() - dt.timedelta(hours=6)
    tubes = 0
    for start in range(0, len(sampled), BATCH * POOL):
        chunk = sampled[start : start + BATCH * POOL]
        pools = [chunk[i : i + POOL] for i in range(0, len(chunk), POOL)]
        with transaction.atomic():
            samples = Sample.objects.bulk_create(
                [
                    Sample(
                        tube_code=f"{prefix}{tubes + n + 1:07d}",
                        kind="pool",
                        capacity=POOL,
                        node_id=pool[0][1],
                        round=round_,
                        sampled_at=at,
                        sampled_by=admin,
                    )
                    for n, pool in enumerate(pools)
                ],
                batch_size=1000,
            )
            if samples[0].pk is None:  # a backend that does not return ids
                by_code = dict(
                    Sample.objects.filter(tube_code__startswith=prefix).values_list("tube_code", "pk")
                )
                for s in samples:
                    s.pk = by_code[s.tube_code]
            results = TestResult.objects.bulk_create(
                [TestResult(person_id=r[0], sampled_at=at, recorded_by=admin) for r in chunk], batch_size=1000
            )
            members, k = [], 0
            for sample, pool in zip(samples, pools, strict=True):
                for person_id, _node_id, path in pool:
                    members.append(
                        SampleMember(
                            sample=sample,
                            person_id=person_id,
                            round=round_,
                            path=path,
                            sampled_at=at,
                            test_result=results[k],
                        )
                    )
                    k += 1
            SampleMember.objects.bulk_create(members, batch_size=1000)
        tubes += len(pools)
        progress(f"采样：{tubes} 管……")
    return tubes


def _lab_csv(prefix: str, tubes: int) -> bytes:
    lines = ["样本条码,检测结果,ORF1ab基因Ct值,N基因Ct值"]
    for n in range(1, tubes + 1):
        code = f"{prefix}{n:07d}"
        if n % POSITIVE_EVERY == 0:
            lines.append(f"{code},阳性,Ct=31.5,32.1")
        elif n % INVALID_EVERY == 0:
            lines.append(f"{code},无效,,")
        else:
            lines.append(f"{code},阴性,-,-")
    return "\n".join(lines).encode()


def _time_get(client: Client, url: str, repeat: int) -> dict:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def _time_counts(round_, node, repeat: int) -> dict:
    """The round's sampled and back per path: read from the kept counts (what the page does now), and
    counted from every member of the round (what it did before, in the same run, for comparison)."""

    def kept():
        return list(
            RoundCount.objects.filter(round=round_, path__startswith=node.path).values_list(
                "path", "sampled", "back"
            )
        )

    def counted():
        return list(
            SampleMember.objects.filter(round=round_, path__startswith=node.path)
            .values_list("path")
            .annotate(
                people=Count("person", distinct=True),
                back=Count("person", distinct=True, filter=~Q(sample__result=Result.PENDING)),
            )
        )

    out = {}
    for name, fn in (("kept_counts", kept), ("recount_before", counted)):
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            rows = fn()
            times.append((time.perf_counter() - started) * 1000)
        out[name] = {"median_ms": round(statistics.median(times), 1), "rows": len(rows)}
    assert sorted(kept()) == sorted((p, n, b) for p, n, b in counted()), "kept counts differ from the recount"
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        queries.round_progress(round_, node)
    out["round_progress"] = {"ms": round((time.perf_counter() - started) * 1000, 1), "queries": len(captured)}
    return out


def run_testing_bench(*, persons: int, repeat: int = 5, seed: int | None = None, progress=print) -> dict:
    bench = ensure_county(persons=persons, progress=progress, **({} if seed is None else {"seed": seed}))
    county, admin = bench.county, bench.users["county_admin"]
    prefix = f"B{timezone.now():%H%M%S}"
    round_ = actions.create_round(
        actor=admin, node=county, name=f"基准全员核酸{prefix}", starts_on=timezone.localdate()
    )
    started = time.perf_counter()
    tubes = _sample_round(admin=admin, county=county, round_=round_, prefix=prefix, progress=progress)
    started = time.perf_counter()
    actions.recount_round(round_)  # the kept counts of what was written in bulk
    recount_s = round(time.perf_counter() - started, 2)
    refresh_planner_statistics()
    sampling_s = round(time.perf_counter() - started, 1)
    data = _lab_csv(prefix, tubes)
    progress(f"导入检测结果：{tubes} 管……")
    started = time.perf_counter()
    outcome = import_lab_results(actor=admin, data=data, filename="lab.csv", lab="基准实验室")
    import_s = round(time.perf_counter() - started, 2)
    assert outcome.written and not outcome.rejected, outcome.rejected[:5]
    refresh_planner_statistics()
    village = (
        Jurisdiction.objects.filter(path__startswith=county.path, level=Level.VILLAGE)
        .annotate(people=Count("children__persons"))
        .order_by("-people", "code")
        .first()
    )
    client = Client()
    client.force_login(admin)
    with override_settings(DEBUG=False):
        progress_page = _time_get(client, reverse("round_detail", args=[round_.pk]), repeat)
        unsampled_page = _time_get(
            client, reverse("round_unsampled", args=[round_.pk]) + f"?node={village.code}", repeat
        )
    counts = _time_counts(round_, county, repeat)
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("round_detail", args=[round_.pk]))
    figures = {
        "persons": persons,
        "counts": counts,
        "recount_round_s": recount_s,
        "progress_page_queries": len(captured),
        "tubes": tubes,
        "sampling_setup_s": sampling_s,
        "import_s": import_s,
        "import_rows_per_s": round(tubes / import_s) if import_s else None,
        "progress_page": progress_page,
        "village": {"name": village.name, "people": village.people},
        "unsampled_page": unsampled_page,
    }
    scale = 1_000_000 / persons
    figures["extrapolated_1m"] = {
        "import_s": round(import_s * scale, 1),
        "note": "linear in the rows of the file; the pages are read by grouped queries whose cost grows "
        "with the round's rows (progress) or with one village's (list)",
        "progress_ms_linear": round(progress_page["median_ms"] * scale, 1),
    }
    figures["targets"] = TARGETS
    with open("/proc/loadavg") as f:
        figures["loadavg"] = f.read().split()[:3]
    return figures
