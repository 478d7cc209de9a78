"""The demo county's weeks of work (measures/demo.py, healthcodes, venues and checkpoints demo.py, reporting/demo.py): repeatable with
a seed, current whatever the hour it is loaded, and made by the rules, so that every page a demo account
opens has something on it."""

import datetime as dt
import random

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import TestCase, override_settings
from django.utils import timezone

from fangkong.checkpoints import actions as checkpoint_actions
from fangkong.checkpoints import demo as checkpoints_demo
from fangkong.checkpoints.models import Checkpoint, DutyShift, Outcome, Passage
from fangkong.healthcodes import demo as healthcodes_demo
from fangkong.healthcodes.models import Identity
from fangkong.home.management.commands.load_demo import load_activity
from fangkong.measures import demo as measures_demo
from fangkong.measures import queries, rules
from fangkong.measures.models import Alert, FollowUp, Measure, Screening
from fangkong.measures.models import TestResult as NucleicAcidTest
from fangkong.policy.models import Kind, Reason
from fangkong.policy.queries import policy_for
from fangkong.registry import demo as registry_demo
from fangkong.reporting import completeness, indicators
from fangkong.reporting import queries as daily_queries
from fangkong.reporting.models import DailyReport, ReportingUnit
from fangkong.situation.models import SituationNotes
from fangkong.venues import actions as checkin_actions
from fangkong.venues import demo as venues_demo
from fangkong.venues.models import CheckIn

HOUSEHOLDS = 120
SH = rules.SHANGHAI


def load(*, seed: int = registry_demo.DEFAULT_SEED, now: dt.datetime) -> dict:
    registry_demo.load_demo(households=HOUSEHOLDS, seed=seed, today=timezone.localdate(now))
    return load_activity(seed=seed, now=now)


