"""Daily and zero reports: the pre-filled figures are the indicators, a zero report only when nothing
happened, double taps add nothing, corrections keep the history, and nobody reports for another's area."""

import datetime as dt

import pytest
from django.http import Http404

from fangkong.audit.models import Action, AuditEvent
from fangkong.lib.errors import RuleError
from fangkong.lib.idcard import make
from fangkong.measures import actions as measure_actions
from fangkong.policy import actions as policy_actions
from fangkong.policy.models import Kind, Reason
from fangkong.registry import actions as registry_actions
from fangkong.reporting import actions as daily_actions
from fangkong.reporting import indicators
from fangkong.reporting import queries as daily_queries
from fangkong.reporting.models import DailyReport
from fangkong.reporting.tests.daily_fixtures import START, D, at, clock, make_staff, next_day, units

__all__ = ["units"]


def person(world, node, name: str, seq: int):
    return registry_actions.register_person(
        actor=world.township_admin,
        node=node,
        name=name,
        id_number=make("371502", dt.date(1980, 1, 1) + dt.timedelta(days=seq), seq),
    )


def screen_on_d(world, who, reason=Reason.ARRIVAL):
    return measure_actions.record_screening(
        actor=world.township_admin, person=who, reason=reason, screened_on=D, arrived_on=D
    )


def submit(actor, unit, day=D, **kwargs):
    return daily_actions.submit_report(actor=actor, reporting_unit=unit, day=day, **kwargs)


# Pre-filled figures ------------------------------------------------------------------------------------


def test_it_prefills_the_report_with_the_indicators_of_the_units_node(world, units):
    zhang = person(world, world.grid07, "张伟", 1)
    screening = screen_on_d(world, zhang)
    measure_actions.start_measure(
        actor=world.township_admin,
        person=zhang,
        kind=Kind.HOME_QUARANTINE,
        screening=screening,
        started_at=at(D, "15:00"),
    )
    moment = at(next_day(D), "08:00")
    with clock(moment):
        expected = indicators.compute(world.village, D, now=moment)
        assert daily_queries.figures(units["qian"], D, now=moment) == expected
        report, created = submit(units["qian_staff"], units["qian"], activities={"meetings": 2})
    assert created and report.indicators == expected
    assert expected["screened_new"] == 1 and expected["active_home_quarantine"] == 1
    # The other village's report counts its own subtree, where nothing happened.
    assert daily_queries.figures(units["hou"], D, now=moment) == indicators.compute(
        world.other_village, D, now=moment
    )
    assert daily_queries.figures(units["hou"], D, now=moment)["screened_new"] == 0


def test_it_gives_a_registry_unit_no_figures_of_the_node_it_is_attached_to(world, units):
    screen_on_d(world, person(world, world.grid07, "张伟", 1))
    assert daily_queries.figures(units["school"], D) == {}
    # So the township's school may send a zero report though its township screened someone.
    report, _ = daily_actions.submit_zero_report(
        actor=world.township_admin, reporting_unit=units["school"], day=D
    )
    assert report.is_zero and report.indicators == {}


def test_it_keeps_the_figures_as_submitted_when_the_records_change_later(world, units):
    zhang = person(world, world.grid07, "张伟", 1)
    report, _ = submit(units["qian_staff"], units["qian"])
    assert report.indicators["screened_new"] == 0
    screen_on_d(world, zhang)
    report.refresh_from_db()
    assert report.indicators["screened_new"] == 0
    assert daily_queries.figures(units["qian"], D)["screened_new"] == 1


# Zero reports ------------------------------------------------------------------------------------------


def test_it_submits_a_zero_report_with_one_tap_and_every_activity_zero(world, units):
    report, created = daily_actions.submit_zero_report(
        actor=units["qian_staff"], reporting_unit=units["qian"], day=D
    )
    assert created and report.is_zero and report.revision == 1
    assert report.activities == {code: 0 for code, _, _ in daily_queries.DEFAULT_ACTIVITIES}
    assert report.note == ""
    event = AuditEvent.objects.get(target_type="DailyReport", target_id=str(report.pk))
    assert event.action == Action.CREATE and event.detail["is_zero"] is True


def test_it_refuses_a_zero_report_when_someone_was_screened_that_day(world, units):
    screen_on_d(world, person(world, world.grid08, "王芳", 3))
    with pytest.raises(RuleError) as refused:
        daily_actions.submit_zero_report(actor=units["qian_staff"], reporting_unit=units["qian"], day=D)
    assert refused.value.code == "not_zero"
    assert "不能零报告" in str(refused.value) and "当日新增排查1人" in str(refused.value)
    assert not DailyReport.objects.exists()
    # 后屯 had nothing: its zero report goes through.
    daily_actions.submit_zero_report(actor=units["hou_staff"], reporting_unit=units["hou"], day=D)


