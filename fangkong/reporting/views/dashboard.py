"""The dashboard of a node (数据看板): today's figures with the change from yesterday, the last 30 days as
line charts, the children side by side with the completeness of their daily reports, and the alerts
waiting. Every number comes from the definitions of indicators.py, by the paths that give compute()'s
numbers for many days or nodes at once (kept.figures, kept.children, trends.series),
or from completeness.completeness, and links to the list of records behind it; those lists apply the
user's scope themselves. tests/test_dashboard.py checks the cards against compute() of each day.

`/reports/dashboard/` is the user's first node; `/reports/dashboard/<code>/` any node they can see, 404
otherwise (the same answer for "missing" and "not yours")."""

import datetime as dt

from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.measures import queries as measure_queries
from fangkong.policy.models import Kind, Reason
from fangkong.registry.models import Verification
from fangkong.registry.queries import FILTER_LEVELS
from fangkong.reporting import (
    cases,
    completeness,
    indicators,
    inspections,
    kept,
    operations,
    schools,
    trends,
    vaccination,
)
from fangkong.reporting import coldchain as coldchain_indicators

PERCENT_POINTS = _("个百分点")

# The cases panel (reporting/cases.py): today's new cases by kind, those under treatment or observation,
# and the contacts decided today and under control. The other case figures (by source, totals) are for
# the daily and situation reports: they stay out of the headline's "其他".
CASES_PANEL = [
    (_("病例"), ["cases_confirmed_new", "cases_asymptomatic_new", "cases_suspected_new"]),
    (_("现有病例"), ["cases_confirmed_active", "cases_asymptomatic_active", "cases_suspected_active"]),
    (
        _("密接与流调"),
        [
            "contacts_close_new",
            "contacts_secondary_new",
            "contacts_under_control",
            "contacts_controlled_24h_pct",
        ],
    ),
]
# The headline, in groups; codes a module has not registered (yet) are left out.
HEADLINE = [
    *CASES_PANEL,
    (_("实有人口"), ["registered_people", "verified_people_pct"]),
    (_("排查"), ["screened_new", "screened_total", "close_contacts_total"]),
    (_("在管人数"), trends.ACTIVE),
    (_("解除与送医"), ["released_new", "released_total", "hospital_total"]),
    (_("随访"), ["followups_due", "followups_done", "followups_missed", "symptomatic_new"]),
    (_("集中隔离点"), ["quarantine_sites", "quarantine_beds", "quarantine_beds_free"]),
    (_("疫苗接种"), vaccination.PANEL),
]
# Shown only when the subtree has any of them today or yesterday.
WHEN_PRESENT = [
    (_("卡口与场所码"), ["checkpoint_people", "checkpoint_vehicles", "checkpoint_turned_back", "checkins"]),
    (_("物资保障与消杀"), operations.CODES),
    (_("督查整改与任务"), inspections.CODES),
    (_("学校晨午检"), schools.CODES),
    (_("冷链监管"), coldchain_indicators.CODES),
]
CHARTS = [
    ("trend-screened", _("排查与解除"), trends.SCREENED + trends.RELEASED),
    ("trend-active", _("在管人数"), trends.ACTIVE),
    ("trend-followups", _("随访发现发热与漏访"), trends.FOLLOW_UPS),
]
# The children's columns: registered, screened, under measures (the sum of active_*: a person has one
# active measure at a time), missed follow-ups today.
CHILD_CODES = ["registered_people", "screened_total", *trends.ACTIVE, "followups_missed"]
# And the cases of each child: confirmed today, confirmed under treatment, contacts under control.
CHILD_CASE_CODES = ["cases_confirmed_new", "cases_confirmed_active", "contacts_under_control"]
CHILD_CODES += CHILD_CASE_CODES
# What the cards never show, so never compute: the breakdown by origin (a list), the case figures outside
# the cases panel and the vaccination detail, which are the daily and situation reports'.
NOT_ON_CARDS = {
    "screened_by_origin",
    *vaccination.DETAIL,
    *(set(cases.CODES) - {code for _title, codes in CASES_PANEL for code in codes}),
}


