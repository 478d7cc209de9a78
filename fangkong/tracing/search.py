"""The co-presence search (DOMAIN.md §5): who stayed at a venue while a case was there.

The interface is the contract the rest of tracing builds on, and the one a later engine (Apache Spark over an
exported check-in log) implements too: a list of `Query` in, a list of `Hit` out, no model objects.

A stay is a check-in's interval: from `at` to `checked_out_at`, or to `at` plus the venue's dwell time
when there is no check-out. No stay lasts longer than `MAX_STAY` (12 hours): a check-out later than that is
a forgotten one (the kiosk's "leave" tapped the next morning, or never until a batch closed it days later),
and counting days of presence would make everyone who passed later a contact; a check-out before the
check-in gives no stay. A query's own stays are those of its identities whose interval meets the window
[since, until], clipped to it. A hit is another identity whose stays at the same venue overlap the query's
clipped stays by more than zero (microseconds count); its overlap is the length of the intersection of the
two unions of stays (a person checked in twice is not counted twice), in whole seconds rounded down.

How it runs: in the database, in four statements whatever the number of queries (the queries go in as one
JSON parameter, so neither the statements nor their plans grow with them): the venues the queries'
identities stayed at, those venues (for their dwell times, `dwell` called once per venue, plus whatever
`dwell` itself reads), then one statement that

1. reads each query's own check-ins through the (identity, at) index and clips them to its window;
2. for each own stay reads the check-ins at that venue from MAX_STAY before it to its end through the
   (venue, at, identity, checked_out_at) index, read from the index alone on PostgreSQL; there in two
   disjoint ranges: every check-in from the own stay's start minus the venue's dwell, and before that only
   those with a check-out, through a partial index holding them alone (tracing migration 0002), and in
   PostgreSQL's own timestamps and intervals (no conversion per check-in read);
3. intersects each pair (own stay × other stay) and sums, per (query, identity, venue), the length of the
   union of those pieces in one ordered pass (a running maximum of the ends seen so far, a window function:
   SQLite ≥ 3.25 and PostgreSQL alike), since the union of pairwise intersections is the intersection of
   the unions.

Cost: with k own stays and m check-ins at a venue within MAX_STAY + a stay of them, O(k log n + Σ m) index
reads (on PostgreSQL m counts the check-ins within the dwell, plus those with a check-out within MAX_STAY)
and a sort of the P pieces, O(P log P); memory in Python is the hits returned, `Hit` tuples of ints (their
datetimes are made when asked). The search never loads a model object per check-in.
"""

import datetime as dt
import gc
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

from fangkong.venues.models import Venue

MAX_STAY = dt.timedelta(hours=12)
US = 1_000_000  # microseconds in a second: the statement computes in integer microseconds since the epoch
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Query:
    key: int  # the caller's handle: a case's id, or a close contact's candidate id for secondary contacts
    identity_ids: tuple[int, ...]  # whose stays are searched from; never themselves a hit
    since: dt.datetime
    until: dt.datetime


class Hit(NamedTuple):
    """A tuple with the overlap's bounds in microseconds since the epoch, made into datetimes only when
    asked: a morning's bulk returns hundreds of thousands of hits, and making two datetimes for each (in
    Python, or by the database driver) took longer than the search itself."""

    key: int
    identity_id: int
    venue_id: int
    first_us: int  # the start of the first overlap
    last_us: int  # the end of the last overlap
    overlap_seconds: int

    @classmethod
    def at(
        cls, key, identity_id, venue_id, first_at: dt.datetime, last_at: dt.datetime, overlap_seconds: int
    ):
        return cls(key, identity_id, venue_id, _us(first_at), _us(last_at), overlap_seconds)

    @property
    def first_at(self) -> dt.datetime:
        return EPOCH + dt.timedelta(microseconds=self.first_us)

    @property
    def last_at(self) -> dt.datetime:
        return EPOCH + dt.timedelta(microseconds=self.last_us)

    @property
    def overlap_minutes(self) -> int:
        return self.overlap_seconds // 60


