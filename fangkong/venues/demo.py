"""Venues and check-ins for the demo county (registry/demo.py), after its key persons (measures/demo.py)
and risk areas (healthcodes/demo.py). Repeatable: one `random.Random` per seed.

- A dozen venues (market, supermarket, schools, clinics, station, enterprise …) through create_venue.
- Check-ins over the last CHECKIN_DAYS days by the demo's people and a few visitors from elsewhere. Each
  resident is identified once through `identity.identify` (name checked against the registry, Person
  linked); their scans are then bulk-inserted as device uploads (source "batch", with a client_id, no
  colour shown, as record_checkins writes them), keeping its rules: nobody twice at a venue within the
  duplicate window, nothing older than the retention period or after now, nobody while under a measure
  at home. A few of today's scans, a family among them, go through `check_in` on a phone, with colour.
"""

import datetime as dt
import random
from collections import defaultdict

from django.utils import timezone

from fangkong.healthcodes import identity
from fangkong.healthcodes.demo import DemoResidents, at_minute
from fangkong.registry import population
from fangkong.registry.models import Person
from fangkong.venues import actions
from fangkong.venues.models import CheckIn, Venue, VenueKind
from fangkong.venues.queries import retention_days

CHECKIN_DAYS = 7  # today and the six days before
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


class VenueDemo(DemoResidents):
    # Venues and check-ins --------------------------------------------------------------------------

    def venues(self) -> list[tuple[Venue, int, list]]:
        out = []
        generator = random.Random(f"{self.seed}:venue-contacts")
        for where, name, kind, address, per_day, hours in VENUES:
            node = self.nodes[where]
            township = self.nodes[where[:3]]
            label = population.village_label(node.name)[0]
            venue = actions.create_venue(
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
                    at = at_minute(day, rng.randint(first, last - 1)) + dt.timedelta(
                        seconds=rng.randrange(60)
                    )
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
                    if any(abs(at - earlier) < actions.DUPLICATE_WINDOW for earlier in recent[key]):
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
                            source=actions.Source.BATCH,
                            client_id=f"demo-{self.seed}-{n:05d}",
                        )
                    )
        CheckIn.objects.bulk_create(rows, batch_size=2000)
        return len(rows) + self.phone_checkins(venues)

    def phone_checkins(self, venues: list) -> int:
        """Scans on residents' phones in the last daytime hours (yesterday evening when the demo is loaded
        before 07:10), the colour shown, one parent checking in a child."""
        rng, day, now = self.rng, self.today, self.now
        if now < at_minute(day, 7 * 60 + 10):
            day -= dt.timedelta(days=1)
            now = at_minute(day, 21 * 60)
        start = max(at_minute(day, 7 * 60), now - dt.timedelta(hours=6))
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
            recorded = actions.check_in(actor=None, venue=venue, people=[self.identity_of(person)], at=at)
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
                recorded = actions.check_in(
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


def is_loaded(context) -> bool:
    return Venue.objects.filter(node__path__startswith=context.county.path).exists()


def load(*, context, seed: int, now: dt.datetime | None = None) -> dict | None:
    """Write the demo's venues and check-ins (once: None when there). Run after healthcodes.demo.load;
    call in a transaction."""
    if is_loaded(context):
        return None
    demo = VenueDemo(context, seed, now or timezone.now(), stream="codes")
    venues = demo.venues()
    return {"venues": len(venues), "checkins": demo.checkins(venues), "identities": len(demo.identities)}