def card_codes() -> list[str]:
    return [code for code in indicators.REGISTRY if code not in NOT_ON_CARDS]


# Finding the node ------------------------------------------------------------------------------------


def dashboard_node(user, code: str | None) -> Jurisdiction:
    if code is not None:
        return scoping.access_jurisdiction(user, code)
    tops = scoping.nodes_with(user)
    if not tops:
        raise Http404
    return tops[0]


# Links to the records behind each figure ---------------------------------------------------------------


def _url(name: str, **params) -> str:
    query = urlencode({key: value for key, value in params.items() if value})
    return reverse(name) + (f"?{query}" if query else "")


def record_links(node: Jurisdiction, today: dt.date) -> dict[str, tuple[str, str]]:
    """code → (url, what the list shows). The lists filter by `node_code` where they can: the list
    filters offer township, village and grid nodes only, so a county's figures link to the whole list
    (which is the user's area). Figures that no list matches exactly link to the nearest one and say so."""
    code = node.code if node.level in FILTER_LEVELS else ""

    def keypersons(**params):
        return _url("keyperson_list", node_code=code, **params)

    links = {
        "registered_people": (_url("person_list", node_code=code), _("实有人口名单")),
        "verified_people_pct": (
            _url("person_list", node_code=code, verification=Verification.NONE),
            _("未核查人员名单"),
        ),
        "screened_total": (keypersons(), _("重点人员名单")),
        "screened_new": (keypersons(), _("重点人员名单（按最近排查、管控排序）")),
        "close_contacts_total": (keypersons(reason=Reason.CLOSE_CONTACT), _("密切接触者名单")),
        "released_new": (keypersons(status=measure_queries.RELEASED), _("已解除人员名单")),
        "released_total": (keypersons(status=measure_queries.RELEASED), _("已解除人员名单")),
        "hospital_total": (keypersons(kind=Kind.HOSPITAL), _("送医人员名单")),
        "symptomatic_new": (_url("alert_list"), _("待处置预警")),
        "followups_missed": (_url("township_overview"), _("总览：漏访名单")),
        "followups_due": (_url("township_overview"), _("总览")),
        "followups_done": (_url("township_overview"), _("总览")),
    }
    for vaccinated in vaccination.CODES:  # the coverage table of the node
        links[vaccinated] = (_url("vaccination_coverage", node=node.code), _("接种率"))
    for kind in Kind.values:
        links[f"active_{kind}"] = (
            keypersons(kind=kind, status=measure_queries.ACTIVE),
            _("在管人员名单（{kind}）").format(kind=Kind(kind).label),
        )
    optional = {
        "checkpoint_people": ("checkpoint_list", {}, _("卡口")),
        "checkpoint_vehicles": ("checkpoint_list", {}, _("卡口")),
        "checkpoint_turned_back": ("checkpoint_list", {}, _("卡口")),
        "checkins": ("checkin_list", {"day": today.isoformat()}, _("扫码记录")),
        "quarantine_sites": ("site_list", {}, _("集中隔离点")),
        "quarantine_beds": ("site_list", {}, _("集中隔离点")),
        "quarantine_beds_free": ("site_list", {}, _("集中隔离点")),
        **{
            code: ("supplies_home", {"node": node.code}, _("防疫物资库存"))
            for code in operations.CODES
            if code.startswith("supplies_")
        },
        **{
            code: ("disinfection_home", {"node": node.code}, _("消杀完成情况"))
            for code in operations.CODES
            if code.startswith("disinfection_")
        },
    }
    optional.update(inspections.links(today))
    optional.update(
        {
            code: ("schools_home", {"node": node.code, "day": today.isoformat()}, _("学校晨午检"))
            for code in schools.CODES
            if code != "school_absent_illness"
        }
    )
    optional["school_absent_illness"] = ("absence_list", {}, _("因病缺勤追踪"))
    optional["coldchain_lots_in"] = ("coldchain_home", {"node": node.code}, _("进口冷链食品批次"))
    for code in ("coldchain_samples_tested", "coldchain_samples_positive"):
        result = "positive" if code == "coldchain_samples_positive" else ""
        optional[code] = ("coldsample_list", {"node": node.code, "result": result}, _("冷链样本"))
    for indicator, (name, params, title) in optional.items():
        try:
            links[indicator] = (_url(name, **params), title)
        except NoReverseMatch:  # the module with that list is not installed
            pass
    return links


