"""Cases and venue candidates colour the health code through the providers registered in
TracingConfig.ready(), one query each."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangkong.healthcodes.colours import colour_of
from fangkong.healthcodes.models import Colour
from fangkong.healthcodes.rules import PLAIN_SQL, PROVIDERS, CandidateFact, CaseFact
from fangkong.tracing import actions, providers
from fangkong.tracing.models import Decision

from .conftest import at_time


def test_it_registers_both_providers_with_their_kiosk_tests():
    assert PROVIDERS["cases"] is providers.cases and PROVIDERS["co_presence"] is providers.candidates
    assert PLAIN_SQL["cases"][0] is providers.cases and PLAIN_SQL["co_presence"][0] is providers.candidates


def facts(provider, identity):
    now = timezone.now()
    with CaptureQueriesContext(connection) as ctx:
        found = provider(
            identity=identity, person=identity.person, since=now - dt.timedelta(days=30), until=now
        )
    assert len(ctx.captured_queries) == 1
    return found


def test_it_gives_a_case_from_its_first_report_until_its_discharge(world, cases_world):
    w = cases_world
    zhang = w.identities["zhang"]
    diagnosed = w.case.events.get().at
    assert facts(providers.cases, zhang) == [CaseFact("confirmed", diagnosed, None)]
    assert colour_of(zhang).colour == Colour.RED

    discharged = timezone.now() - dt.timedelta(minutes=5)
    actions.record_event(actor=world.county_admin, case=w.case, kind="discharged", at=discharged)
    assert facts(providers.cases, zhang) == [CaseFact("confirmed", diagnosed, discharged)]
    assert facts(providers.cases, w.identities["li"]) == []  # his wife is not a case


def test_it_takes_the_latest_kind_of_a_suspected_case_confirmed_later(world, people, cases_world):
    wang = cases_world.identities["wang"]
    day = cases_world.day
    case = actions.report_case(
        actor=world.county_admin,
        node=world.grid08,
        kind="suspected",
        person=people["wang"],
        diagnosed_at=at_time(day, 18),
    )
    actions.record_event(actor=world.county_admin, case=case, kind="confirmed", at=at_time(day, 22))
    assert facts(providers.cases, wang) == [CaseFact("confirmed", at_time(day, 18), None)]


def test_it_gives_an_undecided_venue_candidate_until_it_is_decided(world, cases_world):
    w = cases_world
    actions.search_contacts(actor=world.county_admin, case=w.case)
    wang = w.identities["wang"]
    [fact] = facts(providers.candidates, wang)
    assert fact == CandidateFact("前屯农家饭庄", w.at + dt.timedelta(minutes=50), None)
    assert colour_of(wang).colour == Colour.YELLOW

    candidate = w.case.candidates.get(identity=wang)
    actions.decide(actor=world.county_admin, candidates=[candidate], decision=Decision.GENERAL)
    [fact] = facts(providers.candidates, wang)
    assert fact.cleared_at is not None and fact.cleared_at <= timezone.now()
    assert colour_of(wang).colour == Colour.GREEN
