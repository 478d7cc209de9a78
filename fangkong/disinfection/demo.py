"""The demo county's disinfection: in each village with grids, a public toilet, a market and the school's
classrooms; in each township, its square (weekly) and the quarantine site's common areas. Seven days of
entries, with a few rounds missed so the worklist has something in it."""

import datetime as dt
import random

from django.db.models import F
from django.utils import timezone

from fangkong.disinfection import actions
from fangkong.disinfection.models import Entry, Place, PlaceKind
from fangkong.lib.dates import SHANGHAI

DAYS = 7
AGENTS = [("含氯消毒剂", "500 mg/L", "spray"), ("84消毒液", "1:100", "wipe"), ("75%酒精", "75%", "wipe")]


def is_loaded(context) -> bool:
    return Place.objects.filter(node__path__startswith=context.county.path).exists()


def load(*, context, seed: int, now: dt.datetime | None = None) -> dict | None:
    if is_loaded(context):
        return None
    rng = random.Random(f"{seed}-disinfection")
    admin = context.users["county"]
    now = now or timezone.now()
    places = []
    for township in context.townships:
        places.append(
            actions.create_place(
                actor=admin, node=township, name=f"{township.name}文化广场", kind=PlaceKind.SQUARE
            )
        )
        for village in [v for pair in context.gridded for v in pair if v.path.startswith(township.path)]:
            for kind, suffix in (
                (PlaceKind.PUBLIC_TOILET, "公厕"),
                (PlaceKind.MARKET, "集贸市场"),
                (PlaceKind.CLASSROOM, "小学教室"),
            ):
                places.append(
                    actions.create_place(actor=admin, node=village, name=f"{village.name}{suffix}", kind=kind)
                )
    Place.objects.filter(pk__in=[p.pk for p in places]).update(created_at=now - dt.timedelta(days=DAYS + 1))
    entries = 0
    today = timezone.localdate(now)
    for place in places:
        for back in range(DAYS, -1, -1):
            day = today - dt.timedelta(days=back)
            rounds = {PlaceKind.SQUARE: 1 if back % 7 == 0 else 0, PlaceKind.CLASSROOM: 1}.get(place.kind, 2)
            for hour in (8, 16)[:rounds]:
                started = dt.datetime.combine(day, dt.time(hour, rng.randint(0, 40)), tzinfo=SHANGHAI)
                if started + dt.timedelta(minutes=30) > now or rng.random() < 0.08:
                    continue  # not yet, or missed
                agent, concentration, method = rng.choice(AGENTS)
                actions.record_entry(
                    actor=admin,
                    place=place,
                    started_at=started,
                    ended_at=started + dt.timedelta(minutes=rng.randint(15, 40)),
                    target="全部公共区域",
                    agent=agent,
                    concentration=concentration,
                    method=method,
                    contact_minutes=30,
                    done_by=rng.choice(["王师傅", "李师傅", "消杀员张某"]),
                    checked_by="村（社区）卫生室",
                )
                entries += 1
    # Entered when they ended, as the phone records them: a report as of a past moment counts them.
    Entry.objects.filter(place__in=places).update(created_at=F("ended_at"))
    return {"places": len(places), "entries": entries}
