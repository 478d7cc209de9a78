from django.db import migrations


def relabel(apps, schema_editor, old="reporting", new="situation"):
    """The content type (and permissions) of SituationNotes keep their rows under the new app label."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(app_label=old, model="situationnotes").update(
        app_label=new
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0002_situation_notes_to_situation"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(relabel, lambda apps, editor: relabel(apps, editor, old="situation", new="reporting")),
    ]
