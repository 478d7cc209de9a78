"""Dates as people write them (the audit log's and the daily reports' filters, the commands' --date)."""

import datetime as dt

import pytest

from fangkong.lib.dates import parse_date


def test_it_reads_dates_as_people_write_them():
    assert parse_date("2022-03-01") == dt.date(2022, 3, 1)
    assert parse_date("2022年3月1日") == dt.date(2022, 3, 1)
    assert parse_date(" 2022/3/1 ") == dt.date(2022, 3, 1)
    with pytest.raises(ValueError):
        parse_date("2022-02-30")
    with pytest.raises(ValueError):
        parse_date("3月1日")
