"""The 复工复产检查表 preset (DOMAIN.md §16): offered to every jurisdiction, copied to a node to edit."""

from django.db import migrations

NAME = "复工复产检查表"
ITEMS = [
    "体温检测：出入口设测温点，逐人测温并登记",
    "进出登记：人员进出实名登记、扫场所码",
    "口罩：员工和进入人员规范佩戴口罩",
    "消毒：公共区域每日消毒并有消杀记录",
    "通风：办公和生产场所定时开窗通风",
    "隔离观察室：设置临时隔离观察室",
    "应急预案：制定疫情防控应急预案并明确责任人",
    "物资储备：口罩、消毒液、体温计等物资储备充足",
]


def add_preset(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Item = apps.get_model("inspections", "ChecklistItem")
    if Template.objects.filter(node__isnull=True, name=NAME).exists():
        return
    template = Template.objects.create(node=None, name=NAME, description="企业、商户复工复产疫情防控检查")
    Item.objects.bulk_create(Item(template=template, position=i + 1, text=t) for i, t in enumerate(ITEMS))


def remove_preset(apps, schema_editor):
    apps.get_model("inspections", "ChecklistTemplate").objects.filter(node__isnull=True, name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(add_preset, remove_preset)]
