"""Loading a county from the statistics bureau's codes in data/divisions (grid/divisions.py). The
expected counts are read from the CSV files here, independently of the loader."""

import csv
import gzip
import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from fangkong.grid import divisions
from fangkong.grid.models import Jurisdiction, Level
from fangkong.lib.errors import RuleError

COUNTY = "371502"  # 山东省聊城市东昌府区


def csv_rows(name: str) -> list[dict]:
    path = settings.DIVISIONS_DIR / name
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def expected() -> dict:
    return {
        "townships": {r["code"]: r["name"] for r in csv_rows("streets.csv") if r["areaCode"] == COUNTY},
        "villages": {r["code"]: r for r in csv_rows("villages.csv.gz") if r["areaCode"] == COUNTY},
    }


@pytest.fixture(scope="module")
def county_data():
    """read_county scans the 620,000 villages; scan once for the tests that load several times."""
    return divisions.read_county(COUNTY)


@pytest.fixture
def quick_read(monkeypatch, county_data):
    monkeypatch.setattr(divisions, "read_county", lambda code, directory=None: county_data)


def snapshot() -> list[tuple]:
    return list(
        Jurisdiction.objects.order_by("code").values_list(
            "code", "name", "level", "parent_id", "path", "vintage"
        )
    )


def test_it_loads_the_townships_and_villages_of_a_county(db, expected):
    counts = divisions.load_county(COUNTY)
    assert len(expected["townships"]) == 24
    townships = Jurisdiction.objects.filter(level=Level.TOWNSHIP)
    assert {t.code: t.name for t in townships} == expected["townships"]
    assert Jurisdiction.objects.filter(level=Level.VILLAGE).count() == len(expected["villages"])
    assert (counts["townships"], counts["villages"]) == (24, len(expected["villages"]))
    assert counts["created"] == 3 + 24 + len(expected["villages"])  # province, city, county above them
    county = Jurisdiction.objects.get(code=COUNTY)
    assert (county.name, county.level, county.parent.name, county.parent.parent.name) == (
        "东昌府区",
        Level.COUNTY,
        "聊城市",
        "山东省",
    )
    assert Jurisdiction.objects.get(code="371502103").name == "梁水镇"


def test_it_puts_every_village_under_its_township(db, expected, quick_read):
    divisions.load_county(COUNTY)
    nodes = Jurisdiction.objects.select_related("parent").filter(level=Level.VILLAGE)
    assert {n.code: n.parent.code for n in nodes} == {
        c: r["streetCode"] for c, r in expected["villages"].items()
    }


def test_it_builds_every_path_from_the_parents_path(db, quick_read):
    divisions.load_county(COUNTY)
    nodes = {n.pk: n for n in Jurisdiction.objects.all()}
    for node in nodes.values():
        parent_path = nodes[node.parent_id].path if node.parent_id else ""
        assert node.path == f"{parent_path}{node.code}/", node.code
    assert [n.code for n in nodes.values() if n.parent_id is None] == ["37"]


def test_it_stores_the_vintage(db, quick_read):
    divisions.load_county(COUNTY)
    assert set(Jurisdiction.objects.values_list("vintage", flat=True)) == {settings.DIVISIONS_VINTAGE}
    divisions.load_county(COUNTY, vintage="2024")
    assert set(Jurisdiction.objects.values_list("vintage", flat=True)) == {"2024"}


def test_it_changes_nothing_when_loaded_twice(db, quick_read):
    divisions.load_county(COUNTY)
    before = snapshot()
    counts = divisions.load_county(COUNTY)
    assert (counts["created"], counts["updated"]) == (0, 0)
    assert counts["unchanged"] == len(before)
    assert snapshot() == before


def test_it_keeps_grids_and_people_when_loaded_over_an_existing_tree(world, people, quick_read, expected):
    divisions.load_county(COUNTY)
    world.grid07.refresh_from_db()
    assert world.grid07.parent == world.village
    assert (
        world.grid07.path == Jurisdiction.objects.get(code=world.village.code).path + world.grid07.code + "/"
    )
    people["zhang"].refresh_from_db()
    assert people["zhang"].node.path == world.grid07.path
    # The test village is not in the data (its code is made up): loading leaves it and its grids alone.
    assert world.village.code not in expected["villages"]
    assert Jurisdiction.objects.get(code=world.village.code).name == "前屯村委会"
    assert Jurisdiction.objects.filter(level=Level.VILLAGE).count() == len(expected["villages"]) + 2
    assert Jurisdiction.objects.filter(level=Level.GRID).count() == 2


def test_it_refuses_an_unknown_county_code_in_chinese(db):
    with pytest.raises(RuleError) as exc:
        divisions.load_county("999999")
    assert exc.value.errors == {"county": "区划代码 999999 不是数据中的县级行政区"}
    assert not Jurisdiction.objects.exists()


def test_it_refuses_an_unknown_county_code_from_the_command_line(db):
    with pytest.raises(CommandError, match="区划代码 999999 不是数据中的县级行政区"):
        call_command("load_divisions", county="999999")


def test_it_prints_counts_as_json_from_the_command_line(db, quick_read, expected):
    out = StringIO()
    call_command("load_divisions", county=COUNTY, json=True, stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["county"] == COUNTY
    assert (printed["townships"], printed["villages"]) == (24, len(expected["villages"]))
