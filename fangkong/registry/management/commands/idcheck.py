import json

from django.core.management.base import BaseCommand

from fangkong.lib import idcard


def check(raw: str) -> dict:
    try:
        parsed = idcard.parse(raw)
    except idcard.InvalidIdNumber as exc:
        return {"input": raw, "valid": False, "reason": str(exc)}
    return {
        "input": raw,
        "valid": True,
        "normalized": parsed.normalized,
        "birth_date": parsed.birth_date.isoformat(),
        "sex": parsed.sex,
        "region": parsed.region,
    }


class Command(BaseCommand):
    help = "校验身份证号（GB 11643-1999）/ Check citizen ID numbers"

    def add_arguments(self, parser):
        parser.add_argument("numbers", nargs="+")
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")

    def handle(self, *args, numbers, json: bool = False, **options):
        results = [check(n) for n in numbers]
        if json:
            self.stdout.write(_dumps(results))
            return
        for r in results:
            if r["valid"]:
                sex = "男" if r["sex"] == "male" else "女"
                self.stdout.write(
                    f"{r['input']}: 有效 {r['normalized']} 出生 {r['birth_date']} {sex} 地区 {r['region']}"
                )
            else:
                self.stdout.write(f"{r['input']}: 无效 — {r['reason']}")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
