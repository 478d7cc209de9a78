"""Created the first ChangedDay triggers: one count per day, bumped on every row written. Migration 0006
drops them and creates their successors (two families, once per transaction on PostgreSQL), so this one
now does nothing; it stays for the databases migrated through it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0004_kept_figures"),
        ("measures", "0005_policy_moves_to_its_own_app"),
        ("registry", "0005_day_change_indexes"),
        ("vaccination", "0001_ledger"),
        ("grid", "0001_initial"),
    ]

    operations = []