def test_it_refuses_a_zero_report_while_someone_is_under_a_measure(world, units):
    zhang = person(world, world.grid07, "张伟", 1)
    screening = measure_actions.record_screening(
        actor=world.township_admin,
        person=zhang,
        reason=Reason.CLOSE_CONTACT,
        screened_on=D - dt.timedelta(days=3),
        reference_date=D - dt.timedelta(days=4),
    )
    measure_actions.start_measure(
        actor=world.township_admin,
        person=zhang,
        kind=Kind.HOME_QUARANTINE,
        screening=screening,
        started_at=at(D - dt.timedelta(days=3), "10:00"),
    )
    with pytest.raises(RuleError) as refused:
        daily_actions.submit_zero_report(actor=units["qian_staff"], reporting_unit=units["qian"], day=D)
    message = str(refused.value)
    assert "在管人数（居家隔离医学观察）1人" in message
    assert "当日新增排查" not in message  # screened three days before: not news on D
    # A figure that is only a total to date does not stop a zero report: the day before the screening.
    daily_actions.submit_zero_report(
        actor=units["qian_staff"], reporting_unit=units["qian"], day=D - dt.timedelta(days=4)
    )


def test_it_names_every_figure_that_rules_out_a_zero_report():
    figures = {
        "registered_people": 120,
        "screened_total": 9,
        "screened_new": 2,
        "active_central_quarantine": 1,
        "released_new": 0,
        "symptomatic_new": 1,
        "followups_missed": 3,
        "checkpoint_people": 40,
    }
    assert daily_queries.zero_report_blockers(figures) == [
        "当日新增排查2人",
        "在管人数（集中隔离医学观察）1人",
        "当日随访发现发热等症状1人",
        "当日漏访人次3人次",
    ]
    assert (
        daily_queries.zero_report_blockers(
            {
                **figures,
                "screened_new": 0,
                "active_central_quarantine": 0,
                "symptomatic_new": 0,
                "followups_missed": 0,
            }
        )
        == []
    )


# Double taps and corrections ---------------------------------------------------------------------------


def test_it_adds_nothing_when_the_same_report_is_sent_twice(world, units):
    first, created = submit(units["qian_staff"], units["qian"], activities={"meetings": 1}, note="召开两委会")
    again, created_again = submit(
        units["qian_staff"], units["qian"], activities={"meetings": 1}, note="召开两委会"
    )
    assert created and not created_again and again.pk == first.pk
    zero, _ = daily_actions.submit_zero_report(actor=units["hou_staff"], reporting_unit=units["hou"], day=D)
    zero_again, created_again = daily_actions.submit_zero_report(
        actor=units["hou_staff"], reporting_unit=units["hou"], day=D
    )
    assert not created_again and zero_again.pk == zero.pk
    assert DailyReport.objects.count() == 2
    assert AuditEvent.objects.filter(target_type="DailyReport").count() == 2


def test_it_keeps_the_history_of_corrections(world, units):
    with clock(at(next_day(D), "09:00")):
        first, _ = submit(units["qian_staff"], units["qian"], activities={"broadcasts": 2})
    with clock(at(next_day(D), "15:00")), pytest.raises(RuleError) as refused:
        submit(units["qian_staff"], units["qian"], activities={"broadcasts": 3})
    assert "更正须填写更正原因" in refused.value.errors["reason"]
    with clock(at(next_day(D), "15:00")):
        second, created = submit(
            units["qian_staff"], units["qian"], activities={"broadcasts": 3}, reason="漏报一次广播"
        )
        # A double tap on the correction adds nothing either.
        same, created_again = submit(
            units["qian_staff"], units["qian"], activities={"broadcasts": 3}, reason="漏报一次广播"
        )
    assert created and not created_again and same.pk == second.pk
    first.refresh_from_db()
    assert not first.is_current and first.activities["broadcasts"] == 2
    assert second.is_current and second.revision == 2 and second.correction_reason == "漏报一次广播"
    assert [r.revision for r in daily_queries.history(units["qian"], D)] == [2, 1]
    assert daily_queries.current_report(units["qian"], D) == second
    event = AuditEvent.objects.filter(target_type="DailyReport").latest("id")
    assert event.action == Action.UPDATE and event.detail["reason"] == "漏报一次广播"


def test_it_turns_a_zero_report_into_a_full_one_only_as_a_correction(world, units):
    daily_actions.submit_zero_report(actor=units["qian_staff"], reporting_unit=units["qian"], day=D)
    with pytest.raises(RuleError):
        submit(units["qian_staff"], units["qian"], activities={"posters": 5})
    report, _ = submit(units["qian_staff"], units["qian"], activities={"posters": 5}, reason="补报海报")
    assert not report.is_zero and report.revision == 2


def test_it_refuses_counts_that_are_not_non_negative_integers(world, units):
    for activities, field in (
        ({"meetings": -1}, "meetings"),
        ({"leaflets": "很多"}, "leaflets"),
        ({"dances": 1}, "activities"),
    ):
        with pytest.raises(RuleError) as refused:
            submit(units["qian_staff"], units["qian"], activities=activities)
        assert field in refused.value.errors
    assert not DailyReport.objects.exists()


