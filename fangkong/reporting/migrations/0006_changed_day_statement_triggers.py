"""PostgreSQL: the ChangedDay triggers of 0005 fire once per statement, not once per row.

0005's row triggers upserted the same ChangedDay row for every row written. PostgreSQL keeps every version
of a row updated again and again in one transaction and looks through all of them at each upsert, so a
statement writing many rows of one past day cost time growing with the square of their number: a
million residences re-dated by one UPDATE ran for over half an hour. A statement trigger reads the
statement's rows (its transition tables) and bumps the earliest day they can change, once. That is
enough: a kept day is valid while the sum of the versions up to it is unchanged, so bumping the earliest
day makes every later one stale as well. The rules per table (which day a write changes) are 0005's,
read from there; `OLD.`/`NEW.` become the old and new rows of the statement, paired by id.

PostgreSQL allows transition tables only on a trigger of one event: one function and trigger per table
and event. SQLite has row triggers only, and its upserts are cheap: it keeps 0005's.
"""

import importlib

from django.db import migrations

rows = importlib.import_module("fangkong.reporting.migrations.0005_changed_day_triggers")

SOURCES = {
    "INSERT": ("REFERENCING NEW TABLE AS new_rows", "new_rows AS n"),
    "UPDATE": (
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "old_rows AS o JOIN new_rows AS n ON n.id = o.id",
    ),
    "DELETE": ("REFERENCING OLD TABLE AS old_rows", "old_rows AS o"),
}


def per_statement(expr: str) -> str:
    return expr.replace("OLD.", "o.").replace("NEW.", "n.")


def statement_sql(s):
    for table, insert, update, delete in rows.rules(s):
        for event, expr in rows.events(insert, update, delete):
            referencing, source = SOURCES[event]
            name = rows.name(table, event)
            yield f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE d date;
BEGIN
    SELECT min({per_statement(expr)}) INTO d FROM {source};
    IF d IS NOT NULL AND d < {s.today()} THEN
        {rows.UPSERT.format(values="VALUES (d, 1)")};
    END IF;
    RETURN NULL;
END
$$"""
            yield (
                f"CREATE TRIGGER {name} AFTER {event} ON {table} {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )


def drop_statement_sql(s):
    for table, insert, update, delete in rows.rules(s):
        for event, _ in rows.events(insert, update, delete):
            yield f"DROP TRIGGER IF EXISTS {rows.name(table, event)} ON {table}"
            yield f"DROP FUNCTION IF EXISTS {rows.name(table, event)}()"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        rows.run(schema_editor, rows.drop_sql)
        rows.run(schema_editor, statement_sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        rows.run(schema_editor, drop_statement_sql)
        rows.run(schema_editor, rows.postgresql_sql)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0005_changed_day_triggers")]

    operations = [migrations.RunPython(forward, backward)]
