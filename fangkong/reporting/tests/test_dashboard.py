"""The dashboard (`/reports/dashboard/`): who sees which node, today's figures and their change from
yesterday equal to indicators.compute, the 30-day charts equal to compute day by day, the tables that stand
in for the charts without JavaScript, the links to the records behind each figure, the children with their
daily reports, the alerts waiting, and a query count that does not grow with the records.

The clock is set to 2022-03-10 15:00 (Asia/Shanghai): today is the 10th, yesterday the 9th."""

import datetime as dt
import html
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fangkong.policy.models import Kind, Reason
from fangkong.reporting import actions as daily_actions
from fangkong.reporting import indicators
from fangkong.reporting.tests.test_trends import Records, at, clock
from fangkong.reporting.views import dashboard as views

TODAY = dt.date(2022, 3, 10)
YESTERDAY = TODAY - dt.timedelta(days=1)
NOW = at(TODAY, "15:00")


@pytest.fixture
def town(world):
    """Key persons around today and yesterday (see each line)."""
    r = Records(world)
    people = {}
    zhang = people["zhang"] = r.person(world.grid07, "张伟")  # home quarantine since the 5th
    m = r.start(
        zhang, Kind.HOME_QUARANTINE, at(dt.date(2022, 3, 5), "10:00"), r.screen(zhang, dt.date(2022, 3, 5))
    )
    r.check(m, at(YESTERDAY, "08:00"))
    r.check(m, at(YESTERDAY, "19:00"))
    r.check(m, at(TODAY, "08:30"))
    li = people["li"] = r.person(world.grid07, "李秀英")  # a close contact, monitored from 09:00 today
    screening = r.screen(li, TODAY, Reason.CLOSE_CONTACT)
    r.start(li, Kind.HOME_MONITORING, at(TODAY, "09:00"), screening)
    wang = people["wang"] = r.person(world.grid08, "王芳")  # released yesterday at 17:00
    m = r.start(
        wang, Kind.HOME_QUARANTINE, at(dt.date(2022, 3, 1), "10:00"), r.screen(wang, dt.date(2022, 3, 1))
    )
    r.release(m, at(YESTERDAY, "17:00"))
    liu = people["liu"] = r.person(world.other_village, "刘洋")  # fever at 08:00 today: an open alert
    m = r.start(
        liu, Kind.SELF_MONITORING, at(dt.date(2022, 3, 8), "10:00"), r.screen(liu, dt.date(2022, 3, 8))
    )
    r.check(m, at(TODAY, "08:00"), "38.2")
    people["zhao"] = r.person(world.grid07, "赵强")  # screened yesterday, nothing more
    r.screen(people["zhao"], YESTERDAY)
    r.people = people
    return r


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def get(client, url):
    with clock(NOW):
        return client.get(url)


def page(user, node=None):
    url = reverse("dashboard") if node is None else reverse("dashboard_node", kwargs={"code": node.code})
    return get(client_for(user), url)


def figure_block(response, code: str) -> str:
    content = response.content.decode()
    match = re.search(rf'<div class="count" id="figure-{code}">(.*?)</div>', content, re.S)
    assert match, f"no figure {code} on the page"
    return match.group(1)


def link_of(response, code: str) -> str:
    return html.unescape(re.search(r'href="([^"]*)"', figure_block(response, code)).group(1))


def chart_data(response) -> dict:
    content = response.content.decode()
    match = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', content, re.S)
    return json.loads(match.group(1))


# Who sees what ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, node",
    [
        ("county_admin", "county"),
        ("township_admin", "township"),
        ("grid07_worker", "grid07"),
        ("grid07_viewer", "grid07"),
        ("grid08_worker", "grid08"),
    ],
)
def test_it_opens_on_each_personas_own_node(world, town, persona, node):
    response = page(getattr(world, persona))
    assert response.status_code == 200
    assert f"<h1>{getattr(world, node).name}数据看板</h1>" in response.content.decode()


