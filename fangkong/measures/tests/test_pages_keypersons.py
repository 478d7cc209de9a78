"""Key persons on the web: the list, screening, starting a measure under each policy preset, the measure
page (day count, policy, caretakers, tests, follow-ups), release and transfer; scoping on every page."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangkong.lib.idcard import make
from fangkong.measures import actions, queries
from fangkong.measures.models import Caretaker, Measure, Screening
from fangkong.policy import actions as policy_actions
from fangkong.registry import actions as registry_actions

SH = ZoneInfo("Asia/Shanghai")
CENTRAL, HOME_Q, HOME_M, HOSPITAL = "central_quarantine", "home_quarantine", "home_monitoring", "hospital"


def at(y, m, d, hour=9, minute=0) -> dt.datetime:
    return dt.datetime(y, m, d, hour, minute, tzinfo=SH)


def end_of_day_n(reference: dt.date, n: int) -> dt.datetime:
    """Counted by hand: day 1 is the day after the reference date; the period ends at 24:00 of day n."""
    day = reference
    for _ in range(n):
        day += dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=SH) + dt.timedelta(days=1)


def screen(world, person, reason, reference: dt.date, actor=None) -> Screening:
    fields = {"arrived_on": reference} if reason.startswith("arrival") else {"reference_date": reference}
    return actions.record_screening(
        actor=actor or world.grid07_worker,
        person=person,
        reason=reason,
        screened_on=reference + dt.timedelta(days=1),
        **fields,
    )


def start(world, person, kind, *, screening=None, started_at=None, room=None, actor=None) -> Measure:
    return actions.start_measure(
        actor=actor or world.township_admin,
        person=person,
        kind=kind,
        screening=screening,
        started_at=started_at,
        room=room,
    )


@pytest.fixture
def rooms(world):
    """A township hotel with rooms 101 and 102, one bed each."""
    site = actions.create_site(actor=world.township_admin, node=world.township, name="梁水宾馆")
    actions.add_rooms(actor=world.township_admin, site=site, first=101, last=102, capacity=1)
    return {room.number: room for room in site.rooms.all()}


@pytest.fixture
def under_measure(world, people):
    """张伟, a close contact since 3 days ago, in home quarantine since 2 days ago."""
    today = timezone.localdate()
    screening = screen(world, people["zhang"], "close_contact", today - dt.timedelta(days=3))
    started = dt.datetime.combine(today - dt.timedelta(days=2), dt.time(8), tzinfo=SH)
    return start(world, people["zhang"], HOME_Q, screening=screening, started_at=started)


def overdue_cells(html: str) -> int:
    return html.count("tag warn overdue")


# The list --------------------------------------------------------------------------------------------


def test_it_lists_key_persons_in_scope_with_masked_numbers(client, world, people, under_measure):
    screen(world, people["wang"], "arrival", timezone.localdate() - dt.timedelta(days=1), world.grid08_worker)
    client.force_login(world.grid07_worker)

    html = client.get("/measures/").content.decode()

    assert "张伟" in html and "居家隔离医学观察" in html and "密切接触者" in html
    assert people["zhang"].masked_id_number in html and people["zhang"].id_number not in html
    assert "138****5678" in html and "13812345678" not in html
    assert "王芳" not in html  # grid 08
    assert "李秀英" not in html  # registered, never screened


def test_it_filters_the_list_by_status_kind_reason_and_text(client, world, people, under_measure):
    screen(world, people["li"], "arrival", timezone.localdate() - dt.timedelta(days=1))
    client.force_login(world.township_admin)

    def names(query):
        html = client.get(f"/measures/?{query}").content.decode()
        return {name for name in ("张伟", "李秀英", "王芳") if name in html}

    assert names("") == {"张伟", "李秀英"}
    assert names("status=active") == {"张伟"}
    assert names("status=screened") == {"李秀英"}
    assert names(f"kind={HOME_Q}") == {"张伟"}
    assert names(f"kind={CENTRAL}") == set()
    assert names("reason=arrival") == {"李秀英"}
    assert names("text=zw") == {"张伟"}
    assert names(f"node_code={world.grid08.code}") == set()


def test_it_lists_key_persons_in_a_constant_number_of_queries(client, world, people, under_measure):
    client.force_login(world.county_admin)
    client.get("/measures/")  # warm up the session and the user's memberships

    def queries_for_list():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/measures/").status_code == 200
        return len(ctx)

    few = queries_for_list()
    for i in range(6):
        person = registry_actions.register_person(
            actor=world.grid07_worker,
            node=world.grid07,
            name=f"赵{'一二三四五六'[i]}",
            id_number=make("371502", dt.date(1980, 1, 1 + i), 11 + 2 * i),
        )
        screening = screen(world, person, "arrival", timezone.localdate() - dt.timedelta(days=2))
        if i % 2:
            start(world, person, HOME_M, screening=screening)
    assert queries_for_list() == few


# Scoping ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, status",
    [
        ("county_admin", 200),
        ("township_admin", 200),
        ("grid07_worker", 200),
        ("grid07_viewer", 200),
        ("grid08_worker", 404),
        ("outsider", 404),
    ],
)
def test_it_shows_the_measure_page_only_in_scope(client, world, under_measure, persona, status):
    client.force_login(getattr(world, persona))

    assert client.get(f"/measures/{under_measure.pk}/").status_code == status


def test_it_answers_404_to_the_grid08_worker_on_every_grid07_page(client, world, people, under_measure):
    zhang, pk = people["zhang"], under_measure.pk
    client.force_login(world.grid08_worker)

    for url in (f"/measures/start/?person={zhang.pk}", f"/measures/screenings/new/?person={zhang.pk}"):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (f"/measures/{pk}/release/", {"version": 1, "reason": "期满解除"}),
        (f"/measures/{pk}/transfer/", {"version": 1, "kind": HOSPITAL}),
        (f"/measures/{pk}/caretakers/", {"user": world.grid08_worker.pk, "role": "grid_worker"}),
        (f"/measures/{pk}/tests/", {"sampled_at": "2022-01-01T09:00", "outcome": "negative"}),
    ):
        assert client.post(url, data).status_code == 404, url
    under_measure.refresh_from_db()
    assert under_measure.is_active and not under_measure.caretakers.exists()
    assert "张伟" not in client.get("/measures/").content.decode()


def test_it_shows_a_viewer_the_measure_without_any_action(client, world, under_measure):
    client.force_login(world.grid07_viewer)

    html = client.get(f"/measures/{under_measure.pk}/").content.decode()

    assert "张伟" in html
    assert "/release/" not in html and "/transfer/" not in html and "/caretakers/" not in html
    assert client.post(f"/measures/{under_measure.pk}/release/", {"version": 1}).status_code == 404


# Screening -------------------------------------------------------------------------------------------


def test_it_finds_the_person_to_screen(client, world, people):
    client.force_login(world.grid07_worker)

    html = client.get("/measures/screenings/new/?text=zw").content.decode()

    assert f"?person={people['zhang'].pk}" in html
    not_mine = client.get("/measures/screenings/new/?text=王芳").content.decode()
    assert f"?person={people['wang'].pk}" not in not_mine and "没有找到" in not_mine


def test_it_goes_from_an_empty_search_to_registering_and_back_to_the_screening(client, world, people):
    client.force_login(world.grid07_worker)
    html = client.get("/measures/screenings/new/?text=赵六").content.decode()
    link = re.search(r'href="(/persons/new/[^"]*)"', html).group(1).replace("&amp;", "&")
    form = client.get(link)
    assert form.context["form"]["name"].value() == "赵六"  # what was typed is kept
    id_number = make("371502", dt.date(1988, 1, 2), 135)
    fields = form.context["form"]
    data = {name: fields[name].value() or "" for name in fields.fields}
    data |= {"node": world.grid07.pk, "household": people["h07"].pk, "relation": "other"}
    data |= {"id_number": id_number, "phone": "13800001111"}

    response = client.post(link, data)

    person = people["zhang"].__class__.objects.get(id_number=id_number)
    assert (
        response.status_code == 302
        and response["Location"] == f"/measures/screenings/new/?person={person.pk}"
    )
    numbers = client.post("/measures/screenings/new/", {"text": "9999"}).content.decode()
    assert "9999" not in re.search(r'href="(/persons/new/[^"]*)"', numbers).group(1)  # nor in the link


def test_it_finds_whom_to_screen_by_number_without_the_number_in_an_address(client, world, people):
    client.force_login(world.grid07_worker)
    last4 = people["zhang"].phone[-4:]

    html = client.post("/measures/screenings/new/", {"text": last4}).content.decode()

    assert f"?person={people['zhang'].pk}" in html and last4 not in "".join(
        re.findall(r'(?:href|action)="([^"]*)"', html)
    )
    refused = client.get(f"/measures/screenings/new/?text={last4}")
    assert refused.status_code == 302 and last4 not in refused["Location"]


def test_it_lists_key_persons_searched_by_number_under_a_token(client, world, people):
    zhang = people["zhang"]
    actions.record_screening(actor=world.grid07_worker, person=zhang, reason="fever")
    client.force_login(world.grid07_worker)
    last4 = zhang.phone[-4:]

    response = client.post("/measures/", {"text": last4}, headers={"HX-Request": "true"})

    assert [p.pk for p in response.context["page"]] == [zhang.pk]
    assert response["HX-Push-Url"].startswith("/measures/?t=") and last4 not in response["HX-Push-Url"]
    again = client.get(response["HX-Push-Url"])
    assert [p.pk for p in again.context["page"]] == [zhang.pk]
    refused = client.get(f"/measures/?text={last4}")
    assert refused.status_code == 302 and last4 not in refused["Location"]


def test_it_records_an_arrival_with_origin_codes_and_starts_home_quarantine(client, world, people):
    zhang = people["zhang"]
    arrived = timezone.localdate() - dt.timedelta(days=2)
    client.force_login(world.grid07_worker)

    response = client.post(
        f"/measures/screenings/new/?person={zhang.pk}",
        {
            "reason": "arrival",
            "screened_on": timezone.localdate().isoformat(),
            "origin_province": "42",
            "origin_city": "4201",
            "origin_county": "420102",
            "departed_on": (arrived - dt.timedelta(days=1)).isoformat(),
            "arrived_on": f"{arrived.year}年{arrived.month}月{arrived.day}日",
            "transport": "火车",
            "trip_number": "G123",
            "route": "郑州",
            "kind": HOME_Q,
        },
    )

    screening = Screening.objects.get(person=zhang)
    measure = Measure.objects.get(person=zhang)
    assert response.status_code == 302 and response["Location"] == f"/measures/{measure.pk}/"
    assert (screening.origin_province, screening.origin_city, screening.origin_county) == (
        "42",
        "4201",
        "420102",
    )
    assert screening.origin_text == "湖北省武汉市江岸区"
    assert screening.reference_date == arrived and screening.trip_number == "G123"
    # 2020 default preset: returnees get 14 days of home quarantine counted from the arrival.
    assert measure.kind == HOME_Q and measure.screening == screening
    assert measure.planned_end == end_of_day_n(arrived, 14)


def test_it_offers_the_cities_of_the_chosen_province(client, world, people):
    client.force_login(world.grid07_worker)

    html = client.get(
        f"/measures/screenings/new/?person={people['zhang'].pk}&reason=arrival&origin_province=42",
        HTTP_HX_REQUEST="true",
    ).content.decode()

    assert "武汉市" in html and "<html" not in html
    assert "广州市" not in html


def test_it_records_a_close_contact_found_by_search(client, world, people):
    zhang, li = people["zhang"], people["li"]
    client.force_login(world.grid07_worker)
    url = f"/measures/screenings/new/?person={zhang.pk}"

    found = client.get(
        f"{url}&reason=close_contact&contact_query=lxy", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert f'value="{li.pk}"' in found
    response = client.post(
        url,
        {
            "reason": "close_contact",
            "screened_on": "2020-01-21",
            "contact_of": li.pk,
            "reference_date": "2020-01-20",
        },
    )

    assert response.status_code == 302
    screening = Screening.objects.get(person=zhang)
    assert screening.contact_of == li and screening.reference_date == dt.date(2020, 1, 20)
    assert not Measure.objects.filter(person=zhang).exists()


def test_it_asks_a_close_contact_for_the_last_exposure_and_the_contact(client, world, people):
    client.force_login(world.grid07_worker)

    html = client.post(
        f"/measures/screenings/new/?person={people['zhang'].pk}",
        {"reason": "close_contact", "screened_on": "2020-01-21"},
    ).content.decode()

    assert "末次接触日期不能为空" in html and "请选择接触对象或填写其姓名" in html
    assert not Screening.objects.exists()


def test_it_shows_the_planned_end_before_saving(client, world, people):
    client.force_login(world.grid07_worker)
    reference = timezone.localdate() - dt.timedelta(days=1)

    html = client.get(
        f"/measures/screenings/new/?person={people['zhang'].pk}&reason=close_contact"
        f"&reference_date={reference.isoformat()}&kind={HOME_Q}",
        HTTP_HX_REQUEST="true",
    ).content.decode()

    last_day = end_of_day_n(reference, 14) - dt.timedelta(days=1)
    assert f"共14天，观察至{last_day.year}年{last_day.month}月{last_day.day}日24时" in html
    assert "默认预设：2020年" in html


def test_it_sends_central_quarantine_on_to_the_room_choice(client, world, people, rooms):
    zhang = people["zhang"]
    client.force_login(world.township_admin)

    response = client.post(
        f"/measures/screenings/new/?person={zhang.pk}",
        {
            "reason": "close_contact",
            "screened_on": "2020-01-21",
            "contact_of_text": "某确诊病例",
            "reference_date": "2020-01-20",
            "kind": CENTRAL,
        },
    )

    screening = Screening.objects.get(person=zhang)
    assert response.status_code == 302
    assert (
        response["Location"] == f"/measures/start/?person={zhang.pk}&screening={screening.pk}&kind={CENTRAL}"
    )
    html = client.get(response["Location"]).content.decode()
    assert "101（空1床）" in html and "梁水宾馆" in html


def test_it_keeps_the_screening_out_when_the_measure_is_refused(client, world, people, under_measure):
    client.force_login(world.grid07_worker)

    html = client.post(
        f"/measures/screenings/new/?person={people['zhang'].pk}",
        {"reason": "self_declared", "screened_on": timezone.localdate().isoformat(), "kind": HOME_M},
    ).content.decode()

    assert "该人员已有在管措施" in html
    assert Screening.objects.filter(person=people["zhang"]).count() == 1  # only the fixture's


# Planned end under each preset (DOMAIN.md §4) --------------------------------------------------------


@pytest.mark.parametrize(
    "preset, reason, kind, reference, days_from_reference, period",
    [
        ("2020", "close_contact", CENTRAL, dt.date(2020, 1, 20), 14, 14),
        ("2020", "arrival", HOME_Q, dt.date(2020, 1, 24), 14, 14),
        ("2021", "close_contact", CENTRAL, dt.date(2021, 5, 10), 14, 14),
        ("2021", "close_contact", HOME_M, dt.date(2021, 5, 10), 21, 7),
        ("2021", "secondary_contact", CENTRAL, dt.date(2021, 5, 10), 7, 7),
        ("2022-06", "close_contact", CENTRAL, dt.date(2022, 7, 1), 7, 7),
        ("2022-06", "close_contact", HOME_M, dt.date(2022, 7, 1), 10, 3),
        ("2022-06", "secondary_contact", HOME_Q, dt.date(2022, 7, 1), 7, 7),
        ("2022-06", "arrival_high", CENTRAL, dt.date(2022, 7, 1), 7, 7),
        ("2022-11", "close_contact", CENTRAL, dt.date(2022, 11, 15), 5, 5),
        ("2022-11", "close_contact", HOME_Q, dt.date(2022, 11, 15), 8, 3),
        ("2022-11", "arrival_high", HOME_Q, dt.date(2022, 11, 15), 7, 7),
        ("2022-12", "close_contact", HOME_Q, dt.date(2022, 12, 10), 5, 5),
    ],
)
def test_it_starts_a_measure_with_the_planned_end_of_the_preset(
    client, world, people, rooms, preset, reason, kind, reference, days_from_reference, period
):
    if preset != "2020":  # 2020 is the installation default: no policy row at all
        policy_actions.set_policy(
            actor=world.county_admin, node=world.county, effective_from=dt.date(2020, 1, 1), preset=preset
        )
    zhang = people["zhang"]
    screening = screen(world, zhang, reason, reference)
    started = reference + dt.timedelta(days=1)
    client.force_login(world.township_admin)

    response = client.post(
        f"/measures/start/?person={zhang.pk}&screening={screening.pk}",
        {"kind": kind, "started_at": f"{started.isoformat()}T09:30", "room": rooms["101"].pk},
    )

    measure = Measure.objects.get(person=zhang)
    assert response.status_code == 302 and response["Location"] == f"/measures/{measure.pk}/"
    assert measure.started_at == at(started.year, started.month, started.day, 9, 30)
    assert measure.planned_end == end_of_day_n(reference, days_from_reference)
    assert measure.period_days == period
    assert (measure.room is not None) == (kind == CENTRAL)
    html = client.get(f"/measures/{measure.pk}/").content.decode()
    assert measure.policy_label in html and ("2020年" in html if preset == "2020" else "东昌府区" in html)


def test_it_counts_day_14_of_a_2020_close_contact_on_3_february(client, world, people, rooms):
    zhang = people["zhang"]
    screening = screen(world, zhang, "close_contact", dt.date(2020, 1, 20))
    measure = start(world, zhang, CENTRAL, screening=screening, started_at=at(2020, 1, 21), room=rooms["101"])

    assert measure.planned_end == at(2020, 2, 4, 0)
    assert queries.measure_day(measure, at(2020, 2, 3, 20)) == (14, 14)
    assert queries.measure_day(measure, at(2020, 1, 21, 10)) == (1, 14)
    client.force_login(world.grid07_worker)
    html = client.get(f"/measures/{measure.pk}/").content.decode()
    assert "2020-02-04 00:00" in html and "观察至2020年2月3日24时" in html
    assert "默认预设：2020年（新冠肺炎防控方案第二至七版）" in html


# Release ---------------------------------------------------------------------------------------------


def test_it_refuses_release_before_the_end_and_names_the_date(client, world, under_measure):
    client.force_login(world.grid07_worker)

    html = client.post(
        f"/measures/{under_measure.pk}/release/", {"version": under_measure.version, "reason": "期满解除"}
    ).content.decode()

    end = under_measure.planned_end.astimezone(SH)
    assert end > timezone.now()
    assert f"观察期未满：{end:%Y年%m月%d日}" in html
    under_measure.refresh_from_db()
    assert under_measure.is_active


def test_it_requires_the_two_negative_tests_of_the_2021_preset_then_releases(client, world, people, rooms):
    policy_actions.set_policy(
        actor=world.county_admin, node=world.county, effective_from=dt.date(2021, 1, 1), preset="2021"
    )
    zhang = people["zhang"]
    screening = screen(world, zhang, "close_contact", dt.date(2021, 3, 1))
    measure = start(
        world, zhang, CENTRAL, screening=screening, started_at=at(2021, 3, 2, 8), room=rooms["101"]
    )
    client.force_login(world.grid07_worker)
    release = {"version": measure.version, "reason": "期满解除"}

    refused = client.post(f"/measures/{measure.pk}/release/", release).content.decode()
    assert "解除前需2次核酸阴性结果，现有0次" in refused
    assert "观察期未满" not in refused  # 2021-03-16 is long past
    for day in (14, 15):
        response = client.post(
            f"/measures/{measure.pk}/tests/", {"sampled_at": f"2021-03-{day}T09:00", "outcome": "negative"}
        )
        assert response.status_code == 302
    page = client.get(f"/measures/{measure.pk}/").content.decode()
    assert "已满足解除条件" in page
    response = client.post(f"/measures/{measure.pk}/release/", release)

    measure.refresh_from_db()
    assert response.status_code == 302
    assert measure.released_at is not None and measure.release_reason == "期满解除"


def test_it_lets_only_an_admin_override_with_a_reason(client, world, under_measure):
    data = {"version": under_measure.version, "reason": "经专家组评估", "override": "on"}
    client.force_login(world.grid07_worker)
    assert "观察期未满" in client.post(f"/measures/{under_measure.pk}/release/", data).content.decode()
    under_measure.refresh_from_db()
    assert under_measure.is_active

    client.force_login(world.township_admin)
    assert "条件未满足，仍然解除" in client.get(f"/measures/{under_measure.pk}/").content.decode()
    without_reason = client.post(f"/measures/{under_measure.pk}/release/", {**data, "reason": "期满解除"})
    assert "提前解除须填写原因" in without_reason.content.decode()
    response = client.post(f"/measures/{under_measure.pk}/release/", data)

    under_measure.refresh_from_db()
    assert response.status_code == 302
    assert not under_measure.is_active and under_measure.release_reason == "经专家组评估"


def test_it_refuses_a_release_from_a_stale_page(client, world, people, rooms):
    zhang = people["zhang"]
    screening = screen(world, zhang, "close_contact", dt.date(2020, 1, 20))
    measure = start(world, zhang, CENTRAL, screening=screening, started_at=at(2020, 1, 21), room=rooms["101"])
    client.force_login(world.grid07_worker)

    html = client.post(
        f"/measures/{measure.pk}/release/", {"version": measure.version + 1, "reason": "期满解除"}
    ).content.decode()

    assert "已被他人修改" in html
    measure.refresh_from_db()
    assert measure.is_active


# Caretakers and transfer -----------------------------------------------------------------------------


def test_it_assigns_caretakers_from_the_scope_and_keeps_them_on_transfer(client, world, under_measure):
    client.force_login(world.township_admin)
    page = client.get(f"/measures/{under_measure.pk}/").content.decode()
    assert "包保责任人应为2至4人" in page
    assert "七网格员" in page and "八网格员" not in page  # grid 08 cannot care for a grid-07 person

    for user, role in ((world.grid07_worker, "grid_worker"), (world.township_admin, "cadre")):
        response = client.post(f"/measures/{under_measure.pk}/caretakers/", {"user": user.pk, "role": role})
        assert response.status_code == 302
    refused = client.post(
        f"/measures/{under_measure.pk}/caretakers/", {"user": world.grid08_worker.pk, "role": "police"}
    )
    assert refused.status_code == 200 and "has-error" in refused.content.decode()
    assert under_measure.caretakers.count() == 2

    response = client.post(
        f"/measures/{under_measure.pk}/transfer/",
        {"version": under_measure.version, "kind": HOSPITAL, "reason": "体温37.8℃"},
    )

    new = Measure.objects.get(person=under_measure.person, released_at=None)
    assert response.status_code == 302 and response["Location"] == f"/measures/{new.pk}/"
    assert new.kind == HOSPITAL and new.screening == under_measure.screening and new.planned_end is None
    under_measure.refresh_from_db()
    assert under_measure.release_reason == "转为送医：体温37.8℃" and under_measure.transferred_to == new
    assert set(Caretaker.objects.filter(measure=new).values_list("user__username", "role")) == {
        ("grid07_worker", "grid_worker"),
        ("township_admin", "cadre"),
    }
    assert "七网格员" in client.get(f"/measures/{new.pk}/").content.decode()


def test_it_enforces_room_capacity(client, world, people, rooms):
    zhang, li = people["zhang"], people["li"]
    start(
        world,
        zhang,
        CENTRAL,
        screening=screen(world, zhang, "close_contact", dt.date(2020, 1, 20)),
        started_at=at(2020, 1, 21),
        room=rooms["101"],
    )
    screening = screen(world, li, "close_contact", dt.date(2020, 1, 20))
    client.force_login(world.township_admin)
    url = f"/measures/start/?person={li.pk}&screening={screening.pk}"

    form = client.get(url).content.decode()
    assert "102（空1床）" in form and "101（" not in form  # only rooms with a free bed are offered
    html = client.post(
        url, {"kind": CENTRAL, "started_at": "2020-01-21T10:00", "room": rooms["101"].pk}
    ).content.decode()

    assert "梁水宾馆 101已满（1床）" in html
    assert not Measure.objects.filter(person=li).exists()
    response = client.post(url, {"kind": CENTRAL, "started_at": "2020-01-21T10:00", "room": rooms["102"].pk})
    assert response.status_code == 302


def test_it_asks_for_a_room_for_central_quarantine(client, world, people, rooms):
    client.force_login(world.township_admin)

    html = client.post(
        f"/measures/start/?person={people['li'].pk}", {"kind": CENTRAL, "started_at": "2020-01-21T10:00"}
    ).content.decode()

    assert "集中隔离须指定隔离点和房间" in html


# Follow-ups and alerts on the measure page -------------------------------------------------------------


def test_it_marks_overdue_slots_and_shows_fever(client, world, people):
    today = timezone.localdate()
    zhang = people["zhang"]
    first = today - dt.timedelta(days=3)
    screening = screen(world, zhang, "arrival", first - dt.timedelta(days=1))
    measure = start(
        world,
        zhang,
        HOME_Q,
        screening=screening,
        started_at=dt.datetime.combine(first, dt.time(8), tzinfo=SH),
    )
    second = first + dt.timedelta(days=1)
    for taken, temperature in ((dt.time(8, 30), "36.5"), (dt.time(19), "37.6")):
        actions.record_follow_up(
            actor=world.grid07_worker,
            measure=measure,
            temperature=temperature,
            taken_at=dt.datetime.combine(second, taken, tzinfo=SH),
        )
    client.force_login(world.grid07_worker)

    html = client.get(f"/measures/{measure.pk}/").content.decode()

    # Counted by hand: three whole days before today with two slots each, two of them done; today's
    # morning is overdue once noon has passed, today's evening is not over yet.
    expected = 3 * 2 - 2 + (1 if timezone.localtime().hour >= 12 else 0)
    assert overdue_cells(html) == expected
    assert f"漏访 {expected} 次" in html
    assert "36.5℃" in html and "<b>37.6℃</b>" in html
    assert "体温37.6℃，建议转运至发热门诊" in html
    assert re.search(r"第2天</td>", html)  # the arrival was the day before the start: day 1 is the start day


def test_it_offers_to_start_a_measure_for_a_screened_person_with_their_screening(client, world, people):
    li = people["li"]
    screening = screen(world, li, "arrival", timezone.localdate() - dt.timedelta(days=1))
    client.force_login(world.grid07_worker)

    html = client.get("/measures/?status=screened").content.decode()
    link = f"/measures/start/?person={li.pk}&amp;screening={screening.pk}"
    assert link in html
    form = client.get(link.replace("&amp;", "&")).content.decode()

    # The 2020 default sends returnees to home quarantine: the form proposes it.
    assert f'<option value="{HOME_Q}" selected>' in form
    assert "外地返乡（来返）" in form


def test_it_sends_an_anonymous_visitor_to_the_login_page(client, world, under_measure):
    for url in ("/measures/", f"/measures/{under_measure.pk}/", "/measures/sites/", "/measures/policy/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
