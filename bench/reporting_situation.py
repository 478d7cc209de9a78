"""Benchmark: the situation report (情况报告) of a county of 100,000 people with a year of records, as .docx.

    .venv/bin/python bench/reporting_situation.py [--repeat 5] [--json]
    .venv/bin/python bench/reporting_situation.py --persons 20000      # a smaller county, its own file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fk_bench_r2 .venv/bin/python bench/reporting_situation.py

**The data.** The indicators benchmark's county (bench/reporting_indicators.py: 东昌府区's townships and
villages, two grids a village, a year of screenings, measures, follow-ups, checkpoints and check-ins),
built by that benchmark's own builder. Without `DATABASE_URL` it reuses `var/bench/indicators.sqlite3`
when that file exists (100,000 people unless `--persons` says otherwise); when it does not, it builds a
smaller county (`--persons`, default 20,000) in `var/bench/situation-<persons>.sqlite3`, never in the
working database. With `DATABASE_URL`: that database, as the indicators benchmark uses it.

**What is timed** (`--repeat` times after a warm-up, DEBUG off, the clock set to the build moment; the
report as of that hour), each with its peak Python memory (tracemalloc) and the process's peak RSS:
- baselines in the same run: `SELECT 1`, and `indicators.compute` of the county (the floor: every figure
  of the report is one of these);
- `compose` of the county: the document as data;
- `.docx` of the county and of a township: compose + python-docx (target under 2 s and 300 MB);
- `.json` of the county;
- the preview page of the county through the test Client as the county admin;
- `.pdf` of the county once, when LibreOffice is installed (a separate process; not part of the target).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/: the indicators benchmark's builder
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django

django.setup()

import reporting_indicators as indicators_bench  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from fangkong.grid.models import Jurisdiction  # noqa: E402
from fangkong.registry import bench as registry_bench  # noqa: E402
from fangkong.reporting import indicators  # noqa: E402
from fangkong.situation import actions, compose, pdf  # noqa: E402
from fangkong.situation import docx as word  # noqa: E402

TARGET_MS = 2000
TARGET_MB = 300
SHARED = Path(settings.VAR_DIR) / "bench" / "indicators.sqlite3"


def choose_database(persons: int | None) -> tuple[int, str]:
    """(persons, where): the indicators benchmark's database when there is one, else a smaller county."""
    if os.environ.get("DATABASE_URL"):
        call_command("migrate", verbosity=0, interactive=False)
        return persons or 100_000, "DATABASE_URL"
    if SHARED.exists() and persons in (None, 100_000):
        registry_bench.use_sqlite_file(SHARED)
        return 100_000, str(SHARED)
    persons = persons or 20_000
    path = Path(settings.VAR_DIR) / "bench" / f"situation-{persons}.sqlite3"
    registry_bench.use_sqlite_file(path)
    return persons, str(path)


