"""The pure rules of measures (DOMAIN.md §4 and §9): periods of every preset, slots, fever and release
blockers. No database."""

import datetime as dt
from decimal import Decimal

import pytest

from fangkong.measures import rules
from fangkong.policy.models import Kind, Reason
from fangkong.policy.presets import PRESETS
from fangkong.policy.queries import preset_values

SH = rules.SHANGHAI
CENTRAL, HOME_Q, HOME_M, SELF_M = (
    Kind.CENTRAL_QUARANTINE,
    Kind.HOME_QUARANTINE,
    Kind.HOME_MONITORING,
    Kind.SELF_MONITORING,
)


def at(day: dt.date, hhmm: str = "00:00") -> dt.datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SH)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# ── presets against DOMAIN.md §4 ─────────────────────────────────────────────────────────────────

# The table of DOMAIN.md §4, copied by hand: (close contact, secondary contact, high-risk arrival,
# medium-risk arrival) as steps of (measure, days). "per province" (2021 arrivals) is left out.
DOMAIN_TABLE = {
    "2020": {
        "close_contact": [(CENTRAL, 14)],
        "secondary_contact": [],
        "arrival_high": [(HOME_Q, 14)],
        "arrival_medium": [(HOME_Q, 14)],
    },
    "2021": {"close_contact": [(CENTRAL, 14), (HOME_M, 7)], "secondary_contact": [(CENTRAL, 7)]},
    "2022-06": {
        "close_contact": [(CENTRAL, 7), (HOME_M, 3)],
        "secondary_contact": [(HOME_Q, 7)],
        "arrival_high": [(CENTRAL, 7)],
        "arrival_medium": [(HOME_Q, 7)],
    },
    "2022-11": {
        "close_contact": [(CENTRAL, 5), (HOME_Q, 3)],
        "secondary_contact": [],
        "arrival_high": [(HOME_Q, 7)],
    },
    "2022-12": {
        "close_contact": [(HOME_Q, 5)],
        "secondary_contact": [],
        "arrival_high": [],
        "arrival_medium": [],
    },
}


@pytest.mark.parametrize("code", list(DOMAIN_TABLE))
def test_it_ships_the_periods_of_the_domain_table_in_each_preset(code):
    regimes = PRESETS[code]["regimes"]
    for reason, steps in DOMAIN_TABLE[code].items():
        assert [(kind, days) for kind, days in regimes[reason]] == steps, (code, reason)
    assert PRESETS[code]["fever_threshold"] == "37.3"
    assert set(regimes) == set(Reason.values)  # every reason has a regime, possibly empty


def last_days(reference: dt.date, lengths: list[int]) -> list[dt.date]:
    """Independent day counting: walk the calendar one day at a time from day 1 = the day after the
    reference date, and note the last day of each step."""
    out, day = [], reference
    for length in lengths:
        for _ in range(length):
            day = day + dt.timedelta(days=1)
        out.append(day)
    return out


@pytest.mark.parametrize("code", list(PRESETS))
@pytest.mark.parametrize("reason", Reason.values)
def test_it_ends_each_step_at_midnight_after_its_last_day_counted_from_the_reference(code, reason):
    reference = d("2022-02-20")  # steps cross the end of a 28-day February
    steps = PRESETS[code]["regimes"][reason]
    planned = rules.planned_steps(reference, steps)
    ends = last_days(reference, [days for _kind, days in steps])
    assert [kind for kind, *_ in planned] == [kind for kind, _days in steps]
    assert [end for _kind, _start, end, _days in planned] == [at(day + dt.timedelta(days=1)) for day in ends]
    if planned:
        assert planned[0][1] == at(d("2022-02-21"))  # day 1 starts at 00:00 of the day after
    for previous, following in zip(planned, planned[1:], strict=False):
        assert following[1] == previous[2]  # the next step starts when the previous ends
    for kind, _start, end, days in planned:
        got = rules.planned_end(
            kind=kind,
            reason=reason,
            reference_date=reference,
            started_at=at(d("2022-02-21"), "15:00"),
            policy=preset_values(code),
        )
        assert got == (end, days)