def co_presence(queries: Sequence[Query], *, dwell: Callable[[Venue], int]) -> list[Hit]:
    """Every hit of every query, ordered by key, then overlap (longest first), venue and identity.
    `dwell(venue)` gives the minutes a stay without a check-out lasts (venues.queries.dwell_minutes)."""
    pg = connection.vendor == "postgresql"
    rows = [
        [q.key, identity_id, *_bounds(q, pg)]
        for q in queries
        for identity_id in q.identity_ids
        if q.since < q.until
    ]
    if not rows:
        return []
    sql = _Sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql.own_venues(), sql.queries_param(rows))
        venue_ids = [row[0] for row in cursor.fetchall()]
    if not venue_ids:
        return []
    venues = Venue.objects.select_related("node").order_by().filter(id__in=RawSQL(*sql.ids(venue_ids)))
    max_stay = int(MAX_STAY.total_seconds()) * US
    dwells = [(v.id, min(int(dwell(v)) * 60 * US, max_stay)) for v in venues]
    params = {**sql.queries_param(rows), **sql.dwells_param(dwells)}
    statement = sql.search_pg() if pg else sql.search()
    with connection.cursor() as cursor:
        cursor.execute(statement, {**params, "max_stay": MAX_STAY if pg else max_stay})
        return _fetch_hits(cursor)


