"""Cases through their actions: numbers, events, edits, the trajectory, named people, the search, scoping."""

import pytest
from django.http import Http404

from fangkong.audit.models import AuditEvent
from fangkong.lib.errors import RuleError
from fangkong.tracing import actions, queries
from fangkong.tracing.models import Candidate, CandidateSource, CaseEvent, Decision

from .conftest import at_time

pytestmark = pytest.mark.django_db


def test_it_numbers_cases_by_county_and_year(world, cases_world, people):
    cw = cases_world
    year = cw.day.year
    assert cw.case.number == f"BL-371502-{year}-0001"
    second = actions.report_case(
        actor=world.county_admin,
        node=world.grid08,
        kind="suspected",
        person=people["wang"],
        diagnosed_at=at_time(cw.day, 22),
    )
    assert second.number == f"BL-371502-{year}-0002"
    assert second.identity.person == people["wang"]  # its check-ins are searched
    assert list(second.events.values_list("kind", flat=True)) == ["suspected"]


def test_it_refuses_a_number_twice(world, cases_world, people):
    with pytest.raises(RuleError, match="已存在"):
        actions.report_case(
            actor=world.county_admin,
            node=world.grid08,
            kind="suspected",
            person=people["wang"],
            diagnosed_at=at_time(cases_world.day, 22),
            number=cases_world.case.number,
        )


def test_it_refuses_a_stale_edit(world, cases_world):
    case = cases_world.case
    actions.update_case(actor=world.county_admin, case=case, version=1, hospital="市传染病医院")
    with pytest.raises(RuleError, match="已被他人修改"):
        actions.update_case(actor=world.county_admin, case=case, version=1, hospital="县人民医院")
    case.refresh_from_db()
    assert (case.hospital, case.version) == ("市传染病医院", 2)


def test_it_keeps_every_event_and_the_state_after_the_last(world, cases_world, people):
    case = actions.report_case(
        actor=world.county_admin,
        node=world.grid08,
        kind="asymptomatic",
        person=people["wang"],
        diagnosed_at=at_time(cases_world.day, 8),
    )
    actions.record_event(
        actor=world.county_admin, case=case, kind="confirmed", at=at_time(cases_world.day, 18)
    )
    again = actions.record_event(
        actor=world.county_admin, case=case, kind="confirmed", at=at_time(cases_world.day, 18)
    )  # a retry records nothing twice
    case.refresh_from_db()
    assert (case.kind, case.outcome) == ("confirmed", "")
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
        "asymptomatic",
        "confirmed",
    ]
    assert again.kind == "confirmed"
    with pytest.raises(RuleError, match="确诊病例不能“排除”"):
        actions.record_event(
            actor=world.county_admin, case=case, kind="excluded", at=at_time(cases_world.day, 19)
        )


def test_it_refuses_an_event_before_the_last_one(world, cases_world):
    with pytest.raises(RuleError, match="不能早于上一次转归"):
        actions.record_event(
            actor=world.county_admin, case=cases_world.case, kind="discharged", at=at_time(cases_world.day, 1)
        )


def test_it_merges_checkins_and_entries_into_the_trajectory(world, cases_world):
    cw = cases_world
    actions.add_entry(
        actor=world.county_admin,
        case=cw.case,
        kind="vehicle",
        starts_at=at_time(cw.day, 10),
        ends_at=at_time(cw.day, 11),
        place="县城至前屯公交",
        vehicle="K3",
        seat="12",
    )
    actions.add_entry(
        actor=world.county_admin,
        case=cw.case,
        kind="vehicle",
        starts_at=at_time(cw.day, 10),
        ends_at=at_time(cw.day, 11),
        place="县城至前屯公交",
        vehicle="K3",
        seat="12",
    )  # the same entry twice is kept once
    stops = queries.trajectory(cw.case)
    assert [(s.kind, s.place, s.at) for s in stops] == [
        ("checkin", "前屯便民超市", at_time(cw.day, 9)),
        ("entry", "县城至前屯公交", at_time(cw.day, 10)),
        ("checkin", "前屯农家饭庄", at_time(cw.day, 12)),
    ]
    entry = cw.case.entries.get()
    actions.remove_entry(actor=world.county_admin, entry=entry)
    assert [s.kind for s in queries.trajectory(cw.case)] == ["checkin", "checkin"]


