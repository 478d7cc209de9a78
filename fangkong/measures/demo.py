"""Key persons for the demo county (registry/demo.py): the last DAYS days of returnees, contacts and
others screened, their measures under the policy in force, caretakers, follow-ups, alerts and tests.

Repeatable: one `random.Random` per seed draws everything, from the demo's people read in ID-number
order, against `now` (default: the current time), so the same seed at the same moment gives the same
records, and the demo always looks current.

The story, per person, is written in time order through the actions of actions.py and actions.py,
which check the rules: record_screening, start_measure (the period from the policy in force, the room of
a central quarantine), assign_caretaker, record_follow_up for the readings that find fever or a symptom
(which raises the alert), resolve_alert, transfer_measure (to hospital and back), record_test_result
and release_measure (refused while the period runs or tests are missing). Only the routine follow-ups —
thousands of twice-daily normal readings — are bulk-inserted, with their slot and abnormal flag decided
by rules.py exactly as record_follow_up decides them, and one audit row for the lot.
"""

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.lib.temperature import check_temperature
from fangkong.measures import actions, divisions, rules
from fangkong.measures.models import (
    Alert,
    CaretakerRole,
    FollowUp,
    Measure,
    QuarantineSite,
    Room,
    Screening,
    TestResult,
)
from fangkong.policy.models import Kind, Reason
from fangkong.policy.queries import policy_for
from fangkong.registry.models import Person, Unit, UnitKind
from fangkong.registry.population import Weighted

SHANGHAI = rules.SHANGHAI
DAYS = 20  # screenings over the last 20 days, today included
SHARE = 0.024  # key persons per resident, as in a county during the 2020 return wave
MIN_KEY_PERSONS, MAX_KEY_PERSONS = 40, 400
MIN_IN_DEMO_GRID = 12  # demo_grid1 and demo_grid2 each care for some, however small the demo

# Where returnees come from: (province, city, weight) of data/divisions. Shandong's own cities too.
ORIGINS = [
    ("42", "4201", 16), ("42", "4209", 3), ("42", "4211", 3), ("42", "4210", 2), ("42", "4205", 1),
    ("11", "1101", 8), ("31", "3101", 6), ("12", "1201", 4), ("50", "5001", 1),
    ("44", "4401", 4), ("44", "4403", 6), ("44", "4419", 3),
    ("33", "3301", 4), ("33", "3303", 3), ("33", "3302", 2),
    ("32", "3205", 5), ("32", "3201", 2), ("32", "3202", 1),
    ("13", "1301", 3), ("41", "4101", 3), ("41", "4109", 2),
    ("37", "3701", 6), ("37", "3702", 5), ("37", "3706", 1),
    ("61", "6101", 1), ("51", "5101", 1), ("21", "2102", 1),
]  # fmt: skip
FAR = {"44", "61", "51", "50", "21"}  # provinces people fly back from

# Risk areas the county declares (healthcodes/demo.py writes them): level, division code, name, first day and
# last day as days before today (None: still in force). Arrivals from an area in force on their arrival
# day are screened as arrivals from a high- or medium-risk area.
RISK_AREAS = [
    ("high", "4201", "湖北省武汉市", DAYS + 8, None),
    ("medium", "4211", "湖北省黄冈市", DAYS + 4, None),
    ("medium", "130109", "河北省石家庄市藁城区", DAYS + 20, DAYS + 2),
]
RISK_REASONS = {"high": Reason.ARRIVAL_HIGH, "medium": Reason.ARRIVAL_MEDIUM}

# Reasons other than arrival, with their share of the key persons and how many at least (the rest are
# arrivals).
OTHER_REASONS = [
    (Reason.CLOSE_CONTACT, 0.06, 3),
    (Reason.SECONDARY_CONTACT, 0.025, 1),
    (Reason.TIP_OFF, 0.02, 1),
    (Reason.SELF_DECLARED, 0.015, 1),
    (Reason.FEVER, 0.01, 1),
]
NOTES = {
    Reason.CLOSE_CONTACT: "疾控中心流调推送，已通知本人",
    Reason.SECONDARY_CONTACT: "密接的密接，已告知做好自我健康监测",
    Reason.TIP_OFF: "群众电话举报：外地返回后未主动报告",
    Reason.SELF_DECLARED: "本人通过微信群主动申报",
    Reason.FEVER: "村卫生室就诊时测温37.5℃，已登记",
}
NORMAL_TEMPERATURES = [("36.1", 2), ("36.2", 4), ("36.3", 8), ("36.4", 12), ("36.5", 14), ("36.6", 12),
                       ("36.7", 9), ("36.8", 6), ("36.9", 3), ("37.0", 1)]  # fmt: skip
