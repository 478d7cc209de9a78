import datetime as dt
from decimal import Decimal as D

import pytest

from fangkong.supplies import rules

DAY = dt.date(2020, 2, 10)


@pytest.mark.parametrize(
    "raw,value", [("100", D("100")), (" 1,200 ", D("1200")), ("2.5", D("2.50")), (3, D("3"))]
)
def test_quantities_as_typed(raw, value):
    assert rules.check_quantity(raw) == value


@pytest.mark.parametrize(
    "raw,reason",
    [("-5", "大于0"), ("0", "大于0"), ("abc", "不是数字"), ("1.234", "两位小数"), ("nan", "不是数字")],
)
def test_quantities_refused(raw, reason):
    with pytest.raises(ValueError, match=reason):
        rules.check_quantity(raw)


def test_the_lowest_balance_looks_at_every_later_day():
    # 100 at the start; +50 on the 10th, −120 on the 12th: an issue of 40 on the 11th leaves the 12th at −10.
    deltas = [(DAY, D(50)), (DAY + dt.timedelta(days=2), D(-120))]
    assert rules.lowest_after(D(100), deltas, on=DAY + dt.timedelta(days=1), change=D(-40)) == D(-10)
    assert rules.lowest_after(D(100), deltas, on=DAY + dt.timedelta(days=1), change=D(-30)) == D(0)
    assert rules.lowest_after(D(0), [], on=DAY, change=D(-1)) == D(-1)


def test_days_of_supply():
    assert rules.days_of_supply(D(700), D(700), 7) == D("7.0")
    assert rules.days_of_supply(D(100), D(70), 7) == D("10.0")
    assert rules.days_of_supply(D(100), D(0), 7) is None


def test_first_expiry_first_then_unbatched():
    early, late = dt.date(2020, 3, 1), dt.date(2021, 1, 1)
    held = [(2, late, D(50)), (1, early, D(30)), (3, None, D(10)), (4, early, D(0))]
    assert rules.first_expiring(held, D(40)) == [(1, D(30)), (2, D(10))]
    assert rules.first_expiring(held, D(100)) == [(1, D(30)), (2, D(50)), (3, D(10)), (None, D(10))]


def test_low_and_near_expiry_at_their_edges():
    assert rules.is_low(D(999), D(1000)) and not rules.is_low(D(1000), D(1000))
    assert not rules.is_low(D(0), D(0))  # no threshold set
    assert rules.near_expiry(DAY + dt.timedelta(days=30), day=DAY, warning_days=30)
    assert not rules.near_expiry(DAY + dt.timedelta(days=31), day=DAY, warning_days=30)
    assert not rules.near_expiry(None, day=DAY, warning_days=30)
