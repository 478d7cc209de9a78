"""Series from the records and the detection run, each figure recounted from the raw numbers."""

import datetime as dt
import statistics

import pytest

from fangkong.audit.models import AuditEvent
from fangkong.lib.errors import RuleError
from fangkong.surveillance import actions, queries, series
from fangkong.surveillance.models import Signal, SignalAlert
from fangkong.surveillance.rules import z_alpha


def test_series_knows_the_days_not_reported(world, visits):
    back = series.node_series("clinic_visits", world.other_village, visits["start"], visits["end"])
    assert back[10] is None and back[9] == 3 and back[11] == 3
    township = series.node_series("clinic_visits", world.township, visits["start"], visits["end"])
    assert township[10] == visits["front"][10]  # reported by one of the two: the day is reported
    assert township[-1] == visits["front"][-1] + 3
    before = visits["start"] - dt.timedelta(days=3)
    assert series.node_series("clinic_visits", world.county, before, before) == [None]


def test_detection_raises_one_alert_with_value_and_bound(world, visits):
    counts = actions.run_detection(day=visits["end"])
    signal = Signal.objects.get(node=world.village, series="clinic_visits", day=visits["end"], method="C1")
    baseline = visits["front"][-8:-1]
    expected = statistics.mean(baseline) + z_alpha(0.001) * statistics.stdev(baseline)
    assert signal.value == 25 and signal.upper == pytest.approx(expected, abs=1e-9) and signal.alarm
    c2 = Signal.objects.get(node=world.village, series="clinic_visits", day=visits["end"], method="C2")
    base2 = visits["front"][-10:-3]
    assert c2.upper == pytest.approx(
        statistics.mean(base2) + z_alpha(0.001) * statistics.stdev(base2), abs=1e-9
    )
    alert = SignalAlert.objects.get(node=world.village, series="clinic_visits", day=visits["end"])
    assert alert.parent == world.township and alert.value == 25
    assert "25" in alert.summary and f"{alert.upper:.1f}" in alert.summary
    # the other village: flat 3s (sd 0, bound 3), no alarm; its window holds an unreported day for C2/C3
    flat = Signal.objects.get(
        node=world.other_village, series="clinic_visits", day=visits["end"], method="C1"
    )
    assert flat.upper == 3 and not flat.alarm
    assert counts["alerts"] == SignalAlert.objects.count()
    assert set(SignalAlert.objects.values_list("node__code", flat=True)) <= {
        world.village.code,
        world.township.code,
        world.county.code,
        world.city.code,
        world.province.code,
    }
    # twice: no second alert, the same signals
    n = Signal.objects.count()
    again = actions.run_detection(day=visits["end"])
    assert again["alerts"] == 0 and Signal.objects.count() == n
    assert AuditEvent.objects.filter(target_type="SignalAlert").count() == SignalAlert.objects.count()


def test_signals_alarming_recount(world, visits):
    actions.run_detection(day=visits["end"])
    recount = {
        (s.node_id, s.series)
        for s in Signal.objects.filter(day=visits["end"], alarm=True)
        if s.node.path.startswith(world.township.path)
    }
    assert (
        queries.signals_alarming(world.township, visits["end"]) == len(recount) >= 2
    )  # village and township
    assert queries.signals_alarming(world.other_village, visits["end"]) == 0


def test_alert_is_seen_by_the_node_and_above(world, visits):
    actions.run_detection(day=visits["end"])
    village_alert = SignalAlert.objects.get(node=world.village, day=visits["end"])
    assert queries.alerts_visible_to(world.township_admin).filter(pk=village_alert.pk).exists()
    assert not queries.alerts_visible_to(world.grid07_worker).filter(pk=village_alert.pk).exists()
    assert not queries.alerts_visible_to(world.outsider).exists()


def test_visits_rules(world, clinics):
    with pytest.raises(RuleError):
        actions.record_visits(
            actor=world.county_admin, clinic=clinics["front"], day=dt.date(2020, 1, 1), visits=-1
        )
    with pytest.raises(RuleError):
        actions.record_visits(
            actor=world.grid08_worker, clinic=clinics["back"], day=dt.date(2020, 1, 1), visits=1
        )
    row = actions.record_visits(
        actor=world.county_admin, clinic=clinics["front"], day=dt.date(2020, 1, 1), visits=4
    )
    again = actions.record_visits(
        actor=world.county_admin, clinic=clinics["front"], day=dt.date(2020, 1, 1), visits=0
    )
    assert again.pk == row.pk and again.visits == 0
    assert series.node_series("clinic_visits", world.village, dt.date(2020, 1, 1), dt.date(2020, 1, 1)) == [0]


def test_chart_rows(world, visits):
    data = queries.chart(world.village, "clinic_visits", visits["end"], days=5)
    assert [r["value"] for r in data["rows"]] == visits["front"][-5:]
    assert data["rows"][-1]["alarm"]


def test_registry_contract():
    assert {"clinic_visits", "followup_fevers", "checkpoint_fevers", "new_cases"} <= set(series.SOURCES)
    with pytest.raises(ValueError):
        series.register("clinic_visits", "x", lambda start, end: [])


def test_serial_interval_and_alpha_from_policy(world):
    from fangkong.policy.actions import set_policy
    from fangkong.policy.queries import surveillance_values

    day = dt.date(2022, 6, 1)
    assert queries.serial_interval(world.township, day) == {"mean": 4.7, "sd": 2.9, "distr": None}
    values = surveillance_values({})
    set_policy(
        actor=world.county_admin,
        node=world.county,
        effective_from=day,
        preset="2022-06",
        overrides={"surveillance": {**values, "si_mean": 3.0, "si_sd": 1.5}},
    )
    assert queries.serial_interval(world.township, day) == {"mean": 3.0, "sd": 1.5, "distr": None}
