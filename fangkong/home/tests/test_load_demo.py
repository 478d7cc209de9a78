"""`fangkong load-demo`: the demo county and its weeks of work across the apps, loaded once; the accounts
it prints work."""

import json
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command

from fangkong.audit.models import AuditEvent
from fangkong.checkpoints.models import Checkpoint, DutyShift, Passage
from fangkong.grid.models import Jurisdiction
from fangkong.healthcodes.models import Identity, RiskArea
from fangkong.measures.models import Alert, Caretaker, FollowUp, Measure, QuarantineSite, Room, Screening
from fangkong.measures.models import TestResult as NucleicAcidTest
from fangkong.registry import demo
from fangkong.registry.models import Household, Person, Residence, Unit
from fangkong.registry.tests.test_demo import read_county_once  # noqa: F401 — a fixture
from fangkong.reporting.models import DailyReport, ReportingUnit
from fangkong.situation.models import SituationNotes
from fangkong.tracing.models import Candidate, Case
from fangkong.venues.models import CheckIn, Venue


def load(*args) -> str:
    out = StringIO()
    call_command("load_demo", "--households", "60", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    models = (
        *(Jurisdiction, Household, Person, Residence, Unit, AuditEvent, get_user_model()),
        *(Screening, Measure, Caretaker, FollowUp, Alert, NucleicAcidTest, QuarantineSite, Room),
        *(Venue, CheckIn, Identity, RiskArea, Checkpoint, DutyShift, Passage),
        *(ReportingUnit, DailyReport, SituationNotes, Case, Candidate),
    )
    return {m.__name__: m.objects.count() for m in models}


def test_it_loads_the_demo_once_and_changes_nothing_the_second_time(db):
    output = load()
    assert "演示县已载入" in output
    for heading in ("重点人员：", "场所码：", "病例流调：", "日报告："):  # what the demo's weeks of work hold
        assert heading in output
    before = snapshot()
    assert all(before.values()), before
    second = json.loads(load("--json"))
    assert snapshot() == before
    assert second["created"] is False and not any(second["activity"].values())
    assert second["households"] == 60 and second["persons"] == Person.objects.count() > 60
    again = load()
    assert "此前已载入" in again
    for account in demo.DEMO_ACCOUNTS:  # the accounts are printed every time
        assert account.username in again and account.password in again


def test_it_prints_a_working_password_for_every_account_it_makes(db, client):
    printed = {row["username"]: row["password"] for row in json.loads(load("--json"))["accounts"]}
    made = set(get_user_model().objects.values_list("username", flat=True))
    assert made == set(printed)  # the caretakers and checkpoint crews too
    for username, password in printed.items():
        assert client.login(username=username, password=password), username
        client.logout()
