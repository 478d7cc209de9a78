"""Writing an import so that other writers are not locked out and the user still gets all or nothing.

PostgreSQL (or a caller already inside a transaction): one transaction, as before; readers and other
writers are not blocked by it, and a killed process leaves nothing.

SQLite: one writer at a time, and a writer waits `busy_timeout` (5 s) at most. An import of 20,000
rows in one transaction held the lock for longer than that, so `POST …/verify` failed meanwhile. Here
the import writes in chunks of CHUNK rows, each its own short transaction that also records what it
created and what it overwrote (ImportChunk); after holding the lock for HOLD seconds in all it pauses
for PAUSE, longer than SQLite's busy handler sleeps, so a waiting writer gets in. The last statement
marks the batch done together with the audit row. If anything fails the chunks are undone, newest
first; if the process dies, the batch is left "writing" and the next import (or
`fangkong import --undo-abandoned`) undoes it before it starts."""

import datetime as dt
import json
import os
import socket
import time
from collections.abc import Callable
from contextlib import contextmanager

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action

from .models import BatchState, ImportBatch, ImportChunk

CHUNK = 500  # rows per transaction
HOLD = 0.5  # seconds of holding the write lock between two pauses
PAUSE = 0.15  # SQLite's busy handler sleeps at most 100 ms between two tries
STALE = dt.timedelta(minutes=10)  # a batch not touched for this long is abandoned, wherever it ran


def _label(model) -> str:
    return model._meta.label_lower


class Writer:
    """Creates and updates rows for one import: `create`, `update`, then `finish` with the audit row."""

    def __init__(self, *, ledger: str, actor, node_path: str):
        self.ledger, self.actor, self.node_path = ledger, actor, node_path
        self.chunked = connection.vendor == "sqlite" and not connection.in_atomic_block
        self.batch: ImportBatch | None = None
        self._held = 0.0

    @contextmanager
    def writing(self):
        """The block in which the import writes: one transaction, or a batch undone if it fails."""
        if not self.chunked:
            with transaction.atomic():
                yield self
            return
        undo_abandoned()
        now = timezone.now()
        self.batch = ImportBatch.objects.create(
            ledger=self.ledger,
            node_path=self.node_path,
            actor=self.actor,
            host=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=now,
            touched_at=now,
        )
        try:
            yield self
        except BaseException:
            undo(self.batch)
            raise

    @contextmanager
    def _chunk(self):
        started = time.monotonic()
        with transaction.atomic():
            yield
            ImportBatch.objects.filter(pk=self.batch.pk).update(touched_at=timezone.now())
        self._held += time.monotonic() - started
        if self._held >= HOLD:
            time.sleep(PAUSE)
            self._held = 0.0

    def create(self, model, objects: list) -> list:
        if not self.chunked:
            return model.objects.bulk_create(objects, batch_size=CHUNK)
        for start in range(0, len(objects), CHUNK):
            part = objects[start : start + CHUNK]
            with self._chunk():
                model.objects.bulk_create(part)
                ImportChunk.objects.create(
                    batch=self.batch, model=_label(model), created=[o.pk for o in part]
                )
        return objects

    def update(self, model, objects: list, fields: list[str]) -> None:
        if not self.chunked:
            model.objects.bulk_update(objects, fields, batch_size=CHUNK)
            return
        for start in range(0, len(objects), CHUNK):
            part = objects[start : start + CHUNK]
            with self._chunk():
                before = model.objects.filter(pk__in=[o.pk for o in part]).values("pk", *fields)
                previous = {str(row.pop("pk")): row for row in before}
                model.objects.bulk_update(part, fields)
                previous = json.loads(json.dumps(previous, cls=DjangoJSONEncoder))  # dates as text
                ImportChunk.objects.create(batch=self.batch, model=_label(model), previous=previous)

    def finish(self, last: Callable[[], object]) -> None:
        """The audit row (written by `last`) and, on SQLite, the batch marked done: one short transaction."""
        if not self.chunked:
            last()
            return
        with transaction.atomic():
            last()
            ImportBatch.objects.filter(pk=self.batch.pk).update(
                state=BatchState.DONE, touched_at=timezone.now()
            )
        ImportChunk.objects.filter(batch=self.batch).delete()  # nothing left to undo


def undo(batch: ImportBatch) -> None:
    """Delete what the batch created and put back what it overwrote, newest chunk first, each in a
    short transaction of its own (so that undoing does not lock others out either)."""
    for chunk in batch.chunks.order_by("-pk"):
        model = apps.get_model(chunk.model)
        with transaction.atomic():
            if chunk.created:
                model.objects.filter(pk__in=chunk.created).delete()
            for pk, values in chunk.previous.items():
                restored = {
                    name: model._meta.get_field(name).to_python(value) for name, value in values.items()
                }
                if "version" in restored:  # a change of its own, so that an edit form open before sees it
                    restored["version"] = F("version") + 1
                model.objects.filter(pk=pk).update(**restored)
            chunk.delete()
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(state=BatchState.UNDONE, touched_at=timezone.now())
        record(
            actor=batch.actor,
            action=Action.IMPORT,
            target=batch,
            node_path=batch.node_path,
            ledger=batch.ledger,
            undone=True,
        )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def undo_abandoned(*, now: dt.datetime | None = None) -> int:
    """Undo the batches whose process died while writing (on this host), or that nobody has touched
    for STALE (any host). Returns how many were undone."""
    now = now or timezone.now()
    host = socket.gethostname()[:255]
    undone = 0
    for batch in ImportBatch.objects.filter(state=BatchState.WRITING):
        dead_here = batch.host == host and batch.pid != os.getpid() and not _alive(batch.pid)
        if dead_here or batch.touched_at < now - STALE:
            undo(batch)
            undone += 1
    return undone
