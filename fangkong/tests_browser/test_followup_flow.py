"""A caretaker on a phone records two follow-ups from the worklist, one of them a fever with a cough; a
township user, in a browser of their own, sees the alert at once."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from fangkong.conftest import PASSWORD
from fangkong.measures import actions
from fangkong.measures.models import Alert, FollowUp
from fangkong.policy.models import Kind

pytestmark = pytest.mark.browser


def log_in(page, username: str) -> None:
    page.goto(reverse("login"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def under_home_quarantine(world, person, caretaker):
    started = timezone.now() - dt.timedelta(days=1)
    arrived = timezone.localdate() - dt.timedelta(days=2)
    screening = actions.record_screening(
        actor=world.county_admin, person=person, reason="arrival", screened_on=arrived, arrived_on=arrived
    )
    measure = actions.start_measure(
        actor=world.county_admin,
        person=person,
        kind=Kind.HOME_QUARANTINE,
        screening=screening,
        started_at=started,
    )
    actions.assign_caretaker(actor=world.county_admin, measure=measure, user=caretaker, role="grid_worker")
    return measure


def record(card, temperature: str, *symptoms: str) -> None:
    card.get_by_role("link", name=re.compile(r"登记.+体温")).click()  # one tap opens the form in the card
    field = card.get_by_label("体温（℃）")
    expect(field).to_have_attribute("inputmode", "decimal")  # the phone's numeric keypad
    field.fill(temperature)
    for symptom in symptoms:
        card.get_by_label(symptom).check()
    card.get_by_role("button", name="提交").click()


def test_it_records_two_follow_ups_on_a_phone_and_the_township_sees_the_fever(
    phone_page, page, world, people
):
    zhang = under_home_quarantine(world, people["zhang"], world.grid07_worker)
    li = under_home_quarantine(world, people["li"], world.grid07_worker)

    phone = phone_page
    log_in(phone, "grid07_worker")
    phone.goto(reverse("worklist"))
    expect(phone.get_by_role("heading", name="今日待随访")).to_be_visible()
    phone.evaluate("window.stillTheSamePage = true")

    normal = phone.locator(f"#fu-{zhang.pk}")
    record(normal, "36.6")
    expect(normal.get_by_text("36.6℃")).to_be_visible()
    expect(normal.get_by_role("alert")).to_have_count(0)

    feverish = phone.locator(f"#fu-{li.pk}")
    record(feverish, "38.2", "干咳")
    expect(feverish.get_by_role("alert")).to_contain_text("体温38.2℃，症状：干咳")
    expect(feverish.get_by_text("38.2℃，干咳")).to_be_visible()

    expect(phone.locator("#fu-summary")).to_contain_text("本时段待随访 0 人")
    # Both cards were updated in place, without loading the page again, and the page fits the phone.
    assert phone.evaluate("window.stillTheSamePage === true")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert FollowUp.objects.filter(measure__in=[zhang, li]).count() == 2
    assert Alert.objects.get().person == people["li"]

    log_in(page, "township_admin")
    page.goto(reverse("alert_list"))
    alert = page.locator("article", has_text="李秀英")
    expect(alert).to_contain_text("38.2℃")
    expect(alert).to_contain_text("干咳")
    expect(alert.get_by_role("button", name="转运至发热门诊")).to_be_visible()
    expect(page.get_by_text("张伟")).to_have_count(0)

    page.goto(reverse("township_overview"))
    expect(page.locator("#count-alerts b")).to_have_text("1")
    expect(page.locator("#alerts")).to_contain_text("李秀英")
