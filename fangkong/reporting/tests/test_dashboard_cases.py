"""The dashboard's cases panel and the children's case columns: each figure is indicators.compute's (and
compute_children's) for today, the other case figures stay off the headline, and more cases and contacts
do not make more queries. The clock is 2022-03-10 15:00, the outbreak's D."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fangkong.reporting import indicators
from fangkong.reporting.tests.test_dashboard import NOW, TODAY, client_for, get
from fangkong.reporting.tests.tracing_fixtures import Outbreak, at, outbreak
from fangkong.reporting.views.dashboard import CASES_PANEL
from fangkong.tracing.models import Decision, EventKind, Source

__all__ = ["outbreak"]


def cell(content: str, code: str) -> str:
    match = re.search(rf'id="figure-{code}">(.*?)<span>', content, re.S)
    assert match, code
    return re.sub(r"<[^>]+>", " ", match[1]).split()[0]


def test_it_shows_todays_cases_and_contacts(world, outbreak):
    content = get(client_for(world.township_admin), reverse("dashboard_node", args=[world.township.code]))
    content = content.content.decode()
    values = indicators.compute(world.township, TODAY, now=NOW)
    for _title, codes in CASES_PANEL:
        for code in codes:
            shown = cell(content, code)
            assert shown == ("—" if values[code] is None else str(values[code])), code
    assert values["cases_confirmed_new"] == 4 and values["cases_asymptomatic_new"] == 2
    assert 'id="figure-cases_confirmed_new_local"' not in content  # by source: the reports' business


def test_it_shows_each_childs_cases(world, outbreak):
    content = get(client_for(world.township_admin), reverse("dashboard_node", args=[world.township.code]))
    table = re.search(r'id="children-table">(.*?)</table>', content.content.decode(), re.S)[1]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[cells[0]] = cells
    for child, name in ((world.village, "前屯村委会"), (world.other_village, "后屯村委会")):
        values = indicators.compute(child, TODAY, now=NOW)
        expected = [
            values["cases_confirmed_new"],
            values["cases_confirmed_active"],
            values["contacts_under_control"],
        ]
        assert rows[name][5:8] == [str(v) for v in expected], name
    assert rows["前屯村委会"][5] == "4"


def test_its_queries_do_not_grow_with_the_cases(world, outbreak):
    client = client_for(world.township_admin)
    url = reverse("dashboard_node", args=[world.township.code])
    get(client, url)
    with CaptureQueriesContext(connection) as few:
        get(client, url)
    more = Outbreak(world, first=300)
    for n in range(6):
        case = more.case(
            world.other_village if n % 2 else world.grid08,
            f"新{n}",
            [(EventKind.CONFIRMED, at(TODAY, "08:00"))],
            source=Source.ABROAD,
        )
        more.decide(case, Decision.CLOSE, at(TODAY, "09:00"), person=more.person(world.grid07, f"密{n}"))
    get(client, url)  # the kept days the new records reach back to, counted again
    with CaptureQueriesContext(connection) as many:
        assert get(client, url).status_code == 200
    assert len(many) == len(few)
