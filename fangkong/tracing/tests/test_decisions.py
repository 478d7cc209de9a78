"""Deciding contacts puts them under the measure the policy prescribes, with caretakers of their own area,
and their health-code colour follows; contacts outside the decider's reach are handed over; deciding
twice creates nothing twice."""

import datetime as dt

import pytest

from fangkong.audit.models import AuditEvent
from fangkong.healthcodes.colours import colour_of
from fangkong.lib.errors import RuleError
from fangkong.measures.models import Caretaker, CaretakerRole, Measure, Screening
from fangkong.tracing import actions, queries
from fangkong.tracing.models import Candidate, CandidateSource, Decision

from .conftest import use_preset

pytestmark = pytest.mark.django_db


def _candidate(cw, who, source=CandidateSource.VENUE):
    return Candidate.objects.get(case=cw.case, via=None, source=source, person=who)


def test_it_puts_close_contacts_in_central_quarantine_under_2021(world, cases_world):
    cw = cases_world
    use_preset(world, "2021")
    actions.search_contacts(actor=world.county_admin, case=cw.case)
    at_restaurant = queries.candidates_of(cw.case, venue=cw.restaurant, min_minutes=15)
    summary = actions.decide(actor=world.county_admin, candidates=at_restaurant, decision=Decision.CLOSE)

    # 王芳 (40 min) is decided; 陈静 (60 min, registered nowhere here) is handed over; 赵强 (10 min) is not
    # in the filtered set.
    assert (summary.decided, summary.handed_over, summary.measures) == (2, 1, 1)
    wang = _candidate(cw, cw.wang)
    screening = Screening.objects.get(person=cw.wang)
    assert screening.reason == "close_contact"
    assert screening.reference_date == cw.day  # the last exposure, 13:30 that day
    measure = Measure.objects.get(person=cw.wang)
    assert (measure.kind, measure.period_days, measure.screening_id) == (
        "central_quarantine",
        14,
        screening.pk,
    )
    assert measure.room.site == cw.site
    assert (wang.screening, wang.measure) == (screening, measure)
    assert set(Caretaker.objects.filter(measure=measure).values_list("user__username", "role")) == {
        ("grid08_worker", CaretakerRole.GRID_WORKER),
        ("township_admin", CaretakerRole.CADRE),
    }
    assert colour_of(cw.identities["wang"]).colour == "red"
    chen = Candidate.objects.get(case=cw.case, identity=cw.chen)
    assert chen.decision == Decision.CLOSE and chen.handed_over_at is not None and chen.measure is None
    assert _candidate(cw, cw.zhao).decision == Decision.PENDING


def test_it_puts_close_contacts_in_home_quarantine_under_2022_12(world, cases_world):
    cw = cases_world
    use_preset(world, "2022-12")
    actions.search_contacts(actor=world.county_admin, case=cw.case)
    actions.decide(actor=world.county_admin, candidates=[_candidate(cw, cw.wang)], decision=Decision.CLOSE)

    measure = Measure.objects.get(person=cw.wang)
    assert (measure.kind, measure.period_days, measure.room) == ("home_quarantine", 5, None)
    assert colour_of(cw.identities["wang"]).colour == "red"
    with pytest.raises(RuleError, match="不再判定密接的密接"):
        actions.decide(
            actor=world.county_admin, candidates=[_candidate(cw, cw.zhao)], decision=Decision.SECONDARY
        )


def test_it_makes_secondary_contacts_under_2021(world, cases_world):
    cw = cases_world
    use_preset(world, "2021")
    actions.search_contacts(actor=world.county_admin, case=cw.case)
    actions.decide(
        actor=world.county_admin, candidates=[_candidate(cw, cw.zhao)], decision=Decision.SECONDARY
    )

    measure = Measure.objects.get(person=cw.zhao)
    assert (measure.kind, measure.period_days) == ("central_quarantine", 7)
    assert measure.screening.reason == "secondary_contact"
    # Caretakers of 赵强's own village, not of the case's.
    assert set(Caretaker.objects.filter(measure=measure).values_list("user__username", flat=True)) == {
        "houtun_staff"
    }
    assert colour_of(cw.identities["zhao"]).colour == "red"


def test_it_creates_nothing_twice(world, cases_world):
    cw = cases_world
    use_preset(world, "2021")
    actions.search_contacts(actor=world.county_admin, case=cw.case)
    everyone = queries.candidates_of(cw.case, venue=cw.restaurant)
    actions.decide(actor=world.county_admin, candidates=everyone, decision=Decision.CLOSE)
    counts = (Screening.objects.count(), Measure.objects.count(), Caretaker.objects.count())
    audits = AuditEvent.objects.count()

    again = actions.decide(actor=world.county_admin, candidates=everyone, decision=Decision.CLOSE)

    assert (again.decided, again.unchanged) == (0, 3)
    assert (Screening.objects.count(), Measure.objects.count(), Caretaker.objects.count()) == counts
    assert AuditEvent.objects.count() == audits


