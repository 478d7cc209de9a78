# The Policy model moves here from measures with its table (measures_policy) as it is: this migration only
# tells Django's state that the model now belongs to `policy`; measures 0005 removes it from measures' state.
# Nothing is created or copied in the database.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('grid', '0001_initial'),
        ('measures', '0003_alert_kind_place_reference'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Policy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('effective_from', models.DateField(verbose_name='生效日期')),
                        ('preset', models.CharField(choices=[('2020', '2020年（新冠肺炎防控方案第二至七版）'), ('2021', '2021年（防控方案第八版）'), ('2022-06', '2022年6月（防控方案第九版）'), ('2022-11', '2022年11月（优化防控工作二十条措施）'), ('2022-12', '2022年12月（进一步优化落实新冠肺炎疫情防控措施十条）')], default='2020', max_length=20, verbose_name='基于预设')),
                        ('values', models.JSONField(verbose_name='参数')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='说明')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('node', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='policies', to='grid.jurisdiction', verbose_name='辖区')),
                    ],
                    options={
                        'verbose_name': '防控政策',
                        'db_table': 'measures_policy',
                        'ordering': ['node__path', '-effective_from'],
                        'constraints': [models.UniqueConstraint(fields=('node', 'effective_from'), name='one_policy_per_node_and_day')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
