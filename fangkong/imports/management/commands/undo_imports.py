import json

from django.core.management.base import BaseCommand

from fangkong.imports.batches import undo_abandoned


class Command(BaseCommand):
    help = (
        "撤销中断的导入（进程被终止或断电时已分批写入的部分）；下一次导入开始前也会自动撤销 / "
        "Undo the imports whose process died while writing in chunks (the next import does it too)"
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options):
        undone = undo_abandoned()
        if options["json"]:
            self.stdout.write(json.dumps({"undone": undone}))
        else:
            self.stdout.write(f"已撤销中断的导入{undone}次")
