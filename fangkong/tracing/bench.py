"""`fangkong bench trace`: the co-presence search on a synthetic city (bench/README.md).

The city: `residents` code identities, `venues` venues whose popularity follows a Zipf law (exponent
`skew`: the busiest few venues take a large share of the scans), and `checkins` check-ins over `days`
days, 07:00–22:00 Asia/Shanghai, 30 % of them with a check-out 5 minutes to 2 hours later and 0.1 % with
a check-out forgotten for three days, generated day by day in time order by Python's random module
(seeded; the same rows on both databases). On PostgreSQL they go in by binary COPY, written with
struct, with the check-in table's indexes and foreign keys dropped during the load and rebuilt after it
(no ORM, no model or datetime object per row; `build_phases` gives the seconds of each step); on SQLite
through executemany. The city is kept in
the database and reused when the same parameters are asked again (table bench_trace_city).

Measured: one case at a time (median and p95), `bulk` cases in one call, Python's peak memory during the
bulk call (tracemalloc, in a separate run as it slows Python down), and the self-join an analyst would
write over the same check-ins exported to DuckDB (COPY … TO a CSV file, then DuckDB reads it), for the
same cases.
"""

import datetime as dt
import json
import random
import resource
import statistics
import struct
import time
import tracemalloc
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from fangkong.grid.models import Jurisdiction, Level
from fangkong.lib.dates import SHANGHAI
from fangkong.tracing.search import EPOCH, MAX_STAY, US, Query, co_presence
from fangkong.venues.models import Venue
from fangkong.venues.queries import dwell_minutes

START = dt.datetime(2022, 3, 1, tzinfo=SHANGHAI)
CHECKOUT_SHARE, FORGOTTEN_SHARE = 0.3, 0.001
WINDOW = dt.timedelta(days=4)  # a look-back window: two days before onset until isolation, typically
BULK_TARGET_S, ONE_TARGET_MS, RATIO_TARGET = 2.0, 20.0, 15.0
DUCKDB_QUERY = """
WITH stays AS (
    SELECT venue_id, identity_id, checked_in_at AS since,
        CASE WHEN checked_out_at IS NULL THEN checked_in_at + {dwell}
             ELSE least(checked_out_at, checked_in_at + {max_stay}) END AS until
    FROM checkins
)
SELECT q.key, b.identity_id, b.venue_id,
    sum(date_diff('microsecond', greatest(a.since, b.since, q.since), least(a.until, b.until, q.until))) AS overlap
FROM q
JOIN stays a ON a.identity_id = q.identity_id AND a.since < q.until AND a.until > q.since
JOIN stays b ON b.venue_id = a.venue_id AND b.since < least(a.until, q.until)
    AND b.until > greatest(a.since, q.since) AND b.identity_id <> q.identity_id
GROUP BY q.key, b.identity_id, b.venue_id
"""


def city_params(residents: int, venues: int, checkins: int, days: int, skew: float, seed: int) -> dict:
    return {
        "residents": residents,
        "venues": venues,
        "checkins": checkins,
        "days": days,
        "skew": skew,
        "seed": seed,
        "generator": 2,  # check-ins generated in Python and loaded by COPY (1: generated in PostgreSQL)
    }


def _stored_city() -> dict | None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_trace_city (params TEXT NOT NULL)")
        cursor.execute("SELECT params FROM bench_trace_city")
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def build_city(params: dict, progress=lambda s: None) -> tuple[bool, float, dict[str, float]]:
    """Load the city unless the database holds it already; (built now, seconds, seconds of each phase)."""
    stored = _stored_city()
    if stored == params:
        return False, 0.0, {}
    if stored is not None or Venue.objects.exists():
        raise RuntimeError("基准数据库已有其他数据，请使用空数据库 / the bench database is not empty")
    started = time.perf_counter()
    # Statement by statement, not in one transaction: PostgreSQL builds the indexes after the load, which
    # it refuses while the foreign keys' deferred checks are pending. The city's row is written last, so an
    # interrupted load is never taken for a city (and the database is refused as not empty).
    node = Jurisdiction.objects.create(code="bench", name="基准城市", level=Level.COUNTY, path="/bench/")
    if connection.vendor == "postgresql":
        phases = _load_postgresql(params, node.pk, progress)
    else:
        with transaction.atomic():
            phases = _load_sqlite(params, node.pk, progress)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_trace_city (params) VALUES (%s)", [json.dumps(params)])
    analyze = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    phases["analyze"] = round(time.perf_counter() - analyze, 1)
    return True, time.perf_counter() - started, phases


