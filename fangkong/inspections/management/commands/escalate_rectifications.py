import json

from django.core.management.base import BaseCommand

from fangkong.inspections.actions import escalate_overdue


class Command(BaseCommand):
    help = "逾期未整改的整改单逐级上报（按政策的天数），重复运行不重复上报 / Escalate overdue rectification orders up the tree"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        moved = escalate_overdue()
        if options["json"]:
            self.stdout.write(json.dumps({"escalated": moved}))
            return
        self.stdout.write(f"逾期整改单上报 {moved} 项")
