"""Writes of contacts: people the case names, the co-presence search (and the secondary one through a close
contact), and the investigator's decisions, which put contacts under the measure the policy prescribes.

Every action checks the actor's scope on the case, runs in one transaction, writes its audit row there,
and can be retried: a search run twice finds the same rows and keeps their decisions; a decision taken
twice creates no second screening, measure or caretaker.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from fangkong.audit.actions import record, record_many
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Level, Membership, Role
from fangkong.healthcodes.models import Identity
from fangkong.lib.errors import RuleError
from fangkong.lib.idcard import InvalidIdNumber
from fangkong.lib.idcard import parse as parse_id
from fangkong.lib.phones import InvalidPhone, normalize_phone
from fangkong.measures import actions as measure_actions
from fangkong.measures.models import CaretakerRole, Measure, Room
from fangkong.policy.models import Kind, Reason
from fangkong.policy.queries import PoliciesInForce, policy_for, tracing_values
from fangkong.registry.models import Person
from fangkong.tracing import rules
from fangkong.tracing.actions.cases import resolve_alerts
from fangkong.tracing.models import Candidate, CandidateSource, Case, Decision
from fangkong.tracing.queries import identity_ids_of, policy_of, window_of
from fangkong.tracing.search import Query, co_presence
from fangkong.venues.queries import dwell_minutes

REASON_OF = {Decision.CLOSE: Reason.CLOSE_CONTACT, Decision.SECONDARY: Reason.SECONDARY_CONTACT}
CONTACTS = tuple(REASON_OF)
# Caretakers assigned when a contact is put under a measure: the nearest grid worker and the nearest
# village (else township) cadre of the contact's own area — staff or admin there, never the county's. A
# doctor has no role of their own in the tree: the township adds one (and police) on the measure's page.
CARETAKER_ROLES = {
    Role.GRID_WORKER: CaretakerRole.GRID_WORKER,
    Role.ADMIN: CaretakerRole.CADRE,
    Role.VILLAGE_STAFF: CaretakerRole.CADRE,
    Role.TOWNSHIP_STAFF: CaretakerRole.CADRE,
}


@dataclass(frozen=True)
class SearchSummary:
    found: int  # candidates the search returned (venue hits and household members)
    new: int  # of which not known before
    venues: int  # venues where someone overlapped


@dataclass(frozen=True)
class DecisionSummary:
    decided: int = 0  # candidates whose decision changed
    unchanged: int = 0  # already so decided: nothing done
    screenings: int = 0
    measures: int = 0
    caretakers: int = 0
    handed_over: int = 0  # outside the county or the decider's reach: on the hand-over list (协查)
    already_managed: int = 0  # under a measure already (e.g. an arrival): linked, no second measure


# Named contacts --------------------------------------------------------------------------------------


@transaction.atomic
def name_contact(
    *,
    actor,
    case: Case,
    name: str,
    id_number: str = "",
    phone: str = "",
    relation: str = "",
    person: Person | None = None,
    request=None,
) -> Candidate:
    """Someone the case names (carers, colleagues, meals, visitors). Linked to the registry person and the
    code identity when the ID number is known here; otherwise kept as told, for the hand-over. Naming the
    same person again returns the same row."""
    scoping.require(actor, scoping.WRITE, case.node, "无权修改该病例的流调信息")
    errors = {}
    name = (name or "").strip()
    if person is not None:
        name = name or person.name
        id_number = id_number or person.id_number
        phone = phone or person.phone
    if not name:
        errors["name"] = "姓名不能为空"
    if id_number:
        try:
            id_number = parse_id(id_number).normalized
        except InvalidIdNumber as exc:
            errors["id_number"] = str(exc)
    if phone:
        try:
            phone = normalize_phone(phone)
        except InvalidPhone as exc:
            errors["phone"] = str(exc)
    if errors:
        raise RuleError(errors)
    if person is None and id_number:
        person = Person.objects.filter(id_number=id_number).select_related("node").first()
    identity = Identity.objects.filter(id_number=id_number).first() if id_number else None
    if identity is None and person is not None:
        identity = Identity.objects.filter(person=person).first()
    same = Candidate.objects.filter(case=case, via=None, source=CandidateSource.NAMED)
    if person is not None:
        existing = same.filter(person=person).first()
    elif id_number:
        existing = same.filter(id_number=id_number).first()
    else:
        existing = same.filter(name=name, phone=phone).first()
    if existing is not None:
        return existing
    candidate = Candidate.objects.create(
        case=case,
        source=CandidateSource.NAMED,
        person=person,
        identity=identity,
        name=name[:50],
        id_number=id_number,
        phone=phone,
        relation=(relation or "").strip()[:100],
    )
    record(
        actor=actor,
        action=Action.CREATE,
        target=candidate,
        node_path=case.node.path,
        request=request,
        source=CandidateSource.NAMED,
    )
    return candidate


# The co-presence search --------------------------------------------------------------------------------


def _upsert_hits(case: Case, hits, *, via: Candidate | None) -> tuple[int, int]:
    """Candidate rows for the hits: new ones created, known ones updated with the overlap found now
    (their decision kept). Returns (found, new)."""
    identity_ids = {h.identity_id for h in hits}
    person_of = dict(Identity.objects.filter(pk__in=identity_ids).values_list("pk", "person_id"))
    known = {
        (c.identity_id, c.venue_id): c
        for c in Candidate.objects.filter(
            case=case, via=via, source=CandidateSource.VENUE, venue__isnull=False
        )
    }
    new, changed = [], []
    for h in hits:
        row = known.get((h.identity_id, h.venue_id))
        if row is None:
            new.append(
                Candidate(
                    case=case,
                    via=via,
                    source=CandidateSource.VENUE,
                    identity_id=h.identity_id,
                    person_id=person_of.get(h.identity_id),
                    venue_id=h.venue_id,
                    exposed_from=h.first_at,
                    exposed_until=h.last_at,
                    overlap_minutes=h.overlap_minutes,
                )
            )
        elif (row.exposed_from, row.exposed_until, row.overlap_minutes) != (
            h.first_at,
            h.last_at,
            h.overlap_minutes,
        ):
            row.exposed_from, row.exposed_until, row.overlap_minutes = (
                h.first_at,
                h.last_at,
                h.overlap_minutes,
            )
            changed.append(row)
    Candidate.objects.bulk_create(new, batch_size=500)
    Candidate.objects.bulk_update(
        changed, ["exposed_from", "exposed_until", "overlap_minutes"], batch_size=500
    )
    return len(hits), len(new)


def _upsert_household(
    case: Case, person: Person | None, since, until, *, via: Candidate | None
) -> tuple[int, int]:
    """The people registered in the same household: exposed over the whole window."""
    if person is None or person.household_id is None:
        return 0, 0
    members = Person.objects.filter(household_id=person.household_id).exclude(pk=person.pk)
    if case.person_id:
        members = members.exclude(pk=case.person_id)
    members = list(members)
    known = set(
        Candidate.objects.filter(
            case=case, via=via, source=CandidateSource.HOUSEHOLD, person__in=members
        ).values_list("person_id", flat=True)
    )
    identities = dict(Identity.objects.filter(person__in=members).values_list("person_id", "pk"))
    new = [
        Candidate(
            case=case,
            via=via,
            source=CandidateSource.HOUSEHOLD,
            person=m,
            identity_id=identities.get(m.pk),
            relation="同住人员",
            exposed_from=since,
            exposed_until=until,
        )
        for m in members
        if m.pk not in known
    ]
    Candidate.objects.bulk_create(new)
    return len(members), len(new)


@transaction.atomic
def search_contacts(*, actor, case: Case, now: dt.datetime | None = None, request=None) -> SearchSummary:
    """Run the co-presence search over the case's look-back window and add the household members; the
    people the case named stay as they are. Candidates found before keep their decision."""
    scoping.require(actor, scoping.WRITE, case.node, "无权对该病例开展流调")
    since, until = window_of(case, now)
    hits = co_presence([Query(case.pk, identity_ids_of(case), since, until)], dwell=dwell_minutes)
    found, new = _upsert_hits(case, hits, via=None)
    h_found, h_new = _upsert_household(case, case.person, since, until, via=None)
    summary = SearchSummary(found=found + h_found, new=new + h_new, venues=len({h.venue_id for h in hits}))
    record(
        actor=actor,
        action=Action.UPDATE,
        target=case,
        node_path=case.node.path,
        request=request,
        change="search",
        since=since.isoformat(),
        until=until.isoformat(),
        found=summary.found,
        new=summary.new,
    )
    return summary


def secondary_window(candidate: Candidate, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """A close contact's window (DOMAIN.md §5): from their first exposure to their isolation — the start of
    their measure, else their hand-over or decision, else now."""
    now = now or timezone.now()
    since = candidate.exposed_from or window_of(candidate.case, now)[0]
    until = (
        (candidate.measure.started_at if candidate.measure_id else None)
        or candidate.handed_over_at
        or candidate.decided_at
        or now
    )
    return since, max(since, until)


@transaction.atomic
def search_secondary(
    *, actor, candidate: Candidate, now: dt.datetime | None = None, request=None
) -> SearchSummary:
    """The same search through a close contact, when the policy in force determines secondary contacts:
    who overlapped with them, and who lives with them, between their first exposure and their isolation."""
    candidate = Candidate.objects.select_related("case", "case__node", "person", "measure").get(
        pk=candidate.pk
    )
    case = candidate.case
    scoping.require(actor, scoping.WRITE, case.node, "无权对该病例开展流调")
    if candidate.decision != Decision.CLOSE:
        raise RuleError({"__all__": "只有判定为密切接触者的人员才能查找其密接的密接"})
    if not tracing_values(policy_for(case.node, timezone.localdate(now)).values)["secondary_determined"]:
        raise RuleError({"__all__": "现行防控政策不再判定密接的密接"}, code="forbidden")
    since, until = secondary_window(candidate, now)
    person = candidate.person
    ids = set()
    if candidate.identity_id:
        ids.add(candidate.identity_id)
    if person is not None:
        ids.update(Identity.objects.filter(person=person).values_list("pk", flat=True))
    excluded = set(identity_ids_of(case))
    hits = [
        h
        for h in co_presence([Query(candidate.pk, tuple(sorted(ids)), since, until)], dwell=dwell_minutes)
        if h.identity_id not in excluded
    ]
    found, new = _upsert_hits(case, hits, via=candidate) if ids else (0, 0)
    h_found, h_new = _upsert_household(case, person, since, until, via=candidate)
    summary = SearchSummary(found=found + h_found, new=new + h_new, venues=len({h.venue_id for h in hits}))
    record(
        actor=actor,
        action=Action.UPDATE,
        target=candidate,
        node_path=case.node.path,
        request=request,
        change="search_secondary",
        since=since.isoformat(),
        until=until.isoformat(),
        found=summary.found,
        new=summary.new,
    )
    return summary


# Decisions -------------------------------------------------------------------------------------------


def _person_of(candidate: Candidate) -> Person | None:
    if candidate.person_id:
        return candidate.person
    if candidate.identity_id and candidate.identity.person_id:
        return candidate.identity.person
    if candidate.id_number:
        return Person.objects.filter(id_number=candidate.id_number).select_related("node").first()
    return None


def _county_path(node_path: str) -> str | None:
    parts = node_path.strip("/").split("/")
    county = next((i for i, code in enumerate(parts) if len(code) == 6 and code.isdigit()), None)
    return None if county is None else "/".join(parts[: county + 1]) + "/"


def free_beds(county_path: str, at: dt.datetime) -> list[Room]:
    """The free beds of the active quarantine sites of a county at `at`, a room once per free bed, in the
    order they are given out (one query)."""
    rooms = (
        Room.objects.filter(site__active=True, site__node__path__startswith=county_path)
        .annotate(taken=Count("measures", filter=Q(measures__started_at__lte=at, measures__released_at=None)))
        .filter(taken__lt=F("capacity"))
        .select_related("site", "site__node")
        .order_by("site_id", "number")
    )
    return [room for room in rooms for _bed in range(room.capacity - room.taken)]


def free_room(person: Person, at: dt.datetime, beds: dict | None = None) -> Room | None:
    """A free bed in an active quarantine site of the contact's county, sites nearest to the contact first
    (their village, township, then the county's). `beds`: the free beds per county, kept by a bulk
    decision so that the rooms are read once and not given out twice."""
    county_path = _county_path(person.node.path)
    if county_path is None:
        return None
    beds = {} if beds is None else beds
    if county_path not in beds:
        beds[county_path] = free_beds(county_path, at)
    free = beds[county_path]
    if not free:
        return None
    parts = person.node.path.strip("/").split("/")
    ancestors = {"/".join(parts[: i + 1]) + "/" for i in range(len(parts))}
    best = min(
        range(len(free)),
        key=lambda i: (free[i].site.node.path not in ancestors, -len(free[i].site.node.path), i),
    )
    return free.pop(best)


def caretakers_for(person: Person) -> list[tuple[object, str]]:
    """The nearest grid worker and the nearest village (else township) cadre of the person's area."""
    parts = person.node.path.strip("/").split("/")
    paths = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    rows = (
        Membership.objects.filter(
            node__path__in=paths,
            role__in=list(CARETAKER_ROLES),
            node__level__in=[Level.TOWNSHIP, Level.VILLAGE, Level.GRID],
            user__is_active=True,
        )
        .select_related("user", "node")
        .order_by("-node__path", "user_id")
    )
    chosen: dict[str, tuple] = {}
    for m in sorted(rows, key=lambda m: (-len(m.node.path), m.user_id)):
        role = CARETAKER_ROLES[m.role]
        if role not in chosen and m.user_id not in {u.pk for u, _r in chosen.values()}:
            chosen[role] = (m.user, role)
    return list(chosen.values())


@dataclass
class _Tally:
    decided: int = 0
    unchanged: int = 0
    screenings: int = 0
    measures: int = 0
    caretakers: int = 0
    handed_over: int = 0
    already_managed: int = 0


def _people_of(candidates: list[Candidate]) -> dict[int, Person | None]:
    """`_person_of` for many candidates: those known only by ID number are found in one query."""
    numbers = {
        c.id_number
        for c in candidates
        if not c.person_id and not (c.identity_id and c.identity.person_id) and c.id_number
    }
    by_number = {}
    if numbers:
        for person in Person.objects.filter(id_number__in=numbers).select_related("node").order_by("pk"):
            by_number.setdefault(person.id_number, person)
    out = {}
    for c in candidates:
        if c.person_id:
            out[c.pk] = c.person
        elif c.identity_id and c.identity.person_id:
            out[c.pk] = c.identity.person
        else:
            out[c.pk] = by_number.get(c.id_number) if c.id_number else None
    return out


class _Planner:
    """What a decision writes for each contact, worked out in memory from a few reads (who is screened
    already, who is under a measure, the policies, the free beds, the caretakers), then written at once
    by measures' `start_contact_measures`. A person who is a contact of a case twice (two venues) shares
    one screening and one measure; a person already under a measure gets the screening only."""

    def __init__(self, actor, candidates: list[Candidate], people: dict, at: dt.datetime, tally: _Tally):
        self.actor, self.at, self.tally = actor, at, tally
        self.day = at.astimezone(rules.SHANGHAI).date()
        case_ids = {c.case_id for c in candidates}
        twins = Candidate.objects.filter(case_id__in=case_ids, screening__isnull=False)
        self.screened = {
            (case_id, person_id, decision): (screening_id, measure_id)
            for case_id, person_id, decision, screening_id, measure_id in twins.values_list(
                "case_id", "person_id", "decision", "screening_id", "measure_id"
            )
        }
        persons = {p.pk: p for p in people.values() if p is not None}
        self.active = {
            m.person_id: m for m in Measure.objects.filter(person_id__in=list(persons), released_at=None)
        }
        self.policies = PoliciesInForce.for_paths({p.node.path for p in persons.values()}, self.day)
        self.plans: list[measure_actions.ContactPlan] = []
        self.first_of: dict[tuple, Candidate] = {}
        self.twins: list[tuple[Candidate, Candidate]] = []
        self.measure_plan_of: dict[int, measure_actions.ContactPlan] = {}
        self.links: list[
            tuple[Candidate, measure_actions.ContactPlan | None, measure_actions.ContactPlan | None]
        ] = []
        self.beds: dict = {}
        self.staff: dict = {}

    def add(self, candidate: Candidate, person: Person, decision: str) -> None:
        key = (candidate.case_id, person.pk, decision)
        if key in self.screened:
            candidate.screening_id, candidate.measure_id = self.screened[key]
            return
        if key in self.first_of:  # a twin in this decision: shares what the first one gets
            self.twins.append((candidate, self.first_of[key]))
            return
        self.first_of[key] = candidate
        reason = REASON_OF[decision]
        case = candidate.case
        last = candidate.exposed_until or self.at
        plan = measure_actions.ContactPlan(
            person=person,
            reason=reason,
            reference_date=min(last.astimezone(rules.SHANGHAI).date(), self.day),
            contact_of=case.person,
            contact_of_text=case.number,
            notes=f"病例{case.number}的{Decision(decision).label}（{candidate.get_source_display()}）"[:300],
        )
        self.plans.append(plan)
        self.tally.screenings += 1
        if person.pk in self.active:
            candidate.measure = self.active[person.pk]
            self.tally.already_managed += 1
            self.links.append((candidate, plan, None))
            return
        if person.pk in self.measure_plan_of:  # put under a measure by this decision already
            self.tally.already_managed += 1
            self.links.append((candidate, plan, self.measure_plan_of[person.pk]))
            return
        self.links.append((candidate, plan, plan))
        regime = self.policies.values(person.node.path, self.day)["regimes"].get(reason, [])
        if not regime:
            return  # the policy prescribes no measure for this kind of contact (secondary contacts in 2020)
        plan.kind = regime[0][0]
        if plan.kind == Kind.CENTRAL_QUARANTINE:
            plan.room = free_room(person, self.at, self.beds)
            if plan.room is None:
                raise RuleError(
                    {"__all__": f"{person.node.name}所在县没有空余的集中隔离房间，请先在隔离点添加房间"},
                    code="conflict",
                )
        if person.node.path not in self.staff:
            self.staff[person.node.path] = caretakers_for(person)
        plan.caretakers = list(self.staff[person.node.path])
        self.measure_plan_of[person.pk] = plan
        self.tally.measures += 1
        self.tally.caretakers += len(plan.caretakers)

    def write(self, request) -> None:
        if self.plans:
            measure_actions.start_contact_measures(
                actor=self.actor, plans=self.plans, screened_on=self.day, started_at=self.at, request=request
            )
        for candidate, screening_plan, measure_plan in self.links:
            candidate.screening = screening_plan.screening
            if measure_plan is not None:
                candidate.measure = measure_plan.measure
        for twin, first in self.twins:
            twin.screening, twin.measure = first.screening, first.measure


@transaction.atomic
def decide(
    *, actor, candidates: Iterable[Candidate], decision: str, at: dt.datetime | None = None, request=None
) -> DecisionSummary:
    """The investigator's decision for one candidate or many (a filtered set is one call).

    Close and secondary contacts registered where the decider may act get a screening (reason
    close_contact / secondary_contact, reference date = last exposure), the first measure of the policy's
    regime for that reason (a room in a quarantine site of their county for central quarantine), and
    caretakers of their own area; their colour follows from the measure. Contacts not registered here,
    or living where the decider cannot act, go on the hand-over list (协查). Deciding again what is already
    decided does nothing; a contact already screened cannot be re-decided (release their measure first)."""
    if decision not in Decision.values or decision == Decision.PENDING:
        raise RuleError({"decision": "请选择判定结果"})
    at = at or timezone.now()
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise RuleError({"at": "判定时间不能晚于现在"})
    tally = _Tally()
    checked_cases: set[int] = set()
    rows = list(candidates)
    ids = [c.pk for c in rows]
    locked = (
        Candidate.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related(
            "case", "case__node", "case__person", "person", "person__node", "identity", "identity__person"
        )
        .order_by("pk")
    )
    locked = list(locked)
    to_decide = []
    for candidate in locked:
        case = candidate.case
        if case.pk not in checked_cases:
            scoping.require(actor, scoping.WRITE, case.node, "无权判定该病例的接触者")
            if decision == Decision.SECONDARY and not policy_of(case)["secondary_determined"]:
                raise RuleError({"decision": "现行防控政策不再判定密接的密接"})
            checked_cases.add(case.pk)
        if candidate.decision == decision:
            tally.unchanged += 1
            continue
        if candidate.screening_id or candidate.handed_over_at:
            was = Decision(candidate.decision).label
            raise RuleError(
                {"decision": f"{candidate}已判定为{was}并已管控或移交，如需改判请先解除其管控措施"},
                code="conflict",
            )
        to_decide.append(candidate)
    people = _people_of(to_decide) if decision in CONTACTS else {}
    planner = _Planner(actor, to_decide, people, at, tally) if decision in CONTACTS else None
    writable: dict[str, bool] = {}
    for candidate in to_decide:
        if decision in CONTACTS:
            person = people[candidate.pk]
            if person is not None and person.node.path not in writable:
                writable[person.node.path] = scoping.can(actor, scoping.WRITE, person.node)
            if person is not None and writable[person.node.path]:
                candidate.person = person
                planner.add(candidate, person, decision)
            else:
                candidate.handed_over_at = at
                tally.handed_over += 1
        candidate.decision = decision
        candidate.decided_at = at
        candidate.decided_by = actor
        candidate.version += 1
        tally.decided += 1
    if planner is not None:
        planner.write(request)
    # What every decided candidate shares in one UPDATE; what differs per candidate by bulk_update.
    Candidate.objects.filter(pk__in=[c.pk for c in to_decide]).update(
        decision=decision, decided_at=at, decided_by=actor, version=F("version") + 1
    )
    Candidate.objects.bulk_update(
        to_decide, ["person", "screening", "measure", "handed_over_at"], batch_size=500
    )
    record_many(
        actor=actor,
        action=Action.UPDATE,
        request=request,
        rows=[
            (c, c.case.node.path, {"change": "decision", "decision": decision, "case": c.case.number})
            for c in to_decide
        ],
    )
    if tally.decided:
        for case_id in checked_cases:
            resolve_alerts(Case.objects.get(pk=case_id))
    return DecisionSummary(**tally.__dict__)
