# The content type of Policy follows the model from measures to policy, so that its permissions and
# anything else keyed on it stay attached, and no stale measures|policy row is left beside a new one.
# On a fresh database there is nothing to rename yet: the row is created for `policy` after migrating.

from django.db import migrations


def rename(apps, schema_editor, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label=new, model="policy").exists():
        ContentType.objects.using(db).filter(app_label=old, model="policy").update(app_label=new)


def forwards(apps, schema_editor):
    rename(apps, schema_editor, "measures", "policy")


def backwards(apps, schema_editor):
    rename(apps, schema_editor, "policy", "measures")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('policy', '0001_policy_from_measures'),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
