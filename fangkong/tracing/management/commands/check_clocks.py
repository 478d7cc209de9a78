import json

from django.core.management.base import BaseCommand

from fangkong.tracing.actions import check_clocks


class Command(BaseCommand):
    help = "检查病例的时限（2小时直报、4小时核心流调、24小时流调报告和密接管控），超时预警一次、完成后处置 / Raise and resolve the case clock alerts"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        result = check_clocks()
        if options["json"]:
            self.stdout.write(json.dumps(result.__dict__))
            return
        self.stdout.write(
            f"检查病例 {result.cases} 例：新增时限预警 {result.raised} 条，已处置 {result.resolved} 条"
        )
