"""The cases and contacts indicators (reporting/cases.py) against a recount in plain Python of the records
the test wrote (tracing_fixtures.outbreak), for every node, for the days around the outbreak and as of
moments of D; and a few figures worked out by hand for the rules of DOMAIN.md §12."""

import datetime as dt

import pytest

from fangkong.measures import rules
from fangkong.reporting import cases, indicators, trends
from fangkong.reporting import queries as daily_queries
from fangkong.reporting.tests.daily_fixtures import at
from fangkong.reporting.tests.tracing_fixtures import KINDS, OUTCOMES, D, day, outbreak  # noqa: F401
from fangkong.tracing.models import CaseKind, Decision, EventKind, Source

AFTER = dt.datetime(2022, 4, 1, tzinfo=rules.SHANGHAI)
NODES = ["county", "township", "village", "other_village", "grid07", "grid08"]
DAYS = [day(n) for n in range(8, 14)]


def recount(o, node, on: dt.date, as_of: dt.datetime | None = None) -> dict:
    """Every figure of reporting/cases.py from the records as the fixture wrote them."""
    start = rules.local_midnight(on)
    end = as_of or rules.local_midnight(on + dt.timedelta(days=1))

    def known(entered):
        return as_of is None or entered <= end

    def during(t):
        return t is not None and start <= t < end

    got: dict = {code: 0 for code in cases.CODES}
    reported = on_time = 0
    for c in o.cases:
        if not c.path.startswith(node.path) or not known(c.created_at):
            continue
        events = [(kind, t) for kind, t, entered in c.events if t < end and known(entered)]
        reached = {kind for kind, _t in events if kind in KINDS}
        # §12's transitions only go up: the kind is the highest reached.
        state = next(
            (k for k in (CaseKind.CONFIRMED, CaseKind.ASYMPTOMATIC, CaseKind.SUSPECTED) if k in reached), None
        )
        closed = any(kind in OUTCOMES for kind, _t in events)
        first = {}
        for kind, t in events:
            first.setdefault(kind, t)
        for kind in KINDS:
            got[f"cases_{kind}_new"] += during(first.get(kind))
            got[f"cases_{kind}_total"] += state == kind
            got[f"cases_{kind}_active"] += state == kind and not closed
        for kind in (CaseKind.CONFIRMED, CaseKind.ASYMPTOMATIC):
            got[f"cases_{kind}_new_{c.source}"] += during(first.get(kind))
            got[f"cases_{kind}_total_{c.source}"] += state == kind
        converted = EventKind.ASYMPTOMATIC in first and EventKind.CONFIRMED in first
        got["cases_asymptomatic_to_confirmed_new"] += converted and during(first[EventKind.CONFIRMED])
        got["cases_asymptomatic_to_confirmed_total"] += converted
        for outcome in (EventKind.DISCHARGED, EventKind.DIED):
            got[f"cases_{outcome}_new"] += during(first.get(outcome))
            got[f"cases_{outcome}_total"] += outcome in first
        if during(c.reported_at):
            reported += 1
            done = c.investigation_done_at
            if done and done <= c.reported_at + dt.timedelta(hours=24) and (as_of is None or done <= end):
                on_time += 1
    got["investigations_on_time_pct"] = round(on_time * 100 / reported, 1) if reported else None

    people: dict[str, set] = {code: set() for code in cases.CODES if code.startswith("contacts_")}
    decided = controlled = 0
    for contact in o.contacts:
        if not contact.path.startswith(node.path) or contact.decided_at >= end:
            continue
        people[f"contacts_{contact.decision}_total"].add(contact.who)
        started, released = contact.measure_started_at, contact.measure_released_at
        if started and started <= end and (released is None or released > end):
            people["contacts_under_control"].add(contact.who)
        if during(contact.decided_at):
            people[f"contacts_{contact.decision}_new"].add(contact.who)
            decided += 1
            if started and started <= contact.decided_at + dt.timedelta(hours=24):
                controlled += as_of is None or started <= end
    for code, who in people.items():
        if code != "contacts_controlled_24h_pct":
            got[code] = len(who)
    got["contacts_controlled_24h_pct"] = round(controlled * 100 / decided, 1) if decided else None
    return got


