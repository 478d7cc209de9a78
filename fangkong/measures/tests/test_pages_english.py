"""Pages in English show dates as English users write them (2022-03-01, Mar 1), and labels that are
translated whole, not Chinese fragments around an English word."""

import re

from django.conf import settings

from fangkong.measures import actions
from fangkong.measures.tests.test_pages_keypersons import under_measure  # noqa: F401 — fixture

CHINESE_DATE = re.compile(r"\d+\s*月\s*\d+\s*日")  # a preset's title such as 2020年（第二至七版） is a name


def test_it_shows_english_dates_and_labels_on_the_key_person_pages(client, world, people, under_measure):  # noqa: F811
    actions.record_follow_up(actor=world.grid07_worker, measure=under_measure, temperature="38.2")
    client.force_login(world.grid07_worker)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in [
        "/",
        "/measures/",
        f"/measures/{under_measure.pk}/",
        "/measures/alerts/",
        "/measures/worklist/",
    ]:
        html = client.get(url).content.decode()
        # Rule messages (why a release must wait) stay Chinese: the audit log stores them as they are.
        html = re.sub(r'<ul class="blockers">.*?</ul>', "", html, flags=re.S)
        assert not CHINESE_DATE.search(html), (url, CHINESE_DATE.search(html).group())
    dashboard = client.get(f"/reports/dashboard/{world.grid07.code}/").content.decode()
    assert "在管人数" not in dashboard and not CHINESE_DATE.search(dashboard)


def test_it_keeps_chinese_dates_in_chinese(client, world, people, under_measure):  # noqa: F811
    actions.record_follow_up(actor=world.grid07_worker, measure=under_measure, temperature="38.2")
    client.force_login(world.grid07_worker)
    assert re.search(r"\d+月\d+日", client.get("/measures/alerts/").content.decode())
