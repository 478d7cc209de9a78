"""The situation report: its numbers are the indicators' for the same node and moment, written as the
reports write them; the text people write is kept between reports; the .docx follows GB/T 9704 and reads
back; the PDF when LibreOffice is installed; the command line. The town is in situation_fixtures.py."""

import datetime as dt
import io
import json
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from fangkong.audit.models import Action, AuditEvent
from fangkong.lib.errors import RuleError, StaleEdit
from fangkong.reporting import indicators
from fangkong.situation import actions, compose, pdf
from fangkong.situation import docx as word
from fangkong.situation.tests.situation_fixtures import (
    END_OF_D,
    NOON,
    D,
    at,
    town_fixture,  # noqa: F401 (the fixture "town")
)

LATER = at(D + dt.timedelta(days=3), "09:00")  # when a report of a past moment is made


def make(node, as_of=END_OF_D, now=None):
    return compose.compose(node=node, as_of=as_of, now=now or as_of)


def texts(situation, kind=compose.BODY) -> list[str]:
    return [p.text for p in situation.paragraphs if p.kind == kind]


def whole(situation) -> str:
    return "\n".join(p.text for p in situation.paragraphs)


# ── the numbers ────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("as_of", [at(D, "09:00"), NOON, at(D, "15:30"), END_OF_D], ids=str)
def test_it_takes_every_number_from_the_indicators_for_the_same_node_and_moment(world, town, as_of):
    nodes = [world.county, world.township, world.village, world.other_village, world.grid07, world.grid08]
    for node in nodes:
        payload = json.loads(json.dumps(compose.to_json(make(node, as_of))))
        day = compose.report_day(as_of)
        expected = json.loads(json.dumps(indicators.compute(node, day, now=as_of, as_of=as_of)))
        assert payload["indicators"] == expected
        numbers = [n for p in payload["paragraphs"] for n in p["numbers"]]
        assert len(numbers) >= 8, node.name
        for paragraph in payload["paragraphs"]:
            for number in paragraph["numbers"]:
                if number["code"] == "screened_by_origin":
                    rows = {indicators.origin_label(r): r["count"] for r in expected["screened_by_origin"]}
                    assert number["value"] == rows[number["item"]], (node.name, number)
                else:
                    assert number["value"] == expected[number["code"]], (node.name, number)
                assert number["text"] == compose.number_text(number["code"], number["value"])
                assert number["text"] in paragraph["text"]


def test_it_writes_the_figures_as_the_reports_write_them(world, town):
    situation = make(world.township)
    assert situation.title == "梁水镇关于新冠肺炎疫情防控工作开展情况的报告"
    text = whole(situation)
    for sentence in (
        "截至2020年1月28日24时，全镇累计排查重点人员5人。现将有关情况报告如下：",
        "全镇已登记实有人口6人，实有人口核查率16.7%。",
        "全镇累计排查重点人员5人，其中当日新增3人；累计排查密切接触者1人。",
        "外地来返人员按来源地分：湖北省武汉市3人、北京市1人。",
        "全镇现有集中隔离医学观察1人、居家隔离医学观察1人、居家健康监测1人。",
        "全镇设集中隔离点1个，共有床位3张，空余床位2张。",
        "当日解除隔离观察或健康监测1人次，累计解除1人次。",
        "当日应随访5人次，已随访4人次，漏访1人次；随访发现发热、咳嗽等症状1人。",
        "当日各卡口测温登记1人次，登记车辆1辆，劝返1人次。",
    ):
        assert sentence in text
    assert texts(situation, compose.HEADING) == [
        "一、排查情况",
        "二、管控情况",
        "三、随访监测",
        "四、卡口与场所",
    ]
    assert texts(situation, compose.SIGNATURE) == ["梁水镇新冠肺炎疫情防控指挥部"]
    assert texts(situation, compose.DATE) == ["2020年1月29日"]  # the morning after 24时