def test_it_equals_the_recount_for_every_node_and_day(world, outbreak):  # noqa: F811
    for name in NODES:
        node = getattr(world, name)
        for on in DAYS:
            got = indicators.compute(node, on, codes=cases.CODES, now=AFTER)
            assert got == recount(outbreak, node, on), (name, on)


def test_its_series_over_the_days_equal_the_recount(world, outbreak):  # noqa: F811
    """As the dashboard's cards and trends count them: several days in one query per source."""
    for name in NODES:
        node = getattr(world, name)
        got = trends.series(node, last_day=DAYS[-1], days=len(DAYS), codes=cases.CODES, now=AFTER)
        assert got.days == DAYS
        for i, on in enumerate(DAYS):
            assert {code: got.values[code][i] for code in cases.CODES} == recount(outbreak, node, on), (
                name,
                on,
            )


def test_it_equals_the_recount_as_of_moments_of_the_day(world, outbreak):  # noqa: F811
    for name in NODES:
        node = getattr(world, name)
        for moment in ("00:01", "09:00", "10:30", "12:00", "17:00", "19:00", "23:59"):
            as_of = at(D, moment)
            got = indicators.compute(node, D, codes=cases.CODES, now=as_of, as_of=as_of)
            assert got == recount(outbreak, node, D, as_of), (name, moment)
        midnight = rules.local_midnight(D + dt.timedelta(days=1))
        got = indicators.compute(node, D, codes=cases.CODES, now=AFTER, as_of=midnight)
        assert got == recount(outbreak, node, D, midnight), name


def test_it_counts_the_county_on_d_by_hand(world, outbreak):  # noqa: F811
    got = indicators.compute(world.county, D, codes=cases.CODES, now=AFTER)
    # 甲, 乙 (from asymptomatic), 庚 (same moment), 辛; not 戊 (the 9th), not 己 (24:00 is the 11th).
    assert got["cases_confirmed_new"] == 4
    assert got["cases_confirmed_new_local"] == 3 and got["cases_confirmed_new_abroad"] == 1
    assert got["cases_asymptomatic_to_confirmed_new"] == 2  # 乙 and 庚
    # 丙 at 00:00 and 庚 at 11:00 were reported asymptomatic on D; 乙 on the 9th.
    assert got["cases_asymptomatic_new"] == 2
    # Only 丙 is still asymptomatic at the end of D: 乙 and 庚 count as confirmed now.
    assert got["cases_asymptomatic_total"] == 1 and got["cases_asymptomatic_active"] == 1
    assert got["cases_confirmed_total"] == 5  # 甲 乙 戊 庚 辛
    assert got["cases_confirmed_active"] == 5  # 戊 died at 24:00: the 11th
    assert got["cases_suspected_new"] == 1 and got["cases_suspected_active"] == 1  # 丁 at 23:59
    assert got["cases_died_total"] == 0
    # Reported on D: 甲 (on time), 庚 (25 hours), 辛 (not done).
    assert got["investigations_on_time_pct"] == pytest.approx(33.3)
    # 张三 (twice, one person) and 李四 close; 王五 secondary; the identity decided on the 9th is in the total.
    assert got["contacts_close_new"] == 2 and got["contacts_close_total"] == 3
    assert got["contacts_secondary_new"] == 1
    # Decisions of D: 张三 twice (measure at 18:00: both within 24 h), 李四 (25 h), 王五 (1 h).
    assert got["contacts_controlled_24h_pct"] == 75.0
    assert got["contacts_under_control"] == 2  # 张三 and 王五; 李四's measure starts on the 11th


