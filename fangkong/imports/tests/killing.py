"""A real database outside the test's transaction, for tests that run the CLI in a subprocess: the
SQLite test database copied to a file, or the PostgreSQL test database itself (the tests using this
need `transactional_db` so that the world is committed). And a large ledger as CSV, quick to build."""

import csv
import datetime as dt
import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

from fangkong.lib.idcard import make

ROOT = Path(settings.BASE_DIR)


def database_url(tmp_path: Path) -> str:
    if connection.vendor == "sqlite":
        path = tmp_path / "import.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}"
    parts = connection.settings_dict
    return (
        f"postgres://{parts['USER']}@{parts['HOST'] or '127.0.0.1'}:{parts['PORT'] or 5432}/{parts['NAME']}"
    )


def environment(url: str, var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(DATABASE_URL=url, DEBUG="1", FANGKONG_VAR_DIR=str(var_dir), PYTHONPATH=str(ROOT))
    return env


def manage(*args: str, env: dict, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def ledger_csv(rows: int, *, seed: int = 0) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["序号", "姓名", "身份证号", "联系电话", "现住址", "从何地返回", "返回时间", "管控措施"])
    arrived = dt.date.today() - dt.timedelta(days=3)  # noqa: DTZ011 — only to keep the dates in the past
    for i in range(rows):
        number = make("371502", dt.date(1950, 1, 1) + dt.timedelta(days=(i * 37 + seed) % 20000), i % 1000)
        writer.writerow(
            [
                i + 1,
                f"测试{i}",
                number,
                f"138{i:08d}",
                f"七组{i}号",
                "湖北省武汉市",
                f"{arrived:%Y-%m-%d}",
                "居家隔离",
            ]
        )
    return buffer.getvalue().encode("utf-8")
