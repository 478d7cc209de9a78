"""Reminders: after the deadline each missing unit's staff get one reminder per unit and day however
often the job runs; none before the deadline; sending the report settles them; the page and the unread
count show them to their user only."""

import datetime as dt
import io
import json

from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from fangkong.conftest import PASSWORD
from fangkong.reporting import actions as daily_actions
from fangkong.reporting import reminders
from fangkong.reporting.context_processors import reminders as reminders_context
from fangkong.reporting.models import Reminder
from fangkong.reporting.tests.daily_fixtures import D, at, clock, next_day, units

__all__ = ["units"]

DEADLINE = at(next_day(D), "10:00")


def keys_of(user) -> set[str]:
    return set(Reminder.objects.filter(user=user).values_list("key", flat=True))


def test_it_reminds_the_staff_of_missing_units_once_after_the_deadline(world, units):
    with clock(at(next_day(D), "09:00")):
        daily_actions.submit_report(actor=units["hou_staff"], reporting_unit=units["hou"], day=D)
    assert reminders.send_report_reminders(now=DEADLINE, days=1) == 0  # at the deadline: not yet missing
    created = reminders.send_report_reminders(now=DEADLINE + dt.timedelta(minutes=1), days=1)
    missing = {
        "qian": ["qian_staff", "grid07_worker", "grid08_worker"],
        "kindergarten": ["grid07_worker"],
        "school": ["township_admin"],
    }
    assert created == sum(len(names) for names in missing.values()) == 5
    assert keys_of(world.grid07_worker) == {
        reminders.missing_key(units["qian"].pk, D),
        reminders.missing_key(units["kindergarten"].pk, D),
    }
    assert keys_of(units["hou_staff"]) == set()  # 后屯 reported
    assert keys_of(world.grid07_viewer) == set()  # a viewer cannot send it
    reminder = Reminder.objects.get(user=units["qian_staff"])
    assert reminder.text == "前屯村委会2022年3月10日的日报告尚未报送（截止时间3月11日10:00），请尽快报送"
    assert reminder.link == reverse("daily_report", kwargs={"pk": units["qian"].pk, "day": "2022-03-10"})
    # Every later run finds the same causes and adds nothing.
    assert reminders.send_report_reminders(now=DEADLINE + dt.timedelta(hours=3), days=1) == 0
    assert Reminder.objects.count() == 5
    # The default look-back also catches the day before, for which nobody reported either.
    assert reminders.send_report_reminders(now=DEADLINE + dt.timedelta(hours=4)) == 6


def test_it_settles_the_reminders_when_the_report_comes(world, units):
    reminders.send_report_reminders(now=DEADLINE + dt.timedelta(minutes=5), days=1)
    assert reminders.unread_count(world.grid07_worker) == 2
    with clock(DEADLINE + dt.timedelta(hours=1)):
        daily_actions.submit_zero_report(actor=units["qian_staff"], reporting_unit=units["qian"], day=D)
    assert reminders.unread_count(world.grid07_worker) == 1  # the kindergarten's is still open
    assert reminders.unread_count(units["qian_staff"]) == 0
    assert reminders.send_report_reminders(now=DEADLINE + dt.timedelta(hours=2), days=1) == 0


def test_it_shows_a_user_their_own_reminders_and_the_unread_count(world, units):
    reminders.send_report_reminders(now=DEADLINE + dt.timedelta(minutes=5), days=1)
    request = RequestFactory().get("/")
    request.user = world.grid07_worker
    assert reminders_context(request)["unread_reminders"]() == 2
    client = Client()
    client.login(username="grid07_worker", password=PASSWORD)
    page = client.get(reverse("reminder_list")).content.decode()
    assert "七组幼儿园2022年3月10日的日报告尚未报送" in page and "2条未读" in page
    other = Reminder.objects.get(user=units["qian_staff"])
    assert client.post(reverse("reminder_read", kwargs={"pk": other.pk})).status_code == 404
    mine = Reminder.objects.filter(user=world.grid07_worker).first()
    opened = client.post(reverse("reminder_read", kwargs={"pk": mine.pk}))
    assert opened.status_code == 302 and opened["Location"] == mine.link
    assert reminders.unread_count(world.grid07_worker) == 1
    client.post(reverse("reminder_list"))  # 全部标为已读
    assert reminders.unread_count(world.grid07_worker) == 0
    assert reminders.unread_count(units["qian_staff"]) == 1


def test_it_runs_as_a_command(world, units):
    out = io.StringIO()
    call_command("send_report_reminders", now="2022-03-11 10:05", days=1, json=True, stdout=out)
    assert json.loads(out.getvalue()) == {"created": 6}  # both villages, the kindergarten, the school
    out = io.StringIO()
    call_command("send_report_reminders", now="2022-03-11 10:20", days=1, stdout=out)
    assert "新发提醒 0 条" in out.getvalue()