# The figures -------------------------------------------------------------------------------------------


def change(value, previous, unit: str) -> dict | None:
    """▲/▼ and the difference from yesterday; a rate changes by percentage points."""
    if not isinstance(value, int | float) or not isinstance(previous, int | float):
        return None
    difference = round(value - previous, 1) if unit == indicators.PERCENT else value - previous
    if difference == 0:
        return {"direction": "same", "text": _("持平")}
    shown = f"{abs(difference):g}" + (str(PERCENT_POINTS) if unit == indicators.PERCENT else "")
    return {"direction": "up" if difference > 0 else "down", "text": ("▲" if difference > 0 else "▼") + shown}


def figure(code: str, today: dict, yesterday: dict, links: dict) -> dict:
    definition = indicators.REGISTRY[code]
    link = links.get(code)
    return {
        "code": code,
        "label": definition.label,
        "unit": definition.unit,
        "value": today[code],
        "previous": yesterday[code],
        "change": change(today[code], yesterday[code], definition.unit),
        "link": link[0] if link else "",
        "link_title": link[1] if link else "",
    }


def headline(today: dict, yesterday: dict, links: dict) -> list[dict]:
    groups, shown = [], set()
    for (title, codes), optional in [(g, False) for g in HEADLINE] + [(g, True) for g in WHEN_PRESENT]:
        present = [code for code in codes if code in today]
        shown.update(present)
        if optional and not any(today[c] or yesterday[c] for c in present):
            continue
        if present:
            groups.append({"title": title, "figures": [figure(c, today, yesterday, links) for c in present]})
    # Indicators later modules add show up here until someone gives them a place above (or in NOT_ON_CARDS).
    others = [c for c in today if c not in shown]
    if others:
        groups.append({"title": _("其他"), "figures": [figure(c, today, yesterday, links) for c in others]})
    return groups


def short_label(code: str) -> str:
    """Chart legends are narrow on a phone: the kind alone for active_<kind>."""
    if code in trends.ACTIVE:
        return Kind(code.removeprefix("active_")).label
    return str(indicators.REGISTRY[code].label).removeprefix("当日")


def trend_charts(series: trends.Trends) -> list[dict]:
    charts = []
    for chart_id, title, codes in CHARTS:
        charts.append(
            {
                "id": chart_id,
                "title": title,
                "columns": [short_label(code) for code in codes],
                "series": [{"name": short_label(code), "data": series.values[code]} for code in codes],
                # The table under the chart, newest day first; each cell with its column's name for
                # the phone layout (table.responsive).
                "rows": [
                    {
                        "day": day,
                        "cells": [
                            {"label": short_label(code), "value": series.values[code][i]} for code in codes
                        ],
                    }
                    for i, day in reversed(list(enumerate(series.days)))
                ],
            }
        )
    return charts


def reports_link(node: Jurisdiction, day: dt.date) -> str:
    """The completeness page of the node's daily reports for the day (who sent, who is late or missing)."""
    return reverse("completeness", kwargs={"code": node.code}) + "?" + urlencode({"date": day.isoformat()})