def test_it_clears_general_contacts_without_a_measure(world, cases_world):
    cw = cases_world
    actions.search_contacts(actor=world.county_admin, case=cw.case)
    actions.decide(actor=world.county_admin, candidates=[_candidate(cw, cw.zhao)], decision=Decision.GENERAL)
    assert not Measure.objects.filter(person=cw.zhao).exists()
    assert not Screening.objects.filter(person=cw.zhao).exists()


def test_it_refuses_to_redecide_a_contact_under_a_measure(world, cases_world):
    cw = cases_world
    use_preset(world, "2022-12")
    actions.search_contacts(actor=world.county_admin, case=cw.case)
    wang = _candidate(cw, cw.wang)
    actions.decide(actor=world.county_admin, candidates=[wang], decision=Decision.CLOSE)
    with pytest.raises(RuleError, match="请先解除"):
        actions.decide(actor=world.county_admin, candidates=[wang], decision=Decision.CLEARED)


def test_it_hands_over_contacts_the_decider_cannot_act_on(world, cases_world):
    """A township user deciding a contact who lives in another township: hand-over, not a measure."""
    from fangkong.conftest import make_node, make_user
    from fangkong.grid.models import Level, Role
    from fangkong.lib.idcard import make
    from fangkong.registry import actions as registry_actions

    cw = cases_world
    use_preset(world, "2022-12")
    township = make_node("371502104", "闫寺街道", Level.TOWNSHIP, world.county)
    elsewhere = make_node("371502104001", "闫寺社区", Level.VILLAGE, township)
    far = registry_actions.register_person(
        actor=world.county_admin,
        node=elsewhere,
        name="周明",
        relation="head",
        id_number=make("371502", dt.date(1970, 1, 2), 17),
        phone="13500004444",
    )
    cand = actions.name_contact(actor=world.county_admin, case=cw.case, name="周明", id_number=far.id_number)
    township_user = make_user("liangshui_staff", world.township, Role.TOWNSHIP_STAFF)
    summary = actions.decide(actor=township_user, candidates=[cand], decision=Decision.CLOSE)
    assert summary.handed_over == 1
    assert not Measure.objects.filter(person=far).exists()


def test_it_shows_decided_contacts_in_their_township_worklist(world, cases_world):
    cw = cases_world
    use_preset(world, "2022-12")
    actions.search_contacts(actor=world.county_admin, case=cw.case)
    actions.decide(
        actor=world.county_admin,
        candidates=[_candidate(cw, cw.wang), _candidate(cw, cw.zhao)],
        decision="close",
    )
    assert [c.person.name for c in queries.contacts_worklist(cw.other_village_staff)] == ["赵强"]
    assert sorted(c.person.name for c in queries.contacts_worklist(world.township_admin)) == ["王芳", "赵强"]
    assert list(queries.contacts_worklist(world.grid07_worker)) == []
    assert list(queries.contacts_worklist(world.outsider)) == []


def test_it_searches_secondary_contacts_over_the_close_contacts_window(world, cases_world):
    """王芳, a close contact, lives alone; 孙丽 came to the restaurant after 张伟 left but while 王芳 was
    still there: she is 王芳's candidate, not the case's."""
    cw = cases_world
    use_preset(world, "2021")
    actions.search_contacts(actor=world.county_admin, case=cw.case)
    assert not Candidate.objects.filter(case=cw.case, person=cw.sun).exists()
    wang = _candidate(cw, cw.wang)
    actions.decide(actor=world.county_admin, candidates=[wang], decision=Decision.CLOSE)
    wang.refresh_from_db()

    summary = actions.search_secondary(actor=world.county_admin, candidate=wang)
    again = actions.search_secondary(actor=world.county_admin, candidate=wang)

    found = {c.identity.name: (c.overlap_minutes, c.decision) for c in Candidate.objects.filter(via=wang)}
    # 孙丽 13:40–13:50; 陈静 12:50–13:10 (also the case's own candidate: an exposure of its own)
    assert found == {"孙丽": (10, Decision.PENDING), "陈静": (20, Decision.PENDING)}
    assert (summary.found, summary.new, again.new) == (2, 2, 0)


def test_it_refuses_a_secondary_search_where_policy_determines_none(world, cases_world):
    cw = cases_world
    use_preset(world, "2022-11")
    actions.search_contacts(actor=world.county_admin, case=cw.case)
    wang = _candidate(cw, cw.wang)
    actions.decide(actor=world.county_admin, candidates=[wang], decision=Decision.CLOSE)
    with pytest.raises(RuleError, match="不再判定密接的密接"):
        actions.search_secondary(actor=world.county_admin, candidate=wang)