def test_it_finds_venue_overlaps_and_household_and_keeps_decisions_on_a_second_search(world, cases_world):
    cw = cases_world
    first = actions.search_contacts(actor=world.county_admin, case=cw.case)
    assert (first.found, first.new, first.venues) == (4, 4, 1)  # 王芳, 赵强, 陈静 at the restaurant; 李秀英
    found = {
        (c.source, (c.person or c.identity).name): c.overlap_minutes for c in queries.candidates_of(cw.case)
    }
    assert found == {
        ("venue", "陈静"): 60,
        ("venue", "王芳"): 40,
        ("venue", "赵强"): 10,
        ("household", "李秀英"): 0,
    }
    li = Candidate.objects.get(case=cw.case, source=CandidateSource.HOUSEHOLD)
    actions.decide(actor=world.county_admin, candidates=[li], decision=Decision.GENERAL)

    second = actions.search_contacts(actor=world.county_admin, case=cw.case)

    assert (second.found, second.new) == (4, 0)
    assert Candidate.objects.filter(case=cw.case).count() == 4
    li.refresh_from_db()
    assert li.decision == Decision.GENERAL


def test_it_groups_candidates_by_venue_longest_first(world, cases_world):
    cw = cases_world
    actions.search_contacts(actor=world.county_admin, case=cw.case)
    groups = queries.candidates_by_venue(cw.case)
    assert [(g.venue.name if g.venue else None, g.longest, len(g.candidates)) for g in groups] == [
        ("前屯农家饭庄", 60, 3),
        (None, 0, 1),
    ]


def test_it_keeps_a_named_contact_once(world, cases_world):
    cw = cases_world
    first = actions.name_contact(
        actor=world.county_admin, case=cw.case, name="王芳", id_number=cw.wang.id_number, relation="同事"
    )
    again = actions.name_contact(
        actor=world.county_admin, case=cw.case, name="王芳", id_number=cw.wang.id_number
    )
    assert first == again and first.person == cw.wang and first.identity == cw.identities["wang"]
    stranger = actions.name_contact(actor=world.county_admin, case=cw.case, name="刘某", phone="13911112222")
    assert stranger.person is None and stranger.phone == "13911112222"
    with pytest.raises(RuleError, match="校验位"):
        actions.name_contact(
            actor=world.county_admin, case=cw.case, name="错号", id_number="110105198808080001"
        )


def test_it_hides_cases_outside_ones_area(world, cases_world):
    cw = cases_world
    assert queries.access_case(world.county_admin, cw.case.pk) == cw.case
    assert queries.access_case(world.grid07_worker, cw.case.pk) == cw.case
    for user in (world.grid08_worker, world.outsider):
        with pytest.raises(Http404):
            queries.access_case(user, cw.case.pk)
    with pytest.raises(Http404):
        queries.access_case(world.grid07_viewer, cw.case.pk, write=True)
    with pytest.raises(Http404):
        queries.access_case(world.county_admin, 999999)
    assert list(queries.cases_visible_to(world.grid08_worker)) == []


def test_it_lets_the_contacts_village_act_on_its_candidate_and_nothing_more(world, cases_world):
    cw = cases_world
    actions.search_contacts(actor=world.county_admin, case=cw.case)
    zhao = Candidate.objects.get(case=cw.case, person=cw.zhao)
    wang = Candidate.objects.get(case=cw.case, person=cw.wang)
    staff = cw.other_village_staff
    assert queries.access_candidate(staff, zhao.pk, write=True) == zhao
    with pytest.raises(Http404):
        queries.access_candidate(staff, wang.pk)
    with pytest.raises(Http404):
        queries.access_case(staff, cw.case.pk)
    assert not queries.sees_case(staff, zhao)


def test_it_audits_every_write(world, cases_world):
    cw = cases_world
    before = AuditEvent.objects.count()
    actions.search_contacts(actor=world.county_admin, case=cw.case)
    actions.mark_investigation(actor=world.county_admin, case=cw.case, core_at=at_time(cw.day, 22))
    assert AuditEvent.objects.count() == before + 2
