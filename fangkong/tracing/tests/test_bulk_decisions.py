"""A bulk decision writes what deciding the same contacts one by one writes (screenings, measures with
their rooms and periods, caretakers, the candidates' links, the audit rows), in a number of queries that
does not grow with the contacts (issue 11: 200 contacts took 5,171 queries)."""

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction

from fangkong.audit.models import AuditEvent
from fangkong.measures import actions as measure_actions
from fangkong.measures.models import Caretaker, Measure, Screening
from fangkong.tracing import actions
from fangkong.tracing.models import Candidate, Decision

from .conftest import at_time, use_preset, visit

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def _state(case) -> dict:
    """What the decision wrote, independent of primary keys and order."""
    screenings = {
        s.pk: (
            s.person_id,
            s.reason,
            s.screened_on,
            s.reference_date,
            s.contact_of_id,
            s.contact_of_text,
            s.notes,
        )
        for s in Screening.objects.all()
    }
    measures = {
        m.pk: (
            m.person_id,
            m.kind,
            m.started_at,
            m.planned_end,
            m.period_days,
            m.room_id,
            m.policy_id,
            m.policy_label,
            screenings.get(m.screening_id),
        )
        for m in Measure.objects.all()
    }
    return {
        "candidates": sorted(
            (
                c.pk,
                c.decision,
                c.person_id,
                c.handed_over_at is not None,
                screenings.get(c.screening_id),
                measures.get(c.measure_id),
                c.version,
            )
            for c in Candidate.objects.filter(case=case)
        ),
        "screenings": sorted(screenings.values(), key=repr),
        "measures": sorted(measures.values(), key=repr),
        "caretakers": sorted((measures[c.measure_id], c.user_id, c.role) for c in Caretaker.objects.all()),
        "audit": Counter(
            (e.action, e.target_type, tuple(sorted((k, str(v)) for k, v in e.detail.items() if k != "user")))
            for e in AuditEvent.objects.filter(target_type__in=["Screening", "Measure", "Candidate"])
        ),
    }


@pytest.mark.parametrize("preset", ["2021", "2022-12"])
def test_deciding_in_bulk_writes_what_deciding_one_by_one_writes(world, cases_world, preset):
    cw = cases_world
    use_preset(world, preset)
    # 王芳 at the shop too (a contact twice: one screening, one measure); 孙丽 already under a measure.
    visit(cw.shop, cw.identities["wang"], at_time(cw.day, 9, 5), 10)
    visit(cw.restaurant, cw.identities["sun"], at_time(cw.day, 13), 20)
    measure_actions.start_measure(actor=world.county_admin, person=cw.sun, kind="home_monitoring")
    actions.search_contacts(actor=world.county_admin, case=cw.case)
    assert Candidate.objects.filter(case=cw.case, person=cw.wang).count() == 2
    at = cw.at + dt.timedelta(hours=12)
    everyone = list(Candidate.objects.filter(case=cw.case).order_by("pk"))
    try:
        with transaction.atomic():
            summary = actions.decide(
                actor=world.county_admin, candidates=everyone, decision=Decision.CLOSE, at=at
            )
            bulk = _state(cw.case)
            raise Rollback
    except Rollback:
        pass
    assert not Candidate.objects.filter(case=cw.case).exclude(decision=Decision.PENDING).exists()
    tallies = Counter()
    for candidate in everyone:
        one = actions.decide(actor=world.county_admin, candidates=[candidate], decision=Decision.CLOSE, at=at)
        tallies.update({k: v for k, v in one.__dict__.items() if v})
    assert _state(cw.case) == bulk
    assert {k: v for k, v in summary.__dict__.items() if v} == dict(tallies)
    assert summary.already_managed >= 1 and summary.decided == len(everyone)


def test_a_bulk_decision_takes_a_fixed_number_of_queries(world, cases_world, django_assert_max_num_queries):
    cw = cases_world
    use_preset(world, "2021")
    actions.search_contacts(actor=world.county_admin, case=cw.case)
    everyone = Candidate.objects.filter(case=cw.case)
    with django_assert_max_num_queries(40):
        actions.decide(actor=world.county_admin, candidates=everyone, decision=Decision.CLOSE)
