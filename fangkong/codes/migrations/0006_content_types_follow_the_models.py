from django.db import migrations

MOVED = {
    "healthcodes": ["identity", "riskarea", "manualcolour", "appeal", "identifyattempt", "verificationcount"],
    "checkpoints": ["checkpoint", "dutyshift", "passage"],
    "venues": ["venue", "checkin"],
}


def relabel(apps, schema_editor, forward=True):
    """The content types (and so the permissions) of the moved models keep their rows and ids under the
    new app labels, instead of new ones being made beside stale ones. A new database has none yet."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app, models in MOVED.items():
        old, new = ("codes", app) if forward else (app, "codes")
        ContentType.objects.using(schema_editor.connection.alias).filter(app_label=old, model__in=models).update(
            app_label=new
        )


class Migration(migrations.Migration):
    dependencies = [
        ("codes", "0005_tables_to_healthcodes_checkpoints_venues"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(relabel, lambda apps, editor: relabel(apps, editor, forward=False)),
    ]
