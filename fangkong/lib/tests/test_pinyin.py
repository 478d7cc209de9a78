import pytest

from fangkong.lib.pinyin import pinyin_keys


def test_it_gives_full_pinyin_and_initials():
    assert pinyin_keys("张伟") == ("zhangwei", "zw")


def test_it_reads_a_two_character_surname():
    assert pinyin_keys("欧阳娜娜") == ("ouyangnana", "oynn")
    assert pinyin_keys("尉迟恭") == ("yuchigong", "ycg")


@pytest.mark.parametrize(
    "name, keys",
    [
        ("曾国藩", ("zengguofan", "zgf")),  # not "ceng"
        ("单田芳", ("shantianfang", "stf")),  # not "dan"
        ("解缙", ("xiejin", "xj")),  # not "jie"
        ("区家麟", ("oujialin", "ojl")),  # not "qu"
    ],
)
def test_it_reads_a_surname_the_way_people_say_it(name, keys):
    assert pinyin_keys(name) == keys


def test_it_reads_the_same_character_normally_outside_the_surname():
    assert pinyin_keys("李曾") == ("liceng", "lc")


def test_it_ignores_what_is_not_chinese():
    assert pinyin_keys("买买提·艾力") == ("maimaitiaili", "mmtal")
    assert pinyin_keys("") == ("", "")
