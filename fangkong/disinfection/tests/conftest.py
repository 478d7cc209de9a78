import datetime as dt

import pytest
from django.utils import timezone

from fangkong.disinfection import actions
from fangkong.disinfection.models import Place, PlaceKind
from fangkong.lib.dates import SHANGHAI


def at(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=SHANGHAI)


def entry(actor, place, started_at, minutes=30, **fields):
    values = {
        "agent": "含氯消毒剂",
        "concentration": "500 mg/L",
        "method": "spray",
        "contact_minutes": 30,
        "done_by": "李师傅",
    }
    values.update(fields)
    return actions.record_entry(
        actor=actor,
        place=place,
        started_at=started_at,
        ended_at=started_at + dt.timedelta(minutes=minutes),
        **values,
    )


@pytest.fixture
def places(world):
    """A toilet in grid 07 (twice a day), a classroom in the other village (daily), a square in the
    township (weekly), all set up ten days ago."""
    admin = world.county_admin
    made = {
        "toilet": actions.create_place(
            actor=admin, node=world.grid07, name="前屯村公厕", kind=PlaceKind.PUBLIC_TOILET
        ),
        "classroom": actions.create_place(
            actor=admin, node=world.other_village, name="后屯小学一年级教室", kind=PlaceKind.CLASSROOM
        ),
        "square": actions.create_place(
            actor=admin, node=world.township, name="梁水镇文化广场", kind=PlaceKind.SQUARE
        ),
    }
    Place.objects.update(created_at=timezone.now() - dt.timedelta(days=10))
    for place in made.values():
        place.refresh_from_db()
    return made