def _checkin_rows(p: dict, first_venue: int, first_identity: int):
    """The city's check-ins, day by day in the order of their times (as a kiosk log grows), as
    (venue id, identity id, at, checked-out-at or None) in integer microseconds since the epoch; seeded."""
    rng = random.Random(p["seed"])
    rand = rng.random
    n, k = p["venues"], 1 - p["skew"]
    top = (n + 1) ** k - 1
    residents, last_venue = p["residents"], first_venue - 1 + n
    start_us = (START - EPOCH) // dt.timedelta(microseconds=1)
    day_us, open_us, span_us = 86_400 * US, 7 * 3600 * US, 15 * 3600 * US
    forgotten_us, minute_us = 3 * 86_400 * US, 60 * US
    per_day, extra = divmod(p["checkins"], p["days"])
    for day in range(p["days"]):
        base = start_us + day * day_us + open_us
        times = sorted(rand() for _ in range(per_day + (1 if day < extra else 0)))
        for t in times:
            u = rand()
            r = int((n + 1) ** u) if abs(k) < 1e-9 else int((1 + u * top) ** (1 / k))
            at = base + int(t * span_us)
            x = rand()
            if x < FORGOTTEN_SHARE:
                out = at + forgotten_us
            elif x < CHECKOUT_SHARE:
                out = at + int((5 + rand() * 115) * minute_us)
            else:
                out = None
            yield min(first_venue - 1 + r, last_venue), first_identity + int(rand() * residents), at, out


# PostgreSQL's binary COPY: a row is its field count, then each field's length and bytes (bigint: 8 bytes,
# timestamptz: 8 bytes of microseconds since 2000-01-01 UTC, NULL: length -1 and no bytes).
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TAIL = struct.pack(">i5si5s", 5, b"phone", 5, b"green")
_ROW_OUT = struct.Struct(">hiqiqiqiq")
_ROW_OPEN = struct.Struct(">hiqiqiqi")
_PG_EPOCH_US = (dt.datetime(2000, 1, 1, tzinfo=dt.UTC) - EPOCH) // dt.timedelta(microseconds=1)


def _copy_blocks(rows, rows_per_block: int = 50_000):
    """The rows as binary COPY data, in blocks of bytes."""
    out, opened, tail, shift = _ROW_OUT.pack, _ROW_OPEN.pack, _COPY_TAIL, _PG_EPOCH_US
    block = [_COPY_HEADER]
    for venue, identity, at, checked_out in rows:
        if checked_out is None:
            block.append(opened(6, 8, venue, 8, identity, 8, at - shift, -1))
        else:
            block.append(out(6, 8, venue, 8, identity, 8, at - shift, 8, checked_out - shift))
        block.append(tail)
        if len(block) >= 2 * rows_per_block:
            yield b"".join(block)
            block = []
    block.append(struct.pack(">h", -1))
    yield b"".join(block)


