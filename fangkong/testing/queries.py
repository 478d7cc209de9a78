"""Reads of the testing module, each scoped through grid.scoping: a user sees the tubes sampled in their
subtree, the people registered there, and the rounds over it."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, QuerySet

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.healthcodes.tokens import InvalidToken, read_token
from fangkong.measures.models import Measure, TestResult
from fangkong.measures.rules import SHANGHAI, local_midnight
from fangkong.policy.models import Kind
from fangkong.policy.queries import PoliciesInForce, policy_for
from fangkong.registry.models import Person
from fangkong.registry.queries import persons_visible_to, search_filter

from . import rules, sources
from .models import (
    KeyGroupMember,
    Result,
    ResultAlert,
    Retest,
    Round,
    RoundCount,
    Sample,
    SampleMember,
    SamplingPoint,
)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


# Points, samples, rounds ------------------------------------------------------------------------------------


def points_visible_to(user) -> QuerySet[SamplingPoint]:
    return scoping.visible_to(user, SamplingPoint.objects.select_related("node"), path_field="node__path")


def access_point(user, pk, *, write: bool = False) -> SamplingPoint:
    return scoping.access(
        user, SamplingPoint.objects.select_related("node"), pk, path_field="node__path", write=write
    )


def samples_visible_to(user) -> QuerySet[Sample]:
    return scoping.visible_to(user, Sample.objects.select_related("node", "point"), path_field="node__path")


def access_sample(user, pk, *, write: bool = False) -> Sample:
    qs = Sample.objects.select_related("node", "point", "round")
    return scoping.access(user, qs, pk, path_field="node__path", write=write)


def members_of(sample: Sample) -> QuerySet[SampleMember]:
    return sample.members.select_related("person__node", "test_result").order_by("-id")


def rounds_visible_to(user) -> QuerySet[Round]:
    return scoping.visible_to(user, Round.objects.select_related("node"), path_field="node__path")


def access_round(user, pk, *, write: bool = False) -> Round:
    return scoping.access(
        user, Round.objects.select_related("node"), pk, path_field="node__path", write=write
    )


def writable_nodes(user) -> list[Jurisdiction]:
    return scoping.nodes_with(user, scoping.WRITE)


# Finding the person in front of the sampler ------------------------------------------------------------------


def find_people(user, text: str, *, limit: int = 10) -> list[Person]:
    """Who a scanned or typed text names: a health-code QR (its token), an ID number, or a search (name,
    pinyin, last four digits). Only people the user may see."""
    text = (text or "").strip()
    if not text:
        return []
    visible = persons_visible_to(user).select_related("node", "household")
    if len(text) > 24 and ":" in text:  # a signed code token
        try:
            identity = read_token(text)
        except InvalidToken:
            return []
        return list(visible.filter(pk=identity.person_id)) if identity.person_id else []
    return list(visible.filter(search_filter(text)).order_by("name", "pk")[:limit])


def persons_by_pk(user, pk) -> Person | None:
    return persons_visible_to(user).select_related("node").filter(pk=pk).first()


def access_member(user, pk) -> SampleMember:
    qs = SampleMember.objects.select_related("sample__node", "person")
    return scoping.access(user, qs, pk, path_field="sample__node__path", write=True)


# Re-tests and positive reports -------------------------------------------------------------------------------


def open_retests(user, *, node: Jurisdiction | None = None) -> QuerySet[Retest]:
    retests = scoping.visible_to(user, Retest.objects.filter(done_by=None), path_field="node__path")
    if node is not None:
        retests = retests.filter(node__path__startswith=node.path)
    return retests.select_related("person__household", "node", "source").order_by(
        "node__path", "requested_at"
    )


def alerts_visible_to(user) -> QuerySet[ResultAlert]:
    return scoping.visible_to(
        user,
        ResultAlert.objects.select_related("sample", "person", "case", "county"),
        path_field="sample__node__path",
    )


# Schedules --------------------------------------------------------------------------------------------------


@dataclass
class Due:
    person: Person
    why: str  # the measure or the key group
    due_on: dt.date
    state: str  # rules.DUE or rules.OVERDUE
    measure: Measure | None = None


@dataclass
class Schedule:
    today: dt.date
    rows: list[Due] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.state == rules.OVERDUE)

    @property
    def due(self) -> int:
        return sum(1 for r in self.rows if r.state == rules.DUE)


def day_one(measure: Measure) -> dt.date:
    """Day 1 of the measure, as its follow-up sheet counts it (measures.queries)."""
    if measure.planned_end and measure.period_days:
        return local_date(measure.planned_end) - dt.timedelta(days=measure.period_days)
    return local_date(measure.started_at)


def schedule(user, *, today: dt.date, node: Jurisdiction | None = None) -> Schedule:
    """Tests due today or overdue: people under an active measure on the test days of the policy the
    measure was started under, and key-group members at their group's frequency. A day is done when the
    person has a test (any outcome, pending included) sampled that day."""
    out = Schedule(today=today)
    end = local_midnight(today + dt.timedelta(days=1))
    measures = scoping.visible_to(
        user,
        Measure.objects.filter(released_at=None, started_at__lt=end).exclude(kind=Kind.HOSPITAL),
        path_field="node__path",
    )
    members = scoping.visible_to(
        user, KeyGroupMember.objects.filter(active=True, since__lte=today), path_field="person__node__path"
    )
    if node is not None:
        measures = measures.filter(node__path__startswith=node.path)
        members = members.filter(person__node__path__startswith=node.path)
    measures = list(measures.select_related("person__node", "policy", "node"))
    members = list(members.select_related("person__node"))
    persons = {m.person_id for m in measures} | {m.person_id for m in members}
    tested = tested_days(persons, before=end)
    policies: dict = {}
    for m in measures:
        start_day = local_date(m.started_at)
        key = (m.node_id, start_day, m.policy_id)
        if key not in policies:
            policies[key] = policy_for(m.node, start_day, pinned=m.policy).values
        values = policies[key]
        for due_on in rules.measure_test_dates(kind=m.kind, day_one=day_one(m), values=values):
            if due_on < start_day:
                continue
            state = rules.schedule_state(due_on=due_on, tested_on=tested.get(m.person_id, set()), today=today)
            if state in (rules.DUE, rules.OVERDUE):
                out.rows.append(Due(m.person, str(Kind(m.kind).label), due_on, state, m))
    for status in member_statuses(members, today=today, tested=tested):
        if status.state in (rules.DUE, rules.OVERDUE):
            out.rows.append(
                Due(status.member.person, status.member.get_group_display(), status.due_on, status.state)
            )
    for source in sources.DUE:  # e.g. the workers of a cold-chain trace (testing/sources.py)
        for person, why, due_on in source(user=user, today=today, node=node):
            state = rules.DUE if due_on == today else rules.OVERDUE
            out.rows.append(Due(person, why, due_on, state))
    out.rows.sort(key=lambda r: (r.state != rules.OVERDUE, r.due_on, r.person.name))
    return out


# Key groups ------------------------------------------------------------------------------------------------


@dataclass
class MemberStatus:
    """A key-group member's place in their testing cycle on `today`."""

    member: KeyGroupMember
    every: int  # days between two tests, the policy's for the group
    last_tested: dt.date | None  # the last day sampled, on or before today
    due_on: dt.date
    state: str  # rules.DUE, rules.OVERDUE or rules.UPCOMING
    today: dt.date

    @property
    def overdue_days(self) -> int:
        return max((self.today - self.due_on).days, 0)