def test_it_names_the_area_by_its_level_and_leaves_out_what_it_does_not_have(world, town):
    grid08 = make(world.grid08)
    assert "本网格累计排查重点人员1人" in whole(grid08)
    assert texts(grid08, compose.HEADING) == ["一、排查情况", "二、管控情况", "三、随访监测"]  # no checkpoint
    assert "集中隔离点" not in whole(grid08)  # the township's site is not in grid 08
    village = make(world.other_village)
    assert "全村目前无正在实施隔离观察或健康监测的人员" in whole(village)
    assert "当日无应随访人员" in whole(village)
    assert "全区" in whole(make(world.county))  # 东昌府区


def test_it_writes_only_the_checkpoint_and_venue_figures_that_are_not_zero():
    def text(**values):
        return [
            "".join(s.text if isinstance(s, compose.Figure) else s for s in p)
            for p in compose.checkpoints_section(values)
        ]

    counts = {"checkpoint_people": 3, "checkpoint_vehicles": 0, "checkpoint_turned_back": 1, "checkins": 5}
    assert text(**counts) == ["当日各卡口测温登记3人次，劝返1人次；场所扫码登记5人次。"]
    assert text(checkins=5) == ["当日场所扫码登记5人次。"]
    assert text(checkpoint_people=0, checkins=0) == []
    assert text() == []  # a deployment without those indicators


def test_it_counts_as_missed_only_the_slots_that_have_ended_by_the_moment(world, town):
    at_noon = make(world.grid07, NOON)
    figures = {f.code: f.value for f in at_noon.figures}
    assert figures["followups_missed"] == 0
    assert "（下午时段尚未结束，未计入漏访）" in whole(at_noon)
    assert "截至2020年1月28日12时" in whole(at_noon)
    at_midnight = make(world.grid07, END_OF_D)
    assert {f.code: f.value for f in at_midnight.figures}["followups_missed"] == 1  # 李秀英's evening
    assert "尚未结束" not in whole(at_midnight)


def test_it_says_when_a_past_moment_is_reported_with_what_was_recorded_by_then(world, town):
    assert make(world.township, NOON, now=NOON).basis == ""
    assert make(world.township, END_OF_D, now=END_OF_D).basis == ""
    for moment in (NOON, END_OF_D):
        later = make(world.township, moment, now=LATER)
        assert (
            f"本报告数字以{compose.as_of_text(moment)}已登记的记录为准，此后补录的记录不计入" in later.basis
        )
        assert later.paragraphs == make(world.township, moment, now=moment).paragraphs


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2020-01-28 12:00", NOON),
        ("2020-01-28T12:00", NOON),
        ("2020年1月28日12时", NOON),
        ("截至2020年1月28日12时30分", at(D, "12:30")),
        ("2020年1月28日24时", END_OF_D),
        ("2020-01-28 24:00", END_OF_D),
        ("2020-01-28", END_OF_D),
    ],
)
def test_it_reads_the_moment_as_people_write_it(text, expected):
    assert compose.parse_as_of(text) == expected


def test_it_writes_the_moment_as_the_reports_do():
    assert compose.as_of_text(NOON) == "截至2020年1月28日12时"
    assert compose.as_of_text(at(D, "12:30")) == "截至2020年1月28日12时30分"
    assert compose.as_of_text(END_OF_D) == "截至2020年1月28日24时"
    assert compose.report_day(END_OF_D) == D


@pytest.mark.parametrize(
    "text, reason",
    [("2020-02-30 12:00", "日期不存在"), ("明天中午", "格式不对"), ("2020-01-28 25:00", "不存在")],
)
def test_it_refuses_a_moment_it_cannot_read_in_chinese(text, reason):
    with pytest.raises(RuleError, match=reason) as caught:
        compose.parse_as_of(text)
    assert "as_of" in caught.value.errors


def test_it_refuses_a_moment_in_the_future(world):
    with pytest.raises(RuleError, match="不能晚于现在"):
        compose.compose(node=world.township, as_of=at(D, "12:00"), now=at(D, "11:00"))


# ── the text people write ──────────────────────────────────────────────────────────────────────────

