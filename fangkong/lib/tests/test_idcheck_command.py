"""`fangkong idcheck … --json` is read by scripts: its shape is a contract."""

import json
from io import StringIO

from django.core.management import call_command


def idcheck_json(*numbers: str) -> list:
    out = StringIO()
    call_command("idcheck", *numbers, json=True, stdout=out)
    return json.loads(out.getvalue())


def test_it_prints_the_parsed_number_as_json():
    assert idcheck_json("11010519491231002x") == [
        {
            "input": "11010519491231002x",
            "valid": True,
            "normalized": "11010519491231002X",
            "birth_date": "1949-12-31",
            "sex": "female",
            "region": "110105",
        }
    ]


def test_it_prints_the_reason_for_an_invalid_number():
    assert idcheck_json("110105194912310021", "110105491231002") == [
        {"input": "110105194912310021", "valid": False, "reason": "身份证号校验位错误，请核对号码"},
        {"input": "110105491231002", "valid": False, "reason": "15位身份证号已停止使用，请填写18位身份证号"},
    ]


def test_it_prints_one_line_per_number_for_people():
    out = StringIO()
    call_command("idcheck", "440524188001010014", "123", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "440524188001010014: 有效 440524188001010014 出生 1880-01-01 男 地区 440524"
    assert lines[1] == "123: 无效 — 身份证号应为18位，现为3位"
