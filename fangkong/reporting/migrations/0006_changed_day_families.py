"""Triggers that keep reporting_changedday (reporting.models.ChangedDay) up to date, in two families.

The dashboard keeps the figures of a closed day (KeptFigures) and trusts each family of them while the sum
of ChangedDay's counts of that family up to that day is unchanged. So every write that can change a closed
day's figures must bump the row of the earliest day it can change — and not only the writes made through
the actions: an import's bulk_create, a QuerySet.update(), a raw UPDATE or a delete cascading from
elsewhere send no Django signal. Triggers in the database see them all, so no write path can change a kept
closed day unseen.

Each write computes the EARLIEST local day (Asia/Shanghai) whose figures it can change; if that day is
before today (local, by the database's clock) it bumps that day's count of the table's family: `records`
(screenings, measures, follow-ups: the charted and cumulative figures) or `residents` (residences,
verifications, doses: the residents' counts); a move in the tree bumps both. A write for today or later
does nothing (no hot row for today's writes), nor does one from which no day follows (all NULL).

The rule per table (OLD/NEW as in a trigger; "earliest" ignores NULLs):

- measures_screening: the screened_on day (on update, the earliest of OLD's and NEW's).
- measures_measure: insert/delete: the day of started_at. Update: if started_at, kind, node_id or
  person_id changed, the earliest of OLD's and NEW's started_at days; else if released_at or
  transferred_to_id changed, the earliest of OLD's and NEW's released_at days (neither released: the day
  NEW started); else nothing (notes, the version counter…).
- measures_followup: the slot_date (on update, the earliest of OLD's and NEW's).
- registry_residence: insert/delete: the day of started_at. Update: if started_at, node_id or person_id
  changed, the earliest of OLD's and NEW's started_at days; else if ended_at changed, the earliest of
  OLD's and NEW's ended_at days.
- registry_person: update only, when verification or verified_at changed: the earliest of OLD's and NEW's
  verified_at days. (A person is counted through their residences; inserting or deleting one is not.)
- vaccination_dose: the given_on day (on update, of any column, the earliest of OLD's and NEW's).
- grid_jurisdiction: update of path or parent_id: 1900-01-01, i.e. every day (the tree moved).

Once per transaction on PostgreSQL. Every bump of a day updates the same ChangedDay row, and PostgreSQL
looks through every version of a row one transaction has updated: bumped on every row written, n writes
of one past day in one transaction cost about n² (20,000 single-row inserts: 4.9 s; an UPDATE of a
million rows: over 30 minutes). One bump per transaction says as much — the transaction's writes commit
together, and a kept row counted before the commit holds the sum without it — so the function marks the
(family, day) it bumped in a transaction-local setting and bumps it again only when the mark is stale.
A savepoint rolled back takes the bump and the mark back together. The one case a mark must not hide: the
same transaction reads ChangedDay to keep figures and then writes again (the figures counted its earlier
writes). So each read of ChangedDay by kept.py advances the setting READS (kept.changed_days_read), and a
mark holds the value of READS when it was set: a write after a read bumps again. SQLite writes a row in
place and bumps on every row written.

A trigger fires only on the writes that have a rule (on registry_person and grid_jurisdiction, updates
alone): PostgreSQL has one plpgsql function and one row trigger per table, SQLite one trigger per table
and kind of write. Each vendor's SQL is built from the table of rules below, written once with small
expression helpers.
Local days: PostgreSQL stores timestamptz, and `(col AT TIME ZONE 'Asia/Shanghai')::date` is the local day.
SQLite stores Django's datetimes as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]', and `date(col, '+8 hours')`
is the local day: a fixed offset is right because Asia/Shanghai has kept UTC+8 without daylight saving
since 1991 (the records are all later). DateFields are local days already.

"Earliest, ignoring NULLs" is spelled the same on both: SQLite's min(a, b) is NULL when any argument is,
while PostgreSQL's LEAST skips NULLs, so each argument is COALESCEd to 9999-12-31 and a result of
9999-12-31 is turned back into NULL ("no day").

This migration replaces the triggers of 0005 (one count per day, bumped on every row), which it drops
first; 0005 now does nothing. The kept figures are dropped too: they hold a single sum.

Beware (SQLite): a later migration that makes Django rebuild one of these tables (most ALTERs on SQLite
create a new table, copy the rows and drop the old one) drops its triggers with it; such a migration must
create them again. reporting/tests/test_changed_days.py checks that every trigger is there.
"""

