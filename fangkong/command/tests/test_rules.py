"""The duty shift's boundaries and the task's overdue rule at the edges."""

import datetime as dt

from fangkong.command import rules

SH = rules.SHANGHAI
STARTS = dt.time(8, 30)


def test_it_bounds_a_24_hour_shift_from_its_start():
    start, end = rules.shift_bounds(dt.date(2022, 3, 1), STARTS, 24)
    assert start == dt.datetime(2022, 3, 1, 8, 30, tzinfo=SH)
    assert end == dt.datetime(2022, 3, 2, 8, 30, tzinfo=SH)


def test_it_puts_a_moment_in_the_shift_whose_window_holds_it():
    assert rules.shift_day(dt.datetime(2022, 3, 2, 8, 29, 59, tzinfo=SH), STARTS) == dt.date(2022, 3, 1)
    assert rules.shift_day(dt.datetime(2022, 3, 2, 8, 30, tzinfo=SH), STARTS) == dt.date(2022, 3, 2)
    assert rules.shift_day(dt.datetime(2022, 3, 2, 0, 0, tzinfo=SH), STARTS) == dt.date(2022, 3, 1)
    # UTC 00:30 on the 2nd is 08:30 in Shanghai
    assert rules.shift_day(dt.datetime(2022, 3, 2, 0, 30, tzinfo=dt.UTC), STARTS) == dt.date(2022, 3, 2)


def test_it_takes_a_log_entry_inside_the_half_open_window():
    start, end = rules.shift_bounds(dt.date(2022, 3, 1), STARTS, 24)
    assert rules.in_shift(start, start, end)
    assert rules.in_shift(end - dt.timedelta(microseconds=1), start, end)
    assert not rules.in_shift(end, start, end)
    assert not rules.in_shift(start - dt.timedelta(microseconds=1), start, end)


def test_it_says_a_task_is_overdue_from_its_deadline_unless_finished():
    deadline = dt.datetime(2022, 3, 1, 18, tzinfo=SH)
    assert not rules.task_overdue(deadline, "open", deadline - dt.timedelta(seconds=1))
    assert rules.task_overdue(deadline, "open", deadline)
    assert rules.task_overdue(deadline, "in_progress", deadline)
    assert not rules.task_overdue(deadline, "done", deadline + dt.timedelta(days=1))
    assert not rules.task_overdue(deadline, "cancelled", deadline + dt.timedelta(days=1))


def test_it_reads_the_policy_time():
    assert rules.parse_time("08:30") == STARTS
    assert rules.parse_time("0:00") == dt.time(0)