def _load_postgresql(p: dict, node_id: int, progress) -> dict[str, float]:
    """Identities and venues generated in the database; check-ins generated in Python and sent by binary
    COPY into the emptied table in the same transaction (COPY … FREEZE: written once, already visible to
    all, so index-only scans need no VACUUM first). The check-in table's indexes and foreign keys are dropped
    for the load and rebuilt after it (one index build and one join per key instead of 20 M index insertions
    and 40 M deferred trigger checks). Inside a transaction (the tests') nothing is dropped and COPY is
    plain. Returns the seconds of each phase."""
    phases: dict[str, float] = {}
    clock = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[name] = round(now - clock, 1)
        clock = now

    with connection.cursor() as cursor:
        progress("居民 / identities")
        cursor.execute(
            """INSERT INTO codes_identity (id_number, name, phone, created_at)
            SELECT lpad(i::text, 18, '0'), '居民' || i, '', now() FROM generate_series(1, %s) i""",
            [p["residents"]],
        )
        progress("场所 / venues")
        cursor.execute(
            """INSERT INTO codes_venue (node_id, name, kind, address, contact_name, contact_phone, code, active,
                created_at)
            SELECT %s, '场所' || i, (ARRAY['shop','market','restaurant','station','clinic'])[1 + i %% 5], '', '', '',
                'bench-' || i, true, now() FROM generate_series(1, %s) i""",
            [node_id, p["venues"]],
        )
        cursor.execute("SELECT min(id) FROM codes_venue")
        first_venue = cursor.fetchone()[0]
        cursor.execute("SELECT min(id) FROM codes_identity")
        first_identity = cursor.fetchone()[0]
        phase("identities_venues")
        standalone = not connection.in_atomic_block
        constraints, indexes = [], []
        if standalone:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'codes_checkin'::regclass AND contype IN ('f', 'u')"
            )
            constraints = cursor.fetchall()
            for name, _ in constraints:
                cursor.execute(f'ALTER TABLE codes_checkin DROP CONSTRAINT "{name}"')
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = 'codes_checkin'::regclass AND NOT i.indisprimary"
            )
            indexes = cursor.fetchall()
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        progress(f"扫码记录 / check-ins ({p['checkins']:,})")
        columns = "venue_id, identity_id, at, checked_out_at, source, colour_shown"
        with transaction.atomic():
            if standalone:
                cursor.execute("TRUNCATE codes_checkin")
            options = "FORMAT binary, FREEZE" if standalone else "FORMAT binary"
            with cursor.cursor.copy(f"COPY codes_checkin ({columns}) FROM STDIN WITH ({options})") as copy:
                for block in _copy_blocks(_checkin_rows(p, first_venue, first_identity)):
                    copy.write(block)
        phase("checkins_copy")
        if standalone:
            progress("索引 / indexes")
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _, definition in indexes:
                cursor.execute(definition)
            phase("indexes")
            for name, definition in constraints:
                if definition.startswith("UNIQUE"):
                    cursor.execute(f'ALTER TABLE codes_checkin ADD CONSTRAINT "{name}" {definition}')
            for name, definition in constraints:
                if not definition.startswith("UNIQUE"):
                    cursor.execute(f'ALTER TABLE codes_checkin ADD CONSTRAINT "{name}" {definition}')
            cursor.execute("RESET maintenance_work_mem")
            phase("constraints")
    return phases


def _load_sqlite(p: dict, node_id: int, progress) -> dict[str, float]:
    started = time.perf_counter()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO codes_identity (id_number, name, phone, created_at) VALUES (%s, %s, '', %s)",
            [(f"{i:018d}", f"居民{i}", now) for i in range(1, p["residents"] + 1)],
        )
        kinds = ["shop", "market", "restaurant", "station", "clinic"]
        cursor.executemany(
            "INSERT INTO codes_venue (node_id, name, kind, address, contact_name, contact_phone, code, active, "
            "created_at) VALUES (%s, %s, %s, '', '', '', %s, 1, %s)",
            [(node_id, f"场所{i}", kinds[i % 5], f"bench-{i}", now) for i in range(1, p["venues"] + 1)],
        )
        cursor.execute("SELECT min(id) FROM codes_venue")
        first_venue = cursor.fetchone()[0]
        cursor.execute("SELECT min(id) FROM codes_identity")
        first_identity = cursor.fetchone()[0]
        adapt = connection.ops.adapt_datetimefield_value

        def moment(us: int) -> str:
            return adapt(EPOCH + dt.timedelta(microseconds=us))

        batch = []
        for venue, identity, at, out in _checkin_rows(p, first_venue, first_identity):
            batch.append((venue, identity, moment(at), moment(out) if out is not None else None))
            if len(batch) == 50_000:
                _insert_sqlite(cursor, batch)
                batch = []
        _insert_sqlite(cursor, batch)
    return {"all": round(time.perf_counter() - started, 1)}


