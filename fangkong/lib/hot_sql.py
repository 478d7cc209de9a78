"""Running the few statements on a hot path (an API token, a kiosk check-in) as prepared statements.

Django binds parameters on the client, so PostgreSQL parses and plans every statement anew. For the
token lookup and the check-in statement that planning cost more CPU than executing them (3 ms of the
database's 4 ms per check-in, bench/codes_load.py). Here they go through a server-binding psycopg
cursor with prepare=True: planned once per connection, then executed. On SQLite, Django's cursor.

Either way the statement joins the connection's transaction, errors become Django's, and the statement
is logged as Django logs queries (so tests that count queries still see it).
"""

import time

from django.db import connection

NEVER_BY_ITSELF = 2**31 - 1


def fetch(sql: str, params: dict | list) -> list[tuple]:
    """The rows of one statement that returns rows (a SELECT, or a write with RETURNING)."""
    if connection.vendor == "postgresql":
        import psycopg

        started = time.perf_counter()
        connection.ensure_connection()
        raw = connection.connection
        if raw.prepare_threshold is None:
            # Django turns preparing off (for poolers in transaction mode, which this deployment does not
            # use); a threshold no other statement reaches lets prepare=True work for these alone.
            raw.prepare_threshold = NEVER_BY_ITSELF
        with connection.wrap_database_errors, psycopg.Cursor(raw) as cursor:
            cursor.execute(sql, params, prepare=True)
            found = cursor.fetchall()
        if connection.queries_logged:  # Django's own cursor logs itself; this one does not
            connection.queries_log.append({"sql": sql, "time": f"{time.perf_counter() - started:.3f}"})
        return found
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
