"""The situation report's "截至" moment cuts the data: every figure counts only what had happened AND had
been recorded by the moment, so the report of 08:00 made at 08:00 and the same report made the next day
are the same document, and 08:00, 12:00 and 21:00 of one day give their own numbers.

One day of grid 07 is built through the actions, each step at the time it was recorded (the clock), some
of them recorded late: a screening dated the day before entered at 10:00, a measure started at 07:30 entered
at 10:00, a release at 07:45 entered at 10:30, a morning check entered after noon, a checkpoint passage
uploaded half an hour late, a release at 20:30 entered at 22:00. `Book` keeps what was recorded with both
times and counts each figure in plain Python, the independent route the report is checked against."""

import datetime as dt
import json
from dataclasses import dataclass, field

import pytest

from fangkong.checkpoints import actions as checkpoint_actions
from fangkong.healthcodes.identity import identity_for_person
from fangkong.imports.tests.sheets import id_number, row, workbook
from fangkong.lib.idcard import make
from fangkong.measures import actions, rules
from fangkong.measures.ledgers import import_returnees
from fangkong.policy.models import Kind, Reason
from fangkong.registry import actions as registry_actions
from fangkong.reporting import indicators
from fangkong.situation import compose
from fangkong.situation.tests.situation_fixtures import clock

SH = rules.SHANGHAI
D = dt.date(2020, 2, 10)
WUHAN = {"origin_province": "42", "origin_city": "4201"}


def at(day: dt.date, hhmm: str) -> dt.datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SH)


MOMENTS = [at(D, "08:00"), at(D, "12:00"), at(D, "21:00")]
NEXT_MORNING = at(D + dt.timedelta(days=1), "09:00")


@dataclass
class Book:
    """What the test recorded, each with the moment it happened and the moment it was entered."""

    screenings: list = field(default_factory=list)  # (person, reason, day, entered)
    measures: dict = field(default_factory=dict)  # pk → {person, kind, started, entered, released, …}
    follow_ups: list = field(default_factory=list)  # (person, day, slot, taken, entered, abnormal)
    passages: list = field(default_factory=list)  # (at, entered, person, vehicle, turned_back)

    def expected(self, t: dt.datetime) -> dict:
        """DOMAIN §9 as of t, by hand: only what was entered by t and happened by t."""
        day = compose.report_day(t)
        start = at(day, "00:00")
        screenings = [s for s in self.screenings if s[3] <= t and s[2] <= day]
        firsts: dict = {}
        for person, _reason, screened_on, _entered in screenings:
            firsts[person] = min(firsts.get(person, screened_on), screened_on)
        measures = [m for m in self.measures.values() if m["entered"] <= t and m["started"] <= t]

        def released_by(m, moment) -> bool:  # a release counts once it has happened and been entered
            return m["released"] is not None and m["released"] <= moment and m["release_entered"] <= t

        out = {
            "screened_total": len({s[0] for s in screenings}),
            "screened_new": sum(1 for first in firsts.values() if first == day),
            "close_contacts_total": len({s[0] for s in screenings if s[1] == Reason.CLOSE_CONTACT}),
            "released_new": sum(1 for m in measures if released_by(m, t) and start <= m["released"] < t),
            "released_total": sum(1 for m in measures if released_by(m, t) and m["released"] < t),
        }
        for kind in Kind.values:
            out[f"active_{kind}"] = len(
                {m["person"] for m in measures if m["kind"] == kind and not released_by(m, t)}
            )
        follow_ups = [f for f in self.follow_ups if f[4] <= t and f[3] <= t]
        due = done = missed = 0
        for slot in (rules.MORNING, rules.EVENING):
            slot_end = rules.slot_bounds(day, slot)[1]
            moment = min(slot_end, t)  # a slot still running at t: as far as it has gone
            owing = {
                m["person"]
                for m in measures
                if m["kind"] != Kind.HOSPITAL and m["started"] < moment and not released_by(m, moment)
            }
            answered = owing & {f[0] for f in follow_ups if f[1] == day and f[2] == slot}
            due, done = due + len(owing), done + len(answered)
            if slot_end <= t:
                missed += len(owing - answered)
        out |= {"followups_due": due, "followups_done": done, "followups_missed": missed}
        out["symptomatic_new"] = len({f[0] for f in follow_ups if f[1] == day and f[5]})
        passages = [p for p in self.passages if p[1] <= t and start <= p[0] < t]
        out |= {
            "checkpoint_people": sum(1 for p in passages if p[2]),
            "checkpoint_vehicles": sum(1 for p in passages if p[3]),
            "checkpoint_turned_back": sum(1 for p in passages if p[4]),
        }
        return out


