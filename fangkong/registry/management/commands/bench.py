import json
import os

from django.core.management.base import BaseCommand, CommandError

from fangkong.lib.errors import RuleError
from fangkong.registry.bench import bench_sqlite_path, format_report, run_registry_bench, use_sqlite_file
from fangkong.registry.population import DEFAULT_SEED


class Command(BaseCommand):
    help = "性能基准 / Benchmarks: `bench registry` times the scoped person list and searches"

    def add_arguments(self, parser):
        parser.add_argument("subject", choices=["registry"])
        parser.add_argument("--persons", type=int, default=100_000, help="persons in the bench county")
        parser.add_argument("--repeat", type=int, default=20, help="timed runs of each case")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--json", action="store_true", help="print one JSON object for scripts")
        parser.add_argument(
            "--current-database",
            action="store_true",
            help="measure in the configured database instead of var/bench/registry-N.sqlite3 "
            "(implied when DATABASE_URL is set; the database must be empty or hold this bench county)",
        )

    def handle(self, *args, subject: str, persons: int, repeat: int, seed: int, **options):
        if persons < 1 or repeat < 1:
            raise CommandError("--persons 和 --repeat 应为正整数")
        if not options["current_database"] and not os.environ.get("DATABASE_URL"):
            path = bench_sqlite_path(persons)
            self.stderr.write(f"基准数据库 / bench database: {path}")
            use_sqlite_file(path)
        try:
            result = run_registry_bench(persons=persons, repeat=repeat, seed=seed, progress=self.stderr.write)
        except RuleError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(format_report(result))
