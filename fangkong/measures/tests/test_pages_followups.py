"""The follow-up pages: a caretaker's worklist on the phone, entering a reading for a given time, alerts
with transfer and resolution, and the township overview, each checked as the personas see them."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangkong.audit.models import AuditEvent
from fangkong.grid import actions as grid_actions
from fangkong.lib.idcard import make
from fangkong.measures import actions, rules
from fangkong.measures.models import Alert, FollowUp, Measure
from fangkong.policy.models import Kind
from fangkong.registry import actions as registry_actions

HTMX = {"HX-Request": "true"}


def shanghai(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=rules.SHANGHAI)


@pytest.fixture
def clock(monkeypatch):
    """Set what timezone.now() answers (pages take the reading at "now"); localdate() follows it."""

    def set_to(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    set_to(shanghai(2020, 2, 3, 9, 0))
    return set_to


def put_under(world, person, *, caretaker=None, kind=Kind.HOME_QUARANTINE, arrived, started_at, room=None):
    screening = actions.record_screening(
        actor=world.county_admin, person=person, reason="arrival", screened_on=arrived, arrived_on=arrived
    )
    measure = actions.start_measure(
        actor=world.county_admin,
        person=person,
        kind=kind,
        screening=screening,
        started_at=started_at,
        room=room,
    )
    if caretaker is not None:
        actions.assign_caretaker(
            actor=world.county_admin, measure=measure, user=caretaker, role="grid_worker"
        )
    return measure


@pytest.fixture
def measures(world, people, clock):
    """张伟 and 李秀英 (grid 07) in the grid-07 worker's care, 王芳 (grid 08) in the grid-08 worker's."""
    start = shanghai(2020, 2, 1, 10, 0)
    day = dt.date(2020, 1, 31)
    return {
        "zhang": put_under(
            world, people["zhang"], caretaker=world.grid07_worker, arrived=day, started_at=start
        ),
        "li": put_under(world, people["li"], caretaker=world.grid07_worker, arrived=day, started_at=start),
        "wang": put_under(
            world, people["wang"], caretaker=world.grid08_worker, arrived=day, started_at=start
        ),
    }


def html(response) -> str:
    return response.content.decode()


# Worklist ------------------------------------------------------------------------------------------------


def test_it_shows_a_caretaker_only_their_own_people(client, world, measures):
    client.force_login(world.grid07_worker)
    page = html(client.get("/measures/worklist/"))
    assert "张伟" in page and "李秀英" in page and "王芳" not in page
    assert "前屯村委会 · 第七网格" in page
    assert "第3天/共14天" in page  # arrived 1月31日: day 1 is 2月1日, today is 2月3日
    assert 'inputmode="decimal"' not in page  # the forms open on a tap

    client.force_login(world.grid08_worker)
    page = html(client.get("/measures/worklist/"))
    assert "王芳" in page and "张伟" not in page and "李秀英" not in page

    client.force_login(world.township_admin)  # sees all three elsewhere, but cares for no one
    assert "张伟" not in html(client.get("/measures/worklist/"))


def test_it_opens_the_form_of_one_card_with_the_numeric_keypad(client, world, measures):
    client.force_login(world.grid07_worker)
    card = html(client.get(f"/measures/worklist/{measures['zhang'].pk}/", headers=HTMX))
    assert 'inputmode="decimal"' in card and "干咳" in card and "记为今日上午的随访" in card
    assert "<html" not in card  # the card only, swapped in place


@pytest.mark.parametrize(
    ("now", "slot"),
    [
        (shanghai(2020, 2, 3, 11, 59), rules.MORNING),
        (shanghai(2020, 2, 3, 12, 0), rules.EVENING),
        (shanghai(2020, 2, 3, 23, 59), rules.EVENING),
    ],
)
def test_it_records_a_reading_from_the_worklist_in_the_slot_of_the_time(
    client, world, measures, clock, now, slot
):
    clock(now)
    client.force_login(world.grid07_worker)
    response = client.post(
        f"/measures/worklist/{measures['zhang'].pk}/", {"temperature": "36.6"}, headers=HTMX
    )
    follow_up = FollowUp.objects.get()
    assert (follow_up.measure, follow_up.slot_date, follow_up.slot) == (measures["zhang"], now.date(), slot)
    assert follow_up.temperature == Decimal("36.6") and follow_up.recorded_by == world.grid07_worker
    card = html(response)
    assert "36.6℃" in card and 'role="alert"' not in card and "<form" not in card
    assert not Alert.objects.exists()


def test_it_updates_the_count_at_the_top_with_the_card(client, world, measures):
    client.force_login(world.grid07_worker)
    assert "包保 2 人，本时段待随访 2 人" in html(client.get("/measures/worklist/"))
    response = client.post(
        f"/measures/worklist/{measures['zhang'].pk}/", {"temperature": "36.6"}, headers=HTMX
    )
    assert 'id="fu-summary" hx-swap-oob="true"' in html(response)
    assert "包保 2 人，本时段待随访 1 人" in html(response)


def test_it_opens_a_recorded_card_blank_and_adds_a_second_reading(client, world, measures):
    client.force_login(world.grid07_worker)
    url = f"/measures/worklist/{measures['zhang'].pk}/"
    client.post(url, {"temperature": "37.9", "symptoms": ["咽痛"]}, headers=HTMX)
    card = html(client.get(url, headers=HTMX))
    assert "37.9℃，咽痛" in card  # the reading, above a blank form
    assert 'value="37.9"' not in card and not re.search(r'value="咽痛"[^>]* checked', card)
    client.post(url, {"temperature": "36.9"}, headers=HTMX)
    readings = FollowUp.objects.order_by("pk")
    assert [(f.temperature, f.symptoms) for f in readings] == [
        (Decimal("37.9"), ["咽痛"]),
        (Decimal("36.9"), []),
    ]
    assert "37.9℃，咽痛" in html(client.get(url, headers=HTMX))  # the fever still shows


def test_it_goes_back_to_the_worklist_without_htmx(client, world, measures):
    client.force_login(world.grid07_worker)
    response = client.post(f"/measures/worklist/{measures['li'].pk}/", {"temperature": "36,8"})
    assert response.status_code == 302 and response["Location"] == "/measures/worklist/"
    assert "李秀英 2月3日上午体温 36.8℃" in html(client.get("/measures/worklist/"))


def test_it_raises_an_alert_at_37_3_inclusive_and_not_at_37_2(client, world, measures):
    client.force_login(world.grid07_worker)
    normal = client.post(f"/measures/worklist/{measures['zhang'].pk}/", {"temperature": "37.2"}, headers=HTMX)
    fever = client.post(f"/measures/worklist/{measures['li'].pk}/", {"temperature": "37.3"}, headers=HTMX)
    assert 'role="alert"' not in html(normal)
    assert 'role="alert"' in html(fever) and "体温37.3℃" in html(fever)
    alert = Alert.objects.get()
    assert alert.person.name == "李秀英"

    for persona in ("grid07_worker", "township_admin", "county_admin"):
        client.force_login(getattr(world, persona))
        page = html(client.get("/measures/alerts/"))
        assert "李秀英" in page and "37.3℃" in page and "转运至发热门诊</button>" in page, persona
        assert "七网格员" in page  # the caretakers are named
        assert "张伟" not in page
    client.force_login(world.grid08_worker)
    page = html(client.get("/measures/alerts/"))
    assert "李秀英" not in page and "没有待处置的预警" in page


def test_it_alerts_on_a_symptom_alone(client, world, measures):
    client.force_login(world.grid07_worker)
    response = client.post(
        f"/measures/worklist/{measures['zhang'].pk}/",
        {"temperature": "36.5", "symptoms": ["乏力"]},
        headers=HTMX,
    )
    assert 'role="alert"' in html(response)
    alert = Alert.objects.get()
    assert alert.follow_up.symptoms == ["乏力"] and "症状：乏力" in alert.summary


@pytest.mark.parametrize(
    ("typed", "message"),
    [("abc", "体温应为数字，如 36.5"), ("45", "不在合理范围"), ("", "体温（℃）不能为空")],
)
def test_it_refuses_a_bad_temperature_in_chinese_and_writes_nothing(client, world, measures, typed, message):
    client.force_login(world.grid07_worker)
    before = AuditEvent.objects.count()
    response = client.post(
        f"/measures/worklist/{measures['zhang'].pk}/",
        {"temperature": typed, "symptoms": ["干咳"]},
        headers=HTMX,
    )
    assert response.status_code == 200  # the card with its form and the reason, swapped in place
    assert message in html(response) and "<form" in html(response)
    assert not FollowUp.objects.exists() and not Alert.objects.exists()
    assert AuditEvent.objects.count() == before


def test_it_answers_404_to_those_who_may_not_record_for_the_person(client, world, measures):
    zhang = measures["zhang"].pk
    for persona in ("grid08_worker", "grid07_viewer", "outsider"):
        client.force_login(getattr(world, persona))
        assert client.get(f"/measures/worklist/{zhang}/").status_code == 404, persona
        assert client.post(f"/measures/worklist/{zhang}/", {"temperature": "36.5"}).status_code == 404
        assert client.post(f"/measures/{zhang}/followups/new/", {"temperature": "36.5"}).status_code == 404
        assert client.get(f"/measures/{zhang}/selfreport-link/").status_code == 404
    assert not FollowUp.objects.exists()


def test_it_counts_the_worklist_in_a_constant_number_of_queries(client, world, people, measures):
    client.force_login(world.grid07_worker)
    client.get("/measures/worklist/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get("/measures/worklist/")
    for n in range(4):
        person = registry_actions.register_person(
            actor=world.grid07_worker,
            node=world.grid07,
            household=people["h07"],
            name=f"赵{'一二三四'[n]}",
            relation="other",
            id_number=make("371502", dt.date(1980, 1, 1 + n), 300 + n),
        )
        put_under(
            world,
            person,
            caretaker=world.grid07_worker,
            arrived=dt.date(2020, 2, 1),
            started_at=shanghai(2020, 2, 2, 8, 0),
        )
    with CaptureQueriesContext(connection) as more:
        page = html(client.get("/measures/worklist/"))
    assert "赵四" in page
    assert len(more) == len(few)


# A reading for a given time ------------------------------------------------------------------------------


def test_it_back_enters_a_reading_for_the_time_it_was_taken(client, world, measures):
    client.force_login(world.township_admin)
    url = f"/measures/{measures['wang'].pk}/followups/new/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"taken_at": "2020-02-01 18:30", "temperature": "36.9", "notes": "补录"})
    assert response.status_code == 302 and response["Location"] == f"/measures/{measures['wang'].pk}/"
    response = client.post(url, {"taken_at": "2020-02-02 08:30", "temperature": "38.2", "symptoms": ["干咳"]})
    readings = {(f.slot_date, f.slot): f for f in FollowUp.objects.all()}
    assert set(readings) == {(dt.date(2020, 2, 1), rules.EVENING), (dt.date(2020, 2, 2), rules.MORNING)}
    assert readings[(dt.date(2020, 2, 2), rules.MORNING)].taken_at == shanghai(2020, 2, 2, 8, 30)
    assert Alert.objects.get().follow_up == readings[(dt.date(2020, 2, 2), rules.MORNING)]


def test_it_adds_a_back_entered_reading_to_the_slot_and_keeps_the_fever(client, world, measures):
    client.force_login(world.grid07_worker)
    url = f"/measures/{measures['zhang'].pk}/followups/new/"
    client.post(url, {"taken_at": "2020年2月2日 08:30", "temperature": "39.6"})
    client.post(url, {"taken_at": "2020-02-02 09:10", "temperature": "36.9"})
    assert sorted(f.temperature for f in FollowUp.objects.all()) == [Decimal("36.9"), Decimal("39.6")]
    assert Alert.objects.get().follow_up.temperature == Decimal("39.6")


@pytest.mark.parametrize(
    ("taken_at", "message"),
    [
        ("2020-02-01 08:30", "测量时间不在该人员的管控期内"),  # before the measure started at 10:00
        ("2020-02-04 08:30", "测量时间不能晚于现在"),
        ("昨天", "输入一个有效的日期/时间"),
    ],
)
def test_it_refuses_a_time_outside_the_measure(client, world, measures, taken_at, message):
    client.force_login(world.grid07_worker)
    response = client.post(
        f"/measures/{measures['zhang'].pk}/followups/new/", {"taken_at": taken_at, "temperature": "36.5"}
    )
    assert response.status_code == 200 and message in html(response)
    assert not FollowUp.objects.exists()


# Alerts --------------------------------------------------------------------------------------------------


def fever(world, measure, at=None) -> Alert:
    follow_up = actions.record_follow_up(
        actor=world.county_admin,
        measure=measure,
        temperature="38.2",
        symptoms=["干咳"],
        taken_at=at or shanghai(2020, 2, 3, 8, 0),
    )
    return follow_up.alert


def test_it_transfers_the_person_to_a_fever_clinic_from_the_alert(client, world, measures):
    alert = fever(world, measures["li"])
    client.force_login(world.township_admin)
    response = client.post(f"/measures/alerts/{alert.pk}/transfer/", {"version": measures["li"].version})
    assert response.status_code == 302
    old = Measure.objects.get(pk=measures["li"].pk)
    assert old.released_at is not None and old.transferred_to.kind == Kind.HOSPITAL
    alert.refresh_from_db()
    assert alert.resolved_by == world.township_admin and alert.resolution == "已转运至发热门诊"
    assert "李秀英已转运至发热门诊" in html(client.get("/measures/alerts/"))
    # Her caretakers still care for her at the hospital.
    assert old.transferred_to.caretakers.get().user == world.grid07_worker


def test_it_refuses_a_transfer_from_a_stale_page_and_changes_nothing(client, world, measures):
    alert = fever(world, measures["li"])
    client.force_login(world.township_admin)
    client.post(f"/measures/alerts/{alert.pk}/transfer/", {"version": measures["li"].version + 1})
    assert Measure.objects.get(pk=measures["li"].pk).released_at is None
    assert Alert.objects.get(pk=alert.pk).resolved_at is None
    assert "已被他人修改" in html(client.get("/measures/alerts/"))


def test_it_resolves_an_alert_with_what_was_done(client, world, measures):
    alert = fever(world, measures["zhang"])
    client.force_login(world.grid07_worker)
    client.post(f"/measures/alerts/{alert.pk}/resolve/", {"resolution": ""})
    assert Alert.objects.get(pk=alert.pk).resolved_at is None
    assert "请填写处置结果" in html(client.get("/measures/alerts/"))
    client.post(f"/measures/alerts/{alert.pk}/resolve/", {"resolution": "复测36.8℃，无不适"})
    alert.refresh_from_db()
    assert alert.resolution == "复测36.8℃，无不适" and alert.resolved_by == world.grid07_worker
    page = html(client.get("/measures/alerts/"))
    assert "已处置张伟的预警" in page and "没有待处置的预警" in page


def test_it_lets_no_one_outside_the_area_act_on_an_alert(client, world, measures):
    alert = fever(world, measures["zhang"])
    for persona in ("grid08_worker", "outsider"):
        client.force_login(getattr(world, persona))
        assert client.post(f"/measures/alerts/{alert.pk}/resolve/", {"resolution": "x"}).status_code == 404
        transfer = client.post(f"/measures/alerts/{alert.pk}/transfer/", {"version": 1})
        assert transfer.status_code == 404
    client.force_login(world.grid07_viewer)  # sees it, may not act on it
    page = html(client.get("/measures/alerts/"))
    assert "张伟" in page and "转运至发热门诊</button>" not in page and "已处置</button>" not in page
    assert client.post(f"/measures/alerts/{alert.pk}/resolve/", {"resolution": "x"}).status_code == 404
    assert Alert.objects.get(pk=alert.pk).resolved_at is None


def test_it_lists_alerts_in_a_constant_number_of_queries(client, world, measures):
    fever(world, measures["zhang"])
    client.force_login(world.township_admin)
    client.get("/measures/alerts/")
    with CaptureQueriesContext(connection) as few:
        client.get("/measures/alerts/")
    fever(world, measures["li"])
    fever(world, measures["wang"])
    actions.assign_caretaker(
        actor=world.county_admin, measure=measures["li"], user=world.township_admin, role="cadre"
    )
    with CaptureQueriesContext(connection) as more:
        page = html(client.get("/measures/alerts/"))
    assert "王芳" in page and "镇管理员（包保干部）" in page
    assert len(more) == len(few)


def test_it_sends_anonymous_visitors_of_staff_pages_to_the_login_page(client, world, measures):
    pk = measures["zhang"].pk
    for url in (
        "/measures/worklist/",
        f"/measures/worklist/{pk}/",
        f"/measures/{pk}/followups/new/",
        f"/measures/{pk}/selfreport-link/",
        "/measures/alerts/",
        "/measures/overview/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_it_lists_alerts_newest_first(client, world, measures):
    fever(world, measures["zhang"], shanghai(2020, 2, 2, 8, 0))
    fever(world, measures["li"], shanghai(2020, 2, 3, 8, 0))
    client.force_login(world.township_admin)
    page = html(client.get("/measures/alerts/"))
    assert page.index("李秀英") < page.index("张伟")


# Township overview ---------------------------------------------------------------------------------------


@pytest.fixture
def township(world, people, clock):
    """A township at 15:00 on 2月3日: people in every state the overview tells apart, across grids 07,
    08 and a grid of the other village, with a quarantine site."""
    clock(shanghai(2020, 2, 3, 15, 0))
    admin = world.county_admin
    grid_h = grid_actions.create_grid(
        actor=admin, village=world.other_village, local_code="01", name="后屯一网格"
    )
    household = registry_actions.create_household(
        actor=admin, node=grid_h, address="后屯村1号", dwelling_type="owned"
    )

    def person(name, n, node=grid_h, hh=household):
        return registry_actions.register_person(
            actor=admin,
            node=node,
            household=hh,
            name=name,
            relation="other",
            id_number=make("371502", dt.date(1970 + n, 1, 1), 100 + 2 * n),
        )

    site = actions.create_site(actor=admin, node=world.village, name="前屯宾馆")
    actions.add_rooms(actor=admin, site=site, first=101, last=102, capacity=2)
    room = site.rooms.get(number="101")
    morning = shanghai(2020, 2, 3, 8, 0)
    m = {}
    # Arrived 1月20日: 14 days end at 24:00 on 2月3日, so due for release today; followed up this morning.
    m["zhang"] = put_under(
        world, people["zhang"], arrived=dt.date(2020, 1, 20), started_at=shanghai(2020, 1, 21, 9, 0)
    )
    actions.record_follow_up(actor=admin, measure=m["zhang"], temperature="36.5", taken_at=morning)
    # No follow-up this morning: overdue.
    m["li"] = put_under(
        world, people["li"], arrived=dt.date(2020, 2, 1), started_at=shanghai(2020, 2, 1, 9, 0)
    )
    # Fever this morning (grid 08): an open alert, not overdue.
    m["wang"] = put_under(
        world, people["wang"], arrived=dt.date(2020, 2, 2), started_at=shanghai(2020, 2, 2, 9, 0)
    )
    fever(world, m["wang"], morning)
    # Central quarantine since 13:00: owes no morning; occupies a bed.
    m["sun"] = put_under(
        world,
        person("孙强", 1),
        kind=Kind.CENTRAL_QUARANTINE,
        arrived=dt.date(2020, 2, 3),
        started_at=shanghai(2020, 2, 3, 13, 0),
        room=room,
    )
    # Released yesterday: nothing.
    m["zhou"] = put_under(
        world, person("周敏", 2), arrived=dt.date(2020, 1, 18), started_at=shanghai(2020, 1, 19, 9)
    )
    actions.release_measure(
        actor=admin, measure=m["zhou"], version=1, released_at=shanghai(2020, 2, 2, 10, 0)
    )
    # Overdue, and its alert of yesterday was resolved; its planned end (2月4日 24:00) is tomorrow.
    m["wu"] = put_under(
        world, person("吴刚", 3), arrived=dt.date(2020, 1, 21), started_at=shanghai(2020, 1, 22, 9)
    )
    resolved = fever(world, m["wu"], shanghai(2020, 2, 2, 19, 0))
    actions.resolve_alert(actor=admin, alert=resolved, resolution="复测正常")
    # Late evening follow-up yesterday does not answer this morning: overdue too (grid 08).
    m["zheng"] = put_under(
        world,
        person("郑洁", 4, node=world.grid08, hh=people["h08"]),
        arrived=dt.date(2020, 2, 1),
        started_at=shanghai(2020, 2, 1, 9),
    )
    actions.record_follow_up(
        actor=admin, measure=m["zheng"], temperature="36.4", taken_at=shanghai(2020, 2, 2, 23, 0)
    )
    return {"measures": m, "site": site}


def expected_overview(user_node, day: dt.date, slot: str) -> dict:
    """The overview of a subtree counted by hand from every row, without the queries module: a person
    is overdue when their measure was running when the slot ended and they have no reading in it."""
    slot_end = (
        shanghai(day.year, day.month, day.day, 12)
        if slot == rules.MORNING
        else shanghai(day.year, day.month, day.day) + dt.timedelta(days=1)
    )
    mine = [m for m in Measure.objects.all() if m.node.path.startswith(user_node.path)]
    overdue = {
        m.person.name
        for m in mine
        if m.started_at < slot_end
        and (m.released_at is None or m.released_at > slot_end)
        and not any(f.slot_date == day and f.slot == slot for f in m.person.follow_ups.all())
    }
    end_of_day = shanghai(day.year, day.month, day.day) + dt.timedelta(days=1)
    release = {
        m.person.name for m in mine if m.released_at is None and m.planned_end and m.planned_end <= end_of_day
    }
    alerts = {a.person.name for a in Alert.objects.all() if a.resolved_at is None and a.measure in mine}
    return {"overdue": overdue, "release": release, "alerts": alerts}


@pytest.mark.parametrize(
    ("persona", "node"),
    [("township_admin", "township"), ("county_admin", "county"), ("grid08_worker", "grid08")],
)
def test_it_counts_the_overview_as_a_count_by_hand_does(client, world, township, persona, node):
    client.force_login(getattr(world, persona))
    response = client.get("/measures/overview/")
    expected = expected_overview(getattr(world, node), dt.date(2020, 2, 3), rules.MORNING)
    context = response.context
    assert context["overdue"]["count"] == len(expected["overdue"])
    assert {m.person.name for m in context["overdue"]["rows"]} == expected["overdue"]
    assert context["alerts"]["count"] == len(expected["alerts"])
    assert {a.person.name for a in context["alerts"]["rows"]} == expected["alerts"]
    assert context["release"]["count"] == len(expected["release"])
    assert {m.person.name for m in context["release"]["rows"]} == expected["release"]
    assert "今日上午漏访" in html(response)
    if persona == "township_admin":  # the scenario itself, so that a wrong hand count cannot pass too
        assert expected == {"overdue": {"李秀英", "吴刚", "郑洁"}, "release": {"张伟"}, "alerts": {"王芳"}}
        assert [(s.name, s.beds, s.occupied, s.free) for s in context["sites"]] == [("前屯宾馆", 4, 1, 3)]
    if persona == "grid08_worker":
        assert expected == {"overdue": {"郑洁"}, "release": set(), "alerts": {"王芳"}}
        assert context["sites"] == []  # the site belongs to the village, above grid 08


def test_it_chases_last_evening_in_the_morning(client, world, township, clock):
    clock(shanghai(2020, 2, 4, 9, 0))
    client.force_login(world.township_admin)
    response = client.get("/measures/overview/")
    expected = expected_overview(world.township, dt.date(2020, 2, 3), rules.EVENING)
    # No one was followed up on the evening of 2月3日; 张伟's period was over at its end, but until
    # someone releases him he is under the measure and owes the reading.
    assert {m.person.name for m in response.context["overdue"]["rows"]} == expected["overdue"]
    assert expected["overdue"] == {"张伟", "李秀英", "王芳", "孙强", "吴刚", "郑洁"}
    assert "昨日下午漏访" in html(response)


def test_it_builds_the_overview_in_a_constant_number_of_queries(client, world, township):
    client.force_login(world.township_admin)
    client.get("/measures/overview/")
    with CaptureQueriesContext(connection) as few:
        client.get("/measures/overview/")
    household = township["measures"]["sun"].person.household
    for n in range(5):
        person = registry_actions.register_person(
            actor=world.county_admin,
            node=household.node,
            household=household,
            name=f"钱{'一二三四五'[n]}",
            relation="other",
            id_number=make("371502", dt.date(1960, 2, 1 + n), 500 + 2 * n),
        )
        measure = put_under(world, person, arrived=dt.date(2020, 1, 20), started_at=shanghai(2020, 1, 21, 9))
        fever(world, measure, shanghai(2020, 2, 3, 7, 0))
    with CaptureQueriesContext(connection) as more:
        response = client.get("/measures/overview/")
    assert response.context["release"]["count"] == 6 and response.context["alerts"]["count"] == 6
    assert len(more) == len(few)


def test_it_shows_an_empty_overview_to_someone_with_no_area(client, world, township):
    client.force_login(world.outsider)
    response = client.get("/measures/overview/")
    assert response.status_code == 200
    assert response.context["overdue"]["count"] == response.context["alerts"]["count"] == 0
    assert "李秀英" not in html(response)