@pytest.fixture(name="day")
def day_fixture(world):
    """Grid 07 through day D, with the reports of 08:00, 12:00 and 21:00 made at those hours."""
    admin, book, made = world.township_admin, Book(), {}
    numbers = iter(range(301, 400))

    def register(name):
        n = next(numbers)
        return registry_actions.register_person(
            actor=admin,
            node=world.grid07,
            name=name,
            id_number=make("371502", dt.date(1985, 1, 1) + dt.timedelta(n), n),
        )

    def screen(now, person, reason, day, **fields):
        with clock(now):
            actions.record_screening(actor=admin, person=person, reason=reason, screened_on=day, **fields)
        book.screenings.append((person.pk, reason, day, now))

    def start(now, person, kind, started_at):
        with clock(now):
            measure = actions.start_measure(actor=admin, person=person, kind=kind, started_at=started_at)
        book.measures[measure.pk] = dict(
            person=person.pk, kind=kind, started=started_at, entered=now, released=None, release_entered=None
        )
        return measure

    def release(now, measure, released_at):
        measure.refresh_from_db()
        with clock(now):
            actions.release_measure(
                actor=admin,
                measure=measure,
                version=measure.version,
                released_at=released_at,
                override=True,
                reason="专家组评估提前解除",
            )
        book.measures[measure.pk] |= {"released": released_at, "release_entered": now}

    def check(now, measure, taken_at, temperature="36.5"):
        with clock(now):
            reading = actions.record_follow_up(
                actor=admin, measure=measure, temperature=temperature, taken_at=taken_at
            )
        book.follow_ups.append(
            (measure.person_id, reading.slot_date, reading.slot, taken_at, now, reading.is_abnormal)
        )

    def passage(now, passed_at, **fields):
        with clock(now):
            checkpoint_actions.record_passage(
                actor=admin, checkpoint=checkpoint, direction="in", at=passed_at, **fields
            )
        book.passages.append(
            (
                passed_at,
                now,
                "identity" in fields,
                bool(fields.get("plate")),
                fields.get("outcome") == "turned_back",
            )
        )

    def report(moment):
        with clock(moment):
            made[moment] = compose.to_json(compose.compose(node=world.township, as_of=moment))

    with clock(at(D - dt.timedelta(days=3), "09:00")):
        a, b, c, e, f, g, s = (register(name) for name in ("甲", "乙", "丙", "戊", "己", "庚", "孙"))
        checkpoint = checkpoint_actions.create_checkpoint(
            actor=admin, node=world.grid07, name="前屯村东卡口", kind="road"
        )
    yesterday = D - dt.timedelta(days=1)
    screen(at(yesterday, "09:00"), b, Reason.ARRIVAL, yesterday, **WUHAN)
    m_b = start(at(yesterday, "09:05"), b, Kind.HOME_QUARANTINE, at(yesterday, "09:00"))
    check(at(yesterday, "20:00"), m_b, at(yesterday, "20:00"))

    screen(at(D, "07:00"), a, Reason.ARRIVAL, D, **WUHAN)
    m_a = start(at(D, "07:00"), a, Kind.HOME_QUARANTINE, at(D, "07:00"))
    check(at(D, "07:30"), m_b, at(D, "07:30"))
    report(at(D, "08:00"))

    screen(at(D, "09:00"), c, Reason.CLOSE_CONTACT, D, reference_date=yesterday)
    m_c = start(at(D, "09:00"), c, Kind.HOME_MONITORING, at(D, "09:00"))
    passage(at(D, "09:30"), at(D, "09:30"), identity=identity_for_person(s), temperature="36.4")
    screen(at(D, "10:00"), e, Reason.ARRIVAL, yesterday, **WUHAN)  # dated the day before, entered today
    m_e = start(at(D, "10:00"), e, Kind.HOME_QUARANTINE, at(D, "07:30"))  # started before 08:00
    release(at(D, "10:30"), m_b, at(D, "07:45"))  # released before 08:00, entered after
    check(at(D, "11:00"), m_a, at(D, "11:00"))
    report(at(D, "12:00"))

    check(at(D, "12:30"), m_c, at(D, "11:50"))  # the morning's check, entered after noon
    passage(at(D, "14:00"), at(D, "14:00"), plate="鲁P12345", passengers=2, outcome="turned_back")
    check(at(D, "19:00"), m_a, at(D, "19:00"), "38.2")
    screen(at(D, "20:00"), f, Reason.ARRIVAL, D, **WUHAN)
    report(at(D, "21:00"))

    passage(
        at(D, "21:30"), at(D, "20:50"), identity=identity_for_person(s), temperature="36.6"
    )  # uploaded late
    screen(at(D, "22:00"), g, Reason.CLOSE_CONTACT, D, reference_date=D)
    start(at(D, "22:00"), g, Kind.HOME_QUARANTINE, at(D, "22:00"))
    release(at(D, "22:00"), m_c, at(D, "20:30"))
    check(at(D, "22:30"), m_e, at(D, "20:00"))
    return {"book": book, "made": made}