def test_it_counts_a_close_contact_under_the_2022_11_preset_by_hand():
    steps = rules.planned_steps(d("2022-11-20"), PRESETS["2022-11"]["regimes"]["close_contact"])
    # Central: 11-21 … 11-25 (5 days), home: 11-26 … 11-28 (3 days).
    assert [(kind, end) for kind, _start, end, _days in steps] == [
        (CENTRAL, at(d("2022-11-26"))),
        (HOME_Q, at(d("2022-11-29"))),
    ]


def test_it_counts_a_2020_returnee_across_the_end_of_february_by_hand():
    end, days = rules.planned_end(
        kind=HOME_Q,
        reason=Reason.ARRIVAL,
        reference_date=d("2020-02-20"),  # 2020 is a leap year: 02-21 … 03-05 are the 14 days
        started_at=at(d("2020-02-21"), "09:00"),
        policy=preset_values("2020"),
    )
    assert (end, days) == (at(d("2020-03-06")), 14)


def test_it_runs_a_measure_the_regime_does_not_name_for_the_default_days_from_its_start_day():
    # 2022-06 secondary contacts go into home quarantine; self-monitoring is not in that regime.
    end, days = rules.planned_end(
        kind=SELF_M,
        reason=Reason.SECONDARY_CONTACT,
        reference_date=d("2022-07-01"),
        started_at=at(d("2022-07-03"), "18:30"),
        policy=preset_values("2022-06"),
    )
    assert days == 7
    assert end == at(d("2022-07-10"))  # 07-03 is day 1, 07-09 day 7


def test_it_gives_a_reason_without_a_regime_the_default_days():
    end, days = rules.planned_end(
        kind=HOME_Q,
        reason=Reason.SECONDARY_CONTACT,  # "not defined" in 2020
        reference_date=d("2020-03-01"),
        started_at=at(d("2020-03-02"), "10:00"),
        policy=preset_values("2020"),
    )
    assert (end, days) == (at(d("2020-03-16")), 14)


def test_it_plans_no_end_for_a_hospital_stay():
    assert rules.planned_end(
        kind=Kind.HOSPITAL,
        reason=Reason.CLOSE_CONTACT,
        reference_date=d("2022-03-01"),
        started_at=at(d("2022-03-02")),
        policy=preset_values("2021"),
    ) == (None, None)


def test_it_follows_edited_values_of_a_policy():
    policy = preset_values("2020")
    policy["regimes"]["close_contact"] = [[CENTRAL, 21]]  # a province stricter than the nation
    end, days = rules.planned_end(
        kind=CENTRAL,
        reason=Reason.CLOSE_CONTACT,
        reference_date=d("2020-03-01"),
        started_at=at(d("2020-03-01"), "20:00"),
        policy=policy,
    )
    assert (end, days) == (at(d("2020-03-23")), 21)


# ── slots ─────────────────────────────────────────────────────────────────────────────────────────

D = d("2022-03-10")
NEXT = D + dt.timedelta(days=1)


def test_it_bounds_the_morning_and_evening_slots_in_shanghai_time():
    assert rules.slot_bounds(D, rules.MORNING) == (at(D), at(D, "12:00"))
    assert rules.slot_bounds(D, rules.EVENING) == (at(D, "12:00"), at(NEXT))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(D, "00:00"), (D, rules.MORNING)),
        (at(D, "11:59"), (D, rules.MORNING)),
        (at(D, "12:00"), (D, rules.EVENING)),
        (at(D, "23:59"), (D, rules.EVENING)),
        # The same moments written in UTC still fall into Shanghai's slots.
        (dt.datetime(2022, 3, 9, 16, 0, tzinfo=dt.UTC), (D, rules.MORNING)),
        (dt.datetime(2022, 3, 10, 3, 59, tzinfo=dt.UTC), (D, rules.MORNING)),
        (dt.datetime(2022, 3, 10, 4, 0, tzinfo=dt.UTC), (D, rules.EVENING)),
    ],
)
def test_it_puts_a_reading_into_the_slot_of_its_local_time(moment, expected):
    assert rules.slot_of(moment) == expected


