"""The registry benchmark (`fangkong bench registry`): a county of N persons, and the reads that grid
workers, township staff and county admins do all day, timed the way the web view runs them.

Every figure comes with a baseline measured in the same run (a `SELECT 1` round trip and a primary-key
fetch), so results from different machines are read as ratios. Query plans are checked on SQLite
(EXPLAIN QUERY PLAN) and shown on PostgreSQL (EXPLAIN) so a missing index shows up as a full scan.
"""

import dataclasses
import math
import re
import secrets
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from fangkong.grid import actions as grid_actions
from fangkong.grid.divisions import load_county
from fangkong.grid.models import Jurisdiction, Level, Role
from fangkong.lib.errors import RuleError

from . import queries
from .models import Person
from .population import (
    DEFAULT_SEED,
    DEMO_COUNTY,
    bootstrap_admin,
    generate_population,
    places_for,
    refresh_planner_statistics,
    save_population,
)

TARGET_MS = 300
GRIDS_PER_VILLAGE = 2
BENCH_TOWNSHIP = "371502103"  # 梁水镇: the township staff sits here, the grid worker on one of its grids
PERSONAS = [("grid_worker", "网格员"), ("township_staff", "乡镇工作人员"), ("county_admin", "县管理员")]
USERNAMES = {"county_admin": "bench_county", "township_staff": "bench_township", "grid_worker": "bench_grid"}


def bench_sqlite_path(persons: int) -> Path:
    return Path(settings.VAR_DIR) / "bench" / f"registry-{persons}.sqlite3"


def use_sqlite_file(path: Path) -> None:
    """Point the default connection at a separate SQLite file (created and migrated when new), so the
    benchmark never writes its county into the working database. Call before any query."""
    path.parent.mkdir(parents=True, exist_ok=True)
    default = connections["default"]
    default.close()
    default.settings_dict["NAME"] = str(path)
    call_command("migrate", verbosity=0, interactive=False)


@dataclasses.dataclass
class BenchCounty:
    county: Jurisdiction
    users: dict
    persons: int
    built: bool
    build_seconds: float | None = None


def ensure_county(
    *, persons: int, seed: int = DEFAULT_SEED, progress: Callable[[str], None] = print
) -> BenchCounty:
    """Reuse the bench county when the database holds it with the same number of persons; build it in an
    empty database; refuse anything else (the benchmark adds a whole county)."""
    User = get_user_model()
    admin = User.objects.filter(username=USERNAMES["county_admin"]).first()
    if admin is not None:
        county = Jurisdiction.objects.get(code=DEMO_COUNTY)
        count = Person.objects.filter(node__path__startswith=county.path).count()
        if count != persons:
            raise RuleError(
                {"persons": f"该数据库中的基准县有 {count} 人，与 --persons {persons} 不符，请换一个数据库"}
            )
        users = {key: User.objects.get(username=name) for key, name in USERNAMES.items()}
        return BenchCounty(county=county, users=users, persons=count, built=False)
    if Person.objects.exists():
        raise RuleError(
            {"database": "数据库中已有人员数据：基准测试需要空数据库（默认使用 var/bench/ 下的独立文件）"}
        )
    started = time.perf_counter()
    with transaction.atomic():
        load_county(DEMO_COUNTY)
        county = Jurisdiction.objects.get(code=DEMO_COUNTY)
        admin = bootstrap_admin(
            username=USERNAMES["county_admin"],
            password=secrets.token_urlsafe(16),
            full_name="基准县管理员",
            node=county,
        )
        villages = Jurisdiction.objects.filter(path__startswith=county.path, level=Level.VILLAGE).order_by(
            "code"
        )
        progress(f"基准县：在 {villages.count()} 个村（社区）各划 {GRIDS_PER_VILLAGE} 个网格……")
        grids = [
            grid_actions.create_grid(actor=admin, village=v, local_code=f"{i + 1:02d}", name=f"第{i + 1}网格")
            for v in villages
            for i in range(GRIDS_PER_VILLAGE)
        ]
        places = [
            dataclasses.replace(place, first_block=(i % GRIDS_PER_VILLAGE) * 6 + 1, blocks=6)
            for i, place in enumerate(places_for(grids))
        ]
        progress(f"基准县：生成 {persons} 人……")
        drafts = generate_population(places=places, persons=persons, seed=seed)
        save_population(drafts, recorded_by=admin, today=timezone.localdate())
        refresh_planner_statistics()
        township = Jurisdiction.objects.get(code=BENCH_TOWNSHIP)
        # The grid worker works the township's busiest grid (a small bench county leaves some grids empty).
        grid = (
            Jurisdiction.objects.filter(path__startswith=township.path, level=Level.GRID)
            .annotate(people=Count("persons"))
            .order_by("-people", "code")
            .first()
        )
        users = {"county_admin": admin}
        for key, node, role in (
            ("township_staff", township, Role.TOWNSHIP_STAFF),
            ("grid_worker", grid, Role.GRID_WORKER),
        ):
            users[key] = grid_actions.create_user(
                actor=admin,
                username=USERNAMES[key],
                full_name=key,
                password=secrets.token_urlsafe(16),
                node=node,
                role=role,
            )
    seconds = round(time.perf_counter() - started, 1)
    progress(f"基准县已建好（{seconds} 秒）")
    return BenchCounty(county=county, users=users, persons=persons, built=True, build_seconds=seconds)


