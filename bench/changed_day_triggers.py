"""What the ChangedDay triggers (reporting migration 0006) cost a transaction that writes many records of
past days — an import of last week's screenings, a year of records loaded at once.

Each case writes screenings in ONE transaction, twice — with the triggers and with them turned off inside
the same transaction — and rolls both back; the ratio on/off is the triggers' cost. The cases: n rows of
yesterday in one bulk insert (1,000 per statement), n single-row inserts of yesterday, and n rows spread
over the last 60 days. On PostgreSQL a transaction bumps a day once, so the cost grows with n; with a bump
on every row (migration 0005) n writes of one day cost about n² (20,000 single-row inserts: 4.9 s).

    .venv/bin/python bench/changed_day_triggers.py                      # SQLite (var/bench-triggers.sqlite3)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fk_bench_triggers .venv/bin/python bench/changed_day_triggers.py
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("LOG_LEVEL", "ERROR")
# Not the demo's database: a file of its own.
os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{Path(__file__).resolve().parent.parent / 'var' / 'bench-triggers.sqlite3'}"
)

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from fangkong.grid.models import Jurisdiction, Level  # noqa: E402
from fangkong.lib.idcard import make  # noqa: E402
from fangkong.measures.models import Reason, Screening  # noqa: E402
from fangkong.registry.models import Person  # noqa: E402


def triggers_off(cursor) -> None:
    """Turn the screenings' ChangedDay triggers off until the transaction is rolled back."""
    if connection.vendor == "postgresql":
        cursor.execute("ALTER TABLE measures_screening DISABLE TRIGGER fk_changed_day_measures_screening")
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", ["%screening%"]
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TRIGGER {name}")


def timed(write, n: int, *, triggers: bool) -> float:
    """Seconds to write n screenings in one transaction, rolled back."""
    with transaction.atomic():
        person, node = fixtures()
        if not triggers:
            with connection.cursor() as cursor:
                triggers_off(cursor)
        started = time.perf_counter()
        write(person, node, n)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def fixtures():
    node = Jurisdiction.objects.create(
        code="bench-triggers", name="基准网格", level=Level.GRID, path="bench/"
    )
    person = Person.objects.create(
        node=node, name="张伟", sex="male", id_number=make("371502", dt.date(1990, 3, 7), 1)
    )
    return person, node


def today() -> dt.date:
    return timezone.localdate()


def screening(person, node, day):
    return Screening(person=person, node=node, reason=Reason.ARRIVAL, screened_on=day, arrived_on=day)


def bulk_of_yesterday(person, node, n):
    yesterday = today() - dt.timedelta(days=1)
    Screening.objects.bulk_create((screening(person, node, yesterday) for _ in range(n)), batch_size=1000)


def single_rows_of_yesterday(person, node, n):
    yesterday = today() - dt.timedelta(days=1)
    for _ in range(n):
        screening(person, node, yesterday).save()


def bulk_over_60_days(person, node, n):
    first = today() - dt.timedelta(days=60)
    Screening.objects.bulk_create(
        (screening(person, node, first + dt.timedelta(days=i % 60)) for i in range(n)), batch_size=1000
    )


CASES = [
    ("bulk_insert_yesterday", bulk_of_yesterday, [5_000, 20_000, 100_000]),
    ("single_row_inserts_yesterday", single_rows_of_yesterday, [5_000, 20_000]),
    ("bulk_insert_60_days", bulk_over_60_days, [100_000]),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(
        f"ChangedDay triggers — {connection.vendor}; median of {args.repeat}, one transaction each, rolled back"
    )
    print(f"{'case':<34}{'rows':>9}{'on s':>9}{'off s':>9}{'on/off':>8}")
    for name, write, sizes in CASES:
        for n in sizes:
            on, off = [], []
            for _ in range(args.repeat):  # alternately, so that a drift of the machine hits both
                on.append(timed(write, n, triggers=True))
                off.append(timed(write, n, triggers=False))
            on_s, off_s = sorted(on)[len(on) // 2], sorted(off)[len(off) // 2]
            print(f"{name:<34}{n:>9}{on_s:>9.2f}{off_s:>9.2f}{on_s / off_s:>8.2f}")


if __name__ == "__main__":
    main()
