"""The home page says what waits for the user today, with links to it."""

import datetime as dt

from django.utils import timezone

from fangkong.conftest import PASSWORD
from fangkong.measures import actions
from fangkong.policy.models import Kind


def test_it_shows_a_caretakers_people_and_the_open_alerts(client, world, people):
    admin = world.county_admin
    started = timezone.now() - dt.timedelta(days=2)
    for person in (people["zhang"], people["li"]):
        measure = actions.start_measure(
            actor=admin, person=person, kind=Kind.HOME_QUARANTINE, started_at=started
        )
        actions.assign_caretaker(actor=admin, measure=measure, user=world.grid07_worker, role="grid_worker")
    actions.record_follow_up(
        actor=admin, measure=measure, temperature="38.0", taken_at=started + dt.timedelta(hours=1)
    )

    client.login(username="grid07_worker", password=PASSWORD)
    html = client.get("/").content.decode()
    assert "今日待随访 2 人" in html and "待处置预警 1 条" in html

    client.login(username="grid08_worker", password=PASSWORD)
    html = client.get("/").content.decode()
    assert "今日待随访" not in html and "待处置预警" not in html
