from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery


def fill_since(apps, schema_editor):
    """Each kept balance's first movement date, from the ledger."""
    Stock = apps.get_model("supplies", "Stock")
    Movement = apps.get_model("supplies", "Movement")
    first = (
        Movement.objects.filter(store=OuterRef("store"), item=OuterRef("item"))
        .order_by()
        .values("store")
        .annotate(first=Min("on"))
        .values("first")
    )
    Stock.objects.update(since=Subquery(first))


class Migration(migrations.Migration):
    dependencies = [
        ("supplies", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="stock",
            name="since",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(fill_since, migrations.RunPython.noop),
    ]
