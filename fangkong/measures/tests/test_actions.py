"""Actions on key persons: screenings, measures, release, transfer, caretakers, follow-ups and alerts.
Times are explicit (March 2022, Asia/Shanghai)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from fangkong.audit.models import AuditEvent
from fangkong.conftest import make_user
from fangkong.grid.models import Role
from fangkong.lib.errors import RuleError, StaleEdit
from fangkong.measures import actions, queries, rules
from fangkong.measures.models import Alert, Caretaker, FollowUp, Measure
from fangkong.measures.models import TestResult as NatResult  # not a pytest class
from fangkong.policy import actions as policy_actions
from fangkong.policy.models import Kind, Reason

SH = rules.SHANGHAI


def at(day: str, hhmm: str = "00:00") -> dt.datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), tzinfo=SH)


def screen(world, person, reason=Reason.CLOSE_CONTACT, day="2022-03-01", **fields):
    fields.setdefault("reference_date", dt.date.fromisoformat(day))
    return actions.record_screening(
        actor=world.grid07_worker,
        person=person,
        reason=reason,
        screened_on=dt.date.fromisoformat(day),
        **fields,
    )


def start(world, person, kind=Kind.HOME_QUARANTINE, started_at=None, screening=None, actor=None, **kw):
    return actions.start_measure(
        actor=actor or world.grid07_worker,
        person=person,
        kind=kind,
        screening=screening,
        started_at=started_at or at("2022-03-02", "09:00"),
        **kw,
    )


def audit_rows(target) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(target_type=type(target).__name__, target_id=str(target.pk)).order_by("id")
    )


# ── screenings ────────────────────────────────────────────────────────────────────────────────────


def test_it_refuses_a_screening_dated_in_the_future(world, people):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(RuleError) as exc:
        actions.record_screening(
            actor=world.grid07_worker, person=people["zhang"], reason=Reason.ARRIVAL, screened_on=tomorrow
        )
    assert exc.value.errors == {"screened_on": "排查日期不能晚于今天"}


def test_it_refuses_an_arrival_in_the_future_or_a_departure_after_it(world, people):
    with pytest.raises(RuleError) as exc:
        actions.record_screening(
            actor=world.grid07_worker,
            person=people["zhang"],
            reason=Reason.ARRIVAL,
            arrived_on=timezone.localdate() + dt.timedelta(days=2),
        )
    assert "arrived_on" in exc.value.errors
    with pytest.raises(RuleError) as exc:
        actions.record_screening(
            actor=world.grid07_worker,
            person=people["zhang"],
            reason=Reason.ARRIVAL,
            departed_on=dt.date(2022, 3, 5),
            arrived_on=dt.date(2022, 3, 4),
        )
    assert exc.value.errors == {"departed_on": "出发日期不能晚于抵达日期"}


def test_it_counts_an_arrival_from_the_arrival_date_and_audits_it(world, people):
    screening = actions.record_screening(
        actor=world.grid07_worker,
        person=people["zhang"],
        reason=Reason.ARRIVAL,
        screened_on=dt.date(2022, 3, 3),
        arrived_on=dt.date(2022, 3, 1),
        origin_province="42",
        origin_city="4201",
    )
    assert screening.reference_date == dt.date(2022, 3, 1)
    assert screening.node == world.grid07
    assert [row.action for row in audit_rows(screening)] == ["create"]


def test_it_refuses_a_screening_outside_the_actors_area(world, people):
    with pytest.raises(RuleError) as exc:
        screen(world, people["wang"])  # grid 08, by the grid-07 worker
    assert exc.value.code == "forbidden"


# ── measures ──────────────────────────────────────────────────────────────────────────────────────


def test_it_keeps_one_active_measure_per_person(world, people):
    first = start(world, people["zhang"])
    with pytest.raises(RuleError) as exc:
        start(world, people["zhang"], kind=Kind.HOME_MONITORING, started_at=at("2022-03-03"))
    assert exc.value.code == "duplicate"
    actions.release_measure(
        actor=world.grid07_worker, measure=first, version=first.version, released_at=at("2022-03-20")
    )
    again = start(world, people["zhang"], started_at=at("2022-04-01", "10:00"))
    assert again.is_active
    assert Measure.objects.filter(person=people["zhang"], released_at=None).count() == 1


def test_it_refuses_a_measure_starting_in_the_future(world, people):
    with pytest.raises(RuleError) as exc:
        start(world, people["zhang"], started_at=timezone.now() + dt.timedelta(hours=1))
    assert exc.value.errors == {"started_at": "开始时间不能晚于现在"}


def test_it_plans_the_end_from_the_screening_and_remembers_the_policy(world, people):
    screening = screen(world, people["zhang"], day="2022-03-01")
    site = actions.create_site(actor=world.township_admin, node=world.township, name="梁水宾馆")
    actions.add_rooms(actor=world.township_admin, site=site, first=1, last=1, capacity=1)
    measure = start(
        world,
        people["zhang"],
        kind=Kind.CENTRAL_QUARANTINE,
        screening=screening,
        actor=world.township_admin,  # sites belong to the township: grid workers do not see them
        started_at=at("2022-03-02", "09:00"),
        room=site.rooms.get(),
    )
    # 2020 default: close contacts 14 days central from the last contact (03-01): 03-02 … 03-15.
    assert measure.planned_end == at("2022-03-16")
    assert measure.period_days == 14
    assert measure.policy is None
    assert measure.policy_label.startswith("默认预设：2020年")


def test_it_wants_a_room_with_a_free_bed_for_central_quarantine(world, people):
    with pytest.raises(RuleError) as exc:
        start(world, people["zhang"], kind=Kind.CENTRAL_QUARANTINE)
    assert "room" in exc.value.errors
    site = actions.create_site(actor=world.township_admin, node=world.township, name="梁水宾馆")
    actions.add_rooms(actor=world.township_admin, site=site, first=1, last=1, capacity=1)
    room = site.rooms.get()
    with pytest.raises(RuleError, match="隔离点不存在或已停用"):  # a site the grid worker cannot see
        start(world, people["zhang"], kind=Kind.CENTRAL_QUARANTINE, room=room)
    start(world, people["zhang"], kind=Kind.CENTRAL_QUARANTINE, room=room, actor=world.township_admin)
    with pytest.raises(RuleError) as exc:
        start(world, people["li"], kind=Kind.CENTRAL_QUARANTINE, room=room, actor=world.township_admin)
    assert "已满" in exc.value.errors["room"]


# ── release ───────────────────────────────────────────────────────────────────────────────────────


def test_it_refuses_release_before_the_period_is_over_and_says_when_it_is(world, people):
    measure = start(world, people["zhang"], screening=screen(world, people["zhang"], day="2022-03-01"))
    # 2020 default for a close contact in home quarantine: not in the regime (central), so 14 days from
    # the start day 03-02: ends 03-16 00:00.
    with pytest.raises(RuleError) as exc:
        actions.release_measure(
            actor=world.grid07_worker,
            measure=measure,
            version=measure.version,
            released_at=at("2022-03-15", "23:00"),
        )
    assert exc.value.code == "conflict"
    assert "观察期未满" in str(exc.value) and "2022年03月16日00时" in str(exc.value)
    assert Measure.objects.get(pk=measure.pk).released_at is None
    released = actions.release_measure(
        actor=world.grid07_worker, measure=measure, version=measure.version, released_at=at("2022-03-16")
    )
    assert released.released_at == at("2022-03-16")
    assert released.release_reason == "期满解除"


def test_it_wants_the_negative_tests_the_policy_requires(world, people):
    policy_actions.set_policy(
        actor=world.county_admin, node=world.county, effective_from=dt.date(2021, 6, 1), preset="2021"
    )
    screening = screen(world, people["zhang"], reason=Reason.SECONDARY_CONTACT, day="2022-03-01")
    site = actions.create_site(actor=world.township_admin, node=world.township, name="梁水宾馆")
    actions.add_rooms(actor=world.township_admin, site=site, first=1, last=1, capacity=1)
    measure = start(
        world,
        people["zhang"],
        kind=Kind.CENTRAL_QUARANTINE,
        screening=screening,
        room=site.rooms.get(),
        actor=world.township_admin,
    )
    assert measure.planned_end == at("2022-03-09")  # 2021: secondary contacts 7 days central
    done = at("2022-03-09", "10:00")
    with pytest.raises(RuleError, match="解除前需2次核酸阴性结果，现有0次"):
        actions.release_measure(actor=world.grid07_worker, measure=measure, version=1, released_at=done)
    for day in ("2022-03-04", "2022-03-08"):
        actions.record_test_result(
            actor=world.grid07_worker, person=people["zhang"], sampled_at=at(day, "08:00"), outcome="negative"
        )
    actions.record_test_result(
        actor=world.grid07_worker,
        person=people["zhang"],
        sampled_at=at("2022-03-09", "08:00"),
        outcome="pending",
    )
    with pytest.raises(RuleError, match="尚有1次核酸检测未出结果"):
        actions.release_measure(actor=world.grid07_worker, measure=measure, version=1, released_at=done)
    NatResult.objects.filter(outcome="pending").update(outcome="negative")  # the lab's answer came in
    assert actions.release_status(measure, now=done) == []
    assert (
        actions.release_measure(
            actor=world.grid07_worker, measure=measure, version=1, released_at=done
        ).released_at
        == done
    )


def test_it_audits_an_override_with_its_reason_and_what_it_overrode(world, people):
    measure = start(world, people["zhang"])

    def release(actor, reason):
        return actions.release_measure(
            actor=actor,
            measure=measure,
            version=1,
            released_at=at("2022-03-05"),
            override=True,
            reason=reason,
        )

    with pytest.raises(RuleError) as exc:
        release(world.grid07_worker, "经专家组评估")  # only an administrator may override
    assert exc.value.code == "forbidden"
    with pytest.raises(RuleError) as exc:
        release(world.township_admin, "  ")
    assert exc.value.errors == {"reason": "提前解除须填写原因"}
    released = release(world.township_admin, "经专家组评估")
    assert released.release_reason == "经专家组评估"
    row = audit_rows(measure)[-1]
    assert row.detail["change"] == "release"
    assert row.detail["override"] is True
    assert "观察期未满" in row.detail["blockers"][0]
    assert row.actor == world.township_admin


def test_it_refuses_a_stale_or_repeated_release(world, people):
    measure = start(world, people["zhang"])
    with pytest.raises(StaleEdit):
        actions.release_measure(
            actor=world.grid07_worker, measure=measure, version=7, released_at=at("2022-03-20")
        )
    actions.release_measure(
        actor=world.grid07_worker, measure=measure, version=1, released_at=at("2022-03-20")
    )
    measure.refresh_from_db()
    with pytest.raises(RuleError, match="该措施已解除"):
        actions.release_measure(
            actor=world.grid07_worker, measure=measure, version=measure.version, released_at=at("2022-03-21")
        )


def test_it_refuses_a_release_before_the_start_or_in_the_future(world, people):
    measure = start(world, people["zhang"])
    with pytest.raises(RuleError, match="不能早于开始时间"):
        actions.release_measure(
            actor=world.grid07_worker, measure=measure, version=1, released_at=at("2022-03-01")
        )
    with pytest.raises(RuleError, match="不能晚于现在"):
        actions.release_measure(
            actor=world.grid07_worker,
            measure=measure,
            version=1,
            released_at=timezone.now() + dt.timedelta(days=1),
            override=True,
            reason="测试",
        )


def test_it_lets_only_writers_of_the_area_release(world, people):
    measure = start(world, people["zhang"])
    for actor in (world.grid08_worker, world.grid07_viewer, world.outsider):
        with pytest.raises(RuleError) as exc:
            actions.release_measure(actor=actor, measure=measure, version=1, released_at=at("2022-03-20"))
        assert exc.value.code == "forbidden"


# ── transfer ──────────────────────────────────────────────────────────────────────────────────────


def test_it_transfers_to_hospital_keeping_screening_and_caretakers(world, people):
    screening = screen(world, people["zhang"])
    measure = start(world, people["zhang"], screening=screening)
    actions.assign_caretaker(
        actor=world.grid07_worker, measure=measure, user=world.grid07_worker, role="doctor"
    )
    moment = at("2022-03-04", "10:30")
    hospital = actions.transfer_measure(
        actor=world.grid07_worker, measure=measure, version=1, kind=Kind.HOSPITAL, reason="发热", at=moment
    )
    measure.refresh_from_db()
    assert (measure.released_at, measure.release_reason) == (moment, "转为送医：发热")
    assert measure.transferred_to == hospital
    assert (hospital.kind, hospital.started_at, hospital.screening) == (Kind.HOSPITAL, moment, screening)
    assert hospital.planned_end is None
    assert [(c.user, c.role) for c in hospital.caretakers.all()] == [(world.grid07_worker, "doctor")]
    assert audit_rows(measure)[-1].detail == {"change": "transfer", "to": hospital.pk}
    assert [row.action for row in audit_rows(hospital)] == ["create"]


def test_it_refuses_a_transfer_to_the_same_measure_or_before_the_start(world, people):
    measure = start(world, people["zhang"])
    with pytest.raises(RuleError, match="新措施与原措施相同"):
        actions.transfer_measure(
            actor=world.grid07_worker,
            measure=measure,
            version=1,
            kind=Kind.HOME_QUARANTINE,
            at=at("2022-03-03"),
        )
    with pytest.raises(RuleError, match="不能早于原措施开始时间"):
        actions.transfer_measure(
            actor=world.grid07_worker, measure=measure, version=1, kind=Kind.HOSPITAL, at=at("2022-03-01")
        )
    measure.refresh_from_db()
    assert measure.released_at is None
    assert Measure.objects.filter(person=people["zhang"]).count() == 1


# ── caretakers ────────────────────────────────────────────────────────────────────────────────────


def test_it_allows_at_most_four_caretakers(world, people):
    measure = start(world, people["zhang"])
    staff = [world.grid07_worker, world.grid07_viewer, world.township_admin, world.county_admin]
    for user, role in zip(staff, ["grid_worker", "police", "cadre", "doctor"], strict=True):
        actions.assign_caretaker(actor=world.grid07_worker, measure=measure, user=user, role=role)
    fifth = make_user("village_doctor", world.village, Role.VILLAGE_STAFF)
    with pytest.raises(RuleError) as exc:
        actions.assign_caretaker(actor=world.grid07_worker, measure=measure, user=fifth, role="doctor")
    assert exc.value.errors == {"user": "每人最多4名包保责任人"}
    assert measure.caretakers.count() == 4


def test_it_takes_caretakers_only_from_staff_who_see_the_person(world, people):
    measure = start(world, people["zhang"])
    for user in (world.grid08_worker, world.outsider):
        with pytest.raises(RuleError) as exc:
            actions.assign_caretaker(actor=world.grid07_worker, measure=measure, user=user, role="cadre")
        assert exc.value.errors == {"user": "包保责任人须是该辖区的工作人员"}
    assert not Caretaker.objects.exists()


def test_it_refuses_a_duplicate_caretaker_an_unknown_role_or_a_released_measure(world, people):
    measure = start(world, people["zhang"])
    actions.assign_caretaker(
        actor=world.grid07_worker, measure=measure, user=world.grid07_worker, role="cadre"
    )
    with pytest.raises(RuleError) as exc:
        actions.assign_caretaker(
            actor=world.grid07_worker, measure=measure, user=world.grid07_worker, role="doctor"
        )
    assert exc.value.code == "duplicate"
    with pytest.raises(RuleError) as exc:
        actions.assign_caretaker(
            actor=world.grid07_worker, measure=measure, user=world.township_admin, role="boss"
        )
    assert exc.value.errors == {"role": "请选择包保角色"}
    measure = actions.release_measure(
        actor=world.grid07_worker, measure=measure, version=1, released_at=at("2022-03-20")
    )
    with pytest.raises(RuleError, match="该措施已解除"):
        actions.assign_caretaker(
            actor=world.grid07_worker, measure=measure, user=world.township_admin, role="cadre"
        )


# ── follow-ups and alerts ─────────────────────────────────────────────────────────────────────────


def follow_up(world, measure, taken_at, temperature="36.5", symptoms=None, **kw):
    return actions.record_follow_up(
        actor=world.grid07_worker,
        measure=measure,
        temperature=temperature,
        symptoms=symptoms,
        taken_at=taken_at,
        **kw,
    )


def test_it_keeps_every_reading_of_a_slot_and_records_a_retry_once(world, people):
    measure = start(world, people["zhang"])
    follow_up(world, measure, at("2022-03-03", "08:00"), "36.5")
    follow_up(world, measure, at("2022-03-03", "08:00"), "36.5")  # a retry
    follow_up(world, measure, at("2022-03-03", "11:30"), "36,7")  # a second reading in the same slot
    follow_up(world, measure, at("2022-03-03", "19:00"), "36.6")
    rows = FollowUp.objects.order_by("taken_at")
    assert [(f.slot_date, f.slot, f.temperature) for f in rows] == [
        (dt.date(2022, 3, 3), "morning", Decimal("36.5")),
        (dt.date(2022, 3, 3), "morning", Decimal("36.7")),
        (dt.date(2022, 3, 3), "evening", Decimal("36.6")),
    ]


def test_it_raises_one_alert_for_a_fever_of_37_3_even_when_sent_twice(world, people):
    measure = start(world, people["zhang"])
    follow_up(world, measure, at("2022-03-03", "08:00"), "37.3")
    follow_up(world, measure, at("2022-03-03", "08:00"), "37.3")  # the same reading sent again
    (alert,) = Alert.objects.all()
    assert alert.summary == "体温37.3℃，建议转运至发热门诊"
    assert alert.raised_at == at("2022-03-03", "08:00")
    assert alert.person == people["zhang"]


def test_it_raises_an_alert_for_a_symptom_without_fever_but_not_for_37_2(world, people):
    measure = start(world, people["zhang"])
    follow_up(world, measure, at("2022-03-03", "08:00"), "37.2")
    assert not Alert.objects.exists()
    follow_up(world, measure, at("2022-03-03", "19:00"), "36.6", ["干咳", "乏力"])
    (alert,) = Alert.objects.all()
    assert alert.summary == "体温36.6℃，症状：干咳、乏力，建议转运至发热门诊"


def test_it_shows_the_alert_to_the_caretakers_township_and_county_but_not_to_grid_08(world, people):
    measure = start(world, people["zhang"])
    follow_up(world, measure, at("2022-03-03", "08:00"), "38.1")
    for user in (world.grid07_worker, world.grid07_viewer, world.township_admin, world.county_admin):
        assert queries.open_alerts(user).count() == 1, user
    for user in (world.grid08_worker, world.outsider):
        assert queries.open_alerts(user).count() == 0, user


def test_it_uses_the_fever_threshold_of_the_policy(world, people):
    policy_actions.set_policy(
        actor=world.county_admin,
        node=world.county,
        effective_from=dt.date(2022, 1, 1),
        preset="2020",
        overrides={"fever_threshold": "37.5"},
    )
    measure = start(world, people["zhang"])
    follow_up(world, measure, at("2022-03-03", "08:00"), "37.4")
    assert not Alert.objects.exists()
    follow_up(world, measure, at("2022-03-03", "19:00"), "37.5")
    assert Alert.objects.count() == 1


def test_it_resolves_an_alert_once_with_a_resolution(world, people):
    measure = start(world, people["zhang"])
    follow_up(world, measure, at("2022-03-03", "08:00"), "38.1")
    alert = Alert.objects.get()
    with pytest.raises(RuleError) as exc:
        actions.resolve_alert(actor=world.township_admin, alert=alert, resolution=" ")
    assert exc.value.errors == {"resolution": "请填写处置结果"}
    with pytest.raises(RuleError) as exc:
        actions.resolve_alert(actor=world.grid08_worker, alert=alert, resolution="已转运")
    assert exc.value.code == "forbidden"
    actions.resolve_alert(actor=world.township_admin, alert=alert, resolution="已转运至发热门诊")
    assert queries.open_alerts(world.township_admin).count() == 0
    with pytest.raises(RuleError, match="该预警已处置"):
        actions.resolve_alert(actor=world.township_admin, alert=alert, resolution="再次")


def test_it_refuses_readings_outside_the_measure_in_the_future_or_unreadable(world, people):
    measure = start(world, people["zhang"], started_at=at("2022-03-02", "09:00"))
    with pytest.raises(RuleError, match="不在该人员的管控期内"):
        follow_up(world, measure, at("2022-03-02", "08:59"))
    with pytest.raises(RuleError, match="不能晚于现在"):
        follow_up(world, measure, timezone.now() + dt.timedelta(hours=1))
    with pytest.raises(RuleError) as exc:
        follow_up(world, measure, at("2022-03-03", "08:00"), "abc")
    assert exc.value.errors == {"temperature": "体温应为数字，如 36.5"}
    with pytest.raises(RuleError) as exc:
        follow_up(world, measure, at("2022-03-03", "08:00"), "36.5", ["头晕"])
    assert exc.value.errors == {"symptoms": "未知症状：头晕"}
    with pytest.raises(RuleError) as exc:
        actions.record_follow_up(
            actor=world.grid08_worker, measure=measure, temperature="36.5", taken_at=at("2022-03-03", "08:00")
        )
    assert exc.value.code == "forbidden"
    assert not FollowUp.objects.exists()


def test_it_accepts_a_self_report_without_an_account(world, people):
    measure = start(world, people["zhang"])
    report = actions.record_follow_up(
        actor=None,
        measure=measure,
        temperature="３６.８",
        taken_at=at("2022-03-03", "20:00"),
        self_reported=True,
    )
    assert (report.self_reported, report.recorded_by, report.temperature) == (True, None, Decimal("36.8"))
    assert audit_rows(report)[-1].detail == {"self_reported": True}


def test_it_refuses_a_test_result_sampled_in_the_future(world, people):
    with pytest.raises(RuleError, match="采样时间不能晚于现在"):
        actions.record_test_result(
            actor=world.grid07_worker,
            person=people["zhang"],
            sampled_at=timezone.now() + dt.timedelta(hours=2),
            outcome="negative",
        )
