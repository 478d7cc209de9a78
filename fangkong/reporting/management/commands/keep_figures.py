import json

from django.core.management.base import BaseCommand, CommandError

from fangkong.reporting import kept
from fangkong.reporting.management.commands.send_report_reminders import parse_moment


class Command(BaseCommand):
    help = (
        "计算并保存数据看板已结束各日的指标（缺失或因补录、更正而失效的），至乡镇一级（可重复运行） / "
        "Count and keep the dashboard's figures of closed days that are missing or stale, down to the "
        "townships (idempotent)"
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=kept.trends.DAYS, help="how many closed days")
        parser.add_argument(
            "--now", help="as if it were this moment, e.g. '2022-03-11 01:05' (Asia/Shanghai)"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, days: int, now: str | None, **options):
        if days < 1:
            raise CommandError("--days 应为正整数")
        result = kept.keep_closed_days(now=parse_moment(now) if now else None, days=days)
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(f"{result['nodes']} 个辖区、{result['days']} 天：保存 {result['rows_kept']} 行")
