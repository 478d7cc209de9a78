"""The check-ins with a check-out, by venue and time: the co-presence search reads the long stays that began
before an own stay's start minus the venue's dwell from this index alone (tracing/search.py). PostgreSQL
only: SQLite's statement reads the covering index over the whole range. The index lives on venues' table
but is the search's concern, so it is created here and not in the model's state."""

from django.db import migrations

INDEX = "checkin_venue_at_checked_out"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON codes_checkin (venue_id, at) "
            "INCLUDE (identity_id, checked_out_at) WHERE checked_out_at IS NOT NULL"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("tracing", "0001_initial"),
        ("venues", "0002_checkin_cover_index"),
    ]

    operations = [migrations.RunPython(create, drop)]