PROBLEMS = "一是部分群众防护意识不强。\n\n二是口罩等防护物资缺口较大。"
NEXT_STEPS = "（一）持续排查，摸清底数。进一步核实外来人员情况。\n（二）加大宣传。"


def test_it_keeps_problems_and_next_steps_between_reports(world, town):
    actions.save_notes(
        actor=world.township_admin,
        node=world.township,
        issuer="梁水镇疫情防控工作领导小组办公室",
        problems=PROBLEMS,
        next_steps=NEXT_STEPS,
    )
    for as_of in (NOON, END_OF_D, END_OF_D + dt.timedelta(days=1)):
        situation = make(world.township, as_of)
        headings = texts(situation, compose.HEADING)
        assert [h.split("、")[1] for h in headings[-2:]] == ["存在问题", "下一步工作"]
        if as_of == END_OF_D:  # after 四、卡口与场所; on the 29th nobody passed a checkpoint: 四、五
            assert headings[-2:] == ["五、存在问题", "六、下一步工作"]
        by_section = {}
        for p in situation.paragraphs:
            if p.kind == compose.BODY:
                by_section.setdefault(p.section, []).append(p.text)
        assert by_section[compose.PROBLEMS] == ["一是部分群众防护意识不强。", "二是口罩等防护物资缺口较大。"]
        assert by_section[compose.NEXT_STEPS] == [
            "（一）持续排查，摸清底数。进一步核实外来人员情况。",
            "（二）加大宣传。",
        ]
        assert texts(situation, compose.SIGNATURE) == ["梁水镇疫情防控工作领导小组办公室"]
    # Only the township's own reports: grid 08's numbering goes on without them.
    assert texts(make(world.grid08), compose.HEADING)[-1] == "三、随访监测"
    assert AuditEvent.objects.filter(action=Action.UPDATE, target_type="SituationNotes").count() == 1


def test_it_refuses_a_save_over_someone_elses_newer_text(world, town):
    first = actions.save_notes(
        actor=world.township_admin, node=world.township, issuer="", problems="甲", next_steps=""
    )
    seen = first.updated_at.isoformat()
    actions.save_notes(
        actor=world.county_admin, node=world.township, issuer="", problems="乙", next_steps="", seen=seen
    )
    with pytest.raises(StaleEdit):
        actions.save_notes(
            actor=world.township_admin,
            node=world.township,
            issuer="",
            problems="丙",
            next_steps="",
            seen=seen,
        )
    assert compose.notes_for(world.township).problems == "乙"


def test_it_lets_only_writers_of_the_node_change_its_text(world, town):
    for user, node in ((world.grid07_worker, world.township), (world.grid07_viewer, world.grid07)):
        with pytest.raises(RuleError, match="无权"):
            actions.save_notes(actor=user, node=node, issuer="", problems="x", next_steps="")
    with pytest.raises(RuleError, match="存在问题不能超过"):
        actions.save_notes(
            actor=world.township_admin, node=world.township, issuer="", problems="字" * 5001, next_steps=""
        )


# ── the .docx ──────────────────────────────────────────────────────────────────────────────────────


def fonts(run) -> dict:
    element = run._r.rPr.find(qn("w:rFonts"))
    return {name: element.get(qn(f"w:{name}")) for name in ("eastAsia", "ascii")}


def half_points(run) -> str:
    return run._r.rPr.find(qn("w:sz")).get(qn("w:val"))