def test_it_answers_404_outside_the_users_area(world, town):
    assert page(world.grid08_worker, world.grid07).status_code == 404
    assert page(world.grid08_worker, world.village).status_code == 404  # above the worker's grid
    assert page(world.grid07_worker, world.township).status_code == 404
    assert page(world.outsider).status_code == 404  # no area at all
    assert page(world.outsider, world.county).status_code == 404
    assert get(client_for(world.county_admin), "/reports/dashboard/999999/").status_code == 404
    assert page(world.township_admin, world.grid07).status_code == 200
    assert get(Client(), reverse("dashboard"))["Location"].startswith(reverse("login"))


# The figures -----------------------------------------------------------------------------------------


def test_its_figures_are_the_indicators_of_today_and_yesterday(world, town):
    for node in (world.township, world.village, world.grid07, world.other_village):
        response = page(world.township_admin, node)
        today = indicators.compute(node, TODAY, now=NOW, codes=views.card_codes())
        yesterday = indicators.compute(node, YESTERDAY, now=NOW, codes=views.card_codes())
        assert (response.context["values"], response.context["previous"]) == (today, yesterday), node
        assert list(response.context["values"]) == list(today)
        shown = [f for group in response.context["groups"] for f in group["figures"]]
        assert {f["code"] for f in shown} >= set(views.CHILD_CODES)
        for f in shown:
            assert (f["value"], f["previous"]) == (today[f["code"]], yesterday[f["code"]]), (node, f["code"])
            assert not isinstance(f["value"], list | dict), f["code"]  # a breakdown is no card
    response = page(world.township_admin, world.village)
    assert re.search(r"<b>1<small", figure_block(response, "active_home_monitoring"))  # 李秀英, from today
    assert "较昨日 ▲1" in figure_block(response, "active_home_monitoring")
    assert "较昨日 ▼1" in figure_block(response, "released_new")  # 王芳 yesterday, nobody today
    assert "较昨日 持平" in figure_block(response, "active_home_quarantine")  # 张伟 on both days
    assert "较昨日 ▲1" in figure_block(response, "close_contacts_total")


def test_it_gives_a_rate_its_change_in_percentage_points(world):
    assert views.change(62.5, 60.0, "%")["text"] == "▲2.5个百分点"
    assert views.change(3, 5, "人")["text"] == "▼2"
    assert views.change(None, 60.0, "%") is None  # nobody registered: no rate, no change


def test_its_charts_are_compute_day_by_day_and_tables_without_javascript(world, town):
    response = page(world.township_admin, world.village)
    data = chart_data(response)
    days = [TODAY - dt.timedelta(days=n) for n in range(29, -1, -1)]
    assert data["days"] == [f"{day:%m-%d}" for day in days]
    per_day = [indicators.compute(world.village, day, now=NOW) for day in days]
    charts = {chart["id"]: chart for chart in data["trends"]}
    for chart_id, _title, codes in views.CHARTS:
        for code, line in zip(codes, charts[chart_id]["series"], strict=True):
            assert line["data"] == [values[code] for values in per_day], code
    assert any(any(line["data"]) for chart in data["trends"] for line in chart["series"])
    content = response.content.decode()
    # Without JavaScript the charts stay hidden and their tables open, one row a day.
    for chart_id, _title, _codes in views.CHARTS:
        assert f'<div class="dash-chart" id="{chart_id}" hidden></div>' in content
    assert content.count('<details class="dash-data" open>') == len(views.CHARTS)
    assert content.count('<td data-label="日期">') == 30 * len(views.CHARTS)
    assert "vendor/echarts/echarts-" in content


# Links to the records ------------------------------------------------------------------------------------


def test_each_figure_links_to_its_records_with_the_nodes_filters(world, town):
    response = page(world.township_admin, world.village)
    code = world.village.code
    assert link_of(response, "registered_people") == f"/persons/?node_code={code}"
    assert link_of(response, "verified_people_pct") == f"/persons/?node_code={code}&verification=none"
    assert link_of(response, "active_home_quarantine") == (
        f"/measures/?node_code={code}&kind=home_quarantine&status=active"
    )
    assert link_of(response, "close_contacts_total") == f"/measures/?node_code={code}&reason=close_contact"
    assert link_of(response, "released_new") == f"/measures/?node_code={code}&status=released"
    assert link_of(response, "symptomatic_new") == reverse("alert_list")
    assert link_of(response, "followups_missed") == reverse("township_overview")
    # A county is no choice of the list filters: its figures open the user's whole list.
    county = page(world.county_admin, world.county)
    assert link_of(county, "registered_people") == "/persons/"


