"""A temperature taken at a checkpoint counts for the colour like a follow-up's (healthcodes/sources.py):
a fever there turns the code yellow for a day, for a registry resident and for a visitor alike."""

import datetime as dt

from django.utils import timezone

from fangkong.checkpoints.actions import create_checkpoint, record_passage
from fangkong.healthcodes.colours import colour_of
from fangkong.healthcodes.identity import identify, identity_for_person
from fangkong.healthcodes.models import Colour
from fangkong.lib.idcard import make

YELLOW, GREEN = Colour.YELLOW, Colour.GREEN


def reasons(result) -> str:
    return "；".join(result.reasons)


def test_it_is_yellow_after_a_fever_at_a_checkpoint(world, people):
    zhang = people["zhang"]
    identity = identity_for_person(zhang)
    checkpoint = create_checkpoint(actor=world.county_admin, node=world.village, name="前屯村口", kind="road")
    passed = timezone.now() - dt.timedelta(hours=1)
    record_passage(
        actor=world.county_admin,
        checkpoint=checkpoint,
        direction="in",
        identity=identity,
        temperature="37.8",
        outcome="fever_clinic",
        at=passed,
    )
    result = colour_of(identity)
    assert result.colour == YELLOW and "在前屯村口测温：体温37.8℃" in reasons(result)
    assert colour_of(identity, at=passed + dt.timedelta(hours=24)).colour == GREEN


def test_it_is_yellow_for_a_visitor_with_no_registry_record_after_a_checkpoint_fever(world):
    visitor = identify(id_number=make("420102", dt.date(1980, 1, 1), 11), name="赵强", phone="13700001111")
    checkpoint = create_checkpoint(actor=world.county_admin, node=world.village, name="前屯村口", kind="road")
    record_passage(
        actor=world.county_admin,
        checkpoint=checkpoint,
        direction="in",
        identity=visitor,
        temperature="38.5",
        outcome="fever_clinic",
    )
    assert colour_of(visitor).colour == YELLOW
