"""Gatherings per township per day: entered, corrected, imported all or nothing and idempotently."""

import datetime as dt

import pytest
from django.utils import timezone

from fangkong.lib.errors import RuleError
from fangkong.markets import actions, ledgers
from fangkong.markets.models import Gathering

from .conftest import csv


def test_record_and_correct(world):
    day = timezone.localdate()
    row, state = actions.record_gatherings(
        actor=world.township_admin, node=world.township, day=day, reported=3, cancelled=2
    )
    assert state == "created"
    _row, state = actions.record_gatherings(
        actor=world.township_admin, node=world.township, day=day, reported=3, cancelled=2
    )
    assert state == "unchanged"
    row, state = actions.record_gatherings(
        actor=world.township_admin, node=world.township, day=day, reported=4, cancelled=4, tables_cancelled=40
    )
    assert state == "updated" and row.cancelled == 4
    assert Gathering.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reported": 1, "cancelled": 2}, "cancelled"),
        ({"reported": -1, "cancelled": 0}, "reported"),
        ({"day": timezone.localdate() + dt.timedelta(days=1)}, "day"),
    ],
)
def test_refused(world, kwargs, field):
    values = {"day": timezone.localdate(), "reported": 1, "cancelled": 1} | kwargs
    with pytest.raises(RuleError) as refused:
        actions.record_gatherings(actor=world.township_admin, node=world.township, **values)
    assert field in refused.value.errors


def test_only_a_township_and_only_its_staff(world):
    with pytest.raises(RuleError):
        actions.record_gatherings(
            actor=world.county_admin, node=world.village, day=timezone.localdate(), reported=1, cancelled=1
        )
    with pytest.raises(RuleError):
        actions.record_gatherings(
            actor=world.grid07_worker, node=world.township, day=timezone.localdate(), reported=1, cancelled=1
        )


HEADER = ["序号", "日期", "乡镇（街道）", "上报聚餐", "取消聚餐", "劝停桌数", "备注"]


def test_import(world, other_township):
    today = timezone.localdate()
    data = csv(
        HEADER,
        [1, f"{today - dt.timedelta(days=1):%Y-%m-%d}", "梁水镇", 5, 4, 36, "婚宴2起"],
        [2, f"{today - dt.timedelta(days=1):%Y-%m-%d}", "沙镇", 2, 2, 10, ""],
        [3, f"{today:%Y-%m-%d}", "梁水镇", "", 1, 8, ""],
    )
    result = ledgers.import_gatherings(actor=world.county_admin, data=data, filename="g.csv")
    assert not result.rejected, result.rejected
    assert result.created == 3
    assert Gathering.objects.get(node=world.township, day=today).reported == 1  # cancellations only
    again = ledgers.import_gatherings(actor=world.county_admin, data=data, filename="g.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    bad = csv(
        HEADER,
        [1, f"{today:%Y-%m-%d}", "梁水镇", 9, 9, 0, ""],
        [2, f"{today:%Y-%m-%d}", "梁水镇", 1, 3, 0, ""],
        [3, f"{today:%Y-%m-%d}", "东镇", 1, 1, 0, ""],
    )
    result = ledgers.import_gatherings(actor=world.county_admin, data=bad, filename="g.csv")
    assert {(p.row, p.column) for p in result.rejected} == {(3, "取消聚餐"), (3, "日期"), (4, "乡镇（街道）")}
    assert Gathering.objects.get(node=world.township, day=today).reported == 1
    # 沙镇's admin may not report for 梁水镇.
    result = ledgers.import_gatherings(actor=other_township["admin"], data=data, filename="g.csv")
    assert {p.row for p in result.rejected} == {2, 4}
