import json

from django.core.management.base import BaseCommand, CommandError

from fangkong.grid.divisions import load_county
from fangkong.lib.errors import RuleError


class Command(BaseCommand):
    help = "从统计用区划代码载入一个县（区）的乡镇和村 / Load a county's townships and villages"

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="6-digit county code, e.g. 371502")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, county: str, **options):
        try:
            counts = load_county(county.strip())
        except RuleError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps({"county": county, **counts}, ensure_ascii=False))
        else:
            self.stdout.write(
                f"{county}: 乡镇（街道）{counts['townships']} 个，村（社区）{counts['villages']} 个；"
                f"新建 {counts['created']}，更新 {counts['updated']}，未变 {counts['unchanged']}"
            )
