from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from fangkong.grid import scoping
from fangkong.lib.dates import parse_date
from fangkong.lib.errors import RuleError
from fangkong.reporting.ledgers import export_daily


def _day(text: str):
    try:
        return parse_date(text)
    except ValueError:
        raise CommandError(f"日期格式不对：{text}（应为 2022-03-01 或 2022年3月1日）") from None


class Command(BaseCommand):
    help = (
        "导出辖区日报告汇总表为 Excel（每单位每天一行），按账号的辖区范围，记入审计 / "
        "Export the daily-report table of a node and a date range as .xlsx, scoped to the user and audited"
    )

    def add_arguments(self, parser):
        parser.add_argument("--node", required=True, help="code of the node")
        parser.add_argument("--from", dest="start", required=True, help="first day, 2022-03-01")
        parser.add_argument("--to", dest="end", required=True, help="last day, 2022-03-31")
        parser.add_argument("--user", required=True, help="username the export is done as")
        parser.add_argument("--out", required=True, help="the .xlsx file to write")

    def handle(self, *args, node, start, end, user, out, **options):
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"用户 {user} 不存在或已停用")
        try:
            jurisdiction = scoping.access_jurisdiction(actor, node)
            name, content = export_daily(actor=actor, node=jurisdiction, start=_day(start), end=_day(end))
        except Http404:
            raise CommandError(f"辖区 {node} 不存在，或不在 {user} 的辖区范围内") from None
        except RuleError as exc:
            raise CommandError("；".join(exc.errors.values())) from None
        Path(out).write_bytes(content)
        self.stdout.write(f"已导出 {name} → {out}")