def child_rows(
    node: Jurisdiction, day: dt.date, now: dt.datetime, reports, changes: kept.Changes
) -> list[dict]:
    """Each child's figures (one query per source for all the children, the cumulative ones from the
    children's kept day before: kept.children) and the completeness of its daily reports of `reports.day`."""
    tallies = {row.node.pk: row.tally for row in reports.children}
    rows = []
    for child, values in kept.children(node, day, now=now, codes=CHILD_CODES, changes=changes).items():
        rows.append(
            {
                "node": child,
                "link": reverse("dashboard_node", kwargs={"code": child.code}),
                "registered": values["registered_people"],
                "screened": values["screened_total"],
                "active": sum(values[code] for code in trends.ACTIVE),
                "missed": values["followups_missed"],
                "cases_new": values["cases_confirmed_new"],
                "cases_active": values["cases_confirmed_active"],
                "contacts": values["contacts_under_control"],
                "reports": tallies.get(child.pk),
                "reports_link": reports_link(child, reports.day),
            }
        )
    return rows


def children_chart(rows: list[dict]) -> dict:
    """Bars of what needs attention now; the cumulative figures (hundreds of times larger) would flatten
    them, so those stay in the table."""
    return {
        "names": [row["node"].name for row in rows],
        "links": [row["link"] for row in rows],
        "series": [
            {"name": str(_("在管")), "data": [row["active"] for row in rows]},
            {"name": str(_("当日漏访")), "data": [row["missed"] for row in rows]},
        ],
    }


def cards(
    node: Jurisdiction, today: dt.date, now: dt.datetime, days: dict[dt.date, dict]
) -> tuple[dict, dict]:
    """compute(node, today) and compute(node, yesterday) of the codes the cards show: those of the kept
    figures (reporting/kept.py) from the days' figures, the others as a two-day series (a query per source
    for both days, not two compute())."""
    codes = card_codes()
    of = {day: kept.values(days[day]) for day in (today - dt.timedelta(days=1), today)}
    others = [code for code in codes if code not in kept.CODES]
    rest = trends.series(node, last_day=today, days=2, now=now, codes=others)
    both = [{**of[day], **{code: rest.values[code][i] for code in others}} for i, day in enumerate(of)]
    return tuple({code: figures[code] for code in codes} for figures in reversed(both))


def kept_trends(days: dict[dt.date, dict]) -> trends.Trends:
    """The charted indicators of the days, from their figures."""
    span = sorted(days)
    return trends.Trends(
        days=span, values={code: [days[day][code] for day in span] for code in trends.CHARTED}
    )


def dashboard_context(user, node: Jurisdiction, now: dt.datetime) -> dict:
    today = timezone.localdate(now)
    yesterday = today - dt.timedelta(days=1)
    changes = kept.Changes()  # the residents' changes of today, counted once for the node and its children
    span = [today - dt.timedelta(days=n) for n in range(trends.DAYS - 1, -1, -1)]
    days = kept.figures(node, span, now=now, changes=changes)
    series = kept_trends(days)
    values, previous = cards(node, today, now, days)
    reports = completeness.completeness(node, yesterday, now=now)
    children = child_rows(node, today, now, reports, changes)
    open_alerts = measure_queries.open_alerts(user).filter(measure__node__path__startswith=node.path)
    charts = trend_charts(series)
    return {
        "node": node,
        "now": now,
        "today": today,
        "yesterday": yesterday,
        "breadcrumb": [{"node": a, "link": scoping.can(user, scoping.VIEW, a)} for a in node.ancestors()],
        "groups": headline(values, previous, record_links(node, today)),
        "values": values,
        "previous": previous,
        "trends": series,
        "charts": charts,
        "children": children,
        "reports": reports,
        "reports_link": reports_link(node, yesterday),
        "open_alerts": open_alerts.count(),
        "alerts_link": reverse("alert_list"),
        "chart_data": {
            "days": [f"{day:%m-%d}" for day in series.days],
            "trends": [{"id": c["id"], "series": c["series"]} for c in charts],
            "children": children_chart(children),
        },
    }


# Pages -------------------------------------------------------------------------------------------------


@require_GET
def dashboard(request, code: str | None = None):
    node = dashboard_node(request.user, code)
    context = dashboard_context(request.user, node, timezone.now())
    return render(request, "reporting/dashboard.html", context)


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/<str:code>/", dashboard, name="dashboard_node"),
]
