"""Venue codes, check-ins, risk areas and checkpoints for the demo county (registry/demo.py), after its
key persons (measures/demo.py). Repeatable: one `random.Random` per seed, the demo's people read in
ID-number order, times relative to `now` (default: the current time).

- A dozen venues (market, supermarket, schools, clinics, station, enterprise …) through create_venue.
- Check-ins over the last CHECKIN_DAYS days by the demo's people and a few visitors from elsewhere. Each
  resident is identified once through `identity.identify` (name checked against the registry, Person
  linked); their scans are then bulk-inserted as device uploads (source "batch", with a client_id, no
  colour shown, as record_checkins writes them), keeping its rules: nobody twice at a venue within the
  duplicate window, nothing older than the retention period or after now, nobody while under a measure
  at home. A few of today's scans, a family among them, go through `check_in` on a phone, with colour.
- The county's risk areas (measures.demo.RISK_AREAS: places elsewhere, by division code).
- Two checkpoints of 梁水镇 with duty shifts for the demo staff and their passages (people and
  vehicles, a car and a visitor turned back, a fever sent to the fever clinic, which screens that person)
  through record_passage. assign_shift plans only shifts that have not ended, so the shifts of past
  days, which the passages of those days need, are inserted directly.
"""

import datetime as dt
import random
from collections import defaultdict

from django.utils import timezone

from fangkong.lib import idcard
from fangkong.lib.errors import RuleError
from fangkong.measures import demo as measures_demo
from fangkong.measures.models import Measure, Screening
from fangkong.measures.rules import SHANGHAI, local_midnight
from fangkong.registry import population
from fangkong.registry.models import Person

from . import checkin_actions, checkpoint_actions, healthcode_actions, identity, venue_actions
from .models import (
    CheckIn,
    Checkpoint,
    CheckpointKind,
    Direction,
    DutyShift,
    Outcome,
    Venue,
    VenueKind,
)
from .venue_queries import retention_days

CHECKIN_DAYS = 7  # today and the six days before
PASSAGE_DAYS = 4
FULL_DEMO = 12_500  # residents of the full demo, for scaling the counts down in small ones

# (where, name, kind, address, check-ins a day in the full demo, opening hours as minute ranges)
_DAY = [(7 * 60, 20 * 60)]
VENUES = [
    ("lsz", "{t}农贸市场", VenueKind.MARKET, "{t}驻地", 40, [(6 * 60, 11 * 60)]),
    ("lsz", "东昌府区{t}中心小学", VenueKind.SCHOOL, "{t}驻地", 14, [(7 * 60, 8 * 60 + 30), (16 * 60, 17 * 60 + 30)]),
    ("lsz", "{t}卫生院", VenueKind.CLINIC, "{t}驻地", 10, [(8 * 60, 17 * 60)]),
    ("lsz", "{t}人民政府", VenueKind.OFFICE, "{t}驻地", 6, [(8 * 60 + 30, 17 * 60)]),
    ("lsz", "{t}汽车站", VenueKind.STATION, "{t}驻地", 16, [(6 * 60, 19 * 60)]),
    ("lsz_v1", "{v}便民超市", VenueKind.SHOP, "{t}{v}", 24, _DAY),
    ("lsz_v2", "聊城市鲁润纺织有限公司", VenueKind.ENTERPRISE, "{t}工业园", 22, [(7 * 60, 8 * 60 + 30)]),
    ("tyz", "{t}农贸市场", VenueKind.MARKET, "{t}驻地", 36, [(6 * 60, 11 * 60)]),
    ("tyz", "东昌府区{t}中学", VenueKind.SCHOOL, "{t}驻地", 12, [(7 * 60, 8 * 60), (17 * 60, 18 * 60)]),
    ("tyz_v1", "{v}卫生室", VenueKind.CLINIC, "{t}{v}", 6, [(8 * 60, 17 * 60)]),
    ("glj_c1", "{v}佳和超市", VenueKind.SHOP, "{t}{v}", 30, [(8 * 60, 21 * 60)]),
    ("glj_c1", "{v}东门", VenueKind.COMPOUND, "{t}{v}", 30, [(6 * 60, 22 * 60)]),
    ("glj_c2", "{v}老街饺子馆", VenueKind.RESTAURANT, "{t}{v}", 16, [(11 * 60, 13 * 60), (17 * 60, 20 * 60)]),
    ("glj", "光岳楼景区游客服务中心", VenueKind.OTHER, "{t}古城", 20, [(8 * 60 + 30, 17 * 60)]),
]  # fmt: skip
POOL = 40  # regular visitors of a venue
# Visitors from elsewhere, by the region of their ID number.
VISITOR_REGIONS = ["370102", "370202", "130433", "410922", "371521", "371525", "110105", "420102"]
PLATES = [("鲁P", 70), ("鲁A", 8), ("鲁N", 4), ("冀D", 6), ("豫J", 6), ("京Q", 2), ("苏E", 2), ("浙A", 2)]
PURPOSES_IN = ["返家", "返家", "上班", "务农", "购物返回", "探亲", "送货"]
PURPOSES_OUT = ["上班", "就医", "赶集", "购物", "办事", "务农"]
ORIGINS = ["聊城市区", "堂邑镇", "梁水镇驻地", "东昌府区人民医院", "阳谷县", "茌平区", "临清市"]


