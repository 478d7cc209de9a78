import datetime as dt
import json
import re

from django.core.management.base import BaseCommand, CommandError

from fangkong.grid.models import Jurisdiction
from fangkong.reporting import indicators

# 2022-03-01, 2022/3/1, 2022.3.1, 2022年3月1日
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_day(text: str) -> dt.date:
    match = _DATE.match(text or "")
    if not match:
        raise CommandError(f"日期格式不对：{text}（应为 2022-03-01 或 2022年3月1日）")
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CommandError(f"日期不存在：{text}") from None


class Command(BaseCommand):
    help = "计算一个辖区某日的统计指标 / Compute the indicators of a node's subtree for a day"

    def add_arguments(self, parser):
        parser.add_argument("--node", required=True, help="jurisdiction code, e.g. 371502103")
        parser.add_argument("--date", required=True, help="YYYY-MM-DD or 2022年3月1日 (Asia/Shanghai)")
        parser.add_argument("--only", default="", help="comma-separated indicator codes")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, node: str, date: str, only: str, **options):
        day = parse_day(date)
        jurisdiction = Jurisdiction.objects.filter(code=node.strip()).first()
        if jurisdiction is None:
            raise CommandError(f"辖区代码 {node} 不存在")
        codes = [code.strip() for code in only.split(",") if code.strip()] or None
        try:
            values = indicators.compute(jurisdiction, day, codes=codes)
        except KeyError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            payload = {"node": jurisdiction.code, "date": day.isoformat(), "indicators": values}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(f"{jurisdiction.name}（{jurisdiction.code}） {day:%Y年%m月%d日}")
        for code, value in values.items():
            definition = indicators.REGISTRY[code]
            if isinstance(value, list):
                self.stdout.write(f"{definition.label}：")
                for row in value:
                    self.stdout.write(f"  {row['province']}{row['city']} {row['count']}{definition.unit}")
            else:
                shown = "—" if value is None else value
                self.stdout.write(
                    f"{definition.label}：{shown}{definition.unit if value is not None else ''}"
                )