def _fetch_hits(cursor) -> list[Hit]:
    """The rows as `Hit`s, with the cyclic garbage collector paused while they are made: hundreds of
    thousands of new tuples set it off again and again, each time walking every object alive, which took
    twice as long as making them (tuples of ints make no cycles to collect)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return list(map(Hit._make, cursor.fetchall()))
    finally:
        if paused:
            gc.enable()


def _bounds(q: Query, pg: bool) -> list:
    """since and until (as PostgreSQL compares timestamps; SQLite's statement in microseconds), and the range
    of check-in times that may meet the window."""
    if pg:
        return [_aware(q.since), _aware(q.until), q.since - MAX_STAY, q.until]
    return [_us(q.since), _us(q.until), _db(q.since - MAX_STAY), _db(q.until)]


def _aware(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        raise ValueError("co_presence needs aware datetimes")
    return moment


def _us(moment: dt.datetime) -> int:
    if timezone.is_naive(moment):
        raise ValueError("co_presence needs aware datetimes")
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def _db(moment: dt.datetime) -> str:
    """The moment as the database compares it with a stored `at` (SQLite stores UTC text)."""
    if connection.vendor == "sqlite":
        return str(connection.ops.adapt_datetimefield_value(moment))
    return moment.isoformat()


class _Sql:
    """The statements, with the few expressions that differ between SQLite and PostgreSQL."""

    def __init__(self, vendor: str):
        self.pg = vendor == "postgresql"
        self.integer = "bigint" if self.pg else "INTEGER"

    def us(self, column: str) -> str:
        """A timestamp column as integer microseconds since the epoch (exact on both)."""
        if self.pg:
            # date_part is double precision (EXTRACT is numeric since PostgreSQL 14, three times slower over
            # millions of rows); its error at today's epoch is under 0.3 µs, so rounding gives the exact µs.
            return f"(date_part('epoch', {column}) * 1000000)::bigint"
        # SQLite keeps 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC: whole seconds, then the six digits if any.
        return f"(CAST(strftime('%%s', {column}) AS INTEGER) * 1000000 + CAST(substr({column}, 21, 6) AS INTEGER))"

    def ts(self, us: str) -> str:
        """Microseconds back to a value an index on a timestamp column can seek by, to the whole second
        (callers widen their range by a second and filter exactly in microseconds)."""
        if self.pg:
            return f"to_timestamp(({us}) / 1000000)"
        return f"strftime('%%Y-%%m-%%d %%H:%%M:%%S', ({us}) / 1000000, 'unixepoch')"

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.pg else f"MAX({a}, {b})"

    def least(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})" if self.pg else f"MIN({a}, {b})"

    # PostgreSQL gets the queries as arrays: unnest() of a constant array tells the planner how many rows
    # there are (it takes a JSON function for 100, and then prefers reading the whole check-in table).
    # SQLite has no arrays: one JSON text, read with json_each.
    QUERY_COLUMNS = ("key", "identity_id", "since", "until", "lo", "hi")
    PG_TYPES = ("bigint", "bigint", "timestamptz", "timestamptz", "timestamptz", "timestamptz")

    def queries_param(self, rows: list[list]) -> dict:
        if self.pg:
            return {f"q_{name}": [row[i] for row in rows] for i, name in enumerate(self.QUERY_COLUMNS)}
        return {"q": json.dumps(rows)}

    def queries(self) -> str:
        """The rows [key, identity, since µs, until µs, since - MAX_STAY, until] as a table."""
        if self.pg:
            arrays = ", ".join(
                f"%(q_{name})s::{kind}[]"
                for name, kind in zip(self.QUERY_COLUMNS, self.PG_TYPES, strict=True)
            )
            return f"SELECT * FROM unnest({arrays}) AS t ({', '.join(self.QUERY_COLUMNS)})"
        return """SELECT json_extract(value, '$[0]') AS key, json_extract(value, '$[1]') AS identity_id,
            json_extract(value, '$[2]') AS since, json_extract(value, '$[3]') AS until,
            json_extract(value, '$[4]') AS lo, json_extract(value, '$[5]') AS hi FROM json_each(%(q)s)"""

    def dwells_param(self, dwells: list[tuple[int, int]]) -> dict:
        if self.pg:
            return {"dw_venue": [v for v, _ in dwells], "dw_us": [us for _, us in dwells]}
        return {"dw": json.dumps(dwells)}

    def dwells(self) -> str:
        if self.pg:
            return "SELECT * FROM unnest(%(dw_venue)s::bigint[], %(dw_us)s::bigint[]) AS t (venue_id, us)"
        return """SELECT json_extract(value, '$[0]') AS venue_id, json_extract(value, '$[1]') AS us
            FROM json_each(%(dw)s)"""

    def ids(self, ids: list[int]) -> tuple[str, list]:
        if self.pg:
            return "SELECT unnest(%s::bigint[])", [ids]
        return "SELECT value FROM json_each(%s)", [json.dumps(ids)]

    def own_venues(self) -> str:
        return f"""SELECT DISTINCT c.venue_id FROM ({self.queries()}) q
            JOIN codes_checkin c ON c.identity_id = q.identity_id AND c.at >= q.lo AND c.at < q.hi"""

    def stay_end(self, c: str, a: str, dwell: str) -> str:
        """The end of check-in `c`'s stay, `a` being its start and `dwell` its venue's dwell in µs."""
        capped = self.least(self.us(f"{c}.checked_out_at"), f"{a} + %(max_stay)s")
        return f"CASE WHEN {c}.checked_out_at IS NULL THEN {a} + {dwell} ELSE {capped} END"

    def search(self) -> str:
        a_own, a_other = self.us("c.at"), self.us("c.at")
        return f"""
WITH q AS MATERIALIZED ({self.queries()}),
dw AS MATERIALIZED ({self.dwells()}),
own AS MATERIALIZED (
    SELECT key, venue_id, s, e, dus,
        {self.ts("s - %(max_stay)s - 1000000")} AS scan_from, {self.ts("e + 1000000")} AS scan_to,
        {self.ts("s - dus - 1000000")} AS open_from, {self.ts("s - 1000000")} AS out_after
    FROM (SELECT key, venue_id, dus, {self.greatest("a", "since")} AS s, {self.least("b", "until")} AS e
          FROM (SELECT q.key, q.since, q.until, c.venue_id, dw.us AS dus, {a_own} AS a,
                       {self.stay_end("c", a_own, "dw.us")} AS b
                FROM q JOIN codes_checkin c ON c.identity_id = q.identity_id AND c.at >= q.lo AND c.at < q.hi
                JOIN dw ON dw.venue_id = c.venue_id) x
          WHERE b > a AND b > since AND a < until) z
),
pieces AS (
    SELECT key, identity_id, venue_id, {self.greatest("a", "s")} AS ps, {self.least("b", "e")} AS pe
    FROM (SELECT o.key, o.venue_id, o.s, o.e, c.identity_id, {a_other} AS a,
                 {self.stay_end("c", a_other, "o.dus")} AS b
          FROM own o JOIN codes_checkin c ON c.venue_id = o.venue_id
              AND c.at >= o.scan_from AND c.at < o.scan_to
              -- cheap tests on the stored times first (a second wide): the stay may reach the own stay
              AND (c.checked_out_at > o.out_after OR (c.checked_out_at IS NULL AND c.at >= o.open_from))) y
    WHERE b > a AND b > s AND a < e
      AND NOT EXISTS (SELECT 1 FROM q WHERE q.key = y.key AND q.identity_id = y.identity_id)
),
ranked AS (
    SELECT key, identity_id, venue_id, ps, pe, MAX(pe) OVER (
        PARTITION BY key, identity_id, venue_id ORDER BY ps, pe ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS prev_end FROM pieces
),
hits AS (
    SELECT key, identity_id, venue_id, MIN(ps) AS first_us, MAX(pe) AS last_us,
        CAST(SUM(CASE WHEN prev_end IS NULL OR ps >= prev_end THEN pe - ps
                      WHEN pe > prev_end THEN pe - prev_end ELSE 0 END) AS {self.integer}) / 1000000 AS seconds
    FROM ranked GROUP BY key, identity_id, venue_id
)
SELECT key, identity_id, venue_id, first_us, last_us, seconds FROM hits
ORDER BY key, seconds DESC, venue_id, identity_id"""

    def search_pg(self) -> str:
        """The same on PostgreSQL in its own timestamps and intervals (microseconds, exact): no conversion per
        check-in read. The stays that may overlap an own stay [s, e) at a venue are read in two disjoint
        ranges: every check-in from s minus the venue's dwell (a stay without check-out lasts exactly the
        dwell) through the covering index, and before that, back to s minus MAX_STAY, only the check-ins with
        a check-out, through the partial index that holds them alone (tracing migration 0002)."""
        stay_end = """CASE WHEN c.checked_out_at IS NULL THEN c.at + {d}
            ELSE LEAST(c.checked_out_at, c.at + %(max_stay)s) END"""
        return f"""
WITH q AS MATERIALIZED ({self.queries()}),
dw AS MATERIALIZED (
    SELECT venue_id, us * interval '1 microsecond' AS d
    FROM unnest(%(dw_venue)s::bigint[], %(dw_us)s::bigint[]) AS t (venue_id, us)
),
own AS MATERIALIZED (
    SELECT key, venue_id, d, s, e FROM (
        SELECT q.key, c.venue_id, dw.d, GREATEST(c.at, q.since) AS s,
            LEAST({stay_end.format(d="dw.d")}, q.until) AS e
        FROM q JOIN codes_checkin c ON c.identity_id = q.identity_id AND c.at >= q.lo AND c.at < q.hi
        JOIN dw ON dw.venue_id = c.venue_id) x
    WHERE e > s
),
pieces AS (
    SELECT key, identity_id, venue_id, GREATEST(a, s) AS ps, LEAST(b, e) AS pe FROM (
        SELECT o.key, o.venue_id, o.s, o.e, c.identity_id, c.at AS a, {stay_end.format(d="o.d")} AS b
        FROM own o JOIN codes_checkin c ON c.venue_id = o.venue_id AND c.at > o.s - o.d AND c.at < o.e
            AND (c.checked_out_at IS NULL OR c.checked_out_at > o.s)
        UNION ALL
        SELECT o.key, o.venue_id, o.s, o.e, c.identity_id, c.at,
            LEAST(c.checked_out_at, c.at + %(max_stay)s)
        FROM own o JOIN codes_checkin c ON c.venue_id = o.venue_id AND c.checked_out_at IS NOT NULL
            AND c.at > o.s - %(max_stay)s AND c.at <= o.s - o.d AND c.checked_out_at > o.s) y
    WHERE b > a AND b > s AND a < e
      AND NOT EXISTS (SELECT 1 FROM q WHERE q.key = y.key AND q.identity_id = y.identity_id)
),
ranked AS (
    SELECT key, identity_id, venue_id, ps, pe, MAX(pe) OVER (
        PARTITION BY key, identity_id, venue_id ORDER BY ps, pe ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS prev_end FROM pieces
),
hits AS (
    SELECT key, identity_id, venue_id, MIN(ps) AS first_at, MAX(pe) AS last_at,
        floor(EXTRACT(epoch FROM SUM(CASE WHEN prev_end IS NULL OR ps >= prev_end THEN pe - ps
                      WHEN pe > prev_end THEN pe - prev_end ELSE interval '0' END)))::bigint AS seconds
    FROM ranked GROUP BY key, identity_id, venue_id
)
SELECT key, identity_id, venue_id, {self.us("first_at")}, {self.us("last_at")}, seconds FROM hits
ORDER BY key, seconds DESC, venue_id, identity_id"""
