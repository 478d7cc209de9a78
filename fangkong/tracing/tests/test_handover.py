"""The hand-over list (协查函) as Excel: what the receiving county needs, masked unless revealed, audited."""

import io

import pytest
from openpyxl import load_workbook

from fangkong.audit.models import Action, AuditEvent
from fangkong.lib.errors import RuleError
from fangkong.tracing import actions, ledgers, queries
from fangkong.tracing.models import Candidate

from .conftest import use_preset

pytestmark = pytest.mark.django_db


def rows_of(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [tuple(r) for r in sheet.iter_rows(values_only=True)]


@pytest.fixture
def handed(world, cases_world):
    use_preset(world, "2022-12")
    actions.search_contacts(actor=world.county_admin, case=cases_world.case)
    chen = Candidate.objects.get(case=cases_world.case, identity=cases_world.chen)
    actions.decide(actor=world.county_admin, candidates=[chen], decision="close")
    return chen


def test_it_exports_the_handover_masked_and_audits_it(world, cases_world, handed):
    before = AuditEvent.objects.filter(action=Action.EXPORT).count()
    name, content = ledgers.export_handover(actor=world.county_admin, node=world.county, phone="0635-8888888")
    rows = rows_of(content)
    header = rows.index(next(r for r in rows if r and r[0] == "序号"))
    [row] = [r for r in rows[header + 1 :] if r[0]]
    assert name.startswith("密切接触者协查函_")
    assert row[1] == "陈静"
    assert row[2] == "110105********" + cases_world.chen.id_number[-4:]
    assert row[3] == "136****3333"
    assert row[5] == "前屯农家饭庄" and row[9] == cases_world.case.number
    assert row[6].endswith("12:10") and row[7].endswith("13:10")
    assert (row[11], row[12]) == ("县管理员", "0635-8888888")
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == before + 1


def test_it_shows_full_numbers_only_to_who_may_reveal(world, cases_world, handed):
    _name, content = ledgers.export_handover(actor=world.county_admin, node=world.county, full=True)
    assert any(r[2] == cases_world.chen.id_number for r in rows_of(content) if r and r[0] == 1)
    with pytest.raises(RuleError):
        ledgers.export_handover(actor=world.grid07_viewer, node=world.grid07, full=True)


def test_it_lists_nothing_for_users_who_do_not_see_the_case(world, cases_world, handed):
    assert list(queries.handover_list(world.grid08_worker)) == []
    assert list(queries.handover_list(world.county_admin)) == [handed]