def test_it_refuses_days_the_unit_does_not_owe(world, units):
    with pytest.raises(RuleError, match="不在报告期内"):
        submit(units["qian_staff"], units["qian"], day=START - dt.timedelta(days=1))
    with clock(at(D, "20:00")), pytest.raises(RuleError, match="今天以后"):
        submit(units["qian_staff"], units["qian"], day=next_day(D))
    daily_actions.remove_reporting_unit(
        actor=world.township_admin, reporting_unit=units["qian"], active_until=D
    )
    with pytest.raises(RuleError, match="不在报告期内"):
        submit(units["qian_staff"], units["qian"], day=D)
    submit(units["qian_staff"], units["qian"], day=D - dt.timedelta(days=1))  # the day before still owed


def test_it_asks_for_the_activities_the_policy_lists(world, units):
    policy_actions.set_policy(
        actor=world.county_admin,
        node=world.township,
        effective_from=START,
        preset="2020",
        overrides={
            daily_queries.ACTIVITIES_KEY: [
                {"code": "checks", "label": "入户排查", "unit": "户"},
                ["masks", "发放口罩"],
            ]
        },
    )
    assert daily_queries.activities_for(world.village, D) == [
        daily_queries.Activity("checks", "入户排查", "户"),
        daily_queries.Activity("masks", "发放口罩", ""),
    ]
    report, _ = submit(units["qian_staff"], units["qian"], activities={"checks": 30})
    assert report.activities == {"checks": 30, "masks": 0}
    with pytest.raises(RuleError):
        submit(units["hou_staff"], units["hou"], activities={"meetings": 1})


# Who may report ----------------------------------------------------------------------------------------


def test_it_lets_nobody_see_or_submit_reports_outside_their_area(world, units):
    grid07_report, _ = submit(world.grid07_worker, units["kindergarten"], activities={"meetings": 1})
    hou_report, _ = submit(units["hou_staff"], units["hou"])
    for unit in (units["kindergarten"], units["hou"], units["qian"]):
        with pytest.raises(Http404):
            daily_queries.access_unit(world.grid08_worker, unit.pk)
        with pytest.raises(RuleError) as refused:
            submit(world.grid08_worker, unit, day=D - dt.timedelta(days=1))
        assert refused.value.code == "forbidden"
    assert list(daily_queries.units_visible_to(world.grid08_worker)) == []
    assert list(daily_queries.units_visible_to(world.outsider)) == []
    # The grid-07 worker sees and sends the kindergarten's, but not the village's or the other village's.
    assert list(daily_queries.units_visible_to(world.grid07_worker)) == [units["kindergarten"]]
    with pytest.raises(RuleError):
        submit(world.grid07_worker, units["hou"], day=D - dt.timedelta(days=1))
    # A viewer sees but may not send.
    assert daily_queries.access_unit(world.grid07_viewer, units["kindergarten"].pk) == units["kindergarten"]
    with pytest.raises(RuleError):
        submit(world.grid07_viewer, units["kindergarten"], activities={"meetings": 2}, reason="改")
    assert DailyReport.objects.count() == 2 and grid07_report.is_current and hou_report.is_current


# Reporting units ---------------------------------------------------------------------------------------


def test_it_makes_every_village_of_a_subtree_a_reporting_unit_once(world):
    created = daily_actions.add_village_reporting_units(
        actor=world.county_admin, node=world.county, active_from=START
    )
    assert sorted(u.name for u in created) == ["前屯村委会", "后屯村委会"]
    assert all(u.unit_id is None and u.active_from == START for u in created)
    assert (
        daily_actions.add_village_reporting_units(actor=world.county_admin, node=world.county, active_from=D)
        == []
    )
    with pytest.raises(RuleError):
        daily_actions.add_village_reporting_units(
            actor=world.grid07_worker, node=world.grid07, active_from=START
        )
    assert AuditEvent.objects.filter(detail__change="village_reporting_units").count() == 2


def test_it_lets_only_admins_configure_reporting_units(world):
    staff = make_staff(world, "village_staff", world.village)
    with pytest.raises(RuleError) as refused:
        daily_actions.add_reporting_unit(actor=staff, node=world.village, active_from=START)
    assert refused.value.code == "forbidden"
    with pytest.raises(RuleError):
        daily_actions.add_reporting_unit(actor=world.township_admin, node=world.grid07, active_from=START)
    unit = daily_actions.add_reporting_unit(actor=world.township_admin, node=world.village, active_from=START)
    with pytest.raises(RuleError, match="已是报告单位"):
        daily_actions.add_reporting_unit(actor=world.township_admin, node=world.village, active_from=D)
    daily_actions.remove_reporting_unit(actor=world.township_admin, reporting_unit=unit, active_until=D)
    assert not daily_queries.owes(unit, D) and daily_queries.owes(unit, D - dt.timedelta(days=1))
    again = daily_actions.add_reporting_unit(actor=world.township_admin, node=world.village, active_from=D)
    assert again.pk != unit.pk and daily_queries.owes(again, D)
