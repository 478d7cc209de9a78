"""The health-code rule table (DOMAIN.md §6): for each rule, a person built through the actions gets the
expected colour and reason, and turns green on the expected day (colour_of at= moments around it)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangkong.healthcodes import actions as healthcode_actions
from fangkong.healthcodes import rules as code_rules
from fangkong.healthcodes.colours import colour_history, colour_of
from fangkong.healthcodes.identity import identify, identity_for_person
from fangkong.healthcodes.models import Colour, Identity, RiskLevel
from fangkong.healthcodes.rules import CandidateFact, CaseFact
from fangkong.lib.errors import RuleError
from fangkong.lib.idcard import make
from fangkong.measures import actions as measure_actions
from fangkong.measures.actions import add_rooms, create_site
from fangkong.measures.rules import SHANGHAI
from fangkong.policy import actions as policy_actions
from fangkong.policy.models import Kind, Reason
from fangkong.registry import actions as registry_actions

RED, YELLOW, GREEN = Colour.RED, Colour.YELLOW, Colour.GREEN


def today() -> dt.date:
    return timezone.localdate()


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def at(day: dt.date, hhmm: str = "12:00") -> dt.datetime:
    hour, minute = (int(p) for p in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def midnight(day: dt.date) -> dt.datetime:
    return at(day, "00:00")


def code(person, when=None):
    return colour_of(identity_for_person(person), at=when)


def reasons(result) -> str:
    return "；".join(result.reasons)


@pytest.fixture
def room(world):
    site = create_site(actor=world.county_admin, node=world.village, name="梁水宾馆", address="镇上")
    add_rooms(actor=world.county_admin, site=site, first=201, last=203, capacity=1)
    return site.rooms.first()


def screen(world, person, reason, **fields):
    return measure_actions.record_screening(
        actor=world.county_admin,
        person=person,
        reason=reason,
        screened_on=fields.pop("screened_on", None),
        **fields,
    )


def test_it_is_green_without_records(world, people):
    result = code(people["zhang"])
    assert (result.colour, result.reasons, result.green_on) == (GREEN, [], None)


# ── red ───────────────────────────────────────────────────────────────────────────────────────────────────


def test_it_is_red_for_a_close_contact_in_central_quarantine_until_released_and_the_period_passed(
    world, people, room
):
    zhang = people["zhang"]
    exposed = days_ago(20)
    screening = screen(
        world,
        zhang,
        Reason.CLOSE_CONTACT,
        screened_on=days_ago(19),
        reference_date=exposed,
        contact_of_text="某病例",
    )
    measure = measure_actions.start_measure(
        actor=world.county_admin,
        person=zhang,
        kind=Kind.CENTRAL_QUARANTINE,
        screening=screening,
        started_at=at(days_ago(19), "09:00"),
        room=room,
    )
    end_day = exposed + dt.timedelta(days=15)  # 14 days after the exposure, 2020 preset: green on day 15
    during = code(zhang, at(days_ago(10)))
    assert during.colour == RED
    assert "密切接触者" in reasons(during) and "正在集中隔离医学观察" in reasons(during)
    assert during.green_on == end_day
    # The period has passed but nobody released them: still red, and the day it ends is not known.
    overdue = code(zhang, at(end_day, "10:00"))
    assert overdue.colour == RED and overdue.green_on is None and "期满待解除" in reasons(overdue)
    released_at = at(days_ago(3), "09:00")
    measure_actions.release_measure(
        actor=world.county_admin, measure=measure, version=measure.version, released_at=released_at
    )
    assert code(zhang, released_at - dt.timedelta(minutes=1)).colour == RED
    assert code(zhang, released_at + dt.timedelta(minutes=1)).colour == GREEN


def test_it_stays_red_after_an_early_release_until_the_period_has_passed(world, people):
    li = people["li"]
    arrived = days_ago(10)
    screening = screen(world, li, Reason.ARRIVAL, screened_on=arrived, arrived_on=arrived)
    measure = measure_actions.start_measure(
        actor=world.county_admin,
        person=li,
        kind=Kind.HOME_QUARANTINE,
        screening=screening,
        started_at=at(arrived, "18:00"),
    )
    measure_actions.release_measure(
        actor=world.county_admin,
        measure=measure,
        version=measure.version,
        reason="经专家组评估提前解除",
        override=True,
    )
    green_day = arrived + dt.timedelta(days=15)  # 2020: home quarantine 14 days after arrival
    now = code(li)
    assert now.colour == RED
    assert "居家隔离医学观察已于" in reasons(now) and "解除" in reasons(now)
    assert now.green_on == green_day
    assert code(li, midnight(green_day) - dt.timedelta(minutes=1)).colour == RED
    assert code(li, midnight(green_day)).colour == GREEN


def test_it_is_red_in_home_quarantine_and_green_on_the_day_after_it(world, people):
    li = people["li"]
    arrived = days_ago(2)
    screening = screen(world, li, Reason.ARRIVAL, screened_on=arrived, arrived_on=arrived)
    measure_actions.start_measure(
        actor=world.county_admin,
        person=li,
        kind=Kind.HOME_QUARANTINE,
        screening=screening,
        started_at=at(arrived),
    )
    result = code(li)
    assert result.colour == RED
    assert result.reasons[0].startswith("正在居家隔离医学观察")
    assert result.green_on == arrived + dt.timedelta(days=15)
    assert code(li, at(arrived, "11:00")).colour == GREEN  # before the measure started


def test_it_is_red_after_arriving_from_a_high_risk_area_for_14_days(world, people):
    zhang = people["zhang"]
    healthcode_actions.create_risk_area(
        actor=world.county_admin,
        declared_by=world.county,
        level=RiskLevel.HIGH,
        division_code="420102",
        name="武汉市江岸区",
        starts_on=days_ago(30),
    )
    arrived = days_ago(3)
    screen(
        world,
        zhang,
        Reason.ARRIVAL,
        screened_on=arrived,
        arrived_on=arrived,
        departed_on=days_ago(4),
        origin_province="42",
        origin_city="4201",
        origin_county="420102",
    )
    result = code(zhang)
    assert result.colour == RED
    assert "从湖北省武汉市江岸区抵达" in reasons(result) and "高风险区" in reasons(result)
    green_day = arrived + dt.timedelta(days=15)
    assert result.green_on == green_day
    assert code(zhang, midnight(green_day) - dt.timedelta(minutes=1)).colour == RED
    assert code(zhang, midnight(green_day)).colour == GREEN


def test_it_counts_an_arrival_screened_as_from_a_high_risk_area_without_a_risk_area_row(world, people):
    zhang = people["zhang"]
    screen(
        world, zhang, Reason.ARRIVAL_HIGH, screened_on=days_ago(1), arrived_on=days_ago(1), origin_text="某市"
    )
    result = code(zhang)
    assert result.colour == RED and "高风险区来返" in reasons(result)


def test_it_ignores_an_area_that_ended_before_the_person_left_it(world, people):
    zhang = people["zhang"]
    healthcode_actions.create_risk_area(
        actor=world.county_admin,
        declared_by=world.county,
        level=RiskLevel.HIGH,
        division_code="4201",
        name="武汉市",
        starts_on=days_ago(40),
        ends_on=days_ago(20),
    )
    screen(world, zhang, Reason.ARRIVAL, arrived_on=days_ago(2), origin_province="42", origin_city="4201")
    assert code(zhang).colour == GREEN


def test_it_is_red_or_yellow_by_hand_until_the_expiry_and_it_is_audited(world, people):
    from fangkong.audit.models import AuditEvent

    wang = people["wang"]
    expires = timezone.now() + dt.timedelta(days=3)
    manual = healthcode_actions.set_manual_colour(
        actor=world.county_admin, person=wang, colour=RED, reason="拒不配合流调", expires_at=expires
    )
    result = code(wang)
    assert result.colour == RED and "人工赋红码：拒不配合流调" in reasons(result)
    assert result.green_on == expires.astimezone(SHANGHAI).date()
    assert code(wang, expires + dt.timedelta(seconds=1)).colour == GREEN
    event = AuditEvent.objects.get(target_type="ManualColour", target_id=str(manual.pk))
    assert event.actor == world.county_admin and event.detail["reason"] == "拒不配合流调"
    # A new manual colour replaces the old one.
    healthcode_actions.set_manual_colour(
        actor=world.county_admin, person=wang, colour=YELLOW, reason="待复核", expires_at=expires
    )
    assert code(wang).colour == YELLOW


@pytest.mark.parametrize("persona", ["grid08_worker", "township_admin_elsewhere", "grid07_viewer"])
def test_it_lets_only_admins_of_the_persons_node_set_a_colour(world, people, persona):
    from fangkong.conftest import make_user
    from fangkong.grid.models import Role

    user = (
        make_user("other_admin", world.other_village, Role.ADMIN)
        if persona == "township_admin_elsewhere"
        else getattr(world, persona)
    )
    target = people["wang"] if persona == "grid08_worker" else people["zhang"]
    with pytest.raises(RuleError) as refused:
        healthcode_actions.set_manual_colour(
            actor=user,
            person=target,
            colour=RED,
            reason="测试",
            expires_at=timezone.now() + dt.timedelta(days=1),
        )
    assert refused.value.code == "forbidden"
    assert code(target).colour == GREEN


def test_it_refuses_a_manual_colour_without_reason_or_with_a_past_or_far_expiry(world, people):
    for reason, expires, field in (
        ("", timezone.now() + dt.timedelta(days=1), "reason"),
        ("原因", timezone.now() - dt.timedelta(minutes=1), "expires_at"),
        ("原因", timezone.now() + dt.timedelta(days=31), "expires_at"),
    ):
        with pytest.raises(RuleError) as refused:
            healthcode_actions.set_manual_colour(
                actor=world.county_admin,
                person=people["zhang"],
                colour=RED,
                reason=reason,
                expires_at=expires,
            )
        assert field in refused.value.errors


def test_it_is_red_for_a_case_from_a_registered_provider_until_28_days_after_release_in_sichuan(
    world, people, monkeypatch
):
    zhang = people["zhang"]
    released = at(days_ago(5), "10:00")
    facts = [CaseFact(kind="confirmed", since=at(days_ago(30)), released_at=released)]
    monkeypatch.setitem(code_rules.PROVIDERS, "cases", lambda **kw: facts)
    # Zhejiang 2020 (the default): green once released.
    assert code(zhang, released - dt.timedelta(minutes=1)).colour == RED
    assert code(zhang, released + dt.timedelta(minutes=1)).colour == GREEN
    # Sichuan 2021 for the county: red for 28 more days.
    policy_actions.set_policy(
        actor=world.county_admin, node=world.county, effective_from=days_ago(60), preset="2021"
    )
    result = code(zhang)
    assert result.colour == RED and "确诊病例" in reasons(result) and "28天内" in reasons(result)
    assert result.green_on == days_ago(5) + dt.timedelta(days=28)
    assert code(zhang, released + dt.timedelta(days=28)).colour == GREEN


# ── yellow ────────────────────────────────────────────────────────────────────────────────────────────────


def monitored(world, person, started_at):
    screening = screen(world, person, Reason.SELF_DECLARED, screened_on=started_at.date())
    return measure_actions.start_measure(
        actor=world.county_admin,
        person=person,
        kind=Kind.SELF_MONITORING,
        screening=screening,
        started_at=started_at,
    )


def test_it_is_yellow_for_24_hours_after_a_fever_at_a_follow_up(world, people):
    li = people["li"]
    taken = timezone.now() - dt.timedelta(hours=2)
    measure = monitored(world, li, taken - dt.timedelta(days=1))
    measure_actions.record_follow_up(
        actor=world.county_admin, measure=measure, temperature="38.1", taken_at=taken
    )
    result = code(li)
    assert result.colour == YELLOW and "随访：体温38.1℃" in reasons(result)
    assert result.green_on == (taken + dt.timedelta(hours=24)).astimezone(SHANGHAI).date()
    assert code(li, taken + dt.timedelta(hours=23, minutes=59)).colour == YELLOW
    assert code(li, taken + dt.timedelta(hours=24)).colour == GREEN


def test_it_stays_yellow_when_a_fever_is_measured_again_normal_in_the_same_slot(world, people):
    li = people["li"]
    yesterday = timezone.now().astimezone(SHANGHAI) - dt.timedelta(days=1)
    fever = yesterday.replace(hour=8, minute=5, second=0, microsecond=0)
    measure = monitored(world, li, fever - dt.timedelta(days=1))
    measure_actions.record_follow_up(
        actor=world.county_admin, measure=measure, temperature="38.1", taken_at=fever
    )
    again = fever + dt.timedelta(minutes=52)
    measure_actions.record_follow_up(
        actor=world.county_admin, measure=measure, temperature="36.5", taken_at=again
    )

    result = code(li, again + dt.timedelta(minutes=1))

    assert result.colour == YELLOW and "体温38.1℃" in reasons(result)
    evening = fever + dt.timedelta(hours=11)  # the next slot's normal reading is the last check
    measure_actions.record_follow_up(
        actor=world.county_admin, measure=measure, temperature="36.6", taken_at=evening
    )
    assert code(li, evening + dt.timedelta(minutes=1)).colour == GREEN


def test_it_is_yellow_for_a_symptom_and_green_after_a_normal_reading_or_a_negative_test(world, people):
    li = people["li"]
    first = timezone.now() - dt.timedelta(hours=27)  # readings 13 hours apart fall in different slots
    measure = monitored(world, li, first - dt.timedelta(days=1))
    measure_actions.record_follow_up(
        actor=world.county_admin, measure=measure, temperature="36.6", symptoms=["干咳"], taken_at=first
    )
    assert code(li, first + dt.timedelta(hours=1)).colour == YELLOW
    assert "干咳" in reasons(code(li, first + dt.timedelta(hours=1)))
    normal = first + dt.timedelta(hours=13)
    measure_actions.record_follow_up(
        actor=world.county_admin, measure=measure, temperature="36.5", taken_at=normal
    )
    assert code(li, normal + dt.timedelta(minutes=1)).colour == GREEN  # the last check decides
    # A fever, then a negative test sampled after it.
    fever = normal + dt.timedelta(hours=13)
    measure_actions.record_follow_up(
        actor=world.county_admin, measure=measure, temperature="37.5", taken_at=fever
    )
    sampled = fever + dt.timedelta(minutes=30)
    measure_actions.record_test_result(
        actor=world.county_admin, person=li, sampled_at=sampled, outcome="negative"
    )
    assert code(li, sampled - dt.timedelta(minutes=1)).colour == YELLOW
    assert code(li, sampled + dt.timedelta(minutes=1)).colour == GREEN


def test_it_is_yellow_in_home_health_monitoring_and_a_negative_test_does_not_clear_it(world, people):
    li = people["li"]
    screening = screen(world, li, Reason.FEVER, screened_on=days_ago(2))
    started = at(days_ago(2), "15:00")
    measure_actions.start_measure(
        actor=world.county_admin,
        person=li,
        kind=Kind.HOME_MONITORING,
        screening=screening,
        started_at=started,
    )
    measure_actions.record_test_result(
        actor=world.county_admin,
        person=li,
        sampled_at=timezone.now() - dt.timedelta(hours=1),
        outcome="negative",
    )
    result = code(li)
    assert result.colour == YELLOW and "正在居家健康监测" in reasons(result)
    assert result.green_on == days_ago(2) + dt.timedelta(days=15)  # 2020: 14 days from the next day


def test_it_is_yellow_after_arriving_from_a_medium_risk_node_until_a_negative_test(world, people):
    """A node of the tree as risk area; arrivals from its county count (the origin is known to the county)."""
    zhang = people["zhang"]
    healthcode_actions.create_risk_area(
        actor=world.county_admin,
        declared_by=world.county,
        level=RiskLevel.MEDIUM,
        node=world.other_village,
        starts_on=days_ago(10),
    )
    arrived = days_ago(4)
    screen(
        world,
        zhang,
        Reason.ARRIVAL,
        screened_on=arrived,
        arrived_on=arrived,
        origin_province="37",
        origin_city="3715",
        origin_county="371502",
    )
    result = code(zhang)
    assert result.colour == YELLOW and "后屯村委会为中风险区" in reasons(result)
    assert result.green_on == arrived + dt.timedelta(days=15)
    sampled = at(days_ago(1), "09:00")
    measure_actions.record_test_result(
        actor=world.county_admin, person=zhang, sampled_at=sampled, outcome="negative"
    )
    assert code(zhang, sampled - dt.timedelta(minutes=1)).colour == YELLOW
    assert code(zhang).colour == GREEN


def test_it_is_yellow_for_an_uncleared_co_presence_candidate(world, people, monkeypatch):
    li = people["li"]
    cleared = at(days_ago(1), "16:00")
    facts = [CandidateFact(venue="梁水镇农贸市场", since=at(days_ago(3), "10:00"), cleared_at=cleared)]
    monkeypatch.setitem(code_rules.PROVIDERS, "co_presence", lambda **kw: facts)
    result = code(li, at(days_ago(2)))
    assert result.colour == YELLOW and "梁水镇农贸市场" in reasons(result)
    assert code(li).colour == GREEN


# ── combinations, the table, manual green ─────────────────────────────────────────────────────────────────


def test_it_shows_red_reasons_before_yellow_ones_and_green_when_the_last_one_ends(world, people):
    zhang = people["zhang"]
    healthcode_actions.set_manual_colour(
        actor=world.county_admin,
        person=zhang,
        colour=YELLOW,
        reason="待复核",
        expires_at=midnight(today() + dt.timedelta(days=10)),
    )
    screen(world, zhang, Reason.ARRIVAL_HIGH, screened_on=days_ago(1), arrived_on=days_ago(1))
    result = code(zhang)
    assert result.colour == RED
    assert "高风险区" in result.reasons[0] and "人工赋黄码" in result.reasons[1]
    assert result.green_on == days_ago(1) + dt.timedelta(days=15)  # the later of the two ends


def test_it_follows_the_edited_rule_table_of_the_nearest_node(world, people):
    zhang, wang = people["zhang"], people["wang"]
    for person in (zhang, wang):
        screen(world, person, Reason.ARRIVAL_HIGH, screened_on=days_ago(9), arrived_on=days_ago(9))
    assert code(zhang).colour == RED
    healthcode_actions.set_code_rules(
        actor=world.county_admin,
        node=world.grid07,
        effective_from=days_ago(30),
        rules={"arrival_high": {"days": 7}},
    )
    assert code(zhang).colour == GREEN  # 7 days in grid 07
    assert code(zhang, at(days_ago(2), "23:59")).colour == RED
    assert code(wang).colour == RED  # grid 08 keeps the county's 14 days
    healthcode_actions.set_code_rules(
        actor=world.county_admin,
        node=world.county,
        effective_from=days_ago(30),
        rules={"arrival_high": {"on": False}},
    )
    assert code(wang).colour == GREEN


def test_it_keeps_the_other_policy_values_when_the_rule_table_is_edited(world):
    policy_actions.set_policy(
        actor=world.county_admin,
        node=world.county,
        effective_from=days_ago(30),
        preset="2021",
        overrides={"fever_threshold": "37.5"},
    )
    policy = healthcode_actions.set_code_rules(
        actor=world.county_admin, node=world.county, effective_from=today(), rules={"symptoms": {"hours": 48}}
    )
    assert policy.preset == "2021" and policy.values["fever_threshold"] == "37.5"
    assert policy.values["health_code"]["rules"]["symptoms"]["hours"] == 48
    assert policy.values["health_code"]["rules"]["case"]["days_after_release"] == 28


def test_it_refuses_a_rule_table_with_bad_values_or_from_a_non_admin(world):
    with pytest.raises(RuleError) as bad:
        healthcode_actions.set_code_rules(
            actor=world.county_admin,
            node=world.county,
            effective_from=today(),
            rules={"arrival_high": {"days": 0}},
        )
    assert "arrival_high" in bad.value.errors
    with pytest.raises(RuleError) as forbidden:
        healthcode_actions.set_code_rules(
            actor=world.grid07_worker, node=world.grid07, effective_from=today(), rules={}
        )
    assert forbidden.value.code == "forbidden"


def test_it_sets_aside_what_came_before_a_manual_green_but_not_what_comes_after(world, people):
    li = people["li"]
    started = timezone.now() - dt.timedelta(days=2)
    screening = screen(world, li, Reason.ARRIVAL, screened_on=days_ago(2), arrived_on=days_ago(2))
    measure = measure_actions.start_measure(
        actor=world.county_admin,
        person=li,
        kind=Kind.HOME_QUARANTINE,
        screening=screening,
        started_at=started,
    )
    healthcode_actions.set_manual_colour(
        actor=world.county_admin,
        person=li,
        colour=GREEN,
        reason="经专家组评估",
        expires_at=timezone.now() + dt.timedelta(days=5),
        starts_at=timezone.now() - dt.timedelta(minutes=10),
    )
    result = code(li)
    assert result.colour == GREEN and len(result.reasons) == 1
    assert result.reasons[0].startswith("人工转绿码：经专家组评估")
    measure_actions.record_follow_up(
        actor=world.county_admin,
        measure=measure,
        temperature="38.4",
        taken_at=timezone.now() - dt.timedelta(minutes=1),
    )
    assert code(li).colour == YELLOW


def test_it_reads_the_records_in_a_fixed_number_of_queries(world, people, room):
    li = people["li"]
    identity = identity_for_person(li)
    screening = screen(world, li, Reason.ARRIVAL, screened_on=days_ago(3), arrived_on=days_ago(3))
    measure = measure_actions.start_measure(
        actor=world.county_admin,
        person=li,
        kind=Kind.HOME_QUARANTINE,
        screening=screening,
        started_at=at(days_ago(3)),
    )

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            colour_of(identity)
        return len(ctx.captured_queries)

    few = queries()
    for i in range(4):
        measure_actions.record_follow_up(
            actor=world.county_admin,
            measure=measure,
            temperature="36.5",
            taken_at=at(days_ago(1 + i // 2), ("08:00", "15:00")[i % 2]),
        )
        screen(world, li, Reason.ARRIVAL_MEDIUM, arrived_on=days_ago(i + 1), origin_county="420102")
        measure_actions.record_test_result(
            actor=world.county_admin, person=li, sampled_at=at(days_ago(i + 1)), outcome="negative"
        )
        healthcode_actions.create_risk_area(
            actor=world.county_admin,
            declared_by=world.county,
            level=RiskLevel.MEDIUM,
            division_code=f"4201{i:02d}",
            name=f"区{i}",
            starts_on=days_ago(20),
        )
        healthcode_actions.set_manual_colour(
            actor=world.county_admin,
            person=li,
            colour=YELLOW,
            reason=f"第{i}次",
            expires_at=timezone.now() + dt.timedelta(days=1),
        )
    many = queries()
    assert few == many <= 9 + len(code_rules.PROVIDERS)  # one query per registered rule input


def test_it_gives_the_colour_of_each_of_the_last_days(world, people):
    zhang = people["zhang"]
    screen(world, zhang, Reason.ARRIVAL_HIGH, screened_on=days_ago(20), arrived_on=days_ago(20))
    history = colour_history(identity_for_person(zhang), days=10)
    assert [day for day, _ in history][:2] == [today(), days_ago(1)]
    colours = {day: result.colour for day, result in history}
    # 14 days after the arrival end at 24:00 of days_ago(6): red at the end of that day, green the next.
    assert colours[days_ago(6)] == RED and colours[days_ago(5)] == GREEN


# ── a resident who identified before being registered ──────────────────────────────────────────────────


def test_a_resident_registered_after_identifying_is_coloured_by_their_records(world):
    """A returnee identifies on their phone on arrival; the grid worker registers them and starts home
    quarantine afterwards. Their code must not stay green because the identity predates the person."""
    number = make("371502", dt.date(1988, 6, 1), 77)
    phone_identity = identify(id_number=number, name="赵敏", phone="13700001111")
    assert phone_identity.person_id is None
    person = registry_actions.register_person(
        actor=world.grid07_worker, node=world.grid07, name="赵敏", id_number=number, phone="13700001111"
    )
    screening = screen(world, person, Reason.ARRIVAL_MEDIUM, screened_on=days_ago(2))
    measure_actions.start_measure(
        actor=world.county_admin,
        person=person,
        kind=Kind.HOME_QUARANTINE,
        screening=screening,
        started_at=at(days_ago(2), "09:00"),
    )
    as_the_phone_knows_it = Identity.objects.get(pk=phone_identity.pk)  # no person, as the cookie loads it
    result = colour_of(as_the_phone_knows_it)
    assert result.colour != GREEN and result.reasons
    assert Identity.objects.get(pk=phone_identity.pk).person_id == person.pk
    assert colour_of(Identity.objects.get(pk=phone_identity.pk)).colour == result.colour


def test_an_identity_under_another_name_is_not_linked_to_the_registered_person(world):
    """Someone who typed a stranger's ID number with another name before the stranger was registered
    must not see the stranger's colour later."""
    number = make("371502", dt.date(1988, 6, 1), 78)
    typed = identify(id_number=number, name="钱多", phone="13700002222")
    person = registry_actions.register_person(
        actor=world.grid07_worker, node=world.grid07, name="孙丽", id_number=number, phone="13700003333"
    )
    screen(world, person, Reason.ARRIVAL_HIGH, screened_on=days_ago(1))
    assert colour_of(Identity.objects.get(pk=typed.pk)).colour == GREEN
    assert Identity.objects.get(pk=typed.pk).person_id is None
