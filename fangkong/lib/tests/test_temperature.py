"""Body temperatures as people type them: full-width digits, a comma, a unit, rounding by hand."""

from decimal import Decimal

import pytest

from fangkong.lib.temperature import check_temperature


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("36.5", "36.5"),
        ("36,5", "36.5"),
        ("３６.５", "36.5"),
        ("３６．５", "36.5"),
        (" 36.5℃ ", "36.5"),
        ("37度", "37.0"),
        (36, "36.0"),
        (Decimal("36.54"), "36.5"),
        ("37.25", "37.3"),  # 四舍五入, as people round by hand
        ("34", "34.0"),
        ("43.0", "43.0"),
    ],
)
def test_it_reads_temperatures_as_people_type_them(raw, value):
    assert check_temperature(raw) == Decimal(value)


@pytest.mark.parametrize("raw", ["abc", "", None, "NaN", "inf", "36.5.1"])
def test_it_refuses_text_that_is_not_a_temperature(raw):
    with pytest.raises(ValueError, match="体温应为数字"):
        check_temperature(raw)


@pytest.mark.parametrize("raw", ["45", "33.9", "43.1", "365"])
def test_it_refuses_a_temperature_no_living_person_has(raw):
    with pytest.raises(ValueError, match="不在合理范围"):
        check_temperature(raw)
