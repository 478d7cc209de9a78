from django.db import migrations

from fangkong.lib.sorting import natural_key


def fill(apps, schema_editor):
    Household = apps.get_model("registry", "Household")
    batch = []
    for household in Household.objects.only("id", "address").iterator(chunk_size=2000):
        household.address_key = natural_key(household.address)
        batch.append(household)
        if len(batch) == 2000:
            Household.objects.bulk_update(batch, ["address_key"])
            batch = []
    Household.objects.bulk_update(batch, ["address_key"])


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_household_address_key")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
