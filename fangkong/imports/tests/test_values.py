"""Values as ledgers write them: dates, text, ID and phone numbers, where people came from. No database."""

import datetime as dt

import pytest

from fangkong.imports.places import locate
from fangkong.imports.values import code_text, compact, parse_date, text
from fangkong.lib.phones import normalize_phone

# What openpyxl gives for a date cell: Excel dates have no time zone.
EXCEL_DAY = dt.datetime(2020, 1, 28)  # noqa: DTZ001
TODAY = dt.date(2020, 2, 3)


@pytest.mark.parametrize(
    "raw",
    [
        "2020年1月28日",
        "2020.1.28",
        "2020/01/28",
        "2020-1-28",
        "２０２０年１月２８日",
        "20200128",
        EXCEL_DAY,
        dt.date(2020, 1, 28),
        43858,
        43858.0,
        "2020年1月28日 14时",
    ],
)
def test_it_reads_dates_as_ledgers_write_them(raw):
    assert parse_date(raw, today=TODAY) == (dt.date(2020, 1, 28), "")


def test_it_takes_a_date_without_a_year_as_the_latest_past_one_and_says_so():
    day, note = parse_date("1月28日", today=TODAY)
    assert day == dt.date(2020, 1, 28) and "2020" in note
    assert parse_date("12月30日", today=TODAY)[0] == dt.date(2019, 12, 30)


@pytest.mark.parametrize("raw", ["2020年2月30日", "昨天", "2020-13-01"])
def test_it_refuses_dates_it_cannot_read_with_the_reason(raw):
    with pytest.raises(ValueError, match="日期"):
        parse_date(raw, today=TODAY)


def test_it_normalises_spaces_full_width_digits_and_a_lowercase_x():
    assert compact(" 张　伟 ") == "张伟"
    assert text("前屯村　七组  12号") == "前屯村 七组 12号"
    assert (
        code_text("１１０１０５ １９４９１２３１ ００２x", label="身份证号").upper() == "11010519491231002X"
    )


def test_it_notices_an_id_number_that_excel_turned_into_a_number():
    with pytest.raises(ValueError, match="后几位已丢失"):
        code_text(3.71502199003071e17, label="身份证号")
    assert code_text(13812345678, label="联系电话") == "13812345678"


@pytest.mark.parametrize("raw", ["138 1234 5678", "138-1234-5678", "+86 13812345678", "+86-138-1234-5678"])
def test_it_accepts_phones_with_spaces_dashes_or_the_country_code(raw):
    assert normalize_phone(text(raw)) == "13812345678"


def test_it_maps_where_people_came_from_to_division_codes():
    assert locate("湖北省武汉市江汉区") == type(locate(""))("42", "4201", "420103")
    assert (locate("湖北武汉").province, locate("湖北武汉").city) == ("42", "4201")
    assert locate("武汉").city == "4201"
    assert locate("北京").city == "1101"
    assert locate("恩施州").city == "4228"
    assert locate("朝阳区") == locate("")  # two 朝阳区: not guessed
    assert locate("外地") == locate("")
