"""Testing for the demo county (registry/demo.py): a sampling point in each village of the first township
with grids, and yesterday's mass-testing round over the first of them — most residents sampled in pools
of ten, the results back (all negative but one invalid pool, whose people are asked for a new sample),
the last tubes still at the lab; and a few cold-chain workers tested weekly, one overdue. Repeatable: one
`random.Random` per seed. Written through the actions."""

import datetime as dt
import random

from django.utils import timezone

from fangkong.measures.rules import local_midnight
from fangkong.registry.models import Person

from . import actions
from .models import Round

POOL = 10
COVERAGE = 0.8


def is_loaded(context) -> bool:
    return Round.objects.filter(node__path__startswith=context.county.path).exists()


def load(*, context, seed: int, now: dt.datetime | None = None) -> dict | None:
    if is_loaded(context):
        return None
    now = now or timezone.now()
    rng = random.Random(f"{seed}:testing")
    actor = context.users["county"]
    villages = context.gridded[0]
    points = [
        actions.create_point(actor=actor, node=v, name=f"{v.name}核酸采样点", address=f"{v.name}村委会广场")
        for v in villages
    ]
    village = villages[0]
    yesterday = timezone.localdate(now) - dt.timedelta(days=1)
    round_ = actions.create_round(
        actor=actor, node=village, name=f"{village.name}第一轮全员核酸", starts_on=yesterday
    )
    people = list(
        Person.objects.filter(node__path__startswith=village.path).select_related("node").order_by("pk")
    )
    sampled = [p for p in people if rng.random() < COVERAGE]
    start = local_midnight(yesterday) + dt.timedelta(hours=7)
    tubes = []
    for i in range(0, len(sampled), POOL):
        at = start + dt.timedelta(minutes=2 * (i // POOL))
        tube = actions.open_sample(
            actor=actor,
            tube_code=f"DC{yesterday:%m%d}{i // POOL + 1:05d}",
            kind="pool",
            capacity=POOL,
            node=village,
            point=points[0],
            round=round_,
            sampled_at=min(at, now),
        )
        for person in sampled[i : i + POOL]:
            actions.add_member(actor=actor, sample=tube, person=person)
        tubes.append(tube)
    back = tubes[: max(len(tubes) - 2, 0)]
    outcomes = [actions.Outcome(t, "invalid" if n == 3 else "negative") for n, t in enumerate(back)]
    if outcomes:
        actions.record_results(actor=actor, outcomes=outcomes, lab="聊城市疾控中心实验室", at=now)
    workers = [p for p in people if p not in sampled][:4]
    for n, person in enumerate(workers):
        actions.add_to_key_group(
            actor=actor, person=person, group="cold_chain", since=yesterday - dt.timedelta(days=20)
        )
        if n < 2:
            tube = actions.open_sample(
                actor=actor,
                tube_code=f"DS{yesterday:%m%d}{n + 1:04d}",
                kind="single",
                capacity=1,
                node=person.node,
                point=points[0],
                sampled_at=start - dt.timedelta(days=2 + 7 * n),
            )
            actions.add_member(actor=actor, sample=tube, person=person)
            actions.record_result(actor=actor, sample=tube, result="negative", lab="聊城市疾控中心实验室")
    return {
        "points": len(points),
        "tubes": len(tubes),
        "sampled": len(sampled),
        "target": len(people),
        "results": len(outcomes),
        "key_group": len(workers),
    }
