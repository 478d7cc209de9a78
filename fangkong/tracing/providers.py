"""What tracing tells the health-code rules (healthcodes/rules.py: the "case" and "co_presence" rules).

Each provider is one query for one resident, and comes with its SQL test for the kiosk's one statement
(venues/sql.py): "nothing this provider would return that could colour the code at that moment". That
test may be coarser than the provider (it only sends more check-ins to colour_of), never finer.

Choices the domain leaves open:
- A case's facts are its episodes: from its first suspected, confirmed or asymptomatic event to its
  release (discharged or excluded), with the latest kind reported in between. A case reported again after
  its release (复阳) starts a new episode. A case without events (none should exist) is taken from its own
  fields, in force from its diagnosis.
- A death ends the episode like a discharge: the rule's days after release then run from the death, and the
  code does not stay red for ever for someone whose identity may have to be closed.
- A venue candidate is a fact from its exposure (exposed_from, else when it was found) until it is decided:
  a decision as general contact or cleared ends it; a decision as close or secondary contact ends it too,
  as the contact's measure colours the code from then on (the "contact" rule).
"""

import datetime as dt

from django.db.models import Q

from fangkong.healthcodes.rules import CandidateFact, CaseFact
from fangkong.tracing.models import Candidate, CandidateSource, Case, Decision, EventKind

KINDS = {EventKind.SUSPECTED, EventKind.CONFIRMED, EventKind.ASYMPTOMATIC}
RELEASES = {EventKind.DISCHARGED, EventKind.EXCLUDED, EventKind.DIED}


def _whose(identity, person) -> Q:
    who = Q(identity=identity)
    return who | Q(person=person) if person is not None else who


def cases(*, identity, person, since: dt.datetime, until: dt.datetime) -> list[CaseFact]:
    rows = (
        Case.objects.filter(_whose(identity, person))
        .order_by("id", "events__at", "events__id")
        .values_list("id", "kind", "diagnosed_at", "events__kind", "events__at")
    )
    facts: list[CaseFact] = []
    episode: list = []  # [kind, since] of the episode in progress for the current case

    def close(released_at):
        if episode:
            facts.append(CaseFact(kind=episode[0], since=episode[1], released_at=released_at))
            episode.clear()

    current = None
    for case_id, case_kind, diagnosed_at, event, at in rows:
        if case_id != current:
            close(None)
            current = case_id
        if event is None:
            episode[:] = [case_kind, diagnosed_at]
        elif event in KINDS:
            episode[:] = [event, episode[1] if episode else at]
        elif event in RELEASES:
            close(at)
    close(None)
    return [f for f in facts if f.since <= until]


def candidates(*, identity, person, since: dt.datetime, until: dt.datetime) -> list[CandidateFact]:
    rows = (
        Candidate.objects.filter(_whose(identity, person), source=CandidateSource.VENUE)
        .filter(Q(decision=Decision.PENDING) | Q(decided_at__gt=since))
        .order_by("id")
        .values_list("venue__name", "exposed_from", "created_at", "decision", "decided_at")
    )
    return [
        CandidateFact(
            venue=venue or "",
            since=exposed_from or created_at,
            cleared_at=None if decision == Decision.PENDING else decided_at,
        )
        for venue, exposed_from, created_at, decision, decided_at in rows
    ]


# The kiosk's tests, in the statement's terms: `i` is the resident's codes_identity row, %(at)s the scan's
# time and %(released_from)s that time less the longest rule period (MAX_DAYS + 1 days).
CASES_SQL = """
    NOT EXISTS (SELECT 1 FROM tracing_case tc WHERE (tc.identity_id = i.id OR tc.person_id = i.person_id)
        AND (tc.outcome = '' OR EXISTS (SELECT 1 FROM tracing_caseevent te WHERE te.case_id = tc.id
                                        AND te.at > %(released_from)s)))
"""
CANDIDATES_SQL = """
    NOT EXISTS (SELECT 1 FROM tracing_candidate cd
        WHERE (cd.identity_id = i.id OR cd.person_id = i.person_id)
        AND (cd.decision = 'pending' OR cd.decided_at > %(at)s))
"""
