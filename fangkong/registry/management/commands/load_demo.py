import json
import time

from django.core.management.base import BaseCommand, CommandError

from fangkong.lib.errors import RuleError
from fangkong.registry.demo import DEFAULT_SEED, load_demo


class Command(BaseCommand):
    help = "载入演示县（山东省聊城市东昌府区）及演示账号 / Load the demo county and its demo accounts (once)"

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=5000, help="households to draw (default 5000)")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="the same seed gives the same people"
        )
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")

    def handle(self, *args, households: int, seed: int, **options):
        if households < 1:
            raise CommandError("--households 应为正整数")
        started = time.perf_counter()
        try:
            result = load_demo(households=households, seed=seed)
        except RuleError as exc:
            raise CommandError(str(exc)) from None
        seconds = round(time.perf_counter() - started, 2)
        if options["json"]:
            payload = {
                "created": result.created,
                "seconds": seconds,
                **result.counts,
                "accounts": result.accounts,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        if result.created:
            c = result.counts
            self.stdout.write(
                f"演示县已载入（{seconds} 秒）：网格 {c['grids']} 个，单位 {c['units']} 个，"
                f"户 {c['households']} 户，人员 {c['persons']} 人。"
            )
        else:
            c = result.counts
            self.stdout.write(
                f"演示县此前已载入，本次未做任何改动（户 {c['households']} 户，人员 {c['persons']} 人）。"
            )
        self.stdout.write("演示账号（仅供演示，切勿在正式服务器上载入演示数据）：")
        self.stdout.write(_table(result.accounts))


def _width(text: str) -> int:
    """Display width: a Chinese character takes two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _table(accounts: list[dict]) -> str:
    header = {"role": "角色", "node": "辖区", "username": "用户名", "password": "密码"}
    rows = [header, *accounts]
    keys = list(header)
    widths = {k: max(_width(r[k]) for r in rows) for k in keys}
    lines = []
    for i, row in enumerate(rows):
        lines.append("  ".join(row[k] + " " * (widths[k] - _width(row[k])) for k in keys).rstrip())
        if i == 0:
            lines.append("  ".join("-" * widths[k] for k in keys))
    return "\n".join(lines)