def _local(day: dt.date, minute: int) -> dt.datetime:
    return local_midnight(day) + dt.timedelta(minutes=minute)


def _day_of(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


class _Demo:
    def __init__(self, context, seed: int, now: dt.datetime):
        self.context, self.now = context, now
        self.today = _day_of(now)
        self.rng = random.Random(f"{seed}:codes")
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

    # Venues and check-ins --------------------------------------------------------------------------

    def venues(self) -> list[tuple[Venue, int, list]]:
        out = []
        generator = random.Random(f"{self.seed}:venue-contacts")
        for where, name, kind, address, per_day, hours in VENUES:
            node = self.nodes[where]
            township = self.nodes[where[:3]]
            label = population.village_label(node.name)[0]
            venue = venue_actions.create_venue(
                actor=self.actor_for(node),
                node=node,
                name=name.format(t=township.name, v=label),
                kind=kind,
                address=address.format(t=township.name, v=label),
                contact_name=generator.choice("王张李刘赵孙")
                + generator.choice(("建国", "秀英", "志强", "丽娟", "海涛")),
                contact_phone=f"1{generator.choice('35789')}{generator.randrange(10**9):09d}",
            )
            out.append((venue, max(1, round(per_day * self.scale)), hours))
        return out

    def visitors(self) -> list:
        """People from other counties, known to the codes but not to the registry (made once)."""
        if self._visitors is not None:
            return self._visitors
        rng, out = self.rng, []
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

    def checkins(self, venues: list) -> int:
        rng, now = self.rng, self.now
        visitors = self.visitors()
        rows, recent = [], defaultdict(list)
        n = 0
        for venue, per_day, hours in venues:
            local = [p for p in self.people if p.node.path.startswith(venue.node.path)]
            if not local:
                continue
            pool = rng.sample(local, min(POOL, len(local)))
            keep = retention_days(venue.node, self.today)
            oldest = now - dt.timedelta(days=keep)
            for back in range(CHECKIN_DAYS - 1, -1, -1):
                day = self.today - dt.timedelta(days=back)
                for _ in range(per_day):
                    first, last = rng.choice(hours)
                    at = _local(day, rng.randint(first, last - 1)) + dt.timedelta(seconds=rng.randrange(60))
                    if at > now or at < oldest:
                        continue
                    if rng.random() < 0.04:
                        who = rng.choice(visitors)
                    else:
                        person = rng.choice(pool)
                        if self.is_away(person.pk, at):
                            continue  # under a measure: at home, not at the market
                        who = self.identity_of(person)
                    key = (venue.pk, who.pk)
                    if any(abs(at - earlier) < checkin_actions.DUPLICATE_WINDOW for earlier in recent[key]):
                        continue
                    recent[key].append(at)
                    out = at + dt.timedelta(minutes=rng.randint(10, 80))
                    n += 1
                    rows.append(
                        CheckIn(
                            venue=venue,
                            identity=who,
                            at=at,
                            checked_out_at=out if rng.random() < 0.4 and out <= now else None,
                            source=checkin_actions.Source.BATCH,
                            client_id=f"demo-{self.seed}-{n:05d}",
                        )
                    )
        CheckIn.objects.bulk_create(rows, batch_size=2000)
        return len(rows) + self.phone_checkins(venues)

    def phone_checkins(self, venues: list) -> int:
        """Scans on residents' phones in the last daytime hours (yesterday evening when the demo is loaded
        before 07:10), the colour shown, one parent checking in a child."""
        rng, day, now = self.rng, self.today, self.now
        if now < _local(day, 7 * 60 + 10):
            day -= dt.timedelta(days=1)
            now = _local(day, 21 * 60)
        start = max(_local(day, 7 * 60), now - dt.timedelta(hours=6))
        shop = next(v for v, _, _ in venues if v.kind == VenueKind.SHOP)
        market = next(v for v, _, _ in venues if v.kind == VenueKind.MARKET)
        count = 0
        village = self.nodes["lsz_v1"]
        people = [
            p for p in self.people if p.node.path.startswith(village.path) and p.pk not in self.screened
        ]
        for person in rng.sample(people, min(10, len(people))):
            at = start + dt.timedelta(seconds=rng.randrange(int((now - start).total_seconds())))
            venue = rng.choice((shop, market))
            recorded = checkin_actions.check_in(
                actor=None, venue=venue, people=[self.identity_of(person)], at=at
            )
            count += sum(1 for r in recorded if not r.duplicate)
        # A mother checks in her child with her phone.
        children = {}
        for child in Person.objects.filter(node__path__startswith=village.path, phone="").order_by(
            "id_number"
        ):
            if (self.today - child.birth_date).days < 12 * 365:
                children.setdefault(child.household_id, child)
        for person in people:
            child = children.get(person.household_id)
            if person.sex == "female" and child is not None:
                parent = self.identity_of(person)
                child = identity.identify(id_number=child.id_number, name=child.name, phone=person.phone)
                recorded = checkin_actions.check_in(
                    actor=None,
                    venue=shop,
                    people=[parent, child],
                    scanned_by=parent,
                    at=now - dt.timedelta(minutes=8),
                )
                count += sum(1 for r in recorded if not r.duplicate)
                break
        return count

    # Risk areas ------------------------------------------------------------------------------------------

    def risk_areas(self) -> int:
        for level, code, name, first, last in measures_demo.RISK_AREAS:
            healthcode_actions.create_risk_area(
                actor=self.users["county"],
                declared_by=self.context.county,
                level=level,
                division_code=code,
                name=name,
                starts_on=self.today - dt.timedelta(days=first),
                ends_on=self.today - dt.timedelta(days=last) if last is not None else None,
            )
        return len(measures_demo.RISK_AREAS)

    # Checkpoints ----------------------------------------------------------------------------------------

    def checkpoints(self) -> dict:
        lsz, village = self.nodes["lsz"], self.nodes["lsz_v1"]
        label = population.village_label(village.name)[0]
        admin = self.users["township"]
        road = checkpoint_actions.create_checkpoint(
            actor=admin,
            node=lsz,
            name=f"{lsz.name}东入口卡口",
            kind=CheckpointKind.ROAD,
            address=f"{lsz.name}驻地东侧路口",
        )
        gate = checkpoint_actions.create_checkpoint(
            actor=admin,
            node=village,
            name=f"{label}村口值守点",
            kind=CheckpointKind.GATE,
            address=f"{lsz.name}{label}村口",
        )
        shifts = self.shifts(road, gate)
        passages = self.passages(road, gate, shifts)
        return {"checkpoints": 2, "shifts": len(shifts), **passages}

    def shifts(self, road: Checkpoint, gate: Checkpoint) -> list[DutyShift]:
        """Two twelve-hour shifts a day at each, from PASSAGE_DAYS ago to tomorrow."""
        u = self.users
        planned = []
        for back in range(PASSAGE_DAYS - 1, -2, -1):
            day = self.today - dt.timedelta(days=back)
            morning, evening = _local(day, 8 * 60), _local(day, 20 * 60)
            night_end = evening + dt.timedelta(hours=12)
            day_worker = u["grid1"] if day.toordinal() % 2 == 0 else u["grid2"]
            planned += [
                (road, u["township_staff"], morning, evening),
                (road, u["lsz_police"], evening, night_end),
                (gate, day_worker, morning, evening),
                (gate, u["village"], evening, night_end),
            ]
        # The night before the first day, so the early passages of that day have someone on duty.
        first = self.today - dt.timedelta(days=PASSAGE_DAYS - 1)
        start = _local(first, 8 * 60) - dt.timedelta(hours=12)
        planned += [(road, u["lsz_police"], start, start + dt.timedelta(hours=12)),
                    (gate, u["village"], start, start + dt.timedelta(hours=12))]  # fmt: skip
        past = [
            DutyShift(checkpoint=c, user=user, starts_at=s, ends_at=e)
            for c, user, s, e in planned
            if e <= self.now
        ]
        shifts = DutyShift.objects.bulk_create(past)
        for checkpoint, user, starts, ends in planned:
            if ends > self.now:
                shifts.append(
                    checkpoint_actions.assign_shift(
                        actor=u["township"], checkpoint=checkpoint, user=user, starts_at=starts, ends_at=ends
                    )
                )
        return shifts

    def passages(self, road: Checkpoint, gate: Checkpoint, shifts: list[DutyShift]) -> dict:
        rng, now = self.rng, self.now
        lsz, village = self.nodes["lsz"], self.nodes["lsz_v1"]
        # Nobody who was ever screened: their code may be red, and a checkpoint would not let them pass.
        locals_ = {
            road.pk: [
                p for p in self.people if p.node.path.startswith(lsz.path) and p.pk not in self.screened
            ],
            gate.pk: [
                p for p in self.people if p.node.path.startswith(village.path) and p.pk not in self.screened
            ],
        }
        visitors = self.visitors()
        counts = defaultdict(int)

        def on_duty(checkpoint, at):
            return next(
                s.user for s in shifts if s.checkpoint_id == checkpoint.pk and s.starts_at <= at < s.ends_at
            )

        def passage(checkpoint, at, **fields):
            fields.setdefault("outcome", Outcome.PASS)
            try:
                recorded = checkpoint_actions.record_passage(
                    actor=on_duty(checkpoint, at), checkpoint=checkpoint, at=at, **fields
                )
            except RuleError as exc:
                if "outcome" not in exc.errors:
                    raise
                fields["outcome"] = Outcome.HANDED_OVER  # a code turned red: handed to the village
                recorded = checkpoint_actions.record_passage(
                    actor=on_duty(checkpoint, at), checkpoint=checkpoint, at=at, **fields
                )
            counts["passages"] += 1
            outcome = Outcome(recorded.passage.outcome)
            if outcome != Outcome.PASS:
                counts[outcome.value] += 1
            return recorded

        per_day = max(3, round(14 * self.scale))
        for back in range(PASSAGE_DAYS - 1, -1, -1):
            day = self.today - dt.timedelta(days=back)
            for checkpoint in (road, gate):
                for _ in range(per_day):
                    at = _local(day, rng.randint(6 * 60, 22 * 60)) + dt.timedelta(seconds=rng.randrange(60))
                    if at > now - dt.timedelta(minutes=1):
                        continue
                    incoming = rng.random() < 0.55
                    temperature = rng.choice(("36.2", "36.3", "36.4", "36.5", "36.5", "36.6", "36.7", "36.8"))
                    fields = {
                        "direction": Direction.IN if incoming else Direction.OUT,
                        "temperature": temperature,
                        "purpose": rng.choice(PURPOSES_IN if incoming else PURPOSES_OUT),
                    }
                    person = rng.choice(locals_[checkpoint.pk]) if locals_[checkpoint.pk] else None
                    if rng.random() < 0.4:  # a vehicle, its driver scanned half of the time
                        prefix = rng.choices([p for p, _ in PLATES], weights=[w for _, w in PLATES])[0]
                        fields["plate"] = prefix + "".join(
                            rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(5)
                        )
                        fields["passengers"] = rng.randint(0, 3)
                        fields["origin"] = rng.choice(ORIGINS) if incoming else ""
                        if person is not None and rng.random() < 0.5:
                            fields["identity"] = identity.identity_for_person(person)
                    elif person is not None:
                        fields["identity"] = identity.identity_for_person(person)
                        fields["origin"] = rng.choice(ORIGINS) if incoming else ""
                    else:
                        continue
                    passage(checkpoint, at, **fields)
        # A car from a high-risk area turned back, a visitor with no reason to enter the village turned
        # back, and a resident with a fever sent to the fever clinic (which screens them at once).
        yesterday, before = self.today - dt.timedelta(days=1), self.today - dt.timedelta(days=2)
        passage(
            road,
            _local(yesterday, 14 * 60 + 30),
            direction=Direction.IN,
            plate="鄂A" + "".join(rng.choice("0123456789") for _ in range(5)),
            passengers=3,
            temperature="36.6",
            origin=measures_demo.RISK_AREAS[0][2],
            purpose="探亲",
            outcome=Outcome.TURNED_BACK,
        )
        passage(
            gate,
            _local(before, 10 * 60 + 15),
            direction=Direction.IN,
            identity=visitors[0],
            temperature="36.4",
            origin="河北省馆陶县",
            purpose="走亲戚",
            outcome=Outcome.TURNED_BACK,
        )
        adults = [p for p in locals_[road.pk] if 18 <= (self.today - p.birth_date).days // 365 <= 60]
        if not adults:
            return dict(counts)
        feverish = rng.choice(adults)
        recorded = passage(
            road,
            _local(yesterday, 16 * 60 + 20),
            direction=Direction.IN,
            identity=identity.identity_for_person(feverish),
            temperature="37.9",
            origin="聊城市区",
            destination=f"{lsz.name}卫生院发热门诊",
            purpose="返家",
            outcome=Outcome.FEVER_CLINIC,
        )
        counts["fever_screenings"] += recorded.screening is not None
        return dict(counts)


def is_loaded(context) -> bool:
    return Venue.objects.filter(node__path__startswith=context.county.path).exists()


def load(*, context, seed: int, now: dt.datetime | None = None) -> dict | None:
    """Write the demo's venues, check-ins, risk areas and checkpoints (once: None when there). Run after
    measures.demo.load; call in a transaction."""
    if is_loaded(context):
        return None
    demo = _Demo(context, seed, now or timezone.now())
    venues = demo.venues()
    counts = {"venues": len(venues), "checkins": demo.checkins(venues), "risk_areas": demo.risk_areas()}
    counts.update(demo.checkpoints())
    counts["identities"] = len(demo.identities)
    return counts