def user(username: str):
    return get_user_model().objects.get(username=username)


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class TestTheLoadedDemo(TestCase):
    """One demo, loaded once for these tests (each runs in its own savepoint)."""

    @classmethod
    def setUpTestData(cls):
        cls.now = timezone.now()
        cls.today = timezone.localdate(cls.now)
        cls.parts = load(now=cls.now)
        cls.context = registry_demo.demo_context(create_staff=False)

    def test_it_gives_the_demo_grid_workers_people_to_visit_today(self):
        for username in ("demo_grid1", "demo_grid2"):
            rows = queries.worklist(user(username))
            assert rows, username
            for row in rows:
                measure = row["measure"]
                assert measure.released_at is None and measure.kind != Kind.HOSPITAL
                assert 2 <= measure.caretakers.count() <= 4
        assert queries.overdue(user("demo_grid1")).exists() or queries.overdue(user("demo_grid2")).exists()

    def test_it_raises_alerts_some_still_open_in_the_demo_township(self):
        assert queries.open_alerts(user("demo_township")).exists()
        assert Alert.objects.filter(resolved_at__isnull=False).exists()
        for alert in Alert.objects.select_related("follow_up"):
            assert alert.follow_up.is_abnormal
            if alert.resolved_at:
                assert alert.raised_at < alert.resolved_at <= self.now and alert.resolution
        # Whoever went to hospital went from a measure at home, after a fever at a follow-up.
        stays = Measure.objects.filter(kind=Kind.HOSPITAL)
        assert stays.exists()
        for stay in stays:
            assert stay.transferred_from.alerts.exists()

    def test_it_follows_the_policy_in_force_and_the_clock(self):
        township = self.context.townships[0]
        measures = Measure.objects.select_related("screening", "room__site", "node")
        assert measures.filter(released_at__isnull=True).exists()
        assert measures.filter(released_at__isnull=False, transferred_to__isnull=True).exists()
        assert measures.filter(kind=Kind.CENTRAL_QUARANTINE).exists()
        for measure in measures:
            assert measure.started_at <= self.now
            if measure.kind == Kind.HOSPITAL:
                continue
            values = policy_for(measure.node, measure.started_at.astimezone(SH).date()).values
            assert (measure.planned_end, measure.period_days) == rules.planned_end(
                kind=measure.kind,
                reason=measure.screening.reason,
                reference_date=measure.screening.reference_date,
                started_at=measure.started_at,
                policy=values,
            )
            if (
                measure.kind == Kind.CENTRAL_QUARANTINE
            ):  # the township's hotel for its people, else the county's
                here = measure.node.path.startswith(township.path)
                expected = measures_demo.site_name(township) if here else measures_demo.COUNTY_SITE
                assert measure.room.site.name == expected
            if measure.released_at and not measure.transferred_to_id:
                assert measure.released_at >= measure.planned_end
        for follow_up in FollowUp.objects.select_related("measure"):
            m = follow_up.measure
            assert rules.is_active_at(m.started_at, m.released_at, follow_up.taken_at)
            assert follow_up.taken_at <= self.now
            assert rules.slot_of(follow_up.taken_at) == (follow_up.slot_date, follow_up.slot)
        assert not NucleicAcidTest.objects.filter(sampled_at__gt=self.now).exists()
        # Returnees came from real places, Wuhan among them; some were close contacts.
        assert Screening.objects.filter(origin_city="4201", reason=Reason.ARRIVAL_HIGH).exists()
        assert not Screening.objects.filter(reason__startswith="arrival", origin_text="").exists()
        assert Screening.objects.filter(reason=Reason.CLOSE_CONTACT).exists()

    def test_it_counts_the_county_in_its_indicators(self):
        yesterday = self.today - dt.timedelta(days=1)
        figures = indicators.compute(self.context.county, yesterday, now=self.now)
        for code in (
            "registered_people",
            "screened_total",
            "active_home_quarantine",
            "released_total",
            "followups_done",
            "checkins",
            "checkpoint_people",
            "quarantine_beds",
        ):
            assert figures[code] > 0, code
        assert figures["screened_by_origin"]

    def test_it_has_check_ins_by_the_demo_people_and_visitors(self):
        checkins = CheckIn.objects.select_related("identity__person", "venue")
        assert checkins.count() > 100
        assert checkins.filter(identity__person__isnull=True).exists()  # visitors from elsewhere
        assert checkins.filter(source=checkin_actions.Source.PHONE).exclude(colour_shown="").exists()
        away = {}
        for person_id, start, end in Measure.objects.values_list("person_id", "started_at", "released_at"):
            away.setdefault(person_id, []).append((start, end))
        seen = {}
        for checkin in checkins.order_by("at"):
            identity = checkin.identity
            if identity.person is not None:
                assert (
                    identity.name == identity.person.name and identity.id_number == identity.person.id_number
                )
                for start, end in away.get(identity.person_id, ()):
                    assert not (start <= checkin.at and (end is None or end > checkin.at)), checkin
            key = (checkin.venue_id, identity.pk)
            if key in seen:
                assert checkin.at - seen[key] >= checkin_actions.DUPLICATE_WINDOW
            seen[key] = checkin.at
            assert checkin.at <= self.now

    def test_it_has_checkpoints_with_shifts_and_passages(self):
        assert Checkpoint.objects.count() == 2
        grid_workers = [user("demo_grid1"), user("demo_grid2")]
        assert DutyShift.objects.filter(user__in=grid_workers, ends_at__gt=self.now).exists()
        passages = Passage.objects.select_related("checkpoint__node", "recorded_by")
        assert passages.filter(outcome=Outcome.TURNED_BACK).count() == 2
        fever = passages.get(fever=True)
        assert fever.outcome == Outcome.FEVER_CLINIC and fever.screening.reason == Reason.FEVER
        assert passages.exclude(plate="").exists() and passages.filter(identity__isnull=False).exists()
        for passage in passages:
            assert checkpoint_actions.may_record(passage.recorded_by, passage.checkpoint, at=passage.at)

    def test_it_has_daily_reports_on_time_late_and_missing(self):
        assert ReportingUnit.objects.count() == ReportingUnit.objects.values("node").distinct().count() > 300
        township = self.context.townships[0]
        statuses = set()
        for back in range(2, 11):
            result = completeness.completeness(township, self.today - dt.timedelta(days=back), now=self.now)
            statuses.update(row.status for row in result.rows)
        assert {
            completeness.Status.ON_TIME,
            completeness.Status.LATE,
            completeness.Status.MISSING,
        } <= statuses
        reports = DailyReport.objects.filter(is_current=True).select_related("reporting_unit__node")
        assert reports.filter(is_zero=True).exists() and reports.filter(is_zero=False).exists()
        for report in reports:
            if report.is_zero:
                assert not daily_queries.zero_report_blockers(report.indicators)
        busy = reports.filter(is_zero=False, reporting_unit__node=self.context.gridded[0][1]).first()
        assert busy.indicators == indicators.compute(busy.reporting_unit.node, busy.day, now=self.now)
        # demo_village has yesterday's report still to send.
        village_unit = ReportingUnit.objects.get(node=self.context.gridded[0][0])
        assert daily_queries.current_report(village_unit, self.today - dt.timedelta(days=1)) is None

    def test_it_writes_the_situation_notes_of_the_county_and_a_township(self):
        for node in (self.context.county, self.context.townships[0]):
            notes = SituationNotes.objects.get(node=node)
            assert notes.problems.startswith("一是") and notes.next_steps.startswith("一是")


