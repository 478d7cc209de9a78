"""Self-report by signed link: the person records their own temperature without an account; a forged or
altered link, or the link of a released measure, records nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import signing

from fangkong.audit.models import AuditEvent
from fangkong.measures import actions, rules, selfreport
from fangkong.measures.models import Alert, FollowUp
from fangkong.measures.tests.test_pages_followups import clock, put_under, shanghai  # noqa: F401 — fixtures and helpers
from fangkong.policy.models import Kind


@pytest.fixture
def measure(world, people, clock):  # noqa: F811
    return put_under(
        world,
        people["zhang"],
        caretaker=world.grid07_worker,
        arrived=dt.date(2020, 1, 31),
        started_at=shanghai(2020, 2, 1, 10, 0),
    )


def url(token: str) -> str:
    return f"/r/f/{token}/"


def html(response) -> str:
    return response.content.decode()


def test_it_records_a_self_report_without_an_account_and_says_which_slot_it_counted_for(client, measure):
    link = url(selfreport.make_token(measure))
    page = client.get(link)
    assert page.status_code == 200  # no login page in between
    assert "张*" in html(page) and "张伟" not in html(page)
    assert 'inputmode="decimal"' in html(page) and "干咳" in html(page)

    response = client.post(link, {"temperature": "36.7"})
    assert response.status_code == 200
    assert "已记为2月3日上午的体温：36.7℃" in html(response)
    follow_up = FollowUp.objects.get()
    assert follow_up.self_reported and follow_up.recorded_by is None
    assert (follow_up.slot_date, follow_up.slot) == (dt.date(2020, 2, 3), rules.MORNING)
    assert not Alert.objects.exists()


def test_it_counts_a_report_after_noon_for_the_evening(client, measure, clock):  # noqa: F811
    clock(shanghai(2020, 2, 3, 12, 0))
    response = client.post(url(selfreport.make_token(measure)), {"temperature": "36.7"})
    assert "2月3日下午" in html(response)
    assert FollowUp.objects.get().slot == rules.EVENING


def test_it_raises_an_alert_that_the_township_sees_from_a_self_reported_fever(client, world, measure):
    response = client.post(url(selfreport.make_token(measure)), {"temperature": "38.2", "symptoms": ["干咳"]})
    assert 'role="alert"' in html(response)
    alert = Alert.objects.get()
    assert alert.follow_up.self_reported and "体温38.2℃" in alert.summary
    client.force_login(world.township_admin)
    page = html(client.get("/measures/alerts/"))
    assert "张伟" in page and "本人上报" in page


def test_it_keeps_a_second_report_in_the_slot_as_a_reading_of_its_own(client, measure):
    link = url(selfreport.make_token(measure))
    client.post(link, {"temperature": "37.9"})
    page = html(client.get(link))
    assert "本时段已报 37.9℃" in page
    client.post(link, {"temperature": "36.8"})
    assert sorted(f.temperature for f in FollowUp.objects.all()) == [Decimal("36.8"), Decimal("37.9")]
    assert Alert.objects.get().follow_up.temperature == Decimal("37.9")


def test_it_lets_the_person_report_after_a_caretaker_and_keeps_both(client, world, measure):
    actions.record_follow_up(
        actor=world.grid07_worker, measure=measure, temperature="36.6", taken_at=shanghai(2020, 2, 3, 8, 30)
    )
    link = url(selfreport.make_token(measure))
    page = client.get(link)
    assert "包保人员已于 08:30 登记了本时段的体温" in html(page)
    assert 'name="temperature"' in html(page)
    client.post(link, {"temperature": "38.0"})
    readings = FollowUp.objects.order_by("taken_at")
    assert [(f.temperature, f.self_reported) for f in readings] == [
        (Decimal("36.6"), False),
        (Decimal("38.0"), True),
    ]


@pytest.mark.parametrize(
    ("typed", "message"), [("abc", "体温应为数字"), ("45", "不在合理范围"), ("", "体温（℃）不能为空")]
)
def test_it_refuses_a_bad_temperature_in_chinese(client, measure, typed, message):
    response = client.post(url(selfreport.make_token(measure)), {"temperature": typed})
    assert response.status_code == 200 and message in html(response)
    assert not FollowUp.objects.exists()


def tampered(token: str) -> str:
    value, signature = token.split(":")
    return f"{value}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"


@pytest.mark.parametrize(
    "make_bad",
    [
        pytest.param(lambda m: tampered(selfreport.make_token(m)), id="altered-signature"),
        pytest.param(lambda m: f"{m.pk + 1}:{selfreport.make_token(m).split(':')[1]}", id="other-measure"),
        pytest.param(lambda m: signing.Signer(salt="other.salt").sign(str(m.pk)), id="other-salt"),
        pytest.param(
            lambda m: signing.Signer(key="x" * 50, salt=selfreport.SALT).sign(str(m.pk)), id="other-key"
        ),
        pytest.param(lambda m: str(m.pk), id="unsigned"),
        pytest.param(lambda m: "garbage", id="garbage"),
    ],
)
def test_it_answers_404_in_chinese_to_a_forged_or_altered_link_and_records_nothing(client, measure, make_bad):
    link = url(make_bad(measure))
    before = AuditEvent.objects.count()
    for response in (client.get(link), client.post(link, {"temperature": "36.5"})):
        assert response.status_code == 404
        assert "链接无效" in html(response) and "张*" not in html(response)
    assert not FollowUp.objects.exists() and AuditEvent.objects.count() == before


def test_it_refuses_the_link_of_a_released_measure(client, world, measure, clock):  # noqa: F811
    link = url(selfreport.make_token(measure))
    clock(shanghai(2020, 2, 16, 9, 0))
    actions.release_measure(actor=world.county_admin, measure=measure, version=measure.version)
    for response in (client.get(link), client.post(link, {"temperature": "36.5"})):
        assert response.status_code == 410
        assert "已解除管控，无需再上报" in html(response)
    assert not FollowUp.objects.exists()


def test_it_ends_the_link_when_the_person_is_transferred_to_hospital(client, world, measure):
    link = url(selfreport.make_token(measure))
    actions.transfer_measure(
        actor=world.county_admin, measure=measure, version=measure.version, kind=Kind.HOSPITAL
    )
    assert client.post(link, {"temperature": "36.5"}).status_code == 410
    assert not FollowUp.objects.exists()


def test_it_keeps_links_working_through_a_key_rotation_until_the_old_key_is_dropped(
    client, measure, settings
):
    settings.SECRET_KEY = "old-key-" + "o" * 50
    link = url(selfreport.make_token(measure))
    settings.SECRET_KEY = "new-key-" + "n" * 50
    settings.SECRET_KEY_FALLBACKS = ["old-key-" + "o" * 50]
    assert client.get(link).status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    assert client.get(link).status_code == 404


def test_it_gives_the_caretaker_the_link_and_its_qr_code(client, world, measure):
    client.force_login(world.grid07_worker)
    response = client.get(f"/measures/{measure.pk}/selfreport-link/")
    assert response.status_code == 200
    link = response.context["link"]
    assert link.startswith("http://testserver/r/f/") and "<svg" in html(response)
    assert selfreport.measure_for_token(link.rstrip("/").rsplit("/", 1)[1]) == measure
    client.logout()
    assert client.get(link).status_code == 200