def test_it_counts_the_next_days_by_hand(world, outbreak):  # noqa: F811
    got = indicators.compute(world.county, day(11), codes=cases.CODES, now=AFTER)
    assert got["cases_confirmed_new"] == 1  # 己 at 00:00
    assert got["cases_died_new"] == 1 and got["cases_confirmed_active"] == 5  # 戊 died; 己 came
    assert got["cases_suspected_total"] == 1 and got["cases_suspected_active"] == 0  # 丁 excluded
    assert got["contacts_close_total"] == 4  # the named stranger
    assert got["contacts_under_control"] == 2  # 王五 released, 李四 in
    twelfth = indicators.compute(world.county, day(12), codes=cases.CODES, now=AFTER)
    assert twelfth["cases_discharged_new"] == 1 and twelfth["cases_confirmed_active"] == 4


def test_it_counts_a_case_where_it_was_reported(world, outbreak):  # noqa: F811
    grid08 = indicators.compute(world.grid08, D, codes=cases.CODES, now=AFTER)
    assert grid08["cases_confirmed_new"] == 1  # 辛, known only by a code identity
    assert grid08["cases_asymptomatic_new_abroad"] == 1
    # The identity nobody is behind counts at the case's grid; 王五 at his own.
    assert grid08["contacts_close_total"] == 1 and grid08["contacts_secondary_total"] == 1
    township = indicators.compute(world.township, day(11), codes=cases.CODES, now=AFTER)
    villages = [
        indicators.compute(v, day(11), codes=cases.CODES, now=AFTER)
        for v in (world.village, world.other_village)
    ]
    # 己 was reported at the township itself.
    assert township["cases_confirmed_new"] == 1 + sum(v["cases_confirmed_new"] for v in villages)


def test_it_leaves_out_a_case_entered_after_the_moment(world, outbreak):  # noqa: F811
    before = indicators.compute(world.grid08, D, codes=cases.CODES, now=AFTER, as_of=at(D, "17:00"))
    after = indicators.compute(world.grid08, D, codes=cases.CODES, now=AFTER, as_of=at(D, "19:00"))
    assert before["cases_confirmed_new"] == 0  # 辛 was confirmed at 10:00 but entered at 18:00
    assert after["cases_confirmed_new"] == 1


def test_it_gives_rates_of_nothing_as_none(world, outbreak):  # noqa: F811
    got = indicators.compute(world.county, day(13), codes=cases.CODES, now=AFTER)
    assert got["investigations_on_time_pct"] is None and got["contacts_controlled_24h_pct"] is None


def test_it_follows_the_policys_investigation_clock(world, outbreak):  # noqa: F811
    from fangkong.policy.actions import set_policy
    from fangkong.policy.presets import PRESETS

    tracing = {**PRESETS["2020"]["tracing"], "investigation_hours": 26}
    set_policy(
        actor=world.county_admin,
        node=world.county,
        effective_from=day(1),
        preset="2020",
        overrides={"tracing": tracing},
    )
    got = indicators.compute(world.county, D, codes=["investigations_on_time_pct"], now=AFTER)
    assert got["investigations_on_time_pct"] == pytest.approx(66.7)  # 庚's 25 hours are on time now


def test_it_stops_a_zero_report_on_a_new_case(world, outbreak):  # noqa: F811
    values = indicators.compute(world.grid08, D, now=AFTER)
    blockers = daily_queries.zero_report_blockers(values)
    assert "新增确诊病例1例" in blockers
    assert "新增无症状感染者1例" in blockers
    assert "当日判定密接的密接1人" in blockers
    quiet = indicators.compute(world.grid08, day(13), now=AFTER)
    assert not [b for b in daily_queries.zero_report_blockers(quiet) if "病例" in b or "感染者" in b]


def test_its_codes_cover_the_kinds_sources_and_decisions():
    for kind in CaseKind:
        assert {f"cases_{kind}_new", f"cases_{kind}_total", f"cases_{kind}_active"} <= set(cases.CODES)
    for source in Source:
        assert f"cases_confirmed_new_{source}" in cases.CODES
    for decision in (Decision.CLOSE, Decision.SECONDARY):
        assert f"contacts_{decision}_total" in cases.CODES