M, E = rules.MORNING, rules.EVENING


@pytest.mark.parametrize(
    ("started_at", "released_at", "due"),
    [
        (at(D - dt.timedelta(days=3), "09:00"), None, [M, E]),
        (at(D), None, [M, E]),  # started at 00:00 of D
        (at(D, "11:59"), None, [M, E]),
        (at(D, "12:00"), None, [E]),  # at the end of the morning: no reading could belong to it
        (at(D, "13:00"), None, [E]),  # started after the morning slot ended
        (at(NEXT), None, []),  # started at 24:00 of D owes nothing on D
        (at(D, "23:59"), None, [E]),
        (at(D - dt.timedelta(days=1)), at(D, "11:00"), []),  # released before noon
        (at(D - dt.timedelta(days=1)), at(D, "12:00"), []),  # released at noon: not active at its end
        (at(D - dt.timedelta(days=1)), at(D, "12:01"), [M]),
        (at(D - dt.timedelta(days=1)), at(NEXT), [M]),  # released at 24:00: not active at its end
        (at(D - dt.timedelta(days=1)), at(NEXT, "08:00"), [M, E]),
        (at(D, "08:00"), at(D, "10:00"), []),  # a stay inside the morning
        (at(D, "08:00"), at(D, "13:00"), [M]),
    ],
)
def test_it_owes_the_slots_whose_end_finds_the_measure_active(started_at, released_at, due):
    assert rules.due_slots(started_at, released_at, D) == due


def test_it_treats_a_measure_active_from_its_start_until_just_before_its_release():
    start, release = at(D, "08:00"), at(D, "20:00")
    assert not rules.is_active_at(start, release, at(D, "07:59"))
    assert rules.is_active_at(start, release, start)
    assert rules.is_active_at(start, release, at(D, "19:59"))
    assert not rules.is_active_at(start, release, release)
    assert rules.is_active_at(start, None, at(NEXT, "23:00"))


# ── fever and temperatures ────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("temperature", "fever"),
    [("36.5", False), ("37.2", False), ("37.3", True), ("37.4", True), ("39.0", True)],
)
def test_it_counts_37_3_and_above_as_fever(temperature, fever):
    assert rules.is_fever(Decimal(temperature), "37.3") is fever


def test_it_uses_the_threshold_of_the_policy():
    assert not rules.is_fever(Decimal("37.3"), "37.5")
    assert rules.is_fever(Decimal("37.5"), Decimal("37.5"))


def test_it_finds_a_symptom_abnormal_without_fever():
    assert rules.is_abnormal(Decimal("36.4"), ["干咳"], "37.3")
    assert not rules.is_abnormal(Decimal("36.4"), [], "37.3")


# ── release ───────────────────────────────────────────────────────────────────────────────────────

END = at(d("2022-03-15"))


def blockers(now, planned_end=END, negatives=0, required=0, pending=0):
    return rules.release_blockers(
        now=now,
        planned_end=planned_end,
        negatives_in_period=negatives,
        required_negatives=required,
        pending_tests=pending,
    )


def test_it_releases_when_the_period_is_over_and_nothing_is_required():
    assert blockers(END) == []
    assert blockers(at(d("2022-03-16"), "09:00")) == []


def test_it_says_when_the_period_ends_while_it_is_not_over():
    (reason,) = blockers(at(d("2022-03-14"), "23:59"))
    assert "观察期未满" in reason
    assert "2022年03月15日00时" in reason


def test_it_says_how_many_negative_tests_are_missing():
    (reason,) = blockers(END, negatives=1, required=2)
    assert reason == "解除前需2次核酸阴性结果，现有1次"
    assert blockers(END, negatives=2, required=2) == []


def test_it_waits_for_pending_test_results():
    (reason,) = blockers(END, negatives=2, required=2, pending=1)
    assert "1次核酸检测未出结果" in reason


def test_it_lists_every_blocker_at_once():
    assert len(blockers(at(d("2022-03-10")), negatives=0, required=1, pending=1)) == 3


def test_it_has_no_period_to_wait_for_without_a_planned_end():
    assert blockers(at(d("2022-03-10")), planned_end=None) == []
