"""Benchmark: import a messy 返乡人员登记表 of N rows (default 10,000) into a fresh database.

    .venv/bin/python bench/import_returnees.py --rows 10000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fk_bench .venv/bin/python bench/import_returnees.py

Builds the workbook once (title rows, merged cells, header variants, mixed date and phone forms, 2 %
bad ID numbers, 1 % people listed twice, 合计 and signature lines), then for each database (a fresh
SQLite file; also PostgreSQL when DATABASE_URL is given — a database of that name + "_bench" is created
and dropped) runs child processes: one timed (seconds, rows/s, ru_maxrss), one under tracemalloc (peak
Python memory). The baseline in the same run is reading the workbook alone (the header search and
every cell), so the import's figure is also given as a ratio to it. Targets: < 10 s, < 500 MB.
"""

import argparse
import datetime as dt
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ORIGINS = [
    "湖北省武汉市江汉区", "湖北武汉", "武汉", "浙江省温州市", "温州乐清", "广东省深圳市南山区", "广州",
    "北京市朝阳区", "上海", "江苏苏州", "河南信阳", "湖北恩施州", "重庆市万州区", "四川成都", "外地", "",
]  # fmt: skip
MEASURES = ["居家隔离", "居家隔离14天", "居家健康监测", "自我健康监测", "无", "", "", ""]
TRANSPORT = ["火车 G1234", "自驾 鲁P12345", "飞机CA1234", "大巴", "K123次", ""]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def build_ledger(rows: int, *, seed: int = 7) -> bytes:
    from openpyxl import Workbook

    from fangkong.lib.idcard import make

    rng = random.Random(seed)
    today = dt.date.today()  # noqa: DTZ011 — only to keep the generated dates in the past
    wb = Workbook()
    ws = wb.active
    ws.append(["东昌府区梁水镇前屯村返乡人员登记表"])
    ws.append(
        ["填报单位：前屯村委会", None, None, None, None, None, None, None, f"填报日期：{today:%Y年%m月%d日}"]
    )
    ws.append(
        ["序号", "姓名", "性别", "身份证号码", "手机号码", "现住址", "从何地返回", "返乡日期",
         "交通方式及车次", "有无发热咳嗽症状", "管控措施", "包保责任人", "备注", "工作单位"]
    )  # fmt: skip
    ws.merge_cells("A1:N1")
    ws.merge_cells("A2:H2")
    ws.merge_cells("I2:N2")
    ids = []
    for i in range(rows):
        if ids and rng.random() < 0.01:
            number = rng.choice(ids)  # listed twice: one person
        else:
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 60))
            number = make("371502", birth, (i * 7) % 1000)
            ids.append(number)
        if rng.random() < 0.02:
            number = number[:-1] + ("0" if number[-1] != "0" else "1")  # wrong check digit: rejected
        arrived = today - dt.timedelta(days=rng.randrange(1, 30))
        date_text = rng.choice(
            [
                f"{arrived:%Y年%m月%d日}",
                f"{arrived.year}.{arrived.month}.{arrived.day}",
                f"{arrived:%Y/%m/%d}",
            ]
        )
        phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        phone = rng.choice(
            [phone, f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", f"+86 {phone}", f"{phone[:3]} {phone[3:]}"]
        )
        if rng.random() < 0.03:
            phone = phone[:7]  # too short: imported with a warning
        sex = "男" if int(number[16]) % 2 else "女"
        if rng.random() < 0.03:
            sex = "女" if sex == "男" else "男"  # disagrees with the ID: a warning
        ws.append(
            [
                i + 1,
                rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else ""),
                sex,
                number if rng.random() > 0.05 else number.lower(),
                phone,
                f"前屯村{rng.randrange(1, 12)}组{rng.randrange(1, 80)}号",
                rng.choice(ORIGINS),
                date_text,
                rng.choice(TRANSPORT),
                "无" if rng.random() > 0.01 else "咳嗽",
                rng.choice(MEASURES),
                rng.choice(["七网格员", "七网格员、村医甲（村医）", ""]),
                "",
                rng.choice(["", "化肥厂", "个体"]),
            ]
        )
    ws.append(["合计", f"{rows}人"])
    ws.append(["填表人：王五", None, None, None, "审核人：赵六"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def child(path: Path, trace: bool) -> dict:
    """Runs in a fresh process with the database of the environment: migrate, world, measure."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from fangkong.grid import actions as grid_actions
    from fangkong.grid.models import Jurisdiction, Level, Membership, Role
    from fangkong.imports.reading import read_table
    from fangkong.measures.ledgers import REQUIRED, RETURNEE_COLUMNS, import_returnees

    def node(code, name, level, parent):
        return Jurisdiction.objects.create(
            code=code, name=name, level=level, parent=parent, path=f"{parent.path if parent else ''}{code}/"
        )

    province = node("37", "山东省", Level.PROVINCE, None)
    county = node("371502", "东昌府区", Level.COUNTY, node("3715", "聊城市", Level.CITY, province))
    village = node(
        "371502103201", "前屯村委会", Level.VILLAGE, node("371502103", "梁水镇", Level.TOWNSHIP, county)
    )
    users = get_user_model().objects
    admin = users.create_user(username="bench_admin", first_name="县管理员")
    Membership.objects.create(user=admin, node=county, role=Role.ADMIN)
    grid = grid_actions.create_grid(actor=admin, village=village, local_code="07", name="第七网格")
    worker = users.create_user(username="bench_worker", first_name="七网格员")
    Membership.objects.create(user=worker, node=grid, role=Role.GRID_WORKER)
    doctor = users.create_user(username="bench_doctor", first_name="村医甲")
    Membership.objects.create(user=doctor, node=village, role=Role.VILLAGE_STAFF)
    data = path.read_bytes()

    def measure(fn):
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        value = fn()
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
        if trace:
            tracemalloc.stop()
        return value, seconds, peak

    table, read_seconds, read_peak = measure(
        lambda: read_table(data, path.name, RETURNEE_COLUMNS, required=REQUIRED)
    )
    result, import_seconds, import_peak = measure(
        lambda: import_returnees(actor=worker, node=grid, data=data, filename=path.name)
    )
    again, again_seconds, _ = measure(
        lambda: import_returnees(actor=worker, node=grid, data=data, filename=path.name)
    )
    return {
        "vendor": connection.vendor,
        "rows": result.rows,
        "created": result.created,
        "rejected_rows": len(result.rejected_rows),
        "warnings": len(result.warnings),
        "read_seconds": read_seconds,
        "import_seconds": import_seconds,
        "reimport_seconds": again_seconds,
        "reimport_created": again.created,
        "read_peak_mb": read_peak,
        "import_peak_mb": import_peak,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "table_rows": len(table.rows),
    }


def run_child(path: Path, env: dict, trace: bool) -> dict:
    command = [sys.executable, __file__, "--child", str(path)] + (["--trace"] if trace else [])
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"benchmark child failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def postgres_database(url: str) -> tuple[str, callable]:
    """A fresh database next to the one in the URL; returns its URL and a function that drops it."""
    import psycopg

    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "fangkong") + "_bench"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--keep", help="also save the generated ledger here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    if args.child:
        print(json.dumps(child(Path(args.child), args.trace)))
        return

    with tempfile.TemporaryDirectory(prefix="fk-bench-") as tmp:
        path = Path(tmp) / "返乡人员登记表.xlsx"
        started = time.perf_counter()
        path.write_bytes(build_ledger(args.rows))
        print(
            f"ledger: {args.rows} rows, {path.stat().st_size / 2**20:.1f} MB, built in {time.perf_counter() - started:.1f} s"
        )
        if args.keep:
            Path(args.keep).write_bytes(path.read_bytes())
        targets = [("SQLite", None)]
        if os.environ.get("DATABASE_URL", "").startswith("postgres"):
            targets.append(("PostgreSQL", os.environ["DATABASE_URL"]))
        for label, url in targets:
            figures = {}
            for trace in (False, True):
                env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
                env["FANGKONG_VAR_DIR"] = tempfile.mkdtemp(dir=tmp)
                drop = None
                if url:
                    env["DATABASE_URL"], drop = postgres_database(url)
                try:
                    figures["trace" if trace else "time"] = run_child(path, env, trace)
                finally:
                    if drop:
                        drop()
            report(label, figures["time"], figures["trace"])


def report(label: str, timed: dict, traced: dict) -> None:
    rows = timed["rows"]
    print(f"\n{label} ({timed['vendor']}): {rows} data rows → {timed['created']} people created, "
          f"{timed['rejected_rows']} rows rejected, {timed['warnings']} warnings")  # fmt: skip
    print(f"  baseline, reading the workbook alone: {timed['read_seconds']:.2f} s ({rows / timed['read_seconds']:,.0f} rows/s), "
          f"tracemalloc peak {traced['read_peak_mb']:.0f} MB")  # fmt: skip
    print(f"  import (read, check, write: one transaction, or short chunks on SQLite): {timed['import_seconds']:.2f} s "
          f"({rows / timed['import_seconds']:,.0f} rows/s) = {timed['import_seconds'] / timed['read_seconds']:.1f} × reading alone; "
          f"target < 10 s")  # fmt: skip
    print(
        f"  same file again (idempotent, created {timed['reimport_created']}): {timed['reimport_seconds']:.2f} s"
    )
    print(f"  peak memory: tracemalloc {traced['import_peak_mb']:.0f} MB during the import, "
          f"process ru_maxrss {timed['maxrss_mb']:.0f} MB (untraced run); target < 500 MB")  # fmt: skip


if __name__ == "__main__":
    main()