MORNING_MINUTES, EVENING_MINUTES = (7 * 60, 11 * 60 + 30), (15 * 60, 20 * 60 + 30)

SITE_ROOMS = [("", 101, 118, 1), ("", 201, 218, 1), ("", 301, 306, 2)]  # a township hotel: 48 beds
COUNTY_SITE_ROOMS = [("A", 101, 130, 1), ("A", 201, 230, 1), ("B", 101, 110, 2)]  # 80 beds


def site_name(township: Jurisdiction) -> str:
    return f"{township.name}集中隔离点（{township.name[:2]}宾馆）"


COUNTY_SITE = "东昌府区古城宾馆集中隔离点"


def _local(day: dt.date, minute: int) -> dt.datetime:
    return rules.local_midnight(day) + dt.timedelta(minutes=minute)


def _day_of(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


_ORIGINS = Weighted([((p, c), w) for p, c, w in ORIGINS])
_TEMPERATURES = Weighted(NORMAL_TEMPERATURES)


# Planning: who, why, when (no writes) ---------------------------------------------------------------


@dataclass
class Plan:
    person: Person
    reason: str
    screened_at: dt.datetime  # also when the measure starts
    fields: dict  # the screening's other fields
    event: str = ""  # fever, symptom, open, hospital, hospital_back
    event_at: dt.datetime | None = None
    release_delay: dt.timedelta = dt.timedelta(hours=9)  # from the planned end to the release


@dataclass
class _Places:
    nodes: list[Jurisdiction]
    weights: list[float]
    demo_grids: list[Jurisdiction]
    people: dict[int, list[Person]] = field(default_factory=dict)  # node pk → people, by ID number
    households: dict[int, list[Person]] = field(default_factory=dict)


def _places(context) -> _Places:
    nodes = context.places()
    demo_grids = [scoping.nodes_with(context.users[key])[0] for key in ("grid1", "grid2")]
    first_township = context.townships[0]
    weights = [
        2.2 if node in demo_grids else 1.5 if node.path.startswith(first_township.path) else 1.0
        for node in nodes
    ]
    places = _Places(nodes=nodes, weights=weights, demo_grids=demo_grids)
    people = Person.objects.filter(node__in=nodes).select_related("node").order_by("id_number")
    for person in people:
        places.people.setdefault(person.node_id, []).append(person)
        places.households.setdefault(person.household_id, []).append(person)
    return places


def _quotas(total: int, weights: list[float]) -> list[int]:
    """`total` split by weight, largest remainders first (no randomness: the same split every time)."""
    raw = [total * w / sum(weights) for w in weights]
    quotas = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: (quotas[i] - raw[i], i))[: total - sum(quotas)]:
        quotas[i] += 1
    return quotas


