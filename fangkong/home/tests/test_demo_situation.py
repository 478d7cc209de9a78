"""The demo county's situation report of a past moment: its weeks of work were written in one go, and
still count at the moments their story gives them."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from fangkong.home.management.commands.load_demo import load_activity
from fangkong.measures import rules
from fangkong.measures.models import Screening
from fangkong.registry import demo as registry_demo
from fangkong.reporting import indicators
from fangkong.situation import compose
from fangkong.surveillance.models import Signal

HOUSEHOLDS = 120


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_it_counts_the_demos_story_at_the_moments_it_tells():
    now = timezone.now()
    registry_demo.load_demo(households=HOUSEHOLDS, today=timezone.localdate(now))
    load_activity(now=now)
    county = registry_demo.demo_context(create_staff=False).county
    yesterday = timezone.localdate(now) - dt.timedelta(days=1)
    end = rules.local_midnight(timezone.localdate(now))
    # 24时 of yesterday: the daily figures of yesterday, everything of the story being entered by then.
    daily = indicators.compute(county, yesterday, now=now)
    as_of = compose.compose(node=county, as_of=end, now=now).indicators
    # Early warning's run for yesterday was made this morning (at loading): the daily figure counts it, the
    # report as of 24时 could not have known it yet.
    alarming = Signal.objects.filter(node__path__startswith=county.path, day=yesterday, alarm=True)
    assert daily.pop("signals_alarming") == len({(s.node_id, s.series) for s in alarming}) > 0
    assert as_of.pop("signals_alarming") == 0
    assert as_of == daily
    assert as_of["screened_total"] > 0 and as_of["active_home_quarantine"] > 0
    # 21时 of yesterday: the demo screens people between 08:30 and 18:00.
    evening = compose.compose(node=county, as_of=end - dt.timedelta(hours=3), now=now).indicators
    screened = Screening.objects.filter(node__path__startswith=county.path, screened_on__lte=yesterday)
    assert evening["screened_total"] == len({s.person_id for s in screened})