from django.db import migrations, models

FAR = "9999-12-31"
EVERY_DAY = "1900-01-01"
PREFIX = "fangkong_changed_day"  # of the transaction-local settings (PostgreSQL)
READS = f"{PREFIX}.reads"  # advanced by kept.changed_days_read; the marks are PREFIX.<family>_<yyyymmdd>
RECORDS, RESIDENTS, TREE = "records", "residents", "tree"
BUMPS = {RECORDS: (1, 0), RESIDENTS: (0, 1), TREE: (1, 1)}  # (records, residents) added by each family


class Sql:
    """Expression builders for one vendor."""

    def __init__(self, vendor):
        self.pg = vendor == "postgresql"

    def date(self, literal):
        return f"DATE '{literal}'" if self.pg else f"'{literal}'"

    def day(self, col):
        """The local day of a timestamp column."""
        return f"({col} AT TIME ZONE 'Asia/Shanghai')::date" if self.pg else f"date({col}, '+8 hours')"

    def today(self):
        return "(now() AT TIME ZONE 'Asia/Shanghai')::date" if self.pg else "date('now', '+8 hours')"

    def earliest(self, *exprs):
        """The earliest of the days, NULLs ignored; NULL when all are."""
        far = self.date(FAR)
        args = ", ".join(f"COALESCE({e}, {far})" for e in exprs)
        return f"NULLIF({'LEAST' if self.pg else 'min'}({args}), {far})"

    def changed(self, *cols):
        op = "IS DISTINCT FROM" if self.pg else "IS NOT"
        return "(" + " OR ".join(f"OLD.{c} {op} NEW.{c}" for c in cols) + ")"

    def case(self, *whens):
        """CASE WHEN cond THEN day … END: NULL (nothing) when no condition holds."""
        return "CASE " + " ".join(f"WHEN {cond} THEN {expr}" for cond, expr in whens) + " END"


def both(s, col, day=None):
    """The earliest of OLD's and NEW's day of `col`."""
    day = day or (lambda c: c)
    return s.earliest(day(f"OLD.{col}"), day(f"NEW.{col}"))


def rules(s):
    """(table, family, insert expr, update expr, delete expr) for vendor `s`; None: that write changes no
    day."""
    return [
        ("measures_screening", RECORDS, "NEW.screened_on", both(s, "screened_on"), "OLD.screened_on"),
        (
            "measures_measure",
            RECORDS,
            s.day("NEW.started_at"),
            s.case(
                (s.changed("started_at", "kind", "node_id", "person_id"), both(s, "started_at", s.day)),
                (
                    s.changed("released_at", "transferred_to_id"),
                    f"COALESCE({both(s, 'released_at', s.day)}, {s.day('NEW.started_at')})",
                ),
            ),
            s.day("OLD.started_at"),
        ),
        ("measures_followup", RECORDS, "NEW.slot_date", both(s, "slot_date"), "OLD.slot_date"),
        (
            "registry_residence",
            RESIDENTS,
            s.day("NEW.started_at"),
            s.case(
                (s.changed("started_at", "node_id", "person_id"), both(s, "started_at", s.day)),
                (s.changed("ended_at"), both(s, "ended_at", s.day)),
            ),
            s.day("OLD.started_at"),
        ),
        (
            "registry_person",
            RESIDENTS,
            None,
            s.case((s.changed("verification", "verified_at"), both(s, "verified_at", s.day))),
            None,
        ),
        ("vaccination_dose", RESIDENTS, "NEW.given_on", both(s, "given_on"), "OLD.given_on"),
        (
            "grid_jurisdiction",
            TREE,
            None,
            s.case((s.changed("path", "parent_id"), s.date(EVERY_DAY))),
            None,
        ),
    ]


