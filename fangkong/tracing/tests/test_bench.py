"""`fangkong bench trace` at a tiny scale, in the test database; and `fangkong trace --case`."""

import json
from io import StringIO

from django.core.management import call_command

from fangkong.tracing.bench import run_trace_bench


def test_it_builds_a_small_city_once_and_times_the_search(db):
    first = run_trace_bench(residents=300, venues=40, checkins=3000, days=7, single=5, bulk=20)
    assert first["built"] and first["database"] in ("sqlite", "postgresql")
    assert first["one_case"]["cases"] == 5 and first["bulk"]["cases"] == 20
    assert first["bulk"]["hits"] > 0  # 3,000 check-ins in a week at 40 venues: people meet
    again = run_trace_bench(residents=300, venues=40, checkins=3000, days=7, single=5, bulk=20)
    assert not again["built"] and again["bulk"]["hits"] == first["bulk"]["hits"]


def test_it_prints_a_cases_candidates_as_json(world, cases_world):
    out = StringIO()
    call_command("trace", "--case", cases_world.case.number, "--json", stdout=out)
    found = json.loads(out.getvalue())
    overlaps = {c["identity_id"]: c["overlap_minutes"] for c in found["candidates"]}
    ids = cases_world.identities
    assert overlaps == {ids["wang"].pk: 40, ids["zhao"].pk: 10, ids["chen"].pk: 60}
    assert {c["venue"] for c in found["candidates"]} == {"前屯农家饭庄"}
    by_id = StringIO()
    call_command("trace", "--case", str(cases_world.case.pk), "--json", stdout=by_id)
    assert json.loads(by_id.getvalue()) == found
