"""Benchmark: venue check-ins and health-code verification over HTTP, against a real server process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/codes_load.py
    … [--seconds 8] [--concurrency 8] [--client-processes 2] [--workers 2] [--threads 4] [--json]

Everything happens on 127.0.0.1 and is bounded: each load phase stops after --seconds or --max-requests,
whichever comes first, and the whole run is cut off after --deadline seconds.

1. A throw-away database `fk_codes_load_<random>` is created on the PostgreSQL server of DATABASE_URL
   (which must be PostgreSQL; its own database is not touched), migrated, and filled: one county down to a
   village and a grid, --people registered residents with their codes' identities, --venues venues, a
   venue kiosk account and a checkpoint account, each with an API token.
2. gunicorn (gthread workers, see docs/decisions/0003-wsgi-server-for-benchmarks.md; the process and
   what /proc says of it are in bench/gunicorn_process.py) serves the site on a
   free port of 127.0.0.1 with DEBUG off, exactly as deployed, plus trivial views behind the same
   middleware: GET /bench/ping, the ceiling of the stack (routing, middleware, WSGI, the network stack
   and the load generator itself, no database); GET /bench/db-ping, which waits for one `SELECT 1` and
   nothing else, the floor of any view that goes to the database once a request.
3. Phases, with the same load generator (Python processes × threads, keep-alive http.client):
   warm-up; ping; db-ping; api-ping (GET /bench/api-ping: the API's token authentication and nothing
   else);
   check-ins (POST /api/v1/checkins with the kiosk's token, each a new check-in: a resident never scans
   the same venue twice in the run) while a prober verifies fresh health-code tokens one after another
   (POST /api/v1/codes/verify with the checkpoint account's token); api-ping, db-ping and ping again; then the
   prober alone and check-ins one at a time, with no other load, for comparison.
4. Printed: requests per second of each phase, check-ins as a share of the ping ceiling (target ≥ 60 %)
   and of api-ping, check-in latency, verification latency (median, p99) under load and idle, the SQL
   queries of one request of each kind, the CPU each request cost in the gunicorn workers and in the
   PostgreSQL backends (from /proc: it says what bounds the throughput), how many check-ins each
   statement wrote (scans arriving together share one, see checkin_actions), and the server's memory (RSS of
   the gunicorn master and each worker) after the warm-up and at the end.
5. The server is stopped and the database dropped, also when something fails.

The server runs with CODE_VERIFY_PER_MINUTE raised for the run: the per-account verification limit would
otherwise answer the prober with 429 after 120 requests a minute.
"""

import argparse
import json
import multiprocessing
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from http.client import HTTPConnection
from urllib.parse import urlsplit, urlunsplit

from gunicorn_process import (
    HOST,
    ROOT,
    cpu_seconds,
    free_port,
    per_request_cpu,
    server_memory,
    start_server,
    stop_server,
    wait_until_up,
)

TARGET = 0.60
WARMUP_CHECKINS = 2000
MEMORY_NOISE_MIB = 8
SECRET = "bench-only-not-secret-" + secrets.token_hex(8)
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "fangkong.settings",
    "SECRET_KEY": SECRET,
    "DEBUG": "0",
    "ALLOWED_HOSTS": HOST,
    "SECURE_COOKIES": "0",
    "LOG_LEVEL": "ERROR",
    "DB_CONN_MAX_AGE": "600",
    "CODE_VERIFY_PER_MINUTE": "100000000",
}


# The server side: gunicorn imports this module (--pythonpath bench) and calls server_app() ----------------


def ping(request):
    from django.http import HttpResponse

    return HttpResponse(b"ok", content_type="text/plain")


def api_ping(request):
    """The floor of every API call: the API's own bearer-token authentication, then nothing."""
    from django.http import JsonResponse

    from fangkong.grid.api_auth import TokenAuth

    if TokenAuth()(request) is None:
        return JsonResponse({"code": "unauthenticated"}, status=401)
    return JsonResponse({"ok": True})