def _insert_sqlite(cursor, rows) -> None:
    cursor.executemany(
        "INSERT INTO codes_checkin (venue_id, identity_id, at, checked_out_at, source, colour_shown) "
        "VALUES (%s, %s, %s, %s, 'phone', 'green')",
        rows,
    )


def pick_cases(count: int, days: int, seed: int) -> list[Query]:
    """Residents who checked in somewhere, each with a window of WINDOW ending within the city's days."""
    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM codes_identity")
        low, high = cursor.fetchone()
    queries, seen = [], set()
    while len(queries) < count:
        identity = rng.randint(low, high)
        if identity in seen:
            continue
        seen.add(identity)
        since = START + dt.timedelta(days=rng.uniform(0, days - WINDOW.days))
        queries.append(Query(len(queries) + 1, (identity,), since, since + WINDOW))
    return queries


def cached_dwell():
    """venues.queries.dwell_minutes once per (node, kind) of a venue without its own value (they share the
    policy's value), so the bench times the search rather than one policy look-up per venue."""
    known: dict = {}

    def dwell(venue: Venue) -> int:
        if venue.dwell_minutes:
            return venue.dwell_minutes
        key = (venue.node_id, venue.kind)
        if key not in known:
            known[key] = dwell_minutes(venue)
        return known[key]

    return dwell


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run_trace_bench(
    *,
    residents: int = 1_000_000,
    venues: int = 100_000,
    checkins: int = 20_000_000,
    days: int = 14,
    skew: float = 0.8,
    single: int = 50,
    bulk: int = 1000,
    seed: int = 20220301,
    duckdb_dir: Path | None = None,
    progress=lambda s: None,
) -> dict:
    params = city_params(residents, venues, checkins, days, skew, seed)
    built, build_seconds, phases = build_city(params, progress)
    with override_settings(DEBUG=False):  # query logging would time Django's log, not the search
        result = _measure(params, built, build_seconds, single, bulk, seed, days, duckdb_dir, progress)
    result["build_phases"] = phases
    return result


def _measure(params, built, build_seconds, single, bulk, seed, days, duckdb_dir, progress) -> dict:
    dwell = cached_dwell()
    cases = pick_cases(max(single, bulk), days, seed)
    co_presence(cases[:1], dwell=dwell)  # warm-up: connection, policy, plans

    progress("单个病例 / one case at a time")
    one_ms, one_hits = [], []
    for q in cases[:single]:
        started = time.perf_counter()
        hits = co_presence([q], dwell=dwell)
        one_ms.append((time.perf_counter() - started) * 1000)
        one_hits.append(len(hits))

    progress(f"批量 / {bulk} cases at once")
    started = time.perf_counter()
    bulk_hits = co_presence(cases[:bulk], dwell=dwell)
    bulk_s = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    co_presence(cases[:bulk], dwell=dwell)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    result = {
        "database": connection.vendor,
        "city": params,
        "built": built,
        "build_seconds": round(build_seconds, 1),
        "window_days": WINDOW.days,
        "one_case": {
            "cases": single,
            "median_ms": round(statistics.median(one_ms), 2),
            "p95_ms": round(_percentile(one_ms, 0.95), 2),
            "max_ms": round(max(one_ms), 2),
            "median_hits": statistics.median(one_hits),
            "target_ms": ONE_TARGET_MS,
        },
        "bulk": {
            "cases": bulk,
            "seconds": round(bulk_s, 3),
            "hits": len(bulk_hits),
            "target_s": BULK_TARGET_S,
            "python_peak_mb": round(peak / 2**20, 1),
            "process_max_rss_mb": round(rss_mb, 1),
        },
    }
    if duckdb_dir is not None:
        result["duckdb"] = duckdb_baseline(cases[:single], cases[:bulk], duckdb_dir, params, progress)
        result["duckdb"]["ratio_one"] = round(
            result["duckdb"]["one_median_ms"] / result["one_case"]["median_ms"], 1
        )
        result["duckdb"]["ratio_bulk"] = round(result["duckdb"]["bulk_seconds"] / bulk_s, 1)
        result["duckdb"]["target_ratio"] = RATIO_TARGET
    return result


