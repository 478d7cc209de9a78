import datetime as dt

import pytest
from django.utils import timezone

from fangkong.surveillance import actions

# 20 ordinary days, then a spike on the last day (yesterday)
ORDINARY = [5, 6, 4, 5, 7, 5, 6, 4, 5, 6, 5, 7, 4, 6, 5, 6, 5, 4, 6, 5]
SPIKE = 25


@pytest.fixture
def clinics(world):
    return {
        "front": actions.add_clinic(actor=world.county_admin, node=world.village, name="前屯卫生室发热哨点"),
        "back": actions.add_clinic(
            actor=world.county_admin, node=world.other_village, name="后屯卫生室发热哨点"
        ),
    }


@pytest.fixture
def visits(world, clinics):
    """Front: ORDINARY then SPIKE, ending yesterday; back: 3 a day, with day 10 not reported."""
    end = timezone.localdate() - dt.timedelta(days=1)
    counts = [*ORDINARY, SPIKE]
    start = end - dt.timedelta(days=len(counts) - 1)
    for i, n in enumerate(counts):
        day = start + dt.timedelta(days=i)
        actions.record_visits(actor=world.county_admin, clinic=clinics["front"], day=day, visits=n)
        if i != 10:
            actions.record_visits(actor=world.county_admin, clinic=clinics["back"], day=day, visits=3)
    return {"start": start, "end": end, "front": counts}
