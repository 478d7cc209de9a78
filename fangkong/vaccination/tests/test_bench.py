"""`fangkong bench vaccination`: a small run completes, its county figures agree with the recount of the
histories it wrote, and each page is timed."""

import functools
import json
from io import StringIO

import pytest
from django.core.management import call_command

from fangkong.grid import divisions

_read_county_once = functools.cache(divisions.read_county)


@pytest.fixture(autouse=True)
def read_county_once(monkeypatch):
    monkeypatch.setattr(divisions, "read_county", _read_county_once)


def test_a_small_run_agrees_with_its_recount(db):
    out = StringIO()
    args = ["--persons", "1000", "--current-database", "--json"]
    call_command("bench", "vaccination", *args, stdout=out, stderr=StringIO())
    result = json.loads(out.getvalue())
    assert result["recount_agrees"] and result["county"]["first"] > result["county"]["full"] > 0
    assert result["county"]["booster"] > 0 and result["doses"] > result["county"]["first"]
    for page in ("coverage_query_county", "coverage_page_county", "unvaccinated_page_village"):
        assert result[page]["max_ms"] >= result[page]["median_ms"] > 0
