import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fangkong.grid.models import Jurisdiction, Level
from fangkong.surveillance import risk
from fangkong.surveillance.actions import propose_risk_areas, run_detection


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
        # the risk areas by the rule of each county's policy, proposed for the county to confirm
        proposed = 0
        for county in Jurisdiction.objects.filter(level=Level.COUNTY):
            rule = risk.default_rule(county, day)
            if rule:
                proposed += len(propose_risk_areas(county=county, day=day, rule=rule))
        counts["risk_proposals"] = proposed
        if options["json"]:
            self.stdout.write(json.dumps({"day": day.isoformat(), **counts}))
            return
        self.stdout.write(
            f"{day:%Y-%m-%d}：监测序列 {counts['series']} 条，信号 {counts['signals']} 个，"
            f"超上限 {counts['alarms']} 条，新增预警 {counts['alerts']} 条；风险区待确认 {proposed} 个"
        )
