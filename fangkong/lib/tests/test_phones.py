import pytest

from fangkong.lib.phones import InvalidPhone, normalize_phone


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "0086 13812345678",
        "１３８１２３４５６７８",  # full-width digits
        "138\u30001234\u30005678",  # ideographic spaces
    ],
)
def test_it_normalises_a_mobile_number(typed):
    assert normalize_phone(typed) == "13812345678"


@pytest.mark.parametrize(
    "typed, normalized",
    [
        ("0635-8212345", "06358212345"),  # 聊城: 4-digit area code, 7-digit number
        ("010-12345678", "01012345678"),  # 北京: 3-digit area code, 8-digit number
        ("(0635) 8212345", "06358212345"),
        ("（0635）82123456", "063582123456"),
    ],
)
def test_it_accepts_a_landline_with_its_area_code(typed, normalized):
    assert normalize_phone(typed) == normalized


def reason(typed: str) -> str:
    with pytest.raises(InvalidPhone) as exc:
        normalize_phone(typed)
    return str(exc.value)


def test_it_says_how_many_digits_a_short_mobile_has():
    assert reason("1381234567") == "手机号码应为以1开头的11位数字，现为10位"
    assert reason("138123456789") == "手机号码应为以1开头的11位数字，现为12位"


def test_it_refuses_a_landline_without_its_area_code():
    assert reason("8212345") == "电话号码格式不正确：手机号11位，固定电话需带区号"


def test_it_refuses_a_mobile_with_an_impossible_second_digit():
    assert "11位" in reason("12812345678")


@pytest.mark.parametrize("typed", ["138abcd5678", "电话13812345678", "13812345678转1"])
def test_it_refuses_letters_and_words(typed):
    assert reason(typed) == "电话号码只能包含数字"


@pytest.mark.parametrize("typed", ["", "  ", "+86", None])
def test_it_refuses_an_empty_number(typed):
    assert reason(typed) == "电话号码不能为空"
