"""The weekly drug-sales report: per pharmacy and week, corrected in place, imported all or nothing and
idempotently, and its completeness per township recounted."""

import datetime as dt

import pytest
from django.utils import timezone

from fangkong.lib.errors import RuleError
from fangkong.markets import actions, ledgers, queries, rules
from fangkong.markets.models import WeeklySales

from .conftest import csv

COUNTS = {"fever": 12, "cough": 30, "antiviral": 4, "antibiotic": 9}


def last_monday():
    return rules.week_start(timezone.localdate()) - dt.timedelta(days=7)


def test_submit_any_day_of_the_week_then_correct(world, pharmacy):
    monday = last_monday()
    report, state = actions.submit_weekly(
        actor=world.county_admin, pharmacy=pharmacy, week_start=monday + dt.timedelta(days=3), **COUNTS
    )
    assert (report.week_start, state, report.total) == (monday, "created", 55)
    _same, state = actions.submit_weekly(
        actor=world.county_admin, pharmacy=pharmacy, week_start=monday, **COUNTS
    )
    assert state == "unchanged"
    fixed, state = actions.submit_weekly(
        actor=world.county_admin, pharmacy=pharmacy, week_start=monday, **(COUNTS | {"fever": 13})
    )
    assert state == "updated" and fixed.fever == 13
    assert WeeklySales.objects.count() == 1


def test_refused(world, pharmacy):
    with pytest.raises(RuleError) as refused:
        actions.submit_weekly(
            actor=world.county_admin, pharmacy=pharmacy, week_start=last_monday(), **(COUNTS | {"cough": -1})
        )
    assert "cough" in refused.value.errors
    with pytest.raises(RuleError):
        actions.submit_weekly(
            actor=world.county_admin,
            pharmacy=pharmacy,
            week_start=timezone.localdate() + dt.timedelta(days=8),
            **COUNTS,
        )
    with pytest.raises(RuleError):
        actions.submit_weekly(
            actor=world.grid08_worker, pharmacy=pharmacy, week_start=last_monday(), **COUNTS
        )


def test_completeness_per_township(world, pharmacy, other_township):
    monday = last_monday()
    second = actions.create_pharmacy(
        actor=world.county_admin, node=world.grid08, name="八组药店", licence_no="鲁AA6350003"
    )
    actions.create_pharmacy(
        actor=world.county_admin, node=world.grid08, name="不监测的诊所药房", licence_no="X1", monitored=False
    )
    actions.submit_weekly(actor=world.county_admin, pharmacy=pharmacy, week_start=monday, **COUNTS)
    actions.submit_weekly(
        actor=world.county_admin, pharmacy=other_township["pharmacy"], week_start=monday, **COUNTS
    )
    rows = {row["node"].name: row for row in queries.weekly_completeness(world.county, monday)}
    # Recount: the monitored pharmacies of each township, and the reports of the week among them.
    for township in (world.township, other_township["township"]):
        expected = [
            p
            for p in actions.Pharmacy.objects.filter(monitored=True)
            if p.node.path.startswith(township.path)
        ]
        received = WeeklySales.objects.filter(pharmacy__in=expected, week_start=monday).count()
        row = rows[township.name]
        assert (row["expected"], row["received"]) == (len(expected), received)
    assert rows["梁水镇"]["missing"] == [second]
    assert rows["梁水镇"]["pct"] == 50.0
    assert rows["沙镇"]["totals"]["fever"] == 12
    assert [r["node"] for r in queries.weekly_completeness(world.township, monday)] == [world.township]


WEEKLY = ["序号", "药店名称", "许可证号", "周起始日期", "退热药", "止咳药", "抗病毒药", "抗生素"]


def test_import_weekly_idempotent_and_all_or_nothing(world, pharmacy, other_township):
    monday = last_monday()
    data = csv(
        WEEKLY,
        [1, "前屯大药房", "鲁AA6350001", f"{monday:%Y-%m-%d}", 12, 30, 4, 9],
        [2, "沙镇药店", "", f"{monday + dt.timedelta(days=2):%Y/%m/%d}", 1, 2, 3, 4],
    )
    result = ledgers.import_weekly(actor=world.county_admin, data=data, filename="w.csv")
    assert not result.rejected, result.rejected
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    again = ledgers.import_weekly(actor=world.county_admin, data=data, filename="w.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert WeeklySales.objects.count() == 2
    bad = csv(
        WEEKLY,
        [1, "前屯大药房", "鲁AA6350001", f"{monday:%Y-%m-%d}", 99, 30, 4, 9],
        [2, "无此药店", "", f"{monday:%Y-%m-%d}", 1, 2, 3, 4],
        [3, "沙镇药店", "", f"{monday:%Y-%m-%d}", 1, "两", 3, 4],
    )
    result = ledgers.import_weekly(actor=world.county_admin, data=bad, filename="w.csv")
    assert {(p.row, p.column) for p in result.rejected} == {(3, "药店名称"), (4, "止咳药")}
    assert WeeklySales.objects.get(pharmacy=pharmacy).fever == 12  # nothing written
    # The township admin of 沙镇 may not report for 梁水镇's pharmacy.
    result = ledgers.import_weekly(actor=other_township["admin"], data=data, filename="w.csv")
    assert [(p.row, p.column) for p in result.rejected] == [(2, "许可证号")]


def test_export_weekly(world, pharmacy):
    import io

    from openpyxl import load_workbook

    actions.submit_weekly(actor=world.county_admin, pharmacy=pharmacy, week_start=last_monday(), **COUNTS)
    _name, content = ledgers.export_weekly(actor=world.county_admin, node=world.county, monday=last_monday())
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[2][:4] == ("序号", "所属乡镇", "药店名称", "许可证号")
    assert rows[3][1:3] == ("梁水镇", "前屯大药房") and rows[3][5:10] == (12, 30, 4, 9, 55)