def figures(payload: dict) -> dict:
    return {n["code"]: n["value"] for p in payload["paragraphs"] for n in p["numbers"] if "item" not in n}


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: f"{m:%H%M}")
def test_it_gives_each_figure_as_of_the_moment_by_an_independent_count(world, day, moment):
    with clock(NEXT_MORNING):
        situation = compose.compose(node=world.township, as_of=moment)
    expected = day["book"].expected(moment)
    assert {code: situation.indicators[code] for code in expected} == expected
    for code, value in figures(compose.to_json(situation)).items():
        if code in expected:
            assert value == expected[code], code


def test_it_gives_the_same_report_of_a_past_moment_whenever_it_is_made(world, day):
    for moment in MOMENTS:
        with clock(NEXT_MORNING):
            again = compose.to_json(compose.compose(node=world.township, as_of=moment))
        then = day["made"][moment]
        assert json.loads(json.dumps(again["indicators"])) == json.loads(json.dumps(then["indicators"]))
        assert again["paragraphs"] == then["paragraphs"]


def test_it_leaves_out_of_the_0800_report_what_was_recorded_after_0800(world, day):
    with clock(NEXT_MORNING):
        values = compose.compose(node=world.township, as_of=MOMENTS[0]).indicators
    # 甲 (screened 07:00) only: 戊's screening dated the day before and entered at 10:00 is not there.
    assert (values["screened_total"], values["screened_new"]) == (2, 1)  # 乙 (yesterday) and 甲
    # 乙's release at 07:45 was entered at 10:30, 戊's measure from 07:30 at 10:00: neither is known at 08:00.
    assert values["active_home_quarantine"] == 2  # 甲 and 乙
    assert values["released_total"] == 0
    assert values["checkpoint_people"] == 0


def test_it_gives_each_hour_its_own_numbers(world, day):
    with clock(NEXT_MORNING):
        values = [compose.compose(node=world.township, as_of=m).indicators for m in MOMENTS]
    screened = [v["screened_total"] for v in values]
    assert screened == [2, 4, 5]  # + 丙 and 戊 by noon, + 己 by 21:00; 庚 came at 22:00
    assert [v["released_total"] for v in values] == [0, 1, 1]
    # No slot has ended at 08:00; at noon 丙's and 戊's mornings are missed; by 21:00 丙's was entered.
    assert [v["followups_missed"] for v in values] == [0, 2, 1]
    assert [v["symptomatic_new"] for v in values] == [0, 0, 1]
    assert [v["checkpoint_people"] for v in values] == [0, 1, 1]  # the 20:50 passage came at 21:30