def db_ping(request):
    """One round trip to the database and nothing else: the floor of any view that touches it once."""
    from django.http import JsonResponse

    from fangkong.lib import hot_sql

    hot_sql.fetch("SELECT 1", [])
    return JsonResponse({"ok": True})


def install_urls() -> None:
    """The site's URLs with the two trivial views in front: this module becomes the URLconf."""
    from django.conf import settings
    from django.contrib.auth.decorators import login_not_required
    from django.urls import include, path

    globals()["urlpatterns"] = [
        path("bench/ping", login_not_required(ping)),
        path("bench/api-ping", login_not_required(api_ping)),
        path("bench/db-ping", login_not_required(db_ping)),
        path("", include("fangkong.urls")),
    ]
    settings.ROOT_URLCONF = __name__


def server_app():
    """gunicorn's entry point: the site as deployed, plus /bench/ping and /bench/api-ping."""
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application

    install_urls()
    return get_wsgi_application()


# The database -------------------------------------------------------------------------------------------


def database_urls(server_url: str) -> tuple[str, str, str]:
    """(maintenance URL, throw-away URL, throw-away name) on the server of DATABASE_URL."""
    parts = urlsplit(server_url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit(
            "DATABASE_URL must point at a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres"
        )
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("the benchmark runs on loopback only: DATABASE_URL must be a server on 127.0.0.1")
    name = f"fk_codes_load_{secrets.token_hex(4)}"
    return (
        urlunsplit(parts._replace(path="/postgres")),
        urlunsplit(parts._replace(path=f"/{name}")),
        name,
    )


def admin_sql(maintenance_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        conn.execute(sql)


def build(people: int, venues: int) -> dict:
    """The data the load needs, through the actions where it is cheap and in bulk where it is not."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.db import connection

    from fangkong.grid.actions import issue_api_token
    from fangkong.grid.models import Jurisdiction, Level, Membership, Role
    from fangkong.healthcodes.models import Identity
    from fangkong.lib.idcard import make
    from fangkong.registry.models import Person
    from fangkong.venues.actions import create_venue

    def node(code, name, level, parent):
        return Jurisdiction.objects.create(
            code=code, name=name, level=level, parent=parent, path=f"{parent.path if parent else ''}{code}/"
        )

    province = node("37", "山东省", Level.PROVINCE, None)
    city = node("3715", "聊城市", Level.CITY, province)
    county = node("371502", "东昌府区", Level.COUNTY, city)
    township = node("371502103", "梁水镇", Level.TOWNSHIP, county)
    village = node("371502103201", "前屯村委会", Level.VILLAGE, township)
    grid = node("37150210320107", "第七网格", Level.GRID, village)

    def account(username, at, role):
        user = get_user_model().objects.create_user(username=username, password=secrets.token_hex(16))
        Membership.objects.create(user=user, node=at, role=role)
        return user, issue_api_token(actor=user, name=username)[1]

    kiosk, kiosk_token = account("bench_kiosk", village, Role.VILLAGE_STAFF)
    checker, checker_token = account("bench_checkpoint", township, Role.TOWNSHIP_STAFF)
    venue_codes = [
        create_venue(actor=kiosk, node=village, name=f"场所{i:03d}", kind="shop").code for i in range(venues)
    ]
    spare_venue = create_venue(actor=kiosk, node=village, name="场所（计数用）", kind="shop").code
    surnames, given = "王李张刘陈杨赵黄周吴", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华"
    residents = []
    for i in range(people):
        number = make("371502", dt.date(1950, 1, 1) + dt.timedelta(days=i * 7 % 25000), i % 1000)
        name = surnames[i % len(surnames)] + given[(i // len(surnames)) % len(given)] + given[i % len(given)]
        phone = f"13{i % 10}{i:08d}"
        residents.append((number, name, phone))
    unique = {number: (number, name, phone) for number, name, phone in residents}
    residents = list(unique.values())
    Person.objects.bulk_create(
        [
            Person(
                node=grid,
                name=name,
                name_pinyin="",
                name_initials="",
                sex="male" if int(number[16]) % 2 else "female",
                id_number=number,
                id_last4=number[-4:],
                phone=phone,
                phone_last4=phone[-4:],
            )
            for number, name, phone in residents
        ],
        batch_size=2000,
    )
    persons = dict(Person.objects.values_list("id_number", "pk"))
    Identity.objects.bulk_create(
        [
            Identity(id_number=number, name=name, phone=phone, person_id=persons[number])
            for number, name, phone in residents
        ],
        batch_size=2000,
    )
    identity_ids = list(Identity.objects.order_by("pk").values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "kiosk_token": kiosk_token,
        "checker_token": checker_token,
        "venues": venue_codes,
        "residents": residents,
        "identity_ids": identity_ids,
        "spare_venue": spare_venue,  # for counting queries, outside the pairs the load uses
        "next_index": 0,
    }


def queries_per_request(data: dict) -> dict:
    """How many SQL queries each endpoint makes, through Django's test client in this process (the
    second request of each kind, so that nothing is counted that only a first request does)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fangkong.healthcodes.models import Identity
    from fangkong.healthcodes.tokens import make_token

    install_urls()
    kiosk = {"authorization": f"Bearer {data['kiosk_token']}"}
    checker = {"authorization": f"Bearer {data['checker_token']}"}
    client = Client(SERVER_NAME=HOST)

    def checkin(i):
        number, name, phone = data["residents"][i]
        body = {"client_id": uuid.uuid4().hex, "venue_code": data["spare_venue"], "id_number": number}
        body.update(name=name, phone=phone)
        return client.post("/api/v1/checkins", body, content_type="application/json", headers=kiosk)

    def verify(i):
        token = make_token(Identity(pk=data["identity_ids"][i]))
        return client.post(
            "/api/v1/codes/verify", {"token": token}, content_type="application/json", headers=checker
        )

    calls = {
        "ping": lambda i: client.get("/bench/ping"),
        "api_ping": lambda i: client.get("/bench/api-ping", headers=kiosk),
        "db_ping": lambda i: client.get("/bench/db-ping"),
        "checkin": checkin,
        "verify": verify,
    }
    counts = {}
    for name, call in calls.items():
        call(0)
        with CaptureQueriesContext(connection) as captured:
            response = call(1)
        if response.status_code >= 300:
            raise RuntimeError(f"{name}: {response.status_code} {response.content[:300]!r}")
        counts[name] = len([q for q in captured.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")])
    return counts


# The load generator -------------------------------------------------------------------------------------


def _request(conn_box: list, port: int, method: str, path: str, body: bytes | None, headers: dict):
    """One request on a kept-alive connection, reconnecting once if the server closed it."""
    for attempt in (1, 2):
        if conn_box[0] is None:
            conn_box[0] = HTTPConnection(HOST, port, timeout=30)
        conn = conn_box[0]
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status
        except (OSError, ConnectionError):
            conn.close()
            conn_box[0] = None
            if attempt == 2:
                return 0  # counted as an error
    return 0


def checkin_body(job: dict, index: int) -> bytes:
    """The index-th check-in of the run: resident and venue chosen so that no pair repeats."""
    residents, venues = job["residents"], job["venues"]
    number, name, phone = residents[index % len(residents)]
    venue = venues[(index // len(residents)) % len(venues)]
    return json.dumps(
        {
            "client_id": uuid.uuid4().hex,
            "venue_code": venue,
            "id_number": number,
            "name": name,
            "phone": phone,
        }
    ).encode()


def client_process(job: dict, process_index: int, queue) -> None:
    """Threads hammering one endpoint until the deadline or their share of --max-requests."""
    statuses: Counter = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    slots = job["processes"] * job["threads"]

    def worker(thread_index: int) -> None:
        slot = process_index * job["threads"] + thread_index
        conn_box = [None]
        mine_status: Counter = Counter()
        mine_latency = []
        k = 0
        while time.time() < job["deadline"] and k * slots + slot < job["max_requests"]:
            if job["kind"] == "ping":
                method, path, body, headers = "GET", "/bench/ping", None, {}
            elif job["kind"] == "db_ping":
                method, path, body, headers = "GET", "/bench/db-ping", None, {}
            elif job["kind"] == "api_ping":
                method, path, body = "GET", "/bench/api-ping", None
                headers = {"Authorization": f"Bearer {job['token']}"}
            else:
                method, path = "POST", "/api/v1/checkins"
                body = checkin_body(job, job["first_index"] + k * slots + slot)
                headers = {"Authorization": f"Bearer {job['token']}", "Content-Type": "application/json"}
            started = time.perf_counter()
            status = _request(conn_box, job["port"], method, path, body, headers)
            mine_latency.append(time.perf_counter() - started)
            mine_status[status] += 1
            k += 1
        if conn_box[0] is not None:
            conn_box[0].close()
        with lock:
            statuses.update(mine_status)
            latencies.extend(mine_latency)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(job["threads"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put({"statuses": dict(statuses), "latencies": latencies})


def run_phase(
    kind: str,
    *,
    port: int,
    seconds: float,
    max_requests: int,
    processes: int,
    threads: int,
    data,
    prober: "Prober | None" = None,
) -> dict:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    started = time.time()
    job = {
        "kind": kind,
        "port": port,
        "deadline": started + seconds,
        "max_requests": max_requests,
        "processes": processes,
        "threads": threads,
        "token": data["kiosk_token"],
        "residents": data["residents"],
        "venues": data["venues"],
        "first_index": data["next_index"],
    }
    if kind == "checkin":  # the next phase starts where this one may end: no resident–venue pair twice
        data["next_index"] += max_requests
    children = [context.Process(target=client_process, args=(job, i, queue)) for i in range(processes)]
    for child in children:
        child.start()
    if prober is not None:  # started after the forks: a forked child gets no thread of ours
        prober.start()
    results = [queue.get(timeout=seconds + 120) for _ in children]
    elapsed = time.time() - started
    if prober is not None:
        prober.stopping.set()
        prober.join(timeout=35)
    for child in children:
        child.join(timeout=10)
    statuses: Counter = Counter()
    latencies: list[float] = []
    for result in results:
        statuses.update({int(k): v for k, v in result["statuses"].items()})
        latencies.extend(result["latencies"])
    ok = sum(v for k, v in statuses.items() if 200 <= k < 300)
    return {
        "kind": kind,
        "seconds": round(elapsed, 2),
        "requests": sum(statuses.values()),
        "ok": ok,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "per_second": round(ok / elapsed, 1),
        "latency_ms": summary(latencies),
    }


def summary(latencies: list[float]) -> dict:
    if not latencies:
        return {"n": 0, "median": None, "p99": None}
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return {
        "n": len(ordered),
        "median": round(statistics.median(ordered) * 1000, 2),
        "p99": round(p99 * 1000, 2),
    }


class Prober(threading.Thread):
    """Verifies a fresh health-code token, one request after another, until stopped."""

    def __init__(self, port: int, data: dict, pause: float = 0.02):
        super().__init__(daemon=True)
        self.port, self.data, self.pause = port, data, pause
        self.stopping = threading.Event()
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()

    def run(self) -> None:
        from fangkong.healthcodes.models import Identity
        from fangkong.healthcodes.tokens import make_token

        ids = self.data["identity_ids"]
        headers = {
            "Authorization": f"Bearer {self.data['checker_token']}",
            "Content-Type": "application/json",
        }
        conn_box = [None]
        i = 0
        while not self.stopping.is_set():
            token = make_token(Identity(pk=ids[i * 7919 % len(ids)]))  # signed here, as the code page does
            body = json.dumps({"token": token}).encode()
            started = time.perf_counter()
            status = _request(conn_box, self.port, "POST", "/api/v1/codes/verify", body, headers)
            self.latencies.append(time.perf_counter() - started)
            self.statuses[status] += 1
            i += 1
            self.stopping.wait(self.pause)

    def result(self) -> dict:
        return {"statuses": {str(k): v for k, v in sorted(self.statuses.items())}, **summary(self.latencies)}


def probe(port: int, data: dict, seconds: float) -> dict:
    prober = Prober(port, data)
    prober.start()
    time.sleep(seconds)
    prober.stopping.set()
    prober.join(timeout=35)
    return prober.result()


# The run --------------------------------------------------------------------------------------------------


def checkin_statements(database_url: str, since: float, until: float) -> dict:
    """How many statements wrote the check-ins of a phase: a batch's check-ins share its time (`at`), so
    distinct times count the statements (checkin_actions: scans arriving together share one)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        checkins, statements = conn.execute(
            "SELECT count(*), count(DISTINCT at) FROM codes_checkin WHERE source = 'kiosk' "
            "AND at >= to_timestamp(%s) AND at <= to_timestamp(%s)",
            [since, until],
        ).fetchone()
    return {
        "checkins": checkins,
        "statements": statements,
        "per_statement": round(checkins / statements, 2) if statements else None,
    }


def measure(args, data: dict, port: int, server: subprocess.Popen, database: str, database_url: str) -> dict:
    phase = {
        "port": port,
        "max_requests": args.max_requests,
        "processes": args.client_processes,
        "threads": max(1, args.concurrency // args.client_processes),
        "data": data,
    }
    # Warm-up: every worker thread opens its database connection and loads its code.
    run_phase("ping", seconds=2, **phase)
    run_phase("checkin", seconds=3, **{**phase, "max_requests": WARMUP_CHECKINS})
    probe(port, data, 1)
    memory_before = server_memory(server.pid)

    def timed(kind, **extra):
        """A phase, with the CPU the server and the database spent on each of its requests."""
        before, started = cpu_seconds(server.pid, database), time.time()
        result = run_phase(kind, seconds=args.seconds, **{**phase, **extra})
        result["cpu_ms_per_request"] = per_request_cpu(
            before, cpu_seconds(server.pid, database), result["requests"]
        )
        if kind == "checkin":
            result["statements"] = checkin_statements(database_url, started, time.time())
        return result

    ping_1 = timed("ping")
    db_1 = timed("db_ping")
    api_1 = timed("api_ping")
    prober = Prober(port, data)
    checkin = timed("checkin", prober=prober)
    api_2 = timed("api_ping")
    db_2 = timed("db_ping")
    ping_2 = timed("ping")
    idle = probe(port, data, min(args.seconds, 5))
    idle_checkins = run_phase(
        "checkin", seconds=min(args.seconds, 5), **{**phase, "processes": 1, "threads": 1}
    )
    memory_after = server_memory(server.pid)

    ceiling = (ping_1["per_second"] + ping_2["per_second"]) / 2
    api_floor = (api_1["per_second"] + api_2["per_second"]) / 2
    db_floor = (db_1["per_second"] + db_2["per_second"]) / 2
    share = checkin["per_second"] / ceiling if ceiling else 0
    return {
        "ping": [ping_1, ping_2],
        "api_ping": [api_1, api_2],
        "db_ping": [db_1, db_2],
        "ceiling_per_second": round(ceiling, 1),
        "db_ping_per_second": round(db_floor, 1),
        "db_ping_share_of_ceiling": round(db_floor / ceiling, 3) if ceiling else 0,
        "api_ping_per_second": round(api_floor, 1),
        "checkin": checkin,
        "checkin_share_of_ceiling": round(share, 3),
        "checkin_share_of_api_ping": round(checkin["per_second"] / api_floor, 3) if api_floor else 0,
        "target_share": TARGET,
        "within_target": share >= TARGET,
        "verify_under_load_ms": prober.result(),
        "verify_idle_ms": idle,
        "checkin_one_at_a_time": idle_checkins,
        "memory_before": memory_before,
        "memory_after": memory_after,
        "memory_growth_mib": round(memory_after["total_mib"] - memory_before["total_mib"], 1),
        # Allocator noise, not a leak: a few MiB, or 3 % of what the workers held after the warm-up.
        "memory_stable": memory_after["total_mib"] - memory_before["total_mib"]
        <= max(MEMORY_NOISE_MIB, 0.03 * memory_before["total_mib"]),
        "same_workers": set(memory_before["workers_mib"]) == set(memory_after["workers_mib"]),
    }


def describe(args, result: dict, setup: dict) -> str:
    (ping_1, ping_2), (api_1, api_2) = result["ping"], result["api_ping"]
    db_1, db_2 = result["db_ping"]
    checkin, under, idle = result["checkin"], result["verify_under_load_ms"], result["verify_idle_ms"]
    before, after, queries = result["memory_before"], result["memory_after"], setup["queries"]
    threads = max(1, args.concurrency // args.client_processes)

    def workers(memory):
        return ", ".join(str(v) for v in memory["workers_mib"].values())

    return "\n".join(
        [
            f"Fangkong codes load benchmark: {setup['postgres']}, gunicorn {setup['gunicorn']} "
            f"({args.workers} gthread workers × {args.threads} threads) on {HOST}; {setup['cpus']} CPUs shared "
            f"by server, database and load generator; load average {setup['load_average']} at the start",
            f"load: {args.client_processes} processes × {threads} threads, keep-alive, {args.seconds:g} s a phase; "
            f"{setup['people']} residents, {setup['venues']} venues; SQL queries per request: {queries}",
            "",
            f"GET /bench/ping (trivial, no database)   {ping_1['per_second']:8.1f} req/s, then "
            f"{ping_2['per_second']:.1f} → ceiling {result['ceiling_per_second']:.1f} req/s",
            f"GET /bench/db-ping (one SELECT 1)         {db_1['per_second']:8.1f} req/s, then "
            f"{db_2['per_second']:.1f} → {result['db_ping_per_second']:.1f} req/s = "
            f"{100 * result['db_ping_share_of_ceiling']:.1f} % of the ceiling: any view that waits for the "
            "database once",
            f"GET /bench/api-ping (token auth only)    {api_1['per_second']:8.1f} req/s, then "
            f"{api_2['per_second']:.1f} → {result['api_ping_per_second']:.1f} req/s",
            f"POST /api/v1/checkins                    {checkin['per_second']:8.1f} req/s = "
            f"{100 * result['checkin_share_of_ceiling']:.1f} % of the ceiling (target {100 * TARGET:.0f} %: "
            f"{'met' if result['within_target'] else 'NOT met'}), "
            f"{100 * result['checkin_share_of_api_ping']:.1f} % of api-ping; "
            f"latency median {checkin['latency_ms']['median']} ms, p99 {checkin['latency_ms']['p99']} ms; "
            f"statuses {checkin['statuses']}",
            f"  CPU per request (ms): ping {ping_1['cpu_ms_per_request']}, db-ping {db_1['cpu_ms_per_request']}, "
            f"api-ping {api_1['cpu_ms_per_request']}, check-in {checkin['cpu_ms_per_request']} "
            "(app = gunicorn workers, db = PostgreSQL backends)",
            f"  check-ins per statement: {checkin['statements']['per_statement']} "
            f"({checkin['statements']['checkins']} check-ins written by {checkin['statements']['statements']} "
            "statements: scans arriving together share one, checkin_actions)",
            f"POST /api/v1/checkins one at a time      {result['checkin_one_at_a_time']['per_second']:8.1f} req/s, "
            f"latency median {result['checkin_one_at_a_time']['latency_ms']['median']} ms, "
            f"p99 {result['checkin_one_at_a_time']['latency_ms']['p99']} ms",
            f"POST /api/v1/codes/verify under that load  median {under['median']} ms, p99 {under['p99']} ms "
            f"(n={under['n']}, statuses {under['statuses']})",
            f"POST /api/v1/codes/verify, no other load   median {idle['median']} ms, p99 {idle['p99']} ms "
            f"(n={idle['n']})",
            f"server RSS after the warm-up   {before['total_mib']} MiB (master {before['master_mib']}, "
            f"workers {workers(before)})",
            f"server RSS at the end          {after['total_mib']} MiB (master {after['master_mib']}, "
            f"workers {workers(after)}): {result['memory_growth_mib']:+.1f} MiB, "
            f"{'no growth beyond noise' if result['memory_stable'] else 'GROWTH'}"
            + ("" if result["same_workers"] else " — WORKERS WERE REPLACED during the run"),
            f"check-ins in the database: {setup['checkins_written']} "
            f"(= {checkin['statuses'].get('201', 0)} answered 201 in the measured phase + warm-up and counting)",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8, help="length of each load phase")
    parser.add_argument("--max-requests", type=int, default=50_000, help="cap of requests per phase")
    parser.add_argument("--concurrency", type=int, default=8, help="connections of the load generator")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--people", type=int, default=4000)
    parser.add_argument("--venues", type=int, default=50)
    parser.add_argument(
        "--deadline", type=int, default=600, help="the whole run stops after this many seconds"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url:
        sys.exit(
            "set DATABASE_URL to a PostgreSQL server on 127.0.0.1, e.g. postgres://postgres@127.0.0.1:5432/postgres"
        )
    maintenance, database_url, name = database_urls(server_url)
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("deadline reached")))
    signal.alarm(args.deadline)

    load_average = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    admin_sql(maintenance, f'CREATE DATABASE "{name}"')
    server = None
    try:
        os.environ.update({**SERVER_ENV, "DATABASE_URL": database_url})
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        import gunicorn
        from django.core.management import call_command
        from django.db import connection, connections

        call_command("migrate", verbosity=0)
        data = build(args.people, args.venues)
        if len(data["residents"]) * len(data["venues"]) < WARMUP_CHECKINS + 2 * args.max_requests:
            sys.exit(
                "--people × --venues must exceed --max-requests: every check-in is a new resident–venue pair"
            )
        queries = queries_per_request(data)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            postgres = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        connections.close_all()  # nothing of Django's crosses the forks of the load generator

        port = free_port()
        env = {**SERVER_ENV, "DATABASE_URL": database_url}
        server = start_server("codes_load:server_app()", env, port, args.workers, args.threads)
        wait_until_up(port, server, "/bench/ping")
        result = measure(args, data, port, server, name, database_url)

        from fangkong.venues.models import CheckIn

        written = CheckIn.objects.count()
        setup = {
            "load_average": load_average,
            "queries": queries,
            "database": name,
            "postgres": postgres,
            "gunicorn": gunicorn.__version__,
            "cpus": os.cpu_count(),
            "people": len(data["residents"]),
            "venues": len(data["venues"]),
            "checkins_written": written,
        }
        connections.close_all()
        if args.json:
            print(json.dumps({"setup": setup, "args": vars(args), **result}, ensure_ascii=False, indent=2))
        else:
            print(describe(args, result, setup))
    finally:
        if server is not None:
            stop_server(server)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # Django may not be set up yet; the drop below is what matters
            pass
        admin_sql(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        signal.alarm(0)


if __name__ == "__main__":
    main()