def test_it_lays_out_the_docx_per_gb_t_9704(world, town):
    actions.save_notes(
        actor=world.township_admin, node=world.township, issuer="", problems=PROBLEMS, next_steps=NEXT_STEPS
    )
    situation = make(world.township)
    document = Document(io.BytesIO(word.render(situation)))

    section = document.sections[0]
    # In EMU (Word stores twips: within 0.1 mm of the standard's millimetres, which allow ±1 mm).
    sizes = {
        "page_width": 210,
        "page_height": 297,
        "top_margin": 37,
        "bottom_margin": 35,
        "left_margin": 28,
        "right_margin": 26,
    }
    for name, mm in sizes.items():
        assert abs(getattr(section, name) - Mm(mm)) < Mm(0.1), name
    assert section.top_margin == 1332230  # 2098 twips
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "579"  # 22 lines

    paragraphs = [p for p in document.paragraphs if p.text]
    title = paragraphs[0]
    assert title.text == "梁水镇关于新冠肺炎疫情防控工作\n开展情况的报告"  # broken where the sense allows
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert fonts(title.runs[0])["eastAsia"] == "方正小标宋简体" and half_points(title.runs[0]) == "44"  # 2号

    # The document says what the data says, paragraph by paragraph.
    expected = [p.text for p in situation.paragraphs]
    assert [p.text for p in paragraphs[1:]] == expected
    for figure in situation.figures:
        assert any(figure.text in p.text for p in paragraphs)

    opening = paragraphs[1]
    assert fonts(opening.runs[0]) == {"eastAsia": "仿宋_GB2312", "ascii": "Times New Roman"}
    assert half_points(opening.runs[0]) == "32"  # 3号
    # 0.25 pt tighter: 28 characters of 16 pt to the 156 mm line.
    assert opening.runs[0]._r.rPr.find(qn("w:spacing")).get(qn("w:val")) == "-5"
    assert opening.paragraph_format.first_line_indent > Pt(30)  # two characters
    heading = next(p for p in paragraphs if p.text == "一、排查情况")
    assert fonts(heading.runs[0])["eastAsia"] == "黑体" and half_points(heading.runs[0]) == "32"
    second_level = next(p for p in paragraphs if p.text.startswith("（一）"))
    assert [r.text for r in second_level.runs] == ["（一）持续排查，摸清底数。", "进一步核实外来人员情况。"]
    assert [fonts(r)["eastAsia"] for r in second_level.runs] == ["楷体_GB2312", "仿宋_GB2312"]

    normal = document.styles["Normal"].paragraph_format
    assert normal.line_spacing_rule == WD_LINE_SPACING.EXACTLY and normal.line_spacing == Pt(28.95)
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert defaults.find(qn("w:sz")).get(qn("w:val")) == "32"

    unit, date = paragraphs[-2], paragraphs[-1]
    assert (unit.text, date.text) == ("梁水镇新冠肺炎疫情防控指挥部", "2020年1月29日")
    assert unit.alignment == date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert date.paragraph_format.right_indent > unit.paragraph_format.right_indent  # date under the unit

    # Page numbers: "— 1 —" in 4号 宋体, odd pages right, even pages left.
    assert document.settings.odd_and_even_pages_header_footer
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        number = footer.paragraphs[0]
        assert number.alignment == alignment
        assert [i.text for i in number._p.iter(qn("w:instrText"))] == [" PAGE "]
        assert number.text.startswith("— ") and number.text.endswith(" —")
        assert {fonts(r)["eastAsia"] for r in number.runs} == {"宋体"}
        assert {half_points(r) for r in number.runs} == {"28"}

    table = next(r.target_part for r in document.part.rels.values() if r.reltype == RT.FONT_TABLE)
    assert b'w:name="\xe4\xbb\xbf\xe5\xae\x8b_GB2312"' in table.blob  # 仿宋_GB2312 declared …
    assert "仿宋".encode() in table.blob  # … with 仿宋 as its alternate


def test_it_breaks_a_long_title_where_its_sense_allows():
    assert word.title_lines("梁水镇关于新冠肺炎疫情防控工作开展情况的报告") == [
        "梁水镇关于新冠肺炎疫情防控工作",
        "开展情况的报告",
    ]
    assert word.title_lines("某某县某某镇某某村委会关于新冠肺炎疫情防控工作开展情况的报告") == [
        "某某县某某镇某某村委会关于",
        "新冠肺炎疫情防控工作开展情况的报告",
    ]
    assert word.title_lines("第七网格关于疫情防控的报告") == ["第七网格关于疫情防控的报告"]