def tested_days(person_ids, *, before: dt.datetime) -> dict[int, set[dt.date]]:
    """The days each person was sampled (any outcome, pending included), sampled before `before`."""
    tested: dict[int, set[dt.date]] = {}
    rows = TestResult.objects.filter(person_id__in=list(person_ids), sampled_at__lt=before)
    for person_id, at in rows.values_list("person_id", "sampled_at"):
        tested.setdefault(person_id, set()).add(local_date(at))
    return tested


def member_statuses(members, *, today: dt.date, tested: dict[int, set[dt.date]]) -> list[MemberStatus]:
    """Each member's frequency (the policy in force where the person is registered, today), last test and
    next due day: one query for the policies, none per member (members come with person__node)."""
    policies = PoliciesInForce.for_paths({m.person.node.path for m in members}, today)
    out = []
    for member in members:
        every = int(
            rules.key_group_days(policies.values(member.person.node.path, today)).get(member.group, 7)
        )
        last = max((d for d in tested.get(member.person_id, ()) if d <= today), default=None)
        due_on = rules.key_group_next(last_tested=last, since=member.since, every=every)
        state = rules.UPCOMING if due_on > today else rules.DUE if due_on == today else rules.OVERDUE
        out.append(MemberStatus(member, every, last, due_on, state, today))
    return out


