"""Group commit with real threads: writes that overlap share one write_many call, every caller hears its
own item's result (or its batch's error), and nobody is left waiting.

Overlap is forced, not hoped for: the first write_many call blocks until the test has queued the other
writers, then is released. Every wait has a timeout, so a lost wake-up fails the test instead of hanging
it; writer threads are daemons, so one stuck for good cannot hold the test run open."""

import threading
import time

import pytest

from fangkong.lib.group_commit import GroupCommit

TIMEOUT = 2.0  # seconds; a healthy run needs milliseconds


def written(item):
    """What the test's write_many answers for an item: anything that tells items apart."""
    return ("written", item)


class Store:
    """A write_many that records each call. With `hold_first`, the first call blocks until `release`,
    so that the test can queue writers behind it."""

    def __init__(self, *, hold_first: bool = False, fail_when=None):
        self.calls: list[list] = []
        self.hold_first, self.fail_when = hold_first, fail_when
        self.entered, self.release = threading.Event(), threading.Event()
        self._lock = threading.Lock()

    def __call__(self, items):
        with self._lock:
            self.calls.append(list(items))
            first = len(self.calls) == 1
        if first and self.hold_first:
            self.entered.set()
            if not self.release.wait(TIMEOUT):
                raise AssertionError("the test never released the first write")
        if self.fail_when is not None and any(self.fail_when(item) for item in items):
            raise ValueError(f"cannot write {items}")
        return [written(item) for item in items]

    def written_items(self) -> list:
        return [item for call in self.calls for item in call]


