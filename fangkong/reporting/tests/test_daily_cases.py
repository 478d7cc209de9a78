"""The daily report's cases section: the village's cases and contacts of the day from the indicators, and a
new case alone is enough to refuse a zero report, saying so in Chinese."""

from fangkong.reporting import indicators
from fangkong.reporting.models import DailyReport
from fangkong.reporting.tests.daily_fixtures import D, at, clock, units
from fangkong.reporting.tests.test_daily_views import client_for, figure_cell, report_url, text_of
from fangkong.reporting.tests.tracing_fixtures import Outbreak, outbreak
from fangkong.tracing.models import EventKind, Source

__all__ = ["outbreak", "units"]


def test_it_shows_the_cases_of_the_village_in_their_own_section(world, units, outbreak):
    html = text_of(client_for(units["qian_staff"]).get(report_url(units["qian"])))
    assert "病例与密切接触者" in html
    values = indicators.compute(world.village, D)
    assert values["cases_confirmed_new"] == 4  # 甲 乙 庚 of grid 07, 辛 of grid 08
    for code in (
        "cases_confirmed_new",
        "cases_asymptomatic_new",
        "contacts_close_new",
        "contacts_under_control",
    ):
        assert figure_cell(html, code).split() == [
            str(values[code]),
            "例" if code.startswith("cases") else "人",
        ]
    cases_section = html[html.index('id="case-figures"') :]
    assert "figure-screened_total" not in cases_section  # the other figures stay in theirs


def test_it_refuses_a_zero_report_on_the_day_of_a_new_case(world, units):
    with clock(at(D, "23:00")):
        Outbreak(world).case(
            world.other_village, "丁", [(EventKind.SUSPECTED, at(D, "20:00"))], source=Source.OTHER_PROVINCE
        )
    client = client_for(units["hou_staff"])
    assert "一键零报告" not in client.get(report_url(units["hou"])).content.decode()
    response = client.post(report_url(units["hou"], zero=True))
    assert response.status_code == 400
    assert "不能零报告：新增疑似病例1例" in text_of(response)
    assert not DailyReport.objects.exists()
    # The day before, nothing had happened there.
    yesterday = D.replace(day=D.day - 1)
    assert client.post(report_url(units["hou"], day=yesterday, zero=True)).status_code == 302
