import json
import os

from django.core.management.base import BaseCommand, CommandError

from fangkong.lib.errors import RuleError
from fangkong.registry.bench import bench_sqlite_path, format_report, run_registry_bench, use_sqlite_file
from fangkong.registry.population import DEFAULT_SEED

# The command lives in home, above every app in the import order, so it can reach each app's bench.


class Command(BaseCommand):
    help = (
        "性能基准 / Benchmarks: `bench registry` times the scoped person list and searches; "
        "`bench trace` the co-presence search on a synthetic city"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "subject",
            choices=[
                "registry",
                "trace",
                "testing",
                "vaccination",
                "supplies",
                "schools",
                "coldchain",
                "surveillance",
            ],
        )
        parser.add_argument(
            "--persons", type=int, default=100_000, help="registry: persons in the bench county"
        )
        parser.add_argument("--repeat", type=int, default=20, help="registry: timed runs of each case")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--json", action="store_true", help="print one JSON object for scripts")
        parser.add_argument(
            "--current-database",
            action="store_true",
            help="measure in the configured database instead of var/bench/… .sqlite3 "
            "(implied when DATABASE_URL is set; the database must be empty or hold this bench's data)",
        )
        parser.add_argument("--stores", type=int, default=300, help="supplies: stores")
        parser.add_argument("--items", type=int, default=1000, help="supplies: items")
        parser.add_argument(
            "--movements",
            type=int,
            default=1_000_000,
            help="supplies: ledger lines over a year; coldchain: movements of lots",
        )
        parser.add_argument("--residents", type=int, default=1_000_000, help="trace: code identities")
        parser.add_argument("--venues", type=int, default=100_000, help="trace: venues")
        parser.add_argument("--checkins", type=int, default=20_000_000, help="trace: check-ins")
        parser.add_argument("--days", type=int, default=14, help="trace: days of check-ins")
        parser.add_argument(
            "--skew", type=float, default=0.8, help="trace: Zipf exponent of venue popularity"
        )
        parser.add_argument("--single", type=int, default=50, help="trace: cases timed one at a time")
        parser.add_argument("--bulk", type=int, default=1000, help="trace: cases searched in one call")
        parser.add_argument("--no-duckdb", action="store_true", help="trace: skip the DuckDB baseline")

    def handle(self, *args, subject: str, **options):
        if subject == "surveillance":
            from fangkong.surveillance.bench import run as run_surveillance_bench

            result = run_surveillance_bench(seed=options["seed"] or 15)
        elif subject == "trace":
            result = self.trace(**options)
        elif subject == "testing":
            result = self.testing(**options)
        elif subject == "schools":
            result = self.schools(**options)
        elif subject == "coldchain":
            result = self.coldchain(**options)
        elif subject == "vaccination":
            result = self.vaccination(**options)

        elif subject == "supplies":
            result = self.supplies(**options)
        else:
            result = self.registry(**options)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        elif subject == "registry":
            self.stdout.write(format_report(result))
        else:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _separate_sqlite(self, options, name: str) -> None:
        if not options["current_database"] and not os.environ.get("DATABASE_URL"):
            path = bench_sqlite_path(0).with_name(name)
            self.stderr.write(f"基准数据库 / bench database: {path}")
            use_sqlite_file(path)

    def registry(self, *, persons: int, repeat: int, seed: int | None, **options) -> dict:
        if persons < 1 or repeat < 1:
            raise CommandError("--persons 和 --repeat 应为正整数")
        if not options["current_database"] and not os.environ.get("DATABASE_URL"):
            path = bench_sqlite_path(persons)
            self.stderr.write(f"基准数据库 / bench database: {path}")
            use_sqlite_file(path)
        try:
            return run_registry_bench(
                persons=persons,
                repeat=repeat,
                seed=DEFAULT_SEED if seed is None else seed,
                progress=self.stderr.write,
            )
        except RuleError as exc:
            raise CommandError(str(exc)) from None

    def testing(self, *, persons: int, seed: int | None, **options) -> dict:
        from fangkong.testing.bench import run_testing_bench

        if not options["current_database"] and not os.environ.get("DATABASE_URL"):
            use_sqlite_file(bench_sqlite_path(persons).with_name(f"testing-{persons}.sqlite3"))
        try:
            return run_testing_bench(persons=persons, seed=seed, progress=self.stderr.write)
        except RuleError as exc:
            raise CommandError(str(exc)) from None

    def schools(self, *, repeat: int, **options) -> dict:
        from fangkong.schools.bench import run_schools_bench

        self._separate_sqlite(options, "schools.sqlite3")
        try:
            return run_schools_bench(repeat=min(repeat, 10), progress=self.stderr.write)
        except RuleError as exc:
            raise CommandError(str(exc)) from None

    def coldchain(self, *, movements: int, repeat: int, **options) -> dict:
        from fangkong.coldchain.bench import run_coldchain_bench

        self._separate_sqlite(options, f"coldchain-{movements}.sqlite3")
        try:
            return run_coldchain_bench(movements=movements, repeat=repeat, progress=self.stderr.write)
        except RuleError as exc:
            raise CommandError(str(exc)) from None

    def vaccination(self, *, persons: int, seed: int | None, **options) -> dict:
        from fangkong.vaccination.bench import run_vaccination_bench

        if not options["current_database"] and not os.environ.get("DATABASE_URL"):
            use_sqlite_file(bench_sqlite_path(persons).with_name(f"vaccination-{persons}.sqlite3"))
        try:
            return run_vaccination_bench(persons=persons, seed=seed, progress=self.stderr.write)
        except RuleError as exc:
            raise CommandError(str(exc)) from None

    def supplies(self, *, seed: int | None, repeat: int, **o) -> dict:
        from fangkong.supplies.bench import run_supplies_bench

        self._separate_sqlite(o, f"supplies-{o['stores']}x{o['items']}-{o['movements']}.sqlite3")
        return run_supplies_bench(
            stores=o["stores"],
            items=o["items"],
            movements=o["movements"],
            repeat=min(repeat, 10),
            seed=1 if seed is None else seed,
            progress=self.stderr.write,
        )

    def trace(self, *, seed: int | None, **o) -> dict:
        from fangkong.tracing.bench import default_duckdb_dir, run_trace_bench

        if min(o["residents"], o["venues"], o["checkins"], o["single"], o["bulk"]) < 1 or o["days"] <= 4:
            raise CommandError("规模参数应为正整数，天数应大于4")
        self._separate_sqlite(o, f"trace-{o['checkins']}.sqlite3")
        from django.db import connection

        try:
            return run_trace_bench(
                residents=o["residents"],
                venues=o["venues"],
                checkins=o["checkins"],
                days=o["days"],
                skew=o["skew"],
                single=o["single"],
                bulk=o["bulk"],
                **({} if seed is None else {"seed": seed}),
                duckdb_dir=None
                if o["no_duckdb"] or connection.vendor != "postgresql"
                else default_duckdb_dir(),
                progress=self.stderr.write,
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