def test_it_places_the_date_two_characters_right_of_the_unit(world):
    unit, date = word.signature_indents("梁水镇新冠肺炎疫情防控指挥部", "2020年1月29日")
    assert unit == 2 and date == 14 + 2 - 2 - 6.5  # the date starts two characters in from the unit
    unit, date = word.signature_indents("某某村", "2020年12月31日")  # the date is the longer: it keeps 2
    assert date == 2 and unit == 2 + 7 + 2 - 3


# ── PDF ────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.skipif(not pdf.available(), reason="LibreOffice (soffice) is not installed")
def test_it_converts_the_report_to_pdf_with_libreoffice(world, town):
    situation = make(world.township)
    content = pdf.convert(word.render(situation))
    assert content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout
        flat = text.decode().replace(" ", "").replace("\n", "")
        assert "梁水镇关于新冠肺炎疫情防控工作开展情况的报告" in flat
        assert "全镇已登记实有人口6人" in flat
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", "-"], input=content, capture_output=True, check=True
        ).stdout.decode()
        assert "A4" in info


def test_it_says_in_chinese_that_there_is_no_pdf_without_libreoffice(world, town, monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "converter", lambda: None)
    assert not pdf.available()
    with pytest.raises(RuleError, match="LibreOffice"):
        pdf.convert(b"")
    with pytest.raises(CommandError, match="未安装 LibreOffice.*--format docx"):
        run_command(world.township, "--format", "pdf", "--out", str(tmp_path / "r.pdf"))


# ── the command line ───────────────────────────────────────────────────────────────────────────────


def run_command(node, *extra):
    out = io.StringIO()
    call_command(
        "report", "situation", "--node", node.code, "--as-of", "2020-01-28 12:00", *extra, stdout=out
    )
    return out.getvalue()


def test_it_writes_the_report_from_the_command_line(world, town, tmp_path):
    json_file, docx_file = tmp_path / "r.json", tmp_path / "r.docx"
    run_command(world.township, "--format", "json", "--out", str(json_file))
    payload = json.loads(json_file.read_text())
    expected = json.loads(json.dumps(compose.to_json(make(world.township, NOON, now=LATER))))
    assert payload["paragraphs"] == expected["paragraphs"]
    assert payload["indicators"] == expected["indicators"]
    assert payload["as_of_text"] == "截至2020年1月28日12时"
    assert (
        json.loads(run_command(world.township, "--format", "json", "--out", "-"))["node"]
        == world.township.code
    )
    run_command(world.township, "--format", "docx", "--out", str(docx_file))
    assert Document(str(docx_file)).paragraphs[0].text == "梁水镇关于新冠肺炎疫情防控工作\n开展情况的报告"
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()  # the server's operator: not audited


def test_it_audits_an_export_made_for_a_user_and_keeps_to_their_area(world, town, tmp_path):
    run_command(
        world.grid07, "--format", "docx", "--out", str(tmp_path / "r.docx"), "--user", "grid07_worker"
    )
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert (event.actor, event.node_path, event.detail["format"]) == (
        world.grid07_worker,
        world.grid07.path,
        "docx",
    )
    for node in (world.grid07, world.township):
        with pytest.raises(CommandError, match="无权"):
            run_command(
                node, "--format", "json", "--out", str(tmp_path / "x.json"), "--user", "grid08_worker"
            )
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == 1


def test_it_explains_a_bad_node_or_moment_in_chinese(world, tmp_path):
    with pytest.raises(CommandError, match="不存在"):
        call_command("report", "situation", "--node", "999", "--out", str(tmp_path / "r.docx"))
    with pytest.raises(CommandError, match="格式不对"):
        call_command(
            "report",
            "situation",
            "--node",
            world.township.code,
            "--as-of",
            "昨天",
            "--out",
            str(tmp_path / "r"),
        )


def test_heading_numbers_go_past_ten_as_written():
    from fangkong.situation.compose import chinese_numeral

    written = [chinese_numeral(n) for n in (1, 9, 10, 11, 12, 19, 20, 21, 99)]
    assert written == ["一", "九", "十", "十一", "十二", "十九", "二十", "二十一", "九十九"]
