"""Does migrating a real database to this tree lose or add a row? Loads the demo county with the code of
an earlier commit, counts the rows of every table, migrates with this tree and counts again.

    .venv/bin/python scripts/check_migration_counts.py --before 12d2cbd [--households 500]
        [--database postgres://postgres@127.0.0.1:5432/fk_migration_check]

Without --database it uses a new SQLite file under var/. The PostgreSQL database is dropped and created
anew. Prints one line per table whose count changed and every table's count; exits 1 when one changed.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNT = """
import json, django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    tables = connection.introspection.table_names(cursor)
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
print(json.dumps(counts))
"""


def run(tree: Path, env: dict, *args: str) -> str:
    command = [sys.executable, *args]
    done = subprocess.run(
        command, cwd=tree, env={**env, "PYTHONPATH": str(tree)}, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"{' '.join(args)} in {tree} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def fresh_database(url: str | None) -> str:
    if url is None:
        path = ROOT / "var" / "migration-check.sqlite3"
        path.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the commit whose code loads the demo")
    parser.add_argument("--households", type=int, default=500)
    parser.add_argument("--database", help="a PostgreSQL URL; default a SQLite file under var/")
    options = parser.parse_args()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fangkong.settings",
        "DEBUG": "1",
        "DATABASE_URL": fresh_database(options.database),
    }
    with tempfile.TemporaryDirectory() as before:
        archive = subprocess.run(
            ["git", "archive", options.before], cwd=ROOT, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", before], input=archive.stdout, check=True)
        before = Path(before)
        run(before, env, "-m", "django", "migrate", "--no-input", "-v0")
        run(before, env, "-m", "django", "load_demo", "--households", str(options.households))
        counts_before = json.loads(run(before, env, "-c", COUNT))
    run(ROOT, env, "-m", "django", "migrate", "--no-input", "-v0")
    counts_after = json.loads(run(ROOT, env, "-c", COUNT))
    changed = {
        table: (counts_before[table], counts_after.get(table))
        for table in counts_before
        if table != "django_migrations" and counts_after.get(table) != counts_before[table]
    }
    for table in sorted(set(counts_before) | set(counts_after)):
        print(f"{table:40} {counts_before.get(table, '-'):>8} {counts_after.get(table, '-'):>8}")
    tables = sum(1 for t in counts_before if t != "django_migrations")
    rows = sum(n for t, n in counts_before.items() if t != "django_migrations")
    if changed:
        for table, (was, now) in changed.items():
            print(f"CHANGED {table}: {was} → {now}")
        sys.exit(1)
    print(f"{tables} tables, {rows} rows: every count unchanged ({env['DATABASE_URL'].split(':')[0]})")


if __name__ == "__main__":
    main()