# Measuring -----------------------------------------------------------------------------------------


def _summary(times_ms: list[float]) -> dict:
    ordered = sorted(times_ms)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {"median_ms": round(statistics.median(ordered), 3), "p95_ms": round(p95, 3)}


def _time(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


class QueryLog:
    """The SQL run inside the block, from an execute wrapper: unlike connection.queries it is not
    emptied by the request_started signal when the test client serves a page."""

    def __init__(self):
        self.queries: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        self.queries.append(_inline(context["cursor"], sql, params))
        return result

    def __enter__(self):
        self._wrapped = connection.execute_wrapper(self)
        self._wrapped.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapped.__exit__(*exc)


def _inline(cursor, sql, params) -> str:
    """The statement with its parameters inlined, as the backend would run it (for EXPLAIN)."""
    return connection.ops.last_executed_query(cursor, sql, params)


def _fresh(user):
    """The user as a new request sees it: memberships not yet loaded."""
    user.__dict__.pop("_fangkong_memberships", None)
    return user


def person_list_page(user, text: str = "") -> dict:
    """What the person list view does for one request: the count for the pager, then the first page."""
    persons = queries.search_persons(_fresh(user), text=text)
    total = persons.count()
    page = list(persons[: settings.PAGE_SIZE])
    return {"total": total, "rows": len(page)}


# The index each case should use: the node (scoping), the pinyin keys, the last four digits.
EXPECTED_INDEXES = {
    "list": ("node_id",),
    "pinyin_initials": ("name_pinyin", "name_initials"),
    "pinyin_full": ("name_pinyin", "name_initials"),
    "last4": ("id_last4", "phone_last4"),
}
_FULL_SCAN = re.compile(r"^SCAN (\w+)$")  # SQLite: a scan of a table, not of an index
_SMALL_TABLES = {"grid_jurisdiction"}  # the tree: a few thousand nodes at most, scanned for LIKE 'path%'


def explain(sql: str) -> tuple[list[str], list[str]]:
    """The plan of one query, and a warning for each full scan of a large table (the tree is small)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            lines = [row[3] for row in cursor.fetchall()]
        warnings = []
        for line in lines:
            scan = _FULL_SCAN.match(line)
            if scan and scan.group(1) not in _SMALL_TABLES:
                warnings.append(f"full scan of {scan.group(1)}")
        return lines, warnings
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql)
            lines = [row[0] for row in cursor.fetchall()]
        warnings = [
            f"sequential scan of {m.group(1)}"
            for line in lines
            if (m := re.search(r"Seq Scan on (\w+)", line)) and m.group(1) not in _SMALL_TABLES
        ]
        return lines, warnings
    return [], []


def _plans(captured: QueryLog) -> tuple[list[dict], list[str]]:
    plans, warnings = [], []
    for sql in captured.queries:
        if "registry_person" not in sql:
            continue
        lines, found = explain(sql)
        plans.append({"sql": sql, "plan": lines})
        warnings.extend(found)
    return plans, warnings


def _cases(county: BenchCounty) -> list[tuple[str, str, str]]:
    """(case, label, search text): the list, pinyin initials and full pinyin of the commonest name of
    the grid worker's grid, and the last four digits of one of its ID numbers."""
    grid_people = queries.persons_visible_to(_fresh(county.users["grid_worker"]))
    common = (
        grid_people.order_by()
        .values("name_pinyin", "name_initials")
        .annotate(n=Count("id"))
        .order_by("-n", "name_pinyin")
        .first()
    ) or {"name_pinyin": "zhangwei", "name_initials": "zw"}
    # An ID ending in X is left out: search_filter reads "135X" as a name, not as four last digits.
    last4 = (
        grid_people.exclude(id_last4__endswith="X").order_by("id").values_list("id_last4", flat=True).first()
        or "0000"
    )
    full, initials = common["name_pinyin"], common["name_initials"]
    return [
        ("list", "列表首页", ""),
        ("pinyin_initials", "拼音首字母", initials),
        ("pinyin_full", "全拼", full),
        ("last4", "证件/电话后四位", last4),
    ]


def measure(county: BenchCounty, *, repeat: int) -> dict:
    repeat = max(1, repeat)
    any_person = Person.objects.filter(node__path__startswith=county.county.path).order_by("id").first()
    with override_settings(DEBUG=False):  # DEBUG on would log every query and slow everything down
        with connection.cursor() as cursor:

            def select_1():
                cursor.execute("SELECT 1")
                cursor.fetchone()

            select_1()
            baseline = {"select_1": _summary(_time(select_1, repeat * 5))}
        baseline["pk_fetch"] = _summary(_time(lambda: Person.objects.get(pk=any_person.pk), repeat * 5))
        pk_ms = baseline["pk_fetch"]["median_ms"] or 0.001
        results = []
        for case, label, text in _cases(county):
            for persona, persona_label in PERSONAS:
                user = county.users[persona]
                with QueryLog() as captured:  # also warms the caches
                    outcome = person_list_page(user, text)
                plans, warnings = _plans(captured)
                expected = EXPECTED_INDEXES[case]
                if plans and not any(col in line for p in plans for line in p["plan"] for col in expected):
                    warnings.append(f"{case}: no index on {'/'.join(expected)} used")
                summary = _summary(_time(lambda user=user, text=text: person_list_page(user, text), repeat))
                results.append(
                    {
                        "persona": persona,
                        "persona_label": persona_label,
                        "case": case,
                        "case_label": label,
                        "text": text,
                        **outcome,
                        **summary,
                        "x_pk_fetch": round(summary["median_ms"] / pk_ms, 1),
                        "queries": len(captured.queries),
                        "within_target": summary["median_ms"] < TARGET_MS,
                        "plans": plans,
                        "plan_warnings": sorted(set(warnings)),
                    }
                )
        page = measure_page(county.users["county_admin"], repeat=repeat, pk_ms=pk_ms)
    return {"baseline": baseline, "cases": results, "page": page}


def measure_page(user, *, repeat: int, pk_ms: float) -> dict:
    """The person list page rendered end to end (middleware, session, template) through the test client."""
    try:
        url = reverse("person_list")
    except NoReverseMatch:
        return {"skipped": "person_list 页面尚不存在 (no URL named person_list)"}
    hosts = [h for h in settings.ALLOWED_HOSTS if h and not h.startswith((".", "*"))]
    client = Client(HTTP_HOST=hosts[0] if hosts else "testserver")
    client.force_login(user)
    with QueryLog() as captured:
        response = client.get(url)
    status = response.status_code
    summary = _summary(_time(lambda: client.get(url), repeat))
    return {
        "url": url,
        "status": status,
        "bytes": len(response.content),
        **summary,
        "x_pk_fetch": round(summary["median_ms"] / pk_ms, 1),
        "queries": len(captured.queries),
        "within_target": status == 200 and summary["median_ms"] < TARGET_MS,
    }


def run_registry_bench(
    *, persons: int, repeat: int, seed: int = DEFAULT_SEED, progress: Callable[[str], None] = print
) -> dict:
    county = ensure_county(persons=persons, seed=seed, progress=progress)
    measured = measure(county, repeat=repeat)
    warnings = sorted({w for case in measured["cases"] for w in case["plan_warnings"]})
    return {
        "database": {
            "vendor": connection.vendor,
            "version": ".".join(map(str, connection.Database.sqlite_version_info))
            if connection.vendor == "sqlite"
            else str(connection.pg_version if connection.vendor == "postgresql" else ""),
            "name": str(connection.settings_dict["NAME"]),
        },
        "persons": county.persons,
        "repeat": repeat,
        "page_size": settings.PAGE_SIZE,
        "target_ms": TARGET_MS,
        "built": county.built,
        "build_seconds": county.build_seconds,
        **measured,
        "all_within_target": all(c["within_target"] for c in measured["cases"])
        and measured["page"].get("within_target", True),
        "plan_warnings": warnings,
    }


def format_report(result: dict) -> str:
    db = result["database"]
    base = result["baseline"]
    lines = [
        f"户籍登记基准 / registry benchmark — {db['vendor']} {db['version']} ({db['name']})",
        f"{result['persons']} 人，每项重复 {result['repeat']} 次，每页 {result['page_size']} 条，目标中位数 < {result['target_ms']} ms",
        f"基线 baseline: SELECT 1 {base['select_1']['median_ms']:.3f} ms，按主键取一人 {base['pk_fetch']['median_ms']:.3f} ms",
        "",
        f"{'persona':<15}{'case':<17}{'text':<12}{'total':>8}{'median ms':>11}{'p95 ms':>10}{'× pk':>8}{'queries':>9}  ok",
    ]
    for c in result["cases"]:
        lines.append(
            f"{c['persona']:<15}{c['case']:<17}{c['text'][:11]:<12}{c['total']:>8}{c['median_ms']:>11.2f}"
            f"{c['p95_ms']:>10.2f}{c['x_pk_fetch']:>8.1f}{c['queries']:>9}  {'✓' if c['within_target'] else '✗'}"
        )
    page = result["page"]
    lines.append("")
    if "skipped" in page:
        lines.append(f"人员列表页（端到端）: 跳过 — {page['skipped']}")
    else:
        lines.append(
            f"人员列表页（端到端，县管理员）{page['url']}: HTTP {page['status']}，中位数 {page['median_ms']:.2f} ms，"
            f"p95 {page['p95_ms']:.2f} ms，× pk {page['x_pk_fetch']}，查询 {page['queries']} 次"
        )
    if result["plan_warnings"]:
        lines.append("查询计划警告 / plan warnings: " + "；".join(result["plan_warnings"]))
    else:
        lines.append("查询计划：人员表未见全表扫描 / query plans: no full scan of large tables")
    lines.append("全部达标 / all within target: " + ("是 yes" if result["all_within_target"] else "否 no"))
    return "\n".join(lines)
