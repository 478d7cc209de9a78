from hypothesis import given
from hypothesis import strategies as st

from fangkong.lib.sorting import natural_key


def test_it_puts_house_numbers_in_the_order_people_count():
    addresses = ["前屯村1组101号", "前屯村1组2号", "前屯村10组1号", "前屯村2组3号", "前屯村1组１２号"]
    assert sorted(addresses, key=natural_key) == [
        "前屯村1组2号",
        "前屯村1组１２号",
        "前屯村1组101号",
        "前屯村2组3号",
        "前屯村10组1号",
    ]


@given(st.integers(0, 10**9), st.integers(0, 10**9))
def test_it_orders_numbers_by_value(a, b):
    assert (natural_key(f"{a}号") < natural_key(f"{b}号")) == (a < b)