def upsert(values):
    """Add the family's bump to the day's row. `values` gives (day, records, residents)."""
    return (
        f"INSERT INTO reporting_changedday (day, records, residents) {values} "
        "ON CONFLICT (day) DO UPDATE SET records = reporting_changedday.records + excluded.records, "
        "residents = reporting_changedday.residents + excluded.residents"
    )


def name(table, event=""):
    return f"fk_changed_day_{table}" + (f"_{event.lower()}" if event else "")


def events(insert, update, delete):
    return [
        (event, expr) for event, expr in (("INSERT", insert), ("UPDATE", update), ("DELETE", delete)) if expr
    ]


def postgresql_sql(s):
    """One plpgsql function and one row trigger per table, fired by the writes that have a rule."""
    for table, family, insert, update, delete in rules(s):
        found = events(insert, update, delete)
        branches = " ".join(
            f"{'IF' if n == 0 else 'ELSIF'} TG_OP = '{event}' THEN d := {expr};"
            for n, (event, expr) in enumerate(found)
        )
        records, residents = BUMPS[family]
        yield f"""
CREATE FUNCTION {name(table)}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE d date; mark text; reads text;
BEGIN
    {branches} END IF;
    IF d IS NOT NULL AND d < {s.today()} THEN
        mark := '{PREFIX}.{family}_' || to_char(d, 'YYYYMMDD');
        reads := COALESCE(NULLIF(current_setting('{READS}', true), ''), '0');
        IF current_setting(mark, true) IS DISTINCT FROM reads THEN
            {upsert(f"VALUES (d, {records}, {residents})")};
            PERFORM set_config(mark, reads, true);
        END IF;
    END IF;
    RETURN NULL;
END
$$"""
        yield (
            f"CREATE TRIGGER {name(table)} AFTER {' OR '.join(e for e, _ in found)} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name(table)}()"
        )


def sqlite_sql(s):
    """One trigger per table and write that has a rule. (The SELECT has a WHERE, as SQLite requires of an
    INSERT … SELECT … ON CONFLICT.)"""
    for table, family, insert, update, delete in rules(s):
        records, residents = BUMPS[family]
        for event, expr in events(insert, update, delete):
            values = (
                f"SELECT d, {records}, {residents} FROM (SELECT {expr} AS d) "
                f"WHERE d IS NOT NULL AND d < {s.today()}"
            )
            yield f"""
CREATE TRIGGER {name(table, event)} AFTER {event} ON {table} FOR EACH ROW
BEGIN
    {upsert(values)};
END"""


def drop_sql(s):
    """Drops the triggers of this migration and those of 0005 (the same names)."""
    for table, _family, insert, update, delete in rules(s):
        if s.pg:
            yield f"DROP TRIGGER IF EXISTS {name(table)} ON {table}"
            yield f"DROP FUNCTION IF EXISTS {name(table)}()"
        else:
            for event, _ in events(insert, update, delete):
                yield f"DROP TRIGGER IF EXISTS {name(table, event)}"


def run(schema_editor, build):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"no ChangedDay triggers for {vendor}")
    for sql in build(Sql(vendor)):
        schema_editor.execute(sql, params=None)  # None: no %-interpolation of the SQL


def create(apps, schema_editor):
    run(schema_editor, lambda s: postgresql_sql(s) if s.pg else sqlite_sql(s))


def drop(apps, schema_editor):
    run(schema_editor, drop_sql)


def forget_kept_figures(apps, schema_editor):
    apps.get_model("reporting", "KeptFigures").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0005_changed_day_triggers")]

    operations = [
        migrations.RunPython(drop, migrations.RunPython.noop),
        migrations.RunPython(forget_kept_figures, migrations.RunPython.noop),
        migrations.RenameField("changedday", "version", "records"),
        migrations.AddField("changedday", "residents", models.BigIntegerField(default=0)),
        migrations.RemoveField("keptfigures", "seen"),
        # No default: every kept row is gone (forget_kept_figures), and each new one is given both sums.
        *(
            migrations.AddField("keptfigures", field, models.BigIntegerField(default=0), preserve_default=False)
            for field in ("seen_records", "seen_residents")
        ),
        migrations.RunPython(create, drop),
    ]