def test_it_counts_a_morning_check_entered_after_noon_only_from_then_on(world, day):
    with clock(NEXT_MORNING):
        noon = compose.compose(node=world.township, as_of=MOMENTS[1]).indicators
        evening = compose.compose(node=world.township, as_of=MOMENTS[2]).indicators
    # At noon 丙's and 戊's mornings were due and unanswered; 丙's reading of 11:50 was entered at 12:30.
    assert (noon["followups_due"], noon["followups_done"]) == (6, 1)
    assert evening["followups_missed"] == 1  # 戊's morning; 丙's was answered late but inside the slot


def test_it_keeps_the_whole_days_figures_of_the_daily_report(world, day):
    """The daily report of D counts everything recorded for D, also what is entered the next morning: the
    report of 24时 counts what was entered by 24时, which here is the same."""
    end = at(D + dt.timedelta(days=1), "00:00")
    with clock(NEXT_MORNING):
        daily = indicators.compute(world.township, D)
        as_of = indicators.compute(world.township, D, now=end, as_of=end)
    assert as_of == daily
    assert daily == {**daily, **day["book"].expected(end)}


def test_it_leaves_out_a_ledger_imported_after_the_moment(world):
    """A 返乡人员登记表 imported at 10:00 starts its measures on the day of arrival, before 08:00; the import
    writes one audit row for the ledger, so its measures are known by their screenings' entry time."""
    yesterday = D - dt.timedelta(days=1)
    data = workbook(
        [row(姓名="张三", 身份证号=id_number(11), 返回时间=f"{yesterday:%Y年%m月%d日}", 管控措施="居家隔离")]
    )
    with clock(at(D, "10:00")):
        result = import_returnees(
            actor=world.grid07_worker, node=world.grid07, data=data, filename="返乡.xlsx"
        )
    assert result.created == 1
    with clock(NEXT_MORNING):
        morning, noon = (compose.compose(node=world.township, as_of=m).indicators for m in MOMENTS[:2])
    assert (morning["screened_total"], morning["active_home_quarantine"], morning["registered_people"]) == (
        0,
        0,
        0,
    )
    assert (noon["screened_total"], noon["active_home_quarantine"], noon["registered_people"]) == (1, 1, 1)


def test_it_keeps_someone_under_the_old_measure_until_the_transfer_is_recorded(world):
    """Sent to hospital at 07:50, entered at 09:00: the report of 08:00 still has them in home quarantine."""
    admin = world.township_admin
    yesterday = D - dt.timedelta(days=1)
    with clock(at(yesterday, "09:00")):
        person = registry_actions.register_person(
            actor=admin, node=world.grid07, name="甲", id_number=make("371502", dt.date(1980, 5, 5), 11)
        )
        screening = actions.record_screening(
            actor=admin, person=person, reason=Reason.ARRIVAL, screened_on=yesterday, **WUHAN
        )
        measure = actions.start_measure(
            actor=admin, person=person, kind=Kind.HOME_QUARANTINE, screening=screening
        )
    with clock(at(D, "09:00")):
        actions.transfer_measure(
            actor=admin, measure=measure, version=measure.version, kind=Kind.HOSPITAL, at=at(D, "07:50")
        )
    codes = ["active_home_quarantine", "active_hospital", "hospital_total", "released_total"]
    with clock(NEXT_MORNING):
        before, after = (
            [compose.compose(node=world.township, as_of=m).indicators[c] for c in codes] for m in MOMENTS[:2]
        )
    assert before == [1, 0, 0, 0]
    assert after == [0, 1, 1, 0]  # a transfer is not a release
