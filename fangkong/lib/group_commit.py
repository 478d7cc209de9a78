"""Group commit: requests that write at the same moment share one statement and one commit.

Why: on a small server each statement and commit costs CPU in the worker and in PostgreSQL
(bench/codes_load.py: a view doing nothing but one SELECT 1 serves 64–83 % of a trivial view's rate).
Venue kiosks at a busy hour send many small, independent writes at once; written together, the round
trip and the commit are paid once per batch instead of once per check-in.

How (leader and followers, no extra thread): a request puts its item in the queue. If no one is
writing, it becomes the leader: it takes the queue (itself included), calls `write_many` in its own
thread (so on its own database connection) and hands each waiting request its result. Requests that
arrive meanwhile wait; when the leader is done, the first of them leads the next batch. Nothing is
answered before its batch is written: a reply means committed, as without batching.

`write_many(items) -> list of results` (one per item, in order) must be all or nothing. When it raises,
every request of the batch gets the exception. `conflicts(a, b)` keeps two items out of one batch (two
scans of one person at one venue must see each other); the later one waits for the next batch.
"""

import threading
from collections.abc import Callable, Sequence


class _Ticket:
    __slots__ = ("item", "result", "error", "ready", "lead")

    def __init__(self, item):
        self.item, self.result, self.error = item, None, None
        self.ready, self.lead = threading.Event(), False


class GroupCommit:
    def __init__(
        self,
        write_many: Callable[[Sequence], list],
        *,
        max_batch: int = 64,
        conflicts: Callable[[object, object], bool] | None = None,
    ):
        self._write_many, self._max, self._conflicts = write_many, max_batch, conflicts
        self._lock = threading.Lock()
        self._queue: list[_Ticket] = []
        self._writing = False
        self.batches = 0  # for benchmarks and tests: how many statements served how many items
        self.items = 0

    def write(self, item):
        """The result of writing `item`, once it is written (or the exception of its batch)."""
        ticket = _Ticket(item)
        with self._lock:
            self._queue.append(ticket)
            ticket.lead = not self._writing
            self._writing = True
        if not ticket.lead:
            ticket.ready.wait()  # woken with its result, or to lead the next batch
        if ticket.lead:
            self._lead()
        if ticket.error is not None:
            raise ticket.error
        return ticket.result

    def _take(self) -> list[_Ticket]:
        """The batch, from the front of the queue: the leader is always first, so always in it. An item
        that conflicts with one held back is held back too, so conflicting items keep their order."""
        batch, rest = [], []
        for ticket in self._queue:
            clash = self._conflicts is not None and any(
                self._conflicts(ticket.item, t.item) for t in batch + rest
            )
            (rest if clash or len(batch) >= self._max else batch).append(ticket)
        self._queue = rest
        return batch

    def _lead(self) -> None:
        with self._lock:
            try:
                batch = self._take()
            except Exception:  # a conflicts() that fails: the leader goes alone, the queue keeps moving
                batch = [self._queue.pop(0)]
        try:
            results = self._write_many([t.item for t in batch])
            if len(results) != len(batch):
                raise RuntimeError("write_many must return one result per item")
        except Exception as exc:  # every request of the batch hears it; none is left waiting
            for t in batch:
                t.error = exc
        else:
            for t, result in zip(batch, results, strict=True):
                t.result = result
        with self._lock:
            self.batches, self.items = self.batches + 1, self.items + len(batch)
            successor = self._queue[0] if self._queue else None
            if successor is None:
                self._writing = False
            else:
                successor.lead = True
        for t in batch[1:]:  # batch[0] is the leader itself
            t.ready.set()
        if successor is not None:
            successor.ready.set()
