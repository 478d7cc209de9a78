"""The 流调报告 as the county's investigation team prints it: laid out by the same GB/T 9704 machinery as the
situation report, saying what the case's records say (facts, course, trajectory, contacts, clocks),
masked unless the reader may reveal, and every download audited."""

import datetime as dt
import io

import pytest
from docx import Document

from fangkong.audit.models import Action, AuditEvent
from fangkong.lib import gbt9704
from fangkong.lib.errors import RuleError
from fangkong.tracing import actions, report

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2022, 3, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def case(world, people):
    admin = world.county_admin
    case = actions.report_case(
        actor=admin,
        node=world.grid07,
        kind="confirmed",
        diagnosed_at=at(5, 14, 20),
        person=people["zhang"],
        onset_on=dt.date(2022, 3, 4),
        sampled_at=at(5, 8),
        reported_at=at(5, 15),
        isolated_at=at(5, 16),
        clinical_type="mild",
        hospital="聊城市传染病医院",
    )
    actions.add_entry(
        actor=admin, case=case, kind="meal", starts_at=at(3, 18), ends_at=at(3, 20), place="梁水镇老街饭店"
    )
    actions.add_entry(
        actor=admin,
        case=case,
        kind="vehicle",
        starts_at=at(4, 7, 30),
        ends_at=at(4, 8, 10),
        place="K101路公交",
        vehicle="鲁P12345",
        seat="12",
    )
    return case


def paragraphs(content: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(content)).paragraphs]


def tables(content: bytes) -> list[list[list[str]]]:
    return [
        [[cell.text for cell in row.cells] for row in t.rows] for t in Document(io.BytesIO(content)).tables
    ]


NOW = at(6, 9)


def test_it_writes_the_sections_of_an_investigation_report(world, case):
    exported = report.export_report(actor=world.county_admin, case=case, now=NOW)
    text = paragraphs(exported.content)
    assert text[0] == f"{case.number}确诊病例流行病学调查报告"
    headings = [t for t in text if t[:2] in {f"{n}、" for n in "一二三四五"}]
    assert headings == [
        "一、基本情况",
        "二、发病就诊及转归经过",
        "三、活动轨迹",
        "四、密切接触者判定和管控情况",
        "五、流调进度",
    ]
    body = "\n".join(text)
    assert "2022年3月5日14时20分诊断为确诊病例（轻型）" in body
    assert "现收治于聊城市传染病医院" in body
    assert "发病日期：2022年3月4日" in body
    # The window of a symptomatic case opens 2 days before onset (2022-03-02 00:00) and closes at isolation.
    assert "调查时段为2022年3月2日0时00分至2022年3月5日16时00分" in body
    assert "共查到活动2处" in body
    assert "共排查风险人员0人" in body
    # Signed by the county's command centre and dated the day it was printed.
    assert text[-2:] == ["东昌府区新冠肺炎疫情防控指挥部", "2022年3月6日"]


def test_it_lists_the_trajectory_and_the_events_in_tables(world, case):
    exported = report.export_report(actor=world.county_admin, case=case, now=NOW)
    events, trajectory = tables(exported.content)
    assert events[0] == ["时间", "事件", "说明"]
    assert events[1][:2] == ["3月5日 14:20", "确诊"]
    assert trajectory[0] == ["开始", "结束", "地点", "来源"]
    assert trajectory[1] == ["3月3日 18:00", "3月3日 20:00", "梁水镇老街饭店，聚餐", "流调登记"]
    assert trajectory[2][2] == "K101路公交，交通工具，鲁P12345，12"


def test_it_masks_the_case_unless_the_reader_reveals(world, case):
    masked = "\n".join(paragraphs(report.export_report(actor=world.county_admin, case=case, now=NOW).content))
    assert "张伟" not in masked and "张*" in masked
    assert "13812345678" not in masked and "138****5678" in masked
    full = "\n".join(
        paragraphs(report.export_report(actor=world.county_admin, case=case, full=True, now=NOW).content)
    )
    assert "张伟" in full and "13812345678" in full


def test_it_refuses_the_full_report_to_a_reader_who_may_not_reveal(world, case):
    with pytest.raises(RuleError) as refused:
        report.export_report(actor=world.grid07_viewer, case=case, full=True, now=NOW)
    assert refused.value.code == "forbidden"
    masked = report.export_report(actor=world.grid07_viewer, case=case, now=NOW)
    assert "张伟" not in "\n".join(paragraphs(masked.content))


def test_it_audits_every_download(world, case):
    report.export_report(actor=world.county_admin, case=case, now=NOW)
    report.export_report(actor=world.county_admin, case=case, full=True, now=NOW)
    events = AuditEvent.objects.filter(action=Action.EXPORT).order_by("pk")
    assert [(e.detail["report"], e.detail["full"]) for e in events] == [
        ("流调报告", False),
        ("流调报告", True),
    ]
    assert all(e.node_path == world.grid07.path for e in events)


def test_it_lays_the_report_out_per_gb_t_9704(world, case):
    document = Document(
        io.BytesIO(report.export_report(actor=world.county_admin, case=case, now=NOW).content)
    )
    section = document.sections[0]
    sizes = (section.page_width, section.page_height, section.top_margin, section.left_margin)
    assert [round(size.mm) for size in sizes] == [210, 297, 37, 28]
    title = document.paragraphs[0].runs[0]
    assert title.font.size == gbt9704.TITLE_SIZE
    # Tables are set in 4号 with their header row repeated on every page.
    table = document.tables[1]
    assert table.rows[0].cells[0].paragraphs[0].runs[0].font.size == gbt9704.TABLE_SIZE
    assert table.rows[0]._tr.trPr.xml.count("tblHeader") == 1
