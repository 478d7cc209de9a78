"""Reads of checkpoints and passages, scoped through actions.py's access rules (the user's area,
or the checkpoint where they are on duty) and grid.scoping."""

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fangkong.checkpoints.actions import checkpoints_visible_to
from fangkong.checkpoints.models import Checkpoint, DutyShift, Outcome, Passage
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.healthcodes import rules as code_rules
from fangkong.measures import rules


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """00:00 of D and 00:00 of D+1, Asia/Shanghai."""
    return rules.local_midnight(day), rules.local_midnight(day + dt.timedelta(days=1))


def passages_visible_to(user) -> QuerySet[Passage]:
    return Passage.objects.filter(checkpoint__in=checkpoints_visible_to(user))


def passages_on(checkpoint: Checkpoint, day: dt.date) -> QuerySet[Passage]:
    """The passages of one checkpoint during D, in the order they happened (the ledger's order)."""
    start, end = day_bounds(day)
    return (
        Passage.objects.filter(checkpoint=checkpoint, at__gte=start, at__lt=end)
        .select_related("identity", "recorded_by", "screening")
        .order_by("at", "pk")
    )


def day_counts(passages: QuerySet[Passage]) -> dict:
    """People, vehicles, turned back and fevers among these passages, in one query."""
    return passages.aggregate(
        total=Count("pk"),
        people=Count("pk", filter=Q(identity__isnull=False)),
        vehicles=Count("pk", filter=~Q(plate="")),
        turned_back=Count("pk", filter=Q(outcome=Outcome.TURNED_BACK)),
        fevers=Count("pk", filter=Q(fever=True)),
    )


def checkpoint_rows(user, *, day: dt.date) -> list[Checkpoint]:
    """The checkpoints the user sees, each with its passages of D counted (one query)."""
    start, end = day_bounds(day)
    during = Q(passages__at__gte=start, passages__at__lt=end)
    return list(
        checkpoints_visible_to(user)
        .annotate(
            people=Count("passages", filter=during & Q(passages__identity__isnull=False)),
            vehicles=Count("passages", filter=during & ~Q(passages__plate="")),
            fevers=Count("passages", filter=during & Q(passages__fever=True)),
        )
        .order_by("-active", "node__path", "name")
    )


def shifts_of(checkpoint: Checkpoint, *, now: dt.datetime | None = None) -> list[DutyShift]:
    """The shifts under way and to come, then the last few that ended."""
    now = now or timezone.now()
    shifts = DutyShift.objects.filter(checkpoint=checkpoint).select_related("user")
    coming = list(shifts.filter(ends_at__gt=now).order_by("starts_at")[:50])
    past = list(shifts.filter(ends_at__lte=now).order_by("-ends_at")[:5])
    return coming + past


def fevers_visible_to(user, *, since: dt.datetime) -> QuerySet[Passage]:
    """Fevers at checkpoints since a moment: those at checkpoints in the user's area, and those of
    people who live in it (wherever the checkpoint was), newest first."""
    at_checkpoint = scoping.subtree_filter(user, scoping.VIEW, "checkpoint__node__path")
    home = scoping.subtree_filter(user, scoping.VIEW, "identity__person__node__path")
    if at_checkpoint is None or home is None:
        return Passage.objects.none()
    return (
        Passage.objects.filter(at_checkpoint | home, fever=True, at__gte=since)
        .select_related("checkpoint__node", "identity__person__node", "screening")
        .order_by("-at")
    )


def fever_rows(user, *, since: dt.datetime, limit: int = 200) -> list[dict]:
    """The fever list as shown: the name in full only for people who live in the user's area, and
    whether a screening exists or can be started by this user."""
    rows = []
    for passage in fevers_visible_to(user, since=since)[:limit]:
        identity = passage.identity
        person = identity.person if identity is not None else None
        ours = person is not None and scoping.can(user, scoping.VIEW, person.node)
        rows.append(
            {
                "passage": passage,
                "name": (identity.name if ours else identity.masked_name) if identity else "",
                "home": person.node.name if ours else "",
                "person": person if ours else None,
                "can_screen": (
                    ours and passage.screening_id is None and scoping.can(user, scoping.WRITE, person.node)
                ),
            }
        )
    return rows


# What health codes read of checkpoints (healthcodes/sources.py, registered in apps.py) ------------------


def temperature_readings(*, identity, after: dt.datetime, until: dt.datetime) -> list[code_rules.Reading]:
    """The temperatures taken of a resident at checkpoints in (after, until]: they count for the colour
    like a follow-up's (a fever at a checkpoint is an abnormal reading)."""
    passages = (
        Passage.objects.filter(identity=identity, at__gt=after, at__lte=until)
        .filter(Q(temperature__isnull=False) | Q(fever=True))
        .select_related("checkpoint")
    )
    return [
        code_rules.Reading(
            at=p.at,
            abnormal=p.fever,
            temperature=p.temperature,
            symptoms=(),
            where=f"在{p.checkpoint.name}测温",
            check=f"passage {p.pk}",
        )
        for p in passages
    ]


def last_seen_at(identity) -> Jurisdiction | None:
    """The node of the checkpoint a resident last passed, if any."""
    last = Passage.objects.filter(identity=identity).select_related("checkpoint__node").first()
    return last.checkpoint.node if last else None