def test_following_a_link_shows_the_records_behind_the_figure(world, town):
    client = client_for(world.township_admin)
    response = get(client, reverse("dashboard_node", kwargs={"code": world.village.code}))
    quarantined = get(client, link_of(response, "active_home_quarantine")).content.decode()
    assert "张伟" in quarantined
    assert [name for name in ("李秀英", "王芳", "刘洋") if name in quarantined] == []
    registered = get(client, link_of(response, "registered_people")).content.decode()
    assert [name for name in ("张伟", "李秀英", "王芳", "赵强") if name not in registered] == []
    assert "刘洋" not in registered  # 后屯
    alerts = get(client, link_of(response, "symptomatic_new")).content.decode()
    assert "刘洋" in alerts


def test_a_county_admin_following_a_villages_link_sees_that_village_only(world, town):
    client = client_for(world.county_admin)
    response = get(client, reverse("dashboard_node", kwargs={"code": world.village.code}))
    listed = get(client, link_of(response, "screened_total")).content.decode()
    assert "张伟" in listed
    assert "刘洋" not in listed  # 后屯


# Children, reports, alerts -------------------------------------------------------------------------------


def test_it_lists_the_children_with_their_figures_and_daily_reports(world, town):
    admin = world.township_admin
    units = {
        village.code: daily_actions.add_reporting_unit(
            actor=admin, node=village, active_from=dt.date(2022, 3, 1)
        )
        for village in (world.village, world.other_village)
    }
    with clock(at(TODAY, "09:00")):  # before the 10:00 deadline
        daily_actions.submit_report(
            actor=admin, reporting_unit=units[world.village.code], day=YESTERDAY, note=""
        )
    response = page(admin, world.township)
    rows = {row["node"].code: row for row in response.context["children"]}
    assert list(rows) == [world.village.code, world.other_village.code]
    for child in (world.village, world.other_village):
        values = indicators.compute(child, TODAY, codes=views.CHILD_CODES, now=NOW)
        row = rows[child.code]
        assert row["registered"] == values["registered_people"]
        assert row["screened"] == values["screened_total"]
        assert row["active"] == sum(values[f"active_{kind}"] for kind in Kind.values)
        assert row["missed"] == values["followups_missed"]
    assert (rows[world.village.code]["registered"], rows[world.village.code]["active"]) == (4, 2)
    assert rows[world.village.code]["reports"].on_time == 1
    assert rows[world.other_village.code]["reports"].missing == 1
    content = response.content.decode()
    table = re.search(r'<table class="responsive" id="children-table">(.*?)</table>', content, re.S).group(1)
    assert "缺报 1" in table.split("后屯村委会")[1]
    total = re.search(r'id="reports-total">(.*?)</p>', content, re.S).group(1)
    assert "已报 1/2（50.0%）" in total
    completeness_page = reverse("completeness", kwargs={"code": world.township.code}) + "?date=2022-03-09"
    assert f'href="{completeness_page}"' in total
    assert get(client_for(admin), completeness_page).status_code == 200
    bars = chart_data(response)["children"]
    assert bars["names"] == ["前屯村委会", "后屯村委会"]
    assert bars["links"] == [reverse("dashboard_node", kwargs={"code": c}) for c in rows]


def test_it_counts_the_alerts_waiting_in_the_node(world, town):
    assert "待处置预警 1 条" in page(world.township_admin, world.other_village).content.decode()
    assert "待处置预警 0 条" in page(world.township_admin, world.village).content.decode()


def test_its_queries_do_not_grow_with_the_records(world, town):
    client = client_for(world.township_admin)
    url = reverse("dashboard_node", kwargs={"code": world.township.code})
    get(client, url)
    with CaptureQueriesContext(connection) as few:
        get(client, url)
    town.random_people(20, seed=11)
    with CaptureQueriesContext(connection) as recounting:
        assert (
            get(client, url).status_code == 200
        )  # the kept days the new records reach back to, counted again
    with CaptureQueriesContext(connection) as many:
        assert get(client, url).status_code == 200
    assert len(many) == len(few) < len(recounting)
