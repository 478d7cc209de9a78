"""The market-supervision checklist preset (DOMAIN.md §14), in the inspections app's tables: offered to
every jurisdiction, copied to a node to edit. Its items are in markets/rules.py, frozen here as written."""

from django.db import migrations

NAME = "市场监管疫情防控检查表"
DESCRIPTION = "农贸市场、商场超市、冻品店、餐饮店、药店等经营户疫情防控检查"
ITEMS = [
    "消毒：经营场所每日消毒并有消杀记录",
    "体温检测：入口设测温点，对进入人员测温",
    "口罩：从业人员和顾客规范佩戴口罩",
    "进货台账：进货查验记录和购销台账完整",
    "从业人员健康：建立从业人员健康监测登记",
    "通风：经营场所定时通风",
    "野生动物：无野生动物交易、无活禽现场宰杀",
    "药店实名登记：退热、止咳等四类药品实名登记销售",
]


def add_preset(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Item = apps.get_model("inspections", "ChecklistItem")
    if Template.objects.filter(node__isnull=True, name=NAME).exists():
        return
    template = Template.objects.create(node=None, name=NAME, description=DESCRIPTION)
    Item.objects.bulk_create(Item(template=template, position=i + 1, text=t) for i, t in enumerate(ITEMS))


def remove_preset(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Template.objects.filter(node__isnull=True, name=NAME, inspections__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("markets", "0001_initial"), ("inspections", "0002_preset_checklist")]
    operations = [migrations.RunPython(add_preset, remove_preset)]
