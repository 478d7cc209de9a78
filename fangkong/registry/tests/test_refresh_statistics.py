"""The nightly ANALYZE: without statistics SQLite lists a grid by reading every person."""

import io

from django.core.management import call_command
from django.db import connection

from fangkong.registry.models import Person


def persons_the_planner_counts() -> int | None:
    """How many rows of registry_person the planner's statistics say there are (None: no statistics)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return None
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'registry_person' AND idx IS NULL")
            row = (
                cursor.fetchone()
                or cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'registry_person'").fetchone()
            )
            return int(row[0].split()[0]) if row else None
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'registry_person'")
        tuples = cursor.fetchone()[0]
        return None if tuples < 0 else int(tuples)


def test_it_gives_the_planner_the_number_of_people_registered(people):
    registered = Person.objects.count()
    out = io.StringIO()
    call_command("refresh_statistics", stdout=out)
    assert persons_the_planner_counts() == registered
    assert connection.vendor in out.getvalue()
