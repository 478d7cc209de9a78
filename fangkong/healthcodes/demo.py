"""The demo county's people as the codes know them, and its risk areas (after measures/demo.py).

`DemoResidents` is what the venue and checkpoint demos share: the demo's people read in ID-number order,
who was under a measure when (nobody scans a venue code from home quarantine), each resident identified
once through `identity.identify`, a few visitors from other counties, and one `random.Random` per seed and
demo, times relative to `now`. The county's risk areas are measures.demo.RISK_AREAS (places elsewhere, by
division code)."""

import datetime as dt
import random
from collections import defaultdict

from django.utils import timezone

from fangkong.healthcodes import actions, identity
from fangkong.healthcodes.models import RiskArea
from fangkong.lib import idcard
from fangkong.measures import demo as measures_demo
from fangkong.measures.models import Measure, Screening
from fangkong.measures.rules import SHANGHAI, local_midnight
from fangkong.registry import population
from fangkong.registry.models import Person

FULL_DEMO = 12_500  # residents of the full demo, for scaling the counts down in small ones
# Visitors from elsewhere, by the region of their ID number.
VISITOR_REGIONS = ["370102", "370202", "130433", "410922", "371521", "371525", "110105", "420102"]


def at_minute(day: dt.date, minute: int) -> dt.datetime:
    return local_midnight(day) + dt.timedelta(minutes=minute)


def day_of(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


class DemoResidents:
    def __init__(self, context, seed: int, now: dt.datetime, stream: str):
        self.context, self.now = context, now
        self.today = day_of(now)
        self.rng = random.Random(f"{seed}:{stream}")
        self.seed = seed
        self.users = context.users
        townships, gridded = context.townships, context.gridded
        self.nodes = {
            "lsz": townships[0],
            "lsz_v1": gridded[0][0],
            "lsz_v2": gridded[0][1],
            "tyz": townships[1],
            "tyz_v1": gridded[1][0],
            "glj": townships[2],
            "glj_c1": gridded[2][0],
            "glj_c2": gridded[2][1],
        }
        self.people = list(
            Person.objects.filter(node__path__startswith=context.county.path)
            .exclude(phone="")
            .select_related("node")
            .order_by("id_number")
        )
        self.screened = set(
            Screening.objects.filter(node__path__startswith=context.county.path).values_list(
                "person_id", flat=True
            )
        )
        self.away: dict[int, list] = defaultdict(list)  # person → when under a measure
        for person_id, start, end in Measure.objects.filter(
            node__path__startswith=context.county.path
        ).values_list("person_id", "started_at", "released_at"):
            self.away[person_id].append((start, end))
        self.identities: dict[int, object] = {}
        self._visitors = None
        residents = Person.objects.filter(node__path__startswith=context.county.path).count()
        self.scale = max(0.15, min(1.0, residents / FULL_DEMO))

    def actor_for(self, node):
        index = self.context.township_index(node)
        return self.users["township"] if index == 0 else self.users[("lsz", "tyz", "glj")[index] + "_cadre"]

    def is_away(self, person_id: int, at: dt.datetime) -> bool:
        return any(start <= at and (end is None or end > at) for start, end in self.away.get(person_id, ()))

    def identity_of(self, person: Person):
        if person.pk not in self.identities:
            self.identities[person.pk] = identity.identify(
                id_number=person.id_number, name=person.name, phone=person.phone
            )
        return self.identities[person.pk]

    def visitors(self) -> list:
        """People from other counties, known to the codes but not to the registry (made once)."""
        if self._visitors is not None:
            return self._visitors
        rng, out = random.Random(f"{self.seed}:visitors"), []  # the same visitors in every demo
        for i in range(len(VISITOR_REGIONS)):
            sex = rng.choice(("male", "female"))
            birth = dt.date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28))
            number = idcard.make(
                VISITOR_REGIONS[i % len(VISITOR_REGIONS)], birth, rng.randrange(1, 499) * 2 - (sex == "male")
            )
            names = population.GIVEN_NAMES[("mid", sex)]
            name = rng.choice("王张李刘陈杨赵孙周吴") + rng.choice(names)
            phone = f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
            out.append(identity.identify(id_number=number, name=name, phone=phone))
        self._visitors = out
        return out


def is_loaded(context) -> bool:
    return RiskArea.objects.filter(declared_by=context.county).exists()


def load(*, context, seed: int, now: dt.datetime | None = None) -> dict | None:
    """Declare the demo's risk areas (once: None when there). Run after measures.demo.load."""
    if is_loaded(context):
        return None
    today = day_of(now or timezone.now())
    county_admin = context.users["county"]
    for level, code, name, first, last in measures_demo.RISK_AREAS:
        actions.create_risk_area(
            actor=county_admin,
            declared_by=context.county,
            level=level,
            division_code=code,
            name=name,
            starts_on=today - dt.timedelta(days=first),
            ends_on=today - dt.timedelta(days=last) if last is not None else None,
        )
    return {"risk_areas": len(measures_demo.RISK_AREAS)}
