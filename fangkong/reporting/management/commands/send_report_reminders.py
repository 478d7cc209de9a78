import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from fangkong.lib.dates import parse_date
from fangkong.measures.rules import SHANGHAI
from fangkong.reporting import reminders


def parse_moment(text: str) -> dt.datetime:
    """ "2022-03-11 10:05" (Asia/Shanghai)."""
    day, _, clock = (text or "").strip().partition(" ")
    try:
        hour, minute = (int(part) for part in (clock or "00:00").split(":"))
        return dt.datetime.combine(parse_date(day), dt.time(hour, minute), tzinfo=SHANGHAI)
    except ValueError:
        raise CommandError(f"时间格式不对：{text}（应为 2022-03-11 10:05）") from None


class Command(BaseCommand):
    help = (
        "给截止时间已过仍未报送日报告的单位的工作人员发提醒（每人每单位每天一条，可重复运行） / "
        "Remind the staff of reporting units whose daily report is missing after the deadline (idempotent)"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=reminders.LOOK_BACK_DAYS, help="how many past days to look at"
        )
        parser.add_argument(
            "--now", help="as if it were this moment, e.g. '2022-03-11 10:05' (Asia/Shanghai)"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, days: int, now: str | None, **options):
        if days < 1:
            raise CommandError("--days 应为正整数")
        moment = parse_moment(now) if now else None
        created = reminders.send_report_reminders(now=moment, days=days)
        if options["json"]:
            self.stdout.write(json.dumps({"created": created}))
        else:
            self.stdout.write(f"新发提醒 {created} 条")