def _export(path: Path) -> None:
    """The check-ins as CSV (epoch microseconds), through COPY on PostgreSQL."""
    us = "(EXTRACT(EPOCH FROM {0}) * 1000000)::bigint"
    select = (
        f"SELECT venue_id, identity_id, {us.format('at')}, {us.format('checked_out_at')} FROM codes_checkin"
    )
    with connection.cursor() as cursor, path.open("wb") as out:
        with cursor.cursor.copy(f"COPY ({select}) TO STDOUT WITH (FORMAT csv)") as copy:
            for block in copy:
                out.write(block)


def duckdb_baseline(single: list[Query], bulk: list[Query], folder: Path, params: dict, progress) -> dict:
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "trace.duckdb"
    stamp = folder / "trace.params.json"
    if not (db_path.exists() and stamp.exists() and json.loads(stamp.read_text()) == params):
        progress("导出到 DuckDB / export to DuckDB")
        db_path.unlink(missing_ok=True)
        csv = folder / "checkins.csv"
        _export(csv)
        con = duckdb.connect(str(db_path))
        con.execute(
            f"""CREATE TABLE checkins AS SELECT venue_id, identity_id, make_timestamp(at_us) AS checked_in_at,
                CASE WHEN out_us IS NULL THEN NULL ELSE make_timestamp(out_us) END AS checked_out_at
            FROM read_csv('{csv}', header = false,
                columns = {{'venue_id': 'BIGINT', 'identity_id': 'BIGINT', 'at_us': 'BIGINT', 'out_us': 'BIGINT'}})"""
        )
        con.close()
        csv.unlink()
        stamp.write_text(json.dumps(params))
    con = duckdb.connect(str(db_path), read_only=True)
    # The dwell of every bench venue is the policy's 30 minutes (no venue has its own).
    sql = DUCKDB_QUERY.format(
        dwell="INTERVAL 30 MINUTE", max_stay=f"INTERVAL {int(MAX_STAY.total_seconds())} SECOND"
    )

    def run(queries: list[Query]) -> tuple[float, int]:
        rows = [(q.key, i, _naive_utc(q.since), _naive_utc(q.until)) for q in queries for i in q.identity_ids]
        con.execute(
            "CREATE OR REPLACE TEMP TABLE q (key BIGINT, identity_id BIGINT, since TIMESTAMP, until TIMESTAMP)"
        )
        con.executemany("INSERT INTO q VALUES (?, ?, ?, ?)", rows)
        started = time.perf_counter()
        found = con.execute(sql).fetchall()
        return time.perf_counter() - started, len(found)

    progress("DuckDB")
    run(single[:1])  # warm-up: the table into memory
    one = [run([q])[0] * 1000 for q in single]
    bulk_s, bulk_rows = run(bulk)
    con.close()
    return {
        "one_median_ms": round(statistics.median(one), 2),
        "one_p95_ms": round(_percentile(one, 0.95), 2),
        "bulk_seconds": round(bulk_s, 3),
        "bulk_rows": bulk_rows,
        "version": duckdb.__version__,
    }


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    return (EPOCH + (moment - EPOCH)).replace(tzinfo=None)


def default_duckdb_dir() -> Path:
    return Path(settings.VAR_DIR) / "bench"
