"""The situation report's cases section (一、疫情基本情况): written as the source reports write it, every
number in it the recount's (reporting/tests/test_indicators_cases.recount, plain Python over the records)
for the same node and moment, and left out where there has never been a case or a contact."""

import datetime as dt
import io
import re

from docx import Document

from fangkong.measures import rules
from fangkong.reporting.tests.test_indicators_cases import recount
from fangkong.reporting.tests.tracing_fixtures import D, at, day, outbreak
from fangkong.situation import compose
from fangkong.situation import docx as word

__all__ = ["outbreak"]

END_OF_D = rules.local_midnight(D + dt.timedelta(days=1))
AFTER = dt.datetime(2022, 4, 1, tzinfo=rules.SHANGHAI)


def section(situation) -> list:
    return [p for p in situation.paragraphs if p.section == compose.CASES]


def test_it_writes_the_cases_as_the_reports_do(world, outbreak):
    situation = compose.compose(node=world.county, as_of=END_OF_D, now=AFTER)
    heading, news, totals, contacts = (p.text for p in section(situation))
    assert heading == "一、疫情基本情况"
    assert news == (
        "当日新增确诊病例4例（其中本土3例、境外输入1例；无症状感染者转为确诊病例2例），"
        "新增无症状感染者2例（其中境外输入2例），新增疑似病例1例。"
    )
    assert totals == (
        "全区累计报告确诊病例5例（其中本土4例、境外输入1例）、无症状感染者1例（不含已转为确诊病例的2例）、"
        "疑似病例1例；累计出院（解除隔离）0例，死亡0例。现有确诊病例5例，尚在医学观察无症状感染者1例，"
        "现有疑似病例1例。"
    )
    assert contacts == (
        "全区累计判定密切接触者3人、密接的密接1人，其中当日新增密切接触者2人、密接的密接1人；目前在管2人；"
        "当日判定的密接、次密接24小时内落实管控率75.0%；当日报告病例流调及时率33.3%。"
    )
    assert situation.paragraphs[len(section(situation)) + 1].text == "二、排查情况"


def test_its_numbers_are_the_recounts(world, outbreak):
    moments = [at(D, "10:00"), at(D, "16:00"), END_OF_D, at(day(11), "12:00"), at(day(12), "12:00")]
    for name in ("county", "township", "village", "other_village", "grid08"):
        node = getattr(world, name)
        for as_of in moments:
            situation = compose.compose(node=node, as_of=as_of, now=AFTER)
            expected = recount(outbreak, node, compose.report_day(as_of), as_of)
            paragraphs = section(situation)
            if not any(expected[code] for code in expected if code.endswith(("_total", "_new"))):
                assert not paragraphs, (name, as_of)
                continue
            for paragraph in paragraphs[1:]:
                for number in paragraph.figures:
                    assert number.value == expected[number.code], (name, as_of, number.code)
                    assert number.text in paragraph.text
            # And what a reader sees: each "确诊病例N例" clause says the recount's N.
            text = "".join(p.text for p in paragraphs)
            new = re.search(r"当日新增确诊病例(\d+)例", text)[1]
            assert int(new) == expected["cases_confirmed_new"], (name, as_of)


def test_it_leaves_the_section_out_where_there_was_never_a_case(world):
    situation = compose.compose(node=world.county, as_of=END_OF_D, now=AFTER)
    assert not section(situation)
    assert "病例" not in "".join(p.text for p in situation.paragraphs)


def test_the_word_document_carries_the_section(world, outbreak):
    situation = compose.compose(node=world.county, as_of=END_OF_D, now=AFTER)
    texts = [p.text for p in Document(io.BytesIO(word.render(situation))).paragraphs]
    assert "一、疫情基本情况" in texts
    assert any(t.startswith("当日新增确诊病例4例（其中本土3例、境外输入1例") for t in texts)