class Writers:
    """Threads that each write one item and keep what they were answered."""

    def __init__(self, group: GroupCommit):
        self.group = group
        self.results: dict = {}
        self.errors: dict = {}
        self.threads: list[threading.Thread] = []

    def start(self, item, *, barrier: threading.Barrier | None = None) -> None:
        def run():
            if barrier is not None:
                barrier.wait(TIMEOUT)
            try:
                self.results[item] = self.group.write(item)
            except Exception as exc:
                self.errors[item] = exc

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.threads.append(thread)

    def join(self, timeout: float = TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        stuck = [thread for thread in self.threads if thread.is_alive()]
        assert not stuck, f"{len(stuck)} writer(s) still waiting"


def queued(group: GroupCommit) -> int:
    # The queue is private; reading its length is the only way to know a writer is waiting in it
    # rather than still on its way there.
    return len(group._queue)


def wait_until_queued(group: GroupCommit, count: int) -> None:
    deadline = time.monotonic() + TIMEOUT
    while queued(group) < count:
        assert time.monotonic() < deadline, f"{queued(group)} writers queued, expected {count}"
        time.sleep(0.001)


def hold_a_leader(store: Store, writers: Writers, item) -> None:
    """Start a writer that leads and stays inside write_many until store.release is set."""
    writers.start(item)
    assert store.entered.wait(TIMEOUT), "the first writer never reached write_many"


def queue_in_order(group: GroupCommit, writers: Writers, items) -> None:
    """Queue writers behind a held leader, one after the other, so their order in the queue is known."""
    for count, item in enumerate(items, start=1):
        writers.start(item)
        wait_until_queued(group, count)


def write_in_thread(group: GroupCommit, item):
    """group.write(item) from another thread, within TIMEOUT: a stuck writer fails, it does not hang."""
    writers = Writers(group)
    writers.start(item)
    writers.join()
    if item in writers.errors:
        raise writers.errors[item]
    return writers.results[item]


def test_it_writes_a_lone_item_in_a_call_of_its_own():
    store = Store()
    group = GroupCommit(store)
    assert group.write("a") == written("a")
    assert store.calls == [["a"]]
    assert (group.batches, group.items) == (1, 1)
    assert group.write("b") == written("b")  # nothing left over from the first write
    assert store.calls == [["a"], ["b"]]
    assert (group.batches, group.items) == (2, 2)


def test_it_gives_each_of_many_simultaneous_writers_its_own_result():
    count = 20
    store = Store(hold_first=True)
    group = GroupCommit(store)
    writers = Writers(group)
    barrier = threading.Barrier(count)
    for item in range(count):
        writers.start(item, barrier=barrier)
    assert store.entered.wait(TIMEOUT)
    # The leader's call may already hold a few that queued before it took the queue; the rest wait.
    wait_until_queued(group, count - len(store.calls[0]))
    store.release.set()
    writers.join()
    assert writers.errors == {}
    assert writers.results == {item: written(item) for item in range(count)}
    assert sorted(store.written_items()) == list(range(count))  # each exactly once
    assert len(store.calls) == 2  # the leader's call, then everyone who queued behind it
    assert (group.batches, group.items) == (len(store.calls), count)


def test_it_batches_the_writers_that_queue_behind_a_write_in_progress():
    store = Store(hold_first=True)
    group = GroupCommit(store)
    writers = Writers(group)
    hold_a_leader(store, writers, "first")
    queue_in_order(group, writers, ["b", "c", "d"])
    store.release.set()
    writers.join()
    assert store.calls == [["first"], ["b", "c", "d"]]
    assert writers.results == {item: written(item) for item in ["first", "b", "c", "d"]}
    assert (group.batches, group.items) == (2, 4)
    assert group.write("later") == written("later")  # the writer is free again
    assert store.calls[-1] == ["later"]


def test_it_never_puts_more_than_max_batch_items_in_one_call():
    store = Store(hold_first=True)
    group = GroupCommit(store, max_batch=3)
    writers = Writers(group)
    hold_a_leader(store, writers, 0)
    queue_in_order(group, writers, range(1, 8))
    store.release.set()
    writers.join()
    assert [len(call) for call in store.calls] == [1, 3, 3, 1]
    assert store.written_items() == list(range(8))  # in the order they arrived
    assert writers.results == {item: written(item) for item in range(8)}
    assert (group.batches, group.items) == (4, 8)


def same_person(a, b) -> bool:
    return a[0] == b[0]


def test_it_keeps_conflicting_items_out_of_one_call_and_writes_both_in_order():
    store = Store(hold_first=True)
    group = GroupCommit(store, conflicts=same_person)
    writers = Writers(group)
    hold_a_leader(store, writers, ("zhang", 0))
    queue_in_order(group, writers, [("zhang", 1), ("li", 2), ("zhang", 3), ("wang", 4)])
    store.release.set()
    writers.join()
    everything = [("zhang", 0), ("zhang", 1), ("li", 2), ("zhang", 3), ("wang", 4)]
    assert writers.results == {item: written(item) for item in everything}
    assert sorted(store.written_items()) == sorted(everything)
    for call in store.calls:
        people = [person for person, _ in call]
        assert len(people) == len(set(people)), f"conflicting items written together: {call}"
    # The later of two conflicting items is written in a later call.
    call_of = {item: index for index, call in enumerate(store.calls) for item in call}
    assert call_of[("zhang", 0)] < call_of[("zhang", 1)] < call_of[("zhang", 3)]
    # An item that conflicts with nothing queued before it is not held back.
    assert call_of[("li", 2)] == call_of[("wang", 4)] == call_of[("zhang", 1)]


def client_id_or_scan(a, b) -> bool:
    """The kiosk check-in's rule (checkin_actions._must_not_share_a_batch): the same client_id, or the
    same person at the same venue. Not transitive."""
    return a[0] == b[0] or a[1:] == b[1:]


def test_it_never_writes_an_item_before_an_earlier_one_it_conflicts_with():
    store = Store(hold_first=True)
    group = GroupCommit(store, conflicts=client_id_or_scan)
    writers = Writers(group)
    hold_a_leader(store, writers, ("c0", "venue", "person-p"))
    first = ("c1", "venue", "person-p")
    retry = ("c2", "venue", "person-p")  # the same scan: conflicts with `first`
    reused = ("c2", "other-venue", "person-q")  # reuses retry's client_id: conflicts with `retry` only
    queue_in_order(group, writers, [first, retry, reused])
    store.release.set()
    writers.join()
    call_of = {item: index for index, call in enumerate(store.calls) for item in call}
    assert call_of[first] < call_of[retry] < call_of[reused]


def test_it_hands_the_error_of_a_batch_to_every_writer_in_it_and_goes_on():
    store = Store(hold_first=True, fail_when=lambda item: item == "bad")
    group = GroupCommit(store)
    writers = Writers(group)
    hold_a_leader(store, writers, "first")
    queue_in_order(group, writers, ["a", "bad", "c"])
    store.release.set()
    writers.join()
    assert store.calls == [["first"], ["a", "bad", "c"]]
    assert writers.results == {"first": written("first")}
    assert set(writers.errors) == {"a", "bad", "c"}  # all or nothing: innocent items fail with it
    assert all(isinstance(exc, ValueError) for exc in writers.errors.values())
    assert "cannot write" in str(writers.errors["a"])
    assert (group.batches, group.items) == (2, 4)
    # Nobody is left holding the writer: the next writes are written, alone or batched.
    assert write_in_thread(group, "next") == written("next")
    assert store.calls[-1] == ["next"]


def test_it_hands_the_leaders_own_failure_to_it_and_lets_the_queued_writers_through():
    store = Store(hold_first=True, fail_when=lambda item: item == "bad")
    group = GroupCommit(store)
    writers = Writers(group)
    hold_a_leader(store, writers, "bad")
    queue_in_order(group, writers, ["a", "b"])
    store.release.set()
    writers.join()
    assert list(writers.errors) == ["bad"]
    assert writers.results == {"a": written("a"), "b": written("b")}
    assert store.calls == [["bad"], ["a", "b"]]


@pytest.mark.parametrize("answer", [[], [written("x"), written("x"), "extra"]], ids=["too few", "too many"])
def test_it_refuses_a_write_many_that_answers_the_wrong_number_of_results(answer):
    calls = []

    def write_many(items):
        calls.append(list(items))
        return list(answer) if len(calls) == 1 else [written(item) for item in items]

    group = GroupCommit(write_many)
    with pytest.raises(RuntimeError, match="one result per item"):
        write_in_thread(group, "x")
    assert write_in_thread(group, "y") == written("y")


def test_it_refuses_a_short_answer_to_every_writer_of_the_batch():
    store = Store(hold_first=True)

    def drops_the_last(items):
        results = store(items)
        return results if len(items) == 1 else results[:-1]

    group = GroupCommit(drops_the_last)
    writers = Writers(group)
    hold_a_leader(store, writers, "first")
    queue_in_order(group, writers, ["a", "b", "c"])
    store.release.set()
    writers.join()
    assert writers.results == {"first": written("first")}
    # No writer is handed another's result, nor None for a result that was never given.
    assert set(writers.errors) == {"a", "b", "c"}
    assert all(isinstance(exc, RuntimeError) for exc in writers.errors.values())


def raises_for_poison(a, b) -> bool:
    if "poison" in (a, b):
        raise KeyError("cannot compare")
    return False


def test_it_survives_a_conflicts_function_that_raises():
    store = Store(hold_first=True)
    group = GroupCommit(store, conflicts=raises_for_poison)
    writers = Writers(group)
    hold_a_leader(store, writers, "first")
    queue_in_order(group, writers, ["a", "poison"])
    store.release.set()
    writers.join(timeout=0.5)  # today: "poison" is never woken
    assert write_in_thread(group, "next") == written("next")
