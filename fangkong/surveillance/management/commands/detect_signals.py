import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fangkong.surveillance.actions import run_detection


class Command(BaseCommand):
    help = "早期预警：对各监测序列按 EARS C1/C2/C3 计算前一日（或指定日期）的预警上限并发出预警 / Run the EARS aberration detection"

    def add_arguments(self, parser):
        parser.add_argument("--day", help="YYYY-MM-DD（默认昨天）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        if options["day"]:
            try:
                day = dt.date.fromisoformat(options["day"])
            except ValueError:
                raise CommandError("日期格式应为 YYYY-MM-DD") from None
        else:
            day = timezone.localdate() - dt.timedelta(days=1)
        counts = run_detection(day=day)
        if options["json"]:
            self.stdout.write(json.dumps({"day": day.isoformat(), **counts}))
            return
        self.stdout.write(
            f"{day:%Y-%m-%d}：监测序列 {counts['series']} 条，信号 {counts['signals']} 个，"
            f"超上限 {counts['alarms']} 条，新增预警 {counts['alerts']} 条"
        )