def key_group_members(
    user, *, today: dt.date, group: str = "", node: Jurisdiction | None = None
) -> list[MemberStatus]:
    """The active members the user may see (of one group, under one node), overdue first, then by the day
    their next test is due. Four queries whatever their number."""
    members = scoping.visible_to(
        user, KeyGroupMember.objects.filter(active=True), path_field="person__node__path"
    ).select_related("person__node")
    if group:
        members = members.filter(group=group)
    if node is not None:
        members = members.filter(person__node__path__startswith=node.path)
    members = list(members)
    tested = tested_days({m.person_id for m in members}, before=local_midnight(today + dt.timedelta(days=1)))
    rows = member_statuses(members, today=today, tested=tested)
    rows.sort(key=lambda r: (r.state != rules.OVERDUE, r.due_on, r.member.person.name, r.member.pk))
    return rows


def access_key_group_member(user, pk) -> KeyGroupMember:
    qs = KeyGroupMember.objects.select_related("person__node")
    return scoping.access(user, qs, pk, path_field="person__node__path", write=True)


# Mass-testing rounds ----------------------------------------------------------------------------------------


@dataclass
class Progress:
    node: Jurisdiction
    target: int = 0
    sampled: int = 0
    back: int = 0  # people whose tube has a result
    positive_tubes: int = 0

    @property
    def pct(self) -> float | None:
        return rules.percent(self.sampled, self.target)

    @property
    def missing(self) -> int:
        return max(self.target - self.sampled, 0)


def _child_of(path: str, parent: str, children: dict[str, "Progress"]) -> "Progress | None":
    rest = path[len(parent) :]
    if not rest:
        return None
    return children.get(parent + rest.split("/", 1)[0] + "/")


def round_progress(round_: Round, node: Jurisdiction) -> tuple[Progress, list[Progress]]:
    """The round's figures for `node` and each of its children: target (people registered there), people
    sampled in the round, people whose result is back, positive tubes. Sampled and back are the kept
    counts per path (RoundCount, kept by the actions); positive tubes from the round's positive samples."""
    total = Progress(node)
    children = {c.path: Progress(c) for c in Jurisdiction.objects.filter(parent=node).order_by("code")}
    # People per node of the subtree: the nodes' ids first, then one grouped count over the persons'
    # node index (no join on the jurisdiction table for each person).
    paths = dict(Jurisdiction.objects.filter(path__startswith=node.path).values_list("pk", "path"))
    counts = Person.objects.filter(node_id__in=list(paths)).values_list("node_id").annotate(n=Count("pk"))
    for path, n in ((paths[node_id], n) for node_id, n in counts):
        total.target += n
        if child := _child_of(path, node.path, children):
            child.target += n
    kept = RoundCount.objects.filter(round=round_, path__startswith=node.path)
    for path, people, back in kept.values_list("path", "sampled", "back"):
        total.sampled += people
        total.back += back
        if child := _child_of(path, node.path, children):
            child.sampled += people
            child.back += back
    # A member's round is its tube's (actions.add_member): the round's positive tubes are few.
    positive_ids = list(
        Sample.objects.filter(round=round_, result=Result.POSITIVE).values_list("pk", flat=True)
    )
    positives = (
        SampleMember.objects.filter(round=round_, path__startswith=node.path, sample_id__in=positive_ids)
        .values_list("path", "sample_id")
        .distinct()
        if positive_ids
        else []
    )
    seen_total, seen_child = set(), set()
    for path, sample_id in positives:
        if sample_id not in seen_total:
            seen_total.add(sample_id)
            total.positive_tubes += 1
        child = _child_of(path, node.path, children)
        if child and (child.node.pk, sample_id) not in seen_child:
            seen_child.add((child.node.pk, sample_id))
            child.positive_tubes += 1
    return total, list(children.values())


def not_sampled(round_: Round, node: Jurisdiction) -> QuerySet[Person]:
    """People registered under `node` not sampled in the round yet: the list for the door-to-door visit."""
    sampled = SampleMember.objects.filter(round=round_, person=OuterRef("pk"))
    return (
        Person.objects.filter(node__path__startswith=node.path)
        .filter(~Exists(sampled))
        .select_related("household", "node")
        .order_by("node__path", "household__address", "pk")
    )