def signature() -> dict:
    return {
        "screenings": sorted(
            Screening.objects.values_list(
                "person__id_number", "reason", "screened_on", "origin_text", "trip_number"
            )
        ),
        "measures": sorted(
            Measure.objects.values_list(
                "person__id_number", "kind", "started_at", "planned_end", "released_at", "room__number"
            )
        ),
        "follow_ups": sorted(
            FollowUp.objects.values_list("person__id_number", "slot_date", "slot", "taken_at", "temperature")
        ),
        "alerts": sorted(
            Alert.objects.values_list("person__id_number", "raised_at", "summary", "resolution")
        ),
        "tests": sorted(NucleicAcidTest.objects.values_list("person__id_number", "sampled_at", "outcome")),
        "checkins": sorted(CheckIn.objects.values_list("venue__name", "identity__id_number", "at")),
        "passages": sorted(
            Passage.objects.values_list("checkpoint__name", "at", "plate", "identity__id_number", "outcome"),
            key=str,
        ),
        "reports": sorted(
            (r.reporting_unit.name, r.day, r.revision, r.is_zero, r.submitted_at, r.activities == {})
            for r in DailyReport.objects.select_related("reporting_unit")
        ),
    }


def test_it_loads_the_same_activity_from_the_same_seed(db):
    now = timezone.now()
    with transaction.atomic():
        load(now=now)
        first = signature()
        places = measures_demo._places(registry_demo.demo_context(create_staff=False))
        transaction.set_rollback(True)
    load(now=now)
    assert signature() == first
    assert all(first.values())
    # Another seed picks other people.
    drawn = {
        seed: {p.person.pk for p in measures_demo._Planner(random.Random(seed), places, now).plans(40)}
        for seed in ("1:measures", "2:measures")
    }
    assert drawn["1:measures"] != drawn["2:measures"]


@pytest.mark.parametrize("hour", [0, 7])
def test_it_loads_at_any_hour_of_the_day(db, hour, monkeypatch):
    """Just after midnight or before the morning rounds, nothing is dated after now and the demo grid
    workers still have a worklist."""
    now = dt.datetime.combine(timezone.localdate() - dt.timedelta(days=1), dt.time(hour, 5), tzinfo=SH)
    monkeypatch.setattr(timezone, "now", lambda: now)
    registry_demo.load_demo(households=HOUSEHOLDS, today=now.date())
    context = registry_demo.demo_context()
    measures_demo.load(context=context, seed=1, now=now)
    for demo in (healthcodes_demo, venues_demo, checkpoints_demo):
        demo.load(context=context, seed=1, now=now)
    assert not FollowUp.objects.filter(taken_at__gt=now).exists()
    assert not Measure.objects.filter(started_at__gt=now).exists()
    assert not CheckIn.objects.filter(at__gt=now).exists() and not Passage.objects.filter(at__gt=now).exists()
    assert Identity.objects.exists()
    assert queries.worklist(user("demo_grid1"), day=now.date())


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class TestTheDemoSchools(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.now = timezone.now()
        cls.parts = load(now=cls.now)

    def test_it_has_schools_with_a_week_of_checks_and_a_class_alert(self):
        from fangkong.schools.models import Check, ClassAlert, School

        s = self.parts["schools"]
        assert s["schools"] == School.objects.count() == 3
        assert s["checks"] == Check.objects.count() > 0
        assert ClassAlert.objects.filter(symptom="cough").count() == 1
        assert s["linked"] > 0
        # The teacher and the bureau log in and see their schools.
        for username, password, names in (
            ("demo_teacher", "Lsz-Teacher-2020", {"梁水镇中心小学"}),
            ("demo_education", "Dcf-Edu-2020", {"梁水镇中心幼儿园", "梁水镇中心小学", "第二中学"}),
        ):
            assert self.client.login(username=username, password=password)
            page = self.client.get("/schools/")
            assert page.status_code == 200
            assert {n for n in names if n in page.content.decode()} == names