def run(*, persons: int, repeat: int, where: str, progress=print) -> dict:
    bench = indicators_bench.ensure_bench(persons=persons, progress=progress)
    county, now = bench["county"].county, bench["now"]
    admin = bench["county"].users["county_admin"]
    township = Jurisdiction.objects.get(code=registry_bench.BENCH_TOWNSHIP)
    as_of = compose.default_as_of(now)
    day = compose.report_day(as_of)
    measure, count_queries = indicators_bench.measure, indicators_bench.count_queries
    rss_start = indicators_bench.maxrss_mb()
    cases = {}
    sizes = {}
    with override_settings(DEBUG=False), indicators_bench.clock(now):
        with connection.cursor() as cursor:

            def select_1():
                cursor.execute("SELECT 1")
                cursor.fetchone()

            cases["baseline_select_1"] = measure(select_1, repeat * 5)
        cases["baseline_compute_county"] = {
            **measure(lambda: indicators.compute(county, day, now=as_of), repeat),
            "queries": count_queries(lambda: indicators.compute(county, day, now=as_of)),
        }

        def docx_of(node):
            content = word.render(compose.compose(node=node, as_of=as_of, now=now))
            sizes[node.code] = len(content)
            return content

        plan = [
            ("compose_county", lambda: compose.compose(node=county, as_of=as_of, now=now)),
            ("docx_county", lambda: docx_of(county)),
            ("docx_township", lambda: docx_of(township)),
            (
                "json_county",
                lambda: actions.render(compose.compose(node=county, as_of=as_of, now=now), actions.JSON),
            ),
        ]
        for name, fn in plan:
            cases[name] = {**measure(fn, repeat), "queries": count_queries(fn)}
        client = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["testserver"])[0].lstrip(".*") or "testserver")
        client.force_login(admin)
        url = reverse("situation_node", kwargs={"code": county.code})
        query = {"as_of": as_of.astimezone(compose.SHANGHAI).strftime("%Y-%m-%dT%H:%M")}
        response = client.get(url, query)
        cases["preview_page_county"] = {
            **measure(lambda: client.get(url, query), repeat),
            "queries": count_queries(lambda: client.get(url, query)),
            "status": response.status_code,
            "bytes": len(response.content),
        }
        if pdf.available():
            started = time.perf_counter()
            content = pdf.convert(docx_of(county))
            cases["pdf_county_once"] = {
                "median_ms": round((time.perf_counter() - started) * 1000, 1),
                "bytes": len(content),
            }
        situation = compose.compose(node=county, as_of=as_of, now=now)
    for name in ("docx_county", "docx_township"):
        cases[name]["within_target"] = (
            cases[name]["median_ms"] < TARGET_MS and cases[name]["peak_python_mb"] < TARGET_MB
        )
    return {
        "database": {"vendor": connection.vendor, "where": where},
        "persons": persons,
        "records": bench["counts"],
        "as_of": situation.as_of_text,
        "repeat": repeat,
        "target_ms": TARGET_MS,
        "target_mb": TARGET_MB,
        "maxrss_mb_before": rss_start,
        "docx_bytes": sizes,
        "figures": len(situation.figures),
        "paragraphs": len(situation.paragraphs),
        "cases": cases,
    }


def format_report(result: dict) -> str:
    lines = [
        f"情况报告基准 / situation report benchmark — {result['database']['vendor']} ({result['database']['where']})",
        f"{result['persons']} 人；记录 {result['records']}",
        f"{result['as_of']}；{result['paragraphs']} 段，{result['figures']} 个数字；.docx {result['docx_bytes']} 字节",
        f"每项重复 {result['repeat']} 次；目标 .docx < {result['target_ms']} ms、< {result['target_mb']} MB；"
        f"测量前进程峰值 RSS {result['maxrss_mb_before']} MB",
        "",
        f"{'case':<26}{'median ms':>11}{'p95 ms':>10}{'py peak MB':>12}{'maxrss MB':>11}{'queries':>9}",
    ]
    for name, case in result["cases"].items():
        if "p95_ms" not in case:
            lines.append(f"{name:<26}{case['median_ms']:>11.1f}  ({case['bytes']} bytes, LibreOffice)")
            continue
        lines.append(
            f"{name:<26}{case['median_ms']:>11.2f}{case['p95_ms']:>10.2f}{case['peak_python_mb']:>12.2f}"
            f"{case['maxrss_mb']:>11.1f}{case.get('queries', ''):>9}"
            + ("" if "within_target" not in case else ("  ✓" if case["within_target"] else "  ✗"))
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    persons, where = choose_database(args.persons)
    progress = (lambda text: print(text, file=sys.stderr)) if args.json else print
    result = run(persons=persons, repeat=args.repeat, where=where, progress=progress)
    print(json.dumps(result, ensure_ascii=False, indent=1) if args.json else format_report(result))


if __name__ == "__main__":
    main()
