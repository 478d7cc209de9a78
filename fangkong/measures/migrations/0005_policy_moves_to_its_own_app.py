# Policy now belongs to the `policy` app (policy 0001), which keeps its table measures_policy: the model
# leaves measures' state only, and no table is dropped.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('measures', '0004_measure_policy_points_at_policy_app'),
        ('policy', '0001_policy_from_measures'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Policy')],
            database_operations=[],
        ),
    ]