def _age(person: Person, day: dt.date) -> int:
    birth = person.birth_date
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class _Planner:
    def __init__(self, rng: random.Random, places: _Places, now: dt.datetime):
        self.rng, self.places, self.now = rng, places, now
        self.today = _day_of(now)
        self.taken: set[int] = set()

    def moment(self, day: dt.date, first: int = 8 * 60 + 30, last: int = 18 * 60) -> dt.datetime:
        """A working-hours moment of `day`, not after now (today's early hours move to yesterday)."""
        at = _local(day, self.rng.randint(first, last))
        if at <= self.now - dt.timedelta(minutes=2):
            return at
        latest = self.now - dt.timedelta(minutes=self.rng.randint(3, 40))
        if _day_of(latest) == day and latest.astimezone(SHANGHAI).hour >= 7:
            return latest
        return _local(day - dt.timedelta(days=1), self.rng.randint(15 * 60, 18 * 60))

    def arrival_fields(self, person: Person, arrived_on: dt.date) -> tuple[str, dict]:
        rng = self.rng
        province, city = _ORIGINS.pick(rng)
        counties = divisions.counties(city)
        county = rng.choice(counties)[0] if counties and rng.random() < 0.6 else ""
        reason = Reason.ARRIVAL
        for level, code, _name, first, last in RISK_AREAS:
            in_force = self.today - dt.timedelta(days=first) <= arrived_on and (
                last is None or arrived_on <= self.today - dt.timedelta(days=last)
            )
            if in_force and (county or city).startswith(code):
                reason = RISK_REASONS[level]
        city_name = divisions.place_name(province, city) or divisions.place_name(province)
        draw = rng.random()
        if province == "37":
            transport, trip, route = (
                (
                    "自驾",
                    f"鲁{'AB'[rng.randrange(2)]}{rng.randrange(10000, 99999)}",
                    f"{city_name}—聊城（自驾）",
                )
                if draw < 0.5
                else ("长途客车", "", f"{city_name}—聊城汽车总站")
            )
        elif province in FAR and draw < 0.5:
            carrier = rng.choice(("CA", "CZ", "MU", "SC", "3U"))
            transport, trip, route = (
                "飞机",
                f"{carrier}{rng.randrange(1000, 9999)}",
                f"{city_name}—济南遥墙机场—聊城",
            )
        elif draw < 0.7:
            transport, trip = "火车", f"{rng.choice('GGGDK')}{rng.randrange(100, 9999)}"
            route = f"{city_name}—聊城站" if trip[0] == "K" else f"{city_name}—聊城西站"
        else:
            transport, trip, route = "自驾", "", f"{city_name}—聊城（自驾）"
        work = (
            "在外求学返乡"
            if person.occupation == "学生"
            else "务工返乡"
            if person.occupation in ("外出务工", "企业职工", "服务业", "个体经营")
            else "探亲返回"
        )
        fields = {
            "origin_province": province,
            "origin_city": city,
            "origin_county": county,
            "origin_text": divisions.place_name(province, city, county),
            "arrived_on": arrived_on,
            "departed_on": arrived_on - dt.timedelta(days=rng.choice((0, 0, 0, 1))),
            "transport": transport,
            "trip_number": trip,
            "route": route,
            "notes": work,
        }
        return reason, fields

    def plans(self, total: int) -> list[Plan]:
        rng, places = self.rng, self.places
        quotas = _quotas(total, places.weights)
        self.reasons = [
            r for r, share, least in OTHER_REASONS for _ in range(max(least, round(total * share)))
        ]
        self.reasons += [Reason.ARRIVAL] * (total - len(self.reasons))
        rng.shuffle(self.reasons)
        out: list[Plan] = []
        for node, quota in zip(places.nodes, quotas, strict=True):
            people = places.people.get(node.pk, [])
            if node in places.demo_grids:
                quota = max(quota, MIN_IN_DEMO_GRID)
            adults = [p for p in people if 17 <= _age(p, self.today) <= 62 and p.phone]
            quota = min(quota, len(adults) // 2)
            chosen = 0
            for person in rng.sample(adults, len(adults)):
                if chosen >= quota:
                    break
                if person.pk in self.taken:
                    continue
                group = self.key_person(person, recent=node in places.demo_grids)
                out.extend(group)
                chosen += len(group)
        return out

    def reason(self) -> str:
        return self.reasons.pop() if self.reasons else Reason.ARRIVAL

    def key_person(self, person: Person, *, recent: bool) -> list[Plan]:
        """One key person, or an arrival with the members of their household who travelled along."""
        rng = self.rng
        self.taken.add(person.pk)
        # Demo grids: three in four arrived in the last two weeks, so most are still under a measure.
        # Elsewhere the wave of returns is tapering: more came back early in the period (and have been
        # released by now) than in the last days.
        if recent and rng.random() < 0.75:
            back = rng.randint(0, 13)
        else:
            back = rng.choices(range(DAYS), weights=[d + 4 for d in range(DAYS)])[0]
        reason = self.reason()
        delay = dt.timedelta(minutes=rng.randint(7 * 60 + 30, 11 * 60))
        if reason != Reason.ARRIVAL:
            exposure = self.today - dt.timedelta(days=max(back, 1))
            screened_on = min(exposure + dt.timedelta(days=rng.choice((0, 1, 1, 2))), self.today)
            fields = {"notes": NOTES[reason]}
            if reason in (Reason.CLOSE_CONTACT, Reason.SECONDARY_CONTACT):
                fields["reference_date"] = exposure
                surname = rng.choice("王张李刘陈杨赵孙")
                fields["contact_of_text"] = (
                    f"确诊病例{surname}某（聊城市疾控中心通报）"
                    if reason == Reason.CLOSE_CONTACT
                    else f"密切接触者{surname}某"
                )
            at = self.moment(screened_on)
            return [Plan(person, reason, at, fields, release_delay=delay)]
        arrived_on = self.today - dt.timedelta(days=back)
        reason, fields = self.arrival_fields(person, arrived_on)
        screened_on = min(arrived_on + dt.timedelta(days=rng.choice((0, 0, 0, 1, 1, 2))), self.today)
        at = self.moment(screened_on)
        if _day_of(at) < arrived_on:  # arrived today before dawn: found yesterday evening, as it were
            fields["arrived_on"] = _day_of(at)
            fields["departed_on"] = min(fields["departed_on"], _day_of(at))
        plans = [Plan(person, reason, at, fields, release_delay=delay)]
        if rng.random() < 0.25:  # the family came back together
            others = [
                p for p in self.places.households.get(person.household_id, []) if p.pk not in self.taken
            ]
            for other in others[: rng.choice((1, 1, 2))]:
                self.taken.add(other.pk)
                notes = "随家人返乡"
                plans.append(
                    Plan(
                        other,
                        reason,
                        at + dt.timedelta(minutes=2),
                        {**fields, "notes": notes},
                        release_delay=delay,
                    )
                )
        return plans


def _window(plan: Plan, values: dict, now: dt.datetime) -> tuple[dt.datetime, dt.datetime, str] | None:
    """When the person is under a measure (start, end or now) and the first measure's kind, by the
    policy's regime; None: no measure."""
    reference = (
        plan.fields.get("reference_date") or plan.fields.get("arrived_on") or _day_of(plan.screened_at)
    )
    steps = rules.planned_steps(reference, values["regimes"].get(plan.reason, []))
    steps = [s for s in steps if s[2] > plan.screened_at]
    if not steps:
        return None
    end = steps[-1][2] + plan.release_delay
    return plan.screened_at, min(end, now), steps[0][0]


def _plan_events(
    rng: random.Random, plans: list[Plan], values: dict, now: dt.datetime, first_township
) -> None:
    """Pick who has a fever or a symptom at a follow-up, and when: resolved ones in the past, a few open
    alerts of the last hours, two sent to hospital (one back home after negative tests)."""
    day = dt.timedelta(days=1)
    candidates = []
    for plan in plans:
        window = _window(plan, values, now)
        if window is not None:
            candidates.append((plan, window))
    rng.shuffle(candidates)

    def reading_time(start: dt.datetime, end: dt.datetime) -> dt.datetime | None:
        if end - start < dt.timedelta(hours=12):
            return None
        for _ in range(20):
            moment = start + dt.timedelta(seconds=rng.randrange(int((end - start).total_seconds())))
            local = moment.astimezone(SHANGHAI)
            minute = local.hour * 60 + local.minute
            if (
                MORNING_MINUTES[0] <= minute <= MORNING_MINUTES[1]
                or EVENING_MINUTES[0] <= minute <= EVENING_MINUTES[1]
            ):
                return moment
        return None

    wanted = {"hospital": 1, "hospital_back": 1, "open": 4, "fever": max(3, len(plans) // 45),
              "symptom": max(2, len(plans) // 100)}  # fmt: skip
    open_here = 0  # open alerts in the demo accounts' township
    for plan, (start, end, kind) in candidates:
        active_now = end >= now
        at_home = kind != Kind.CENTRAL_QUARANTINE  # from home to hospital and back home
        here = plan.person.node.path.startswith(first_township.path)
        if wanted["open"] and active_now and (here or open_here >= 2):
            at = reading_time(max(start + dt.timedelta(hours=2), now - dt.timedelta(hours=20)), now)
            if at is not None:
                plan.event, plan.event_at = "open", at
                wanted["open"] -= 1
                open_here += here
                continue
        if wanted["hospital"] and at_home and active_now and end - start > 4 * day:
            at = reading_time(max(start + day, now - 6 * day), now - day)
            if at is not None:
                plan.event, plan.event_at = "hospital", at
                wanted["hospital"] -= 1
                continue
        if wanted["hospital_back"] and at_home and end - start > 6 * day and here:
            at = reading_time(start + day, min(end, now) - 3 * day)
            if at is not None:
                plan.event, plan.event_at = "hospital_back", at
                wanted["hospital_back"] -= 1
                continue
        for event in ("fever", "symptom"):
            if wanted[event]:
                at = reading_time(start + dt.timedelta(hours=6), min(end, now) - day)
                if at is not None:
                    plan.event, plan.event_at = event, at
                    wanted[event] -= 1
                break


# Writing ------------------------------------------------------------------------------------------------


class _Writer:
    def __init__(self, context, rng: random.Random, now: dt.datetime, sites: dict, places: _Places):
        self.context, self.rng, self.now, self.sites = context, rng, now, sites
        self.places = places
        self.users = context.users
        self.rooms: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = defaultdict(list)
        self.policies: dict[tuple[int, dt.date], dict] = {}

    def values(self, node: Jurisdiction, day: dt.date) -> dict:
        key = (node.pk, day)
        if key not in self.policies:
            self.policies[key] = policy_for(node, day).values
        return self.policies[key]

    # Who --------------------------------------------------------------------------------------------

    def staff(self, node: Jurisdiction) -> dict:
        """The actor who records for people of this node, and the caretakers (user, role) to assign."""
        u = self.users
        index = self.context.township_index(node)
        prefix = ("lsz", "tyz", "glj")[index]
        cadre = u["township_staff"] if index == 0 else u[f"{prefix}_cadre"]
        actor = cadre
        caretakers = []
        for key in ("grid1", "grid2"):
            if node.path.startswith(scoping.nodes_with(u[key])[0].path):
                caretakers.append((u[key], CaretakerRole.GRID_WORKER))
                actor = u[key]
        caretakers.append((u[f"{prefix}_doctor"], CaretakerRole.DOCTOR))
        village = self.context.gridded[0][0]
        if node.path.startswith(village.path):
            caretakers.append((u["village"], CaretakerRole.CADRE))
        else:
            caretakers.append((cadre, CaretakerRole.CADRE))
        return {"actor": actor, "cadre": cadre, "caretakers": caretakers, "police": u[f"{prefix}_police"]}

    # Rooms ------------------------------------------------------------------------------------------

    def room(self, node: Jurisdiction, start: dt.datetime, end: dt.datetime | None) -> Room:
        site = (
            self.sites["township"]
            if node.path.startswith(self.context.townships[0].path)
            else self.sites["county"]
        )
        for room in site.rooms_list:
            stays = self.rooms[room.pk]
            overlapping = sum(
                1
                for s, e in stays
                if s < (end or dt.datetime.max.replace(tzinfo=SHANGHAI)) and (e is None or e > start)
            )
            if overlapping < room.capacity:
                stays.append((start, end))
                return room
        raise RuntimeError(f"{site} has no free room")

    # One person ------------------------------------------------------------------------------------

    def write(self, plan: Plan) -> None:
        person, now = plan.person, self.now
        staff = self.staff(person.node)
        actor = staff["actor"]
        screening = actions.record_screening(
            actor=actor,
            person=person,
            reason=plan.reason,
            screened_on=_day_of(plan.screened_at),
            **plan.fields,
        )
        values = self.values(person.node, _day_of(plan.screened_at))
        steps = rules.planned_steps(screening.reference_date, values["regimes"].get(plan.reason, []))
        steps = [s for s in steps if s[2] > plan.screened_at]
        if not steps:
            return  # screened only: the policy asks no measure for this reason
        kind, _start, step_end, _days = steps[0]
        room = None
        if kind == Kind.CENTRAL_QUARANTINE:
            out = step_end if len(steps) > 1 else step_end + plan.release_delay
            room = self.room(person.node, plan.screened_at, out if out <= now else None)
            actor = (
                self.users["township_staff"] if room.site == self.sites["township"] else self.users["county"]
            )
        measure = actions.start_measure(
            actor=actor, person=person, kind=kind, screening=screening, started_at=plan.screened_at, room=room
        )
        caretakers = list(staff["caretakers"])
        if len(caretakers) < 3 and self.rng.random() < 0.35:
            caretakers.append((staff["police"], CaretakerRole.POLICE))
        for user, role in caretakers:
            actions.assign_caretaker(actor=actor, measure=measure, user=user, role=role)
        self.readers = [u for u, r in caretakers if r in (CaretakerRole.GRID_WORKER, CaretakerRole.DOCTOR)]
        if plan.event:
            measure = self.event(plan, measure, staff)
        # Later steps of the regime, then the release once the period is over (and the tests are in).
        while measure is not None and measure.kind != Kind.HOSPITAL and measure.planned_end is not None:
            later = [s for s in steps if s[1] >= measure.planned_end and s[0] != measure.kind]
            if later and measure.planned_end <= now:
                self.tests(measure, until=measure.planned_end)
                room = None
                if later[0][0] == Kind.CENTRAL_QUARANTINE:
                    room = self.room(person.node, measure.planned_end, None)
                measure = actions.transfer_measure(
                    actor=actor,
                    measure=measure,
                    version=measure.version,
                    kind=later[0][0],
                    room=room,
                    reason="按方案转段",
                    at=measure.planned_end,
                )
                continue
            release_at = measure.planned_end + plan.release_delay
            if later or release_at > now:
                break
            self.tests(measure, until=release_at, before_release=True)
            actions.release_measure(
                actor=staff["cadre"], measure=measure, version=measure.version, released_at=release_at
            )
            return
        if measure is not None:
            self.tests(measure, until=now, final=True)

    def reader(self):
        return self.rng.choice(self.readers)

    def event(self, plan: Plan, measure: Measure, staff: dict) -> Measure | None:
        rng, at = self.rng, plan.event_at
        if plan.event in ("hospital", "hospital_back"):
            temperature, symptoms = rng.choice(("38.2", "38.5", "38.7")), ["发热", "干咳"]
        elif plan.event == "symptom":
            temperature, symptoms = rng.choice(("36.6", "36.8")), [rng.choice(("咽痛", "乏力", "干咳"))]
        else:
            temperature, symptoms = rng.choice(("37.3", "37.4", "37.5", "37.6", "37.8")), []
        follow_up = actions.record_follow_up(
            actor=self.reader(), measure=measure, temperature=temperature, symptoms=symptoms, taken_at=at
        )
        alert = Alert.objects.get(follow_up=follow_up)
        if plan.event == "open":
            return measure
        if plan.event == "fever":
            recheck = rng.choice(("36.7", "36.8", "36.9"))
            resolution = f"1小时后复测体温{recheck}℃，无咳嗽、乏力等症状，继续居家观察"
        elif plan.event == "symptom":
            resolution = "村医上门问诊，体温正常，考虑普通感冒，已嘱多饮水、继续观察"
        else:
            resolution = "已由120负压救护车转运至东昌府区人民医院发热门诊"
        hospital = plan.event in ("hospital", "hospital_back")
        minutes = 45 if hospital else rng.randint(40, 150)  # sent to hospital: resolved on the way
        self.resolve(alert, resolution, at + dt.timedelta(minutes=minutes), staff["cadre"])
        if plan.event not in ("hospital", "hospital_back"):
            return measure
        self.tests(measure, until=at)
        hospital = actions.transfer_measure(
            actor=staff["cadre"],
            measure=measure,
            version=measure.version,
            kind=Kind.HOSPITAL,
            reason="随访发现发热伴干咳",
            at=at + dt.timedelta(minutes=40),
        )
        samples = [at + dt.timedelta(hours=3), at + dt.timedelta(days=1, hours=2)]
        for sampled in samples:
            if sampled <= self.now:
                pending = plan.event == "hospital" and sampled > self.now - dt.timedelta(hours=8)
                outcome = TestResult.Outcome.PENDING if pending else TestResult.Outcome.NEGATIVE
                actions.record_test_result(
                    actor=staff["cadre"], person=measure.person, sampled_at=sampled, outcome=outcome
                )
        if plan.event == "hospital":
            return None  # still in hospital
        back = rules.local_midnight(_day_of(at) + dt.timedelta(days=2)) + dt.timedelta(hours=15)
        return actions.transfer_measure(
            actor=staff["cadre"],
            measure=hospital,
            version=hospital.version,
            kind=measure.kind,
            reason="两次核酸检测阴性，排除感染，返家继续居家隔离",
            at=back,
        )

    def resolve(self, alert: Alert, resolution: str, at: dt.datetime, actor) -> None:
        actions.resolve_alert(actor=actor, alert=alert, resolution=resolution)
        # resolve_alert stamps the present; the demo's alert was dealt with when it happened.
        Alert.objects.filter(pk=alert.pk).update(resolved_at=min(at, self.now))

    def tests(self, measure: Measure, *, until: dt.datetime, before_release=False, final=False) -> None:
        """The nucleic-acid tests the policy schedules for this measure (day N after the reference date),
        sampled before `until`; before a release, as many negatives as the policy requires."""
        values = (
            measure.policy.values
            if measure.policy
            else self.values(measure.node, _day_of(measure.started_at))
        )
        screening = measure.screening
        reference = screening.reference_date if screening else _day_of(measure.started_at)
        samples = []
        for n in values.get("tests", {}).get(measure.kind, []):
            sampled = _local(reference + dt.timedelta(days=int(n)), self.rng.randint(9 * 60, 11 * 60 + 30))
            if measure.started_at <= sampled < until and sampled <= self.now:
                samples.append(sampled)
        required = int(values.get("release_tests", 0)) if before_release else 0
        extra = until - dt.timedelta(days=1)
        while len(samples) < required and extra > measure.started_at:
            samples.append(extra)
            extra -= dt.timedelta(days=1)
        for sampled in sorted(samples):
            pending = final and sampled > self.now - dt.timedelta(hours=8)
            actions.record_test_result(
                actor=self.users["county"],
                person=measure.person,
                sampled_at=sampled,
                outcome=TestResult.Outcome.PENDING if pending else TestResult.Outcome.NEGATIVE,
            )

    # The routine follow-ups ---------------------------------------------------------------------------

    def routine_follow_ups(self, county: Jurisdiction) -> int:
        rng, now = self.rng, self.now
        today = _day_of(now)
        measures = list(
            Measure.objects.filter(node__path__startswith=county.path)
            .exclude(kind=Kind.HOSPITAL)
            .prefetch_related("caretakers")
            .order_by("pk")
        )
        done = set(
            FollowUp.objects.filter(measure__node__path__startswith=county.path).values_list(
                "person_id", "slot_date", "slot"
            )
        )
        # The latest slot that has ended: the overdue list of the follow-up page. Two or three of each
        # demo grid's people have not been visited for it yet.
        local = now.astimezone(SHANGHAI)
        latest = (today, rules.MORNING) if local.hour >= 12 else (today - dt.timedelta(days=1), rules.EVENING)
        latest_end = rules.slot_bounds(*latest)[1]
        overdue = set()
        for grid in self.places.demo_grids:
            owing = [
                m.pk
                for m in measures
                if m.node_id == grid.pk and rules.owes_slot(m.started_at, m.released_at, latest_end)
            ]
            overdue.update(rng.sample(owing, min(len(owing), rng.choice((2, 3)))))
        threshold = Decimal(str(self.values(county, today).get("fever_threshold", "37.3")))
        rows = []
        for measure in measures:
            readers = [
                c.user_id
                for c in measure.caretakers.all()
                if c.role in (CaretakerRole.GRID_WORKER, CaretakerRole.DOCTOR)
            ]
            day = _day_of(measure.started_at)
            while day <= today:
                for slot in rules.due_slots(measure.started_at, measure.released_at, day):
                    if (measure.person_id, day, slot) in done:
                        continue
                    slot_start, slot_end = rules.slot_bounds(day, slot)
                    ended = slot_end <= now
                    if ended:
                        miss = 0.1 if (day, slot) == latest else 0.025
                        if measure.pk in overdue and (day, slot) == latest or rng.random() < miss:
                            continue
                    window = MORNING_MINUTES if slot == rules.MORNING else EVENING_MINUTES
                    taken_at = _local(day, rng.randint(*window)) + dt.timedelta(seconds=rng.randrange(60))
                    if taken_at <= measure.started_at:  # visited soon after the measure began
                        room = max(int((slot_end - measure.started_at).total_seconds()) - 1, 0)
                        taken_at = measure.started_at + dt.timedelta(
                            seconds=min(room, rng.randint(600, 5400))
                        )
                    if taken_at > now or (not ended and rng.random() < 0.3):
                        continue  # not visited yet
                    value = check_temperature(_TEMPERATURES.pick(rng))
                    slot_date, slot_name = rules.slot_of(taken_at)
                    self_reported = rng.random() < 0.25 or not readers
                    rows.append(
                        FollowUp(
                            measure=measure,
                            person_id=measure.person_id,
                            slot_date=slot_date,
                            slot=slot_name,
                            taken_at=taken_at,
                            temperature=value,
                            symptoms=[],
                            is_abnormal=rules.is_abnormal(value, [], threshold),
                            self_reported=self_reported,
                            recorded_by_id=None if self_reported else rng.choice(readers),
                        )
                    )
                    done.add((measure.person_id, slot_date, slot_name))
                day += dt.timedelta(days=1)
        FollowUp.objects.bulk_create(rows, batch_size=2000)
        record(
            actor=self.users["county"],
            action=Action.CREATE,
            node_path=county.path,
            change="demo_follow_ups",
            count=len(rows),
        )
        return len(rows)


# Sites ---------------------------------------------------------------------------------------------------


def _sites(context) -> dict:
    township = context.townships[0]
    users = context.users
    site = actions.create_site(
        actor=users["township"],
        node=township,
        name=site_name(township),
        address=f"{township.name}驻地镇政府西侧200米",
        contact_phone="0635-8561120",
    )
    for prefix, first, last, capacity in SITE_ROOMS:
        actions.add_rooms(
            actor=users["township"], site=site, first=first, last=last, capacity=capacity, prefix=prefix
        )
    hotel = (
        Unit.objects.filter(node__path__startswith=context.county.path, kind=UnitKind.HOTEL)
        .order_by("pk")
        .first()
    )
    county_site = actions.create_site(
        actor=users["county"],
        node=context.county,
        name=COUNTY_SITE,
        address=hotel.address if hotel else "古楼街道古城社区",
        contact_phone="0635-8215566",
        unit=hotel,
    )
    for prefix, first, last, capacity in COUNTY_SITE_ROOMS:
        actions.add_rooms(
            actor=users["county"], site=county_site, first=first, last=last, capacity=capacity, prefix=prefix
        )
    sites = {"township": site, "county": county_site}
    for s in sites.values():
        s.rooms_list = list(Room.objects.filter(site=s).order_by("number"))
    return sites


def is_loaded(context) -> bool:
    return QuarantineSite.objects.filter(
        node=context.townships[0], name=site_name(context.townships[0])
    ).exists()


def load(*, context, seed: int, now: dt.datetime | None = None) -> dict | None:
    """Write the demo's key persons (once: None when they are there already). Call in a transaction."""
    if is_loaded(context):
        return None
    now = now or timezone.now()
    rng = random.Random(f"{seed}:measures")
    places = _places(context)
    residents = sum(len(p) for p in places.people.values())
    total = max(MIN_KEY_PERSONS, min(MAX_KEY_PERSONS, round(residents * SHARE)))
    plans = _Planner(rng, places, now).plans(total)
    values = policy_for(context.county, _day_of(now)).values
    _plan_events(rng, plans, values, now, context.townships[0])
    sites = _sites(context)
    writer = _Writer(context, rng, now, sites, places)
    for plan in sorted(plans, key=lambda p: (p.screened_at, p.person.id_number)):
        writer.write(plan)
    follow_ups = writer.routine_follow_ups(context.county)
    return summary(context.county, now=now) | {"routine_follow_ups": follow_ups}


def summary(county: Jurisdiction, *, now: dt.datetime) -> dict:
    screenings = Screening.objects.filter(node__path__startswith=county.path)
    measures = Measure.objects.filter(node__path__startswith=county.path)
    active = Counter(
        dict(measures.filter(released_at=None).order_by().values_list("kind").annotate(n=Count("pk")))
    )
    alerts = Alert.objects.filter(measure__node__path__startswith=county.path)
    return {
        "screened": screenings.values("person").distinct().count(),
        "by_reason": dict(screenings.order_by().values_list("reason").annotate(n=Count("pk"))),
        "active": {kind: active.get(kind, 0) for kind in Kind.values},
        "released": measures.filter(released_at__isnull=False, transferred_to__isnull=True).count(),
        "caretakers": measures.filter(released_at=None).aggregate(n=Count("caretakers"))["n"],
        "follow_ups": FollowUp.objects.filter(measure__node__path__startswith=county.path).count(),
        "alerts": alerts.count(),
        "alerts_open": alerts.filter(resolved_at=None).count(),
        "tests": TestResult.objects.filter(person__node__path__startswith=county.path).count(),
        "sites": QuarantineSite.objects.filter(Q(node__path__startswith=county.path)).count(),
    }
