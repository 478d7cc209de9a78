"""The §12 clocks on a case and their alerts: raised once per case and clock, resolved when done."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from fangkong.tracing import actions, queries
from fangkong.tracing.models import Candidate, ClockAlert

from .conftest import at_time, use_preset

pytestmark = pytest.mark.django_db


def states(case, now=None):
    return {s.clock: s for s in queries.clocks_of(case, now)}


def test_it_runs_the_clocks_from_diagnosis_and_report(world, cases_world):
    cw = cases_world
    diagnosed = at_time(cw.day, 20)
    clocks = states(cw.case, diagnosed + dt.timedelta(hours=1))
    assert clocks["report"].due_at == diagnosed + dt.timedelta(hours=2)
    assert not any(s.overdue for s in clocks.values())
    actions.update_case(actor=world.county_admin, case=cw.case, version=1, reported_at=at_time(cw.day, 21))
    clocks = states(cw.case, at_time(cw.day, 21, 30))
    assert clocks["report"].done_at == at_time(cw.day, 21) and not clocks["report"].overdue
    assert clocks["core"].due_at == at_time(cw.day, 21) + dt.timedelta(hours=4)


def test_it_raises_each_alert_once_and_resolves_it_when_done(world, cases_world):
    cw = cases_world
    now = timezone.now()  # the case was diagnosed yesterday at 20:00: report and core clocks ran out
    first = actions.check_clocks(now=now)
    again = actions.check_clocks(now=now + dt.timedelta(minutes=10))
    raised = set(ClockAlert.objects.values_list("clock", flat=True))
    assert first.raised == len(raised) and again.raised == 0
    assert {"report", "core"} <= raised
    actions.update_case(actor=world.county_admin, case=cw.case, version=1, reported_at=at_time(cw.day, 23))
    assert ClockAlert.objects.get(clock="report").resolved_at is not None  # done, however late
    assert ClockAlert.objects.get(clock="core").resolved_at is None


def test_it_stops_the_contacts_clock_when_every_candidate_is_decided_and_managed(world, cases_world):
    cw = cases_world
    use_preset(world, "2022-12")
    actions.search_contacts(actor=world.county_admin, case=cw.case)
    assert states(cw.case)["contacts"].done_at is None
    actions.decide(
        actor=world.county_admin, candidates=Candidate.objects.filter(case=cw.case), decision="close"
    )
    done = states(cw.case)["contacts"].done_at
    assert done is not None and done == max(Candidate.objects.values_list("decided_at", flat=True))


def test_it_runs_as_a_command(world, cases_world, capsys):
    call_command("check_clocks")
    assert "新增时限预警" in capsys.readouterr().out
    assert ClockAlert.objects.filter(case=cases_world.case).exists()
