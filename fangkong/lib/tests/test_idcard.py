"""Citizen ID numbers, DOMAIN.md §3. Pure functions: no database."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangkong.lib import idcard


def reason(raw: str, **kwargs) -> str:
    with pytest.raises(idcard.InvalidIdNumber) as exc:
        idcard.parse(raw, **kwargs)
    return str(exc.value)


def test_it_accepts_the_standard_examples():
    beijing = idcard.parse("11010519491231002X")
    assert beijing == idcard.IdNumber(
        normalized="11010519491231002X", birth_date=dt.date(1949, 12, 31), sex="female", region="110105"
    )
    guangdong = idcard.parse("440524188001010014")
    assert (guangdong.birth_date, guangdong.sex, guangdong.region) == (dt.date(1880, 1, 1), "male", "440524")


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002x",  # lower-case check character
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and X from a Chinese input method
        "１１０１０５１９４９１２３１００２ｘ",
        " 110105 19491231 002X ",  # spaces, as read aloud in groups
        "110105\u300019491231\u3000002X",  # ideographic spaces
        "110105-19491231-002X",
    ],
)
def test_it_normalises_what_people_type(typed):
    assert idcard.parse(typed).normalized == "11010519491231002X"


def test_it_rejects_a_wrong_check_character():
    assert reason("110105194912310021") == "身份证号校验位错误，请核对号码"


def test_it_asks_for_the_18_digit_number_instead_of_an_old_15_digit_one():
    message = reason("110105491231002")
    assert "15位" in message and "18位" in message


@pytest.mark.parametrize("raw, length", [("11010519491231002", 17), ("11010519491231002X1", 19), ("1", 1)])
def test_it_names_the_length_when_it_is_wrong(raw, length):
    assert reason(raw) == f"身份证号应为18位，现为{length}位"


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_it_refuses_an_empty_number(raw):
    assert reason(raw) == "身份证号不能为空"


@pytest.mark.parametrize("raw", ["11010519491231A02X", "1101051949123100ZX", "11010519491231002Y"])
def test_it_refuses_letters(raw):
    assert reason(raw) == "身份证号前17位应为数字，最后一位应为数字或X"


def test_it_refuses_an_impossible_birth_date():
    # 1990-02-30 does not exist; the check character is right, so only the date can be the reason.
    first17 = "37150219900230123"
    assert reason(first17 + idcard.check_char(first17)) == "身份证号中的出生日期19900230不存在"


def test_it_accepts_29_february_of_a_leap_year_only():
    assert idcard.parse(idcard.make("371502", dt.date(2000, 2, 29), 123)).birth_date == dt.date(2000, 2, 29)
    first17 = "37150219000229123"  # 1900 was not a leap year
    assert "不存在" in reason(first17 + idcard.check_char(first17))


def test_it_refuses_a_birth_date_after_today():
    number = idcard.make("371502", dt.date(2024, 6, 2), 123)
    assert reason(number, today=dt.date(2024, 6, 1)) == "身份证号中的出生日期2024年06月02日晚于今天"
    assert idcard.parse(number, today=dt.date(2024, 6, 2)).birth_date == dt.date(2024, 6, 2)
    assert "晚于今天" in reason(idcard.make("371502", dt.date(2999, 1, 1), 123))


def test_it_takes_sex_from_the_17th_digit():
    assert idcard.parse(idcard.make("371502", dt.date(1990, 3, 7), 123)).sex == "male"
    assert idcard.parse(idcard.make("371502", dt.date(1990, 3, 7), 124)).sex == "female"
    assert idcard.parse(idcard.make("371502", dt.date(1990, 3, 7), 120)).sex == "female"


def test_it_accepts_an_unknown_address_code():
    # Old codes stay valid after re-coding: the region is reported, not checked against a list.
    assert idcard.parse(idcard.make("999999", dt.date(1990, 3, 7), 1)).region == "999999"


birth_dates = st.dates(min_value=dt.date(1880, 1, 1), max_value=dt.date(2020, 12, 31))
regions = st.from_regex(r"[1-9][0-9]{5}", fullmatch=True)
sequences = st.integers(min_value=0, max_value=999)


@given(region=regions, birth_date=birth_dates, sequence=sequences)
def test_it_parses_every_number_it_makes(region, birth_date, sequence):
    parsed = idcard.parse(idcard.make(region, birth_date, sequence))
    assert parsed.birth_date == birth_date
    assert parsed.sex == ("male" if sequence % 2 else "female")
    assert parsed.region == region


@given(
    region=regions,
    birth_date=birth_dates,
    sequence=sequences,
    position=st.integers(min_value=0, max_value=17),
    shift=st.integers(min_value=1, max_value=10),
)
def test_it_detects_every_single_character_error(region, birth_date, sequence, position, shift):
    """ISO 7064 MOD 11-2 catches any one wrong digit: a weight is never a multiple of 11."""
    number = idcard.make(region, birth_date, sequence)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    wrong = alphabet[(alphabet.index(number[position]) + shift) % len(alphabet)]
    if wrong == number[position]:  # shift of 10 on a digit position goes round to itself
        wrong = alphabet[(alphabet.index(number[position]) + 1) % len(alphabet)]
    typo = number[:position] + wrong + number[position + 1 :]
    assert typo != number
    with pytest.raises(idcard.InvalidIdNumber):
        idcard.parse(typo)
