"""What testing tells the health-code rules (healthcodes/rules.py: the "positive_test" rule): the person's
positive tests, read from measures.TestResult — the one record of a person's own results, which a positive
single tube writes (a positive pool is never a person's result, DOMAIN.md §13)."""

import datetime as dt

from fangkong.healthcodes.rules import MAX_DAYS, PositiveFact
from fangkong.measures.models import TestResult


def positives(*, identity, person, since: dt.datetime, until: dt.datetime) -> list[PositiveFact]:
    if person is None:
        return []
    rows = TestResult.objects.filter(
        person=person,
        outcome=TestResult.Outcome.POSITIVE,
        sampled_at__gt=since - dt.timedelta(days=MAX_DAYS + 1),
        sampled_at__lte=until,
    ).values_list("sampled_at", flat=True)
    return [PositiveFact(sampled_at=at) for at in rows]


# The kiosk's test (venues/sql.py): no positive test sampled within the longest rule period before the scan.
POSITIVES_SQL = """
    NOT EXISTS (SELECT 1 FROM measures_testresult tr WHERE tr.person_id = i.person_id
        AND tr.outcome = 'positive' AND tr.sampled_at > %(released_from)s AND tr.sampled_at <= %(at)s)
"""
