"""Checkpoints for the demo county, after its venues (venues/demo.py).

- Two checkpoints of 梁水镇 with duty shifts for the demo staff and their passages (people and
  vehicles, a car and a visitor turned back, a fever sent to the fever clinic, which screens that person)
  through record_passage. assign_shift plans only shifts that have not ended, so the shifts of past
  days, which the passages of those days need, are inserted directly.
"""

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from fangkong.checkpoints import actions
from fangkong.checkpoints.models import Checkpoint, CheckpointKind, Direction, DutyShift, Outcome
from fangkong.healthcodes import identity
from fangkong.healthcodes.demo import DemoResidents, at_minute
from fangkong.lib.errors import RuleError
from fangkong.measures import demo as measures_demo
from fangkong.registry import population

PASSAGE_DAYS = 4
PLATES = [("鲁P", 70), ("鲁A", 8), ("鲁N", 4), ("冀D", 6), ("豫J", 6), ("京Q", 2), ("苏E", 2), ("浙A", 2)]
PURPOSES_IN = ["返家", "返家", "上班", "务农", "购物返回", "探亲", "送货"]
PURPOSES_OUT = ["上班", "就医", "赶集", "购物", "办事", "务农"]
ORIGINS = ["聊城市区", "堂邑镇", "梁水镇驻地", "东昌府区人民医院", "阳谷县", "茌平区", "临清市"]


class CheckpointDemo(DemoResidents):
    # Checkpoints ----------------------------------------------------------------------------------------

    def checkpoints(self) -> dict:
        lsz, village = self.nodes["lsz"], self.nodes["lsz_v1"]
        label = population.village_label(village.name)[0]
        admin = self.users["township"]
        road = actions.create_checkpoint(
            actor=admin,
            node=lsz,
            name=f"{lsz.name}东入口卡口",
            kind=CheckpointKind.ROAD,
            address=f"{lsz.name}驻地东侧路口",
        )
        gate = actions.create_checkpoint(
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
            morning, evening = at_minute(day, 8 * 60), at_minute(day, 20 * 60)
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
        start = at_minute(first, 8 * 60) - dt.timedelta(hours=12)
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
                    actions.assign_shift(
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
                recorded = actions.record_passage(
                    actor=on_duty(checkpoint, at), checkpoint=checkpoint, at=at, **fields
                )
            except RuleError as exc:
                if "outcome" not in exc.errors:
                    raise
                fields["outcome"] = Outcome.HANDED_OVER  # a code turned red: handed to the village
                recorded = actions.record_passage(
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
                    at = at_minute(day, rng.randint(6 * 60, 22 * 60)) + dt.timedelta(
                        seconds=rng.randrange(60)
                    )
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
            at_minute(yesterday, 14 * 60 + 30),
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
            at_minute(before, 10 * 60 + 15),
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
            at_minute(yesterday, 16 * 60 + 20),
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
    return Checkpoint.objects.filter(node__path__startswith=context.county.path).exists()


def load(*, context, seed: int, now: dt.datetime | None = None) -> dict | None:
    """Write the demo's checkpoints, duty shifts and passages (once: None when there). Run after
    venues.demo.load; call in a transaction."""
    if is_loaded(context):
        return None
    demo = CheckpointDemo(context, seed, now or timezone.now(), stream="checkpoints")
    return demo.checkpoints()
