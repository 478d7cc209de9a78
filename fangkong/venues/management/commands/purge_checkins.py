import json

from django.core.management.base import BaseCommand

from fangkong.venues.retention import purge_checkins


class Command(BaseCommand):
    help = (
        "删除超过保存期限的扫码记录（按各县政策）/ Purge check-ins older than each county's retention period"
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count only, delete nothing")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, dry_run: bool, **options):
        results = purge_checkins(dry_run=dry_run)
        if options["json"]:
            rows = [
                {
                    "county": r.county.code,
                    "name": r.county.name,
                    "retention_days": r.days,
                    "before": r.before.isoformat(),
                    "count": r.count,
                }
                for r in results
            ]
            self.stdout.write(json.dumps({"dry_run": dry_run, "counties": rows}, ensure_ascii=False))
            return
        verb = "将删除" if dry_run else "已删除"
        for r in results:
            self.stdout.write(
                f"{r.county.name}（{r.county.code}）：保存{r.days}天，{verb} {r.before:%Y-%m-%d} 以前的扫码记录 {r.count} 条"
            )
        if not results:
            self.stdout.write("没有县级辖区，未删除任何记录")
