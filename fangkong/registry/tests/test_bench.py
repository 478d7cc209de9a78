"""`fangkong bench registry`: a small run completes and reports every persona and case."""

import functools
import json
from io import StringIO

import pytest
from django.core.management import call_command

from fangkong.grid import divisions
from fangkong.lib.errors import RuleError
from fangkong.registry import bench

_read_county_once = functools.cache(divisions.read_county)


@pytest.fixture(autouse=True)
def read_county_once(monkeypatch):
    monkeypatch.setattr(divisions, "read_county", _read_county_once)


def run_bench() -> dict:
    out = StringIO()
    args = ["--persons", "2000", "--repeat", "2", "--current-database", "--json"]
    call_command("bench", "registry", *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def test_it_times_every_persona_and_case_in_a_small_county(db):
    result = run_bench()
    assert result["persons"] == 2000 and result["repeat"] == 2 and result["built"] is True
    assert {"select_1", "pk_fetch"} <= result["baseline"].keys()
    cases = {(c["persona"], c["case"]): c for c in result["cases"]}
    personas = ["grid_worker", "township_staff", "county_admin"]
    kinds = ["list", "pinyin_initials", "pinyin_full", "last4"]
    assert set(cases) == {(p, k) for p in personas for k in kinds}
    for case in cases.values():
        assert case["p95_ms"] >= case["median_ms"] > 0
        assert case["queries"] >= 2  # the count for the pager and the page itself
        assert case["plans"], "each case shows its query plans"
    # The county admin sees everyone, the township staff part, the grid worker one grid; each search
    # text comes from the grid worker's grid, so everyone above finds at least as many.
    assert cases[("county_admin", "list")]["total"] == 2000
    assert 0 < cases[("grid_worker", "list")]["total"] < cases[("township_staff", "list")]["total"] < 2000
    for kind in kinds[1:]:
        found = [cases[(p, kind)]["total"] for p in personas]
        assert 0 < found[0] <= found[1] <= found[2]
    assert result["page"].get("status", 200) == 200
    table = bench.format_report(result)  # what the command prints without --json
    assert "SELECT 1" in table and all(persona in table for persona in personas)


def test_it_refuses_a_database_that_holds_other_people(people):
    with pytest.raises(RuleError):
        bench.ensure_county(persons=2000, progress=lambda _: None)
