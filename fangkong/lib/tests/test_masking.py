import pytest

from fangkong.lib.masking import mask_id_number, mask_name, mask_phone


def test_it_shows_the_first_six_and_last_four_of_an_id_number():
    assert mask_id_number("440308199001011234") == "440308********1234"
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_it_masks_a_short_document_number_without_showing_most_of_it():
    assert mask_id_number("E12345678") == "E1*******"  # a passport number
    assert mask_id_number("12") == "12"
    assert mask_id_number("") == ""


def test_it_shows_the_first_three_and_last_four_of_a_mobile():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("06358212345") == "063****2345"


def test_it_masks_a_short_phone_number_almost_entirely():
    assert mask_phone("8212345") == "8******"
    assert mask_phone("") == ""


@pytest.mark.parametrize(
    "name, masked",
    [
        ("张伟", "张*"),
        ("李秀英", "李**"),
        ("欧阳娜娜", "欧阳**"),
        ("欧阳修", "欧阳*"),  # a two-character surname stays whole
        ("司马光", "司马*"),
        ("阿依古丽", "阿***"),  # no surname to keep: hide all but the first character
        ("张", "张"),
        ("", ""),
    ],
)
def test_it_keeps_the_surname_and_hides_the_given_name(name, masked):
    assert mask_name(name) == masked
