"""Signed self-report links: a person under a measure reports their own temperature, with no account.

Model: the token is the measure's id signed with the server's SECRET_KEY under a salt of its own, so a
token made for anything else in Django (sessions, password resets) is no token here, and changing one
character of it makes it worthless. It carries no expiry: it is good exactly while the measure is active,
which the page checks on every use, so releasing (or transferring) the measure ends the link. Rotating
SECRET_KEY with the old key in SECRET_KEY_FALLBACKS keeps the links already handed out working until the
old key is dropped; dropping it revokes all of them. The token grants one thing: recording a reading for
the current slot of that measure. It shows the masked name only; a report is added to the slot's readings
and never replaces one, the person's own or a caretaker's (record_follow_up keeps every reading).
"""

import datetime as dt

from django.core import signing
from django.utils import timezone

from fangkong.measures import rules
from fangkong.measures.models import FollowUp, Measure, Slot

SALT = "fangkong.measures.selfreport"


def _signer() -> signing.Signer:
    # Signer reads SECRET_KEY and SECRET_KEY_FALLBACKS when it is made: rotation needs no code here.
    return signing.Signer(salt=SALT)


def make_token(measure: Measure) -> str:
    return _signer().sign(str(measure.pk))


def measure_for_token(token: str) -> Measure | None:
    """The measure a genuine token was made for (active or not), or None for a forged or altered one."""
    try:
        pk = int(_signer().unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return Measure.objects.select_related("person").filter(pk=pk).first()


def slot_label(moment: dt.datetime) -> str:
    """2月1日上午: which of the twice-daily checks a report taken at `moment` counts for."""
    day, slot = rules.slot_of(moment)
    return f"{day.month}月{day.day}日{Slot(slot).label}"


def reading_in_slot(measure: Measure, now: dt.datetime | None = None) -> FollowUp | None:
    """The latest reading recorded for the measure's current slot, if any."""
    day, slot = rules.slot_of(now or timezone.now())
    return FollowUp.objects.filter(measure=measure, slot_date=day, slot=slot).order_by("-taken_at").first()
