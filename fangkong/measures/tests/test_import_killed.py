"""The CLI import against a real database outside the test's transaction (a SQLite file, or the
PostgreSQL test database): killed with SIGKILL half-way it leaves nothing behind, and on SQLite another
writer goes on writing while a 20,000-row import runs."""

import json
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from django.db import connection

from fangkong.imports.tests.killing import ROOT, database_url, environment, ledger_csv, manage

WRITTEN = (
    "registry_person",
    "registry_residence",
    "registry_household",
    "measures_screening",
    "measures_measure",
)


def counts(url: str) -> dict[str, int]:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in WRITTEN}
    with connection.cursor() as cursor:
        found = {}
        for table in WRITTEN:
            cursor.execute(f"SELECT count(*) FROM {table}")
            found[table] = cursor.fetchone()[0]
        return found


def writing_started(url: str) -> bool:
    """Some rows are being written: on SQLite a chunk is committed; on PostgreSQL the import's
    transaction holds the insert lock on the person table."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=10) as db:
            return db.execute("SELECT count(*) FROM imports_importchunk").fetchone()[0] > 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = 'registry_residence' AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_half_way_leaves_nothing_written(world, tmp_path):
    url = database_url(tmp_path)
    env = environment(url, tmp_path / "var")
    ledger = tmp_path / "ledger.csv"
    ledger.write_bytes(ledger_csv(20_000))
    importing = manage(
        "import", "returnees", str(ledger), "--node", world.grid07.code, "--user", "grid07_worker", env=env
    )
    deadline = time.monotonic() + 300
    while not writing_started(url):
        assert importing.poll() is None, importing.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    importing.send_signal(signal.SIGKILL)
    importing.wait()
    assert importing.returncode == -signal.SIGKILL
    if url.startswith("sqlite:///"):
        # Chunks were committed; the next import (or this command) undoes the batch before anything else.
        undo = manage("undo_imports", "--json", env=env)
        out, err = undo.communicate(timeout=300)
        assert undo.returncode == 0, err
        assert json.loads(out.strip().splitlines()[-1]) == {"undone": 1}
    assert counts(url) == dict.fromkeys(WRITTEN, 0)


@pytest.mark.django_db(transaction=True)
def test_another_writer_goes_on_during_a_large_import_on_sqlite(world, people, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL does not lock other writers out during an import")
    url = database_url(tmp_path)
    env = environment(url, tmp_path / "var")
    ledger = tmp_path / "ledger.csv"
    ledger.write_bytes(ledger_csv(20_000))
    stop = tmp_path / "stop"
    importing = manage(
        "import",
        "returnees",
        str(ledger),
        "--node",
        world.grid07.code,
        "--user",
        "grid07_worker",
        "--json",
        env=env,
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(people["li"].pk), str(stop)],
        env={**env, "DJANGO_SETTINGS_MODULE": "fangkong.settings"},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = importing.communicate(timeout=600)
    stop.touch()
    written, writer_err = writer.communicate(timeout=60)
    assert importing.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1])["created"] == 20_000
    report = json.loads(written.strip().splitlines()[-1])
    assert report["errors"] == [], report["errors"][:3]
    assert len(report["waits"]) >= 10  # it kept writing throughout


WRITER = """
import json, os, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import OperationalError
from fangkong.registry import actions
from fangkong.registry.models import Person

actor = get_user_model().objects.get(username="grid07_worker")
person = Person.objects.get(pk=int(sys.argv[1]))
waits, errors = [], []
while not os.path.exists(sys.argv[2]):
    started = time.monotonic()
    try:
        actions.verify_person(actor=actor, person=person, method="in_person")
    except OperationalError as exc:
        errors.append(str(exc))
    waits.append(time.monotonic() - started)
    time.sleep(0.05)
print(json.dumps({"waits": waits, "errors": errors}))
"""


@pytest.mark.django_db(transaction=True)
def test_a_chunked_import_that_fails_half_way_is_undone_and_what_it_overwrote_put_back(
    world, people, monkeypatch
):
    from django.db import IntegrityError

    from fangkong.imports import batches
    from fangkong.imports.models import BatchState, ImportBatch
    from fangkong.lib.errors import RuleError
    from fangkong.measures.ledgers import import_returnees
    from fangkong.measures.models import Measure, Screening
    from fangkong.registry.models import Household, Person, Residence

    if connection.vendor != "sqlite":
        pytest.skip("chunks are for SQLite; PostgreSQL writes in one transaction")
    monkeypatch.setattr(batches, "CHUNK", 7)
    zhang = people["zhang"]
    data = ledger_csv(40) + f"41,张伟,{zhang.id_number},13700000000,,,,\n".encode()
    before = {m: m.objects.count() for m in (Person, Residence, Household, Screening, Measure)}
    real = batches.Writer.create

    def failing(self, model, objects):
        if model is Measure:  # people, homes and screenings are written by now, in several chunks
            assert Person.objects.count() > before[Person] + batches.CHUNK
            assert Person.objects.get(pk=zhang.pk).phone == "13700000000"
            raise IntegrityError("UNIQUE constraint failed")
        return real(self, model, objects)

    monkeypatch.setattr(batches.Writer, "create", failing)
    with pytest.raises(RuleError, match="未写入任何数据"):
        import_returnees(actor=world.grid07_worker, node=world.grid07, data=data, filename="l.csv")
    assert {m: m.objects.count() for m in before} == before
    zhang.refresh_from_db()
    assert zhang.phone == "13812345678"
    assert list(ImportBatch.objects.values_list("state", flat=True)) == [BatchState.UNDONE]
