"""Reads of cases and tracing, scoped through grid.scoping.

Who sees what: a case is seen in the subtree of its node (where the case lives or was found). A candidate
is seen with its case, and also by staff of the area the candidate's person lives in — the part they must
act on (their measure, their caretakers), and nothing more: `access_candidate`, `contacts_worklist`.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fangkong.checkpoints.models import Passage
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.healthcodes.models import Identity
from fangkong.lib.masking import mask_name
from fangkong.measures.models import Caretaker
from fangkong.policy.queries import PoliciesInForce, policy_for, tracing_values
from fangkong.venues.models import CheckIn, Venue
from fangkong.venues.queries import dwell_minutes

from . import rules
from .models import Candidate, Case, Decision, TrajectoryEntry

CONTACT_DECISIONS = (Decision.CLOSE, Decision.SECONDARY)


def cases_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[Case]:
    return scoping.visible_to(user, Case.objects.all(), path_field="node__path", capability=capability)


def access_case(user, case_id, *, write: bool = False) -> Case:
    """The case, or Http404 for missing and not yours alike."""
    queryset = Case.objects.select_related("node", "person", "identity", "infected_by")
    return scoping.access(user, queryset, case_id, path_field="node__path", write=write)


def candidates_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[Candidate]:
    """Candidates of the user's cases, and candidates whose person lives in the user's area."""
    by_case = scoping.subtree_filter(user, capability, "case__node__path")
    if by_case is None:
        return Candidate.objects.none()
    by_person = scoping.subtree_filter(user, capability, "person__node__path")
    return Candidate.objects.filter(by_case | by_person)


def access_candidate(user, candidate_id, *, write: bool = False) -> Candidate:
    capability = scoping.WRITE if write else scoping.VIEW
    queryset = candidates_visible_to(user, capability).select_related(
        "case", "case__node", "person", "person__node", "identity", "venue", "measure", "via"
    )
    try:
        return queryset.get(pk=candidate_id)
    except (Candidate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def sees_case(user, candidate: Candidate) -> bool:
    """Whether the user sees the candidate's case itself, not only the part they must act on."""
    return scoping.can(user, scoping.VIEW, candidate.case.node)


# One case ---------------------------------------------------------------------------------------------


def policy_of(case: Case) -> dict:
    """The "tracing" section of the policy in force where and when the case was diagnosed."""
    day = case.diagnosed_at.astimezone(rules.SHANGHAI).date()
    return tracing_values(policy_for(case.node, day).values)


def window_of(case: Case, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    return rules.lookback_window(
        kind=case.kind,
        onset_on=case.onset_on,
        sampled_at=case.sampled_at,
        diagnosed_at=case.diagnosed_at,
        found_by_routine_testing=case.found_by_routine_testing,
        last_negative_at=case.last_negative_at,
        isolated_at=case.isolated_at,
        lookback_days=int(policy_of(case)["lookback_days"]),
        now=now or timezone.now(),
    )


# What the contacts clock reads of a case's candidates, as aggregates (one case, or grouped by case).
CONTACT_FACTS = {
    "n": Count("id"),
    "pending": Count("id", filter=Q(decision=Decision.PENDING)),
    "unmanaged": Count(
        "id", filter=Q(decision__in=CONTACT_DECISIONS, measure=None, handed_over_at=None, screening=None)
    ),
    "decided": Max("decided_at"),
    "measured": Max("measure__started_at"),
    "handed": Max("handed_over_at"),
}


def contacts_done_at(case: Case, facts: dict | None = None) -> dt.datetime | None:
    """When the contacts clock stopped: every candidate decided and every close or secondary contact under a
    measure or handed over — the latest of those moments. With no candidate at all, the investigation
    report closes it (a case isolated with nobody around it). `facts`: CONTACT_FACTS read already."""
    if facts is None:
        facts = Candidate.objects.filter(case=case).aggregate(**CONTACT_FACTS)
    if not facts["n"]:
        return case.investigation_done_at
    if facts["pending"] or facts["unmanaged"]:
        return None
    return max(t for t in (facts["decided"], facts["measured"], facts["handed"]) if t is not None)


def _clock_facts(case: Case, contacts_done: dt.datetime | None) -> rules.ClockFacts:
    return rules.ClockFacts(
        diagnosed_at=case.diagnosed_at,
        reported_at=case.reported_at,
        core_done_at=case.core_investigation_done_at,
        investigation_done_at=case.investigation_done_at,
        contacts_done_at=contacts_done,
    )


def clocks_of(case: Case, now: dt.datetime | None = None) -> list[rules.ClockState]:
    facts = _clock_facts(case, contacts_done_at(case))
    return rules.clock_states(facts, policy_of(case), now or timezone.now())


def clocks_of_many(cases: list[Case], *, now: dt.datetime) -> list[list[rules.ClockState]]:
    """clocks_of for a page of cases in three queries: the policies in force, and the candidates' facts
    grouped by case."""
    if not cases:
        return []
    grouped = Candidate.objects.filter(case__in=cases).values("case_id").annotate(**CONTACT_FACTS)
    contacts = {row["case_id"]: row for row in grouped}
    days = {case.pk: case.diagnosed_at.astimezone(rules.SHANGHAI).date() for case in cases}
    policies = PoliciesInForce.for_paths({case.node.path for case in cases}, max(days.values()))
    out = []
    for case in cases:
        values = tracing_values(policies.in_force(case.node.path, days[case.pk]).values)
        facts = _clock_facts(case, contacts_done_at(case, contacts.get(case.pk, {"n": 0})))
        out.append(rules.clock_states(facts, values, now))
    return out


def identity_ids_of(case: Case) -> tuple[int, ...]:
    """The code identities whose check-ins are the case's: its own, and its registry person's."""
    ids = set()
    if case.identity_id:
        ids.add(case.identity_id)
    if case.person_id:
        ids.update(Identity.objects.filter(person_id=case.person_id).values_list("id", flat=True))
    return tuple(sorted(ids))


@dataclass(frozen=True)
class Stop:
    """One place and time on a case's trajectory."""

    kind: str  # "checkin" | "passage" | "entry"
    at: dt.datetime
    until: dt.datetime | None
    place: str
    detail: str = ""
    venue_id: int | None = None
    entry_id: int | None = None


def trajectory(case: Case, now: dt.datetime | None = None) -> list[Stop]:
    """The case's check-ins and checkpoint passages inside the look-back window and the investigator's
    entries, in time order (three queries)."""
    since, until = window_of(case, now)
    ids = identity_ids_of(case)
    stops: list[Stop] = []
    checkins = CheckIn.objects.filter(identity_id__in=ids, at__gte=since, at__lte=until).select_related(
        "venue"
    )
    dwell: dict[int, int] = {}  # one policy read per venue, not per check-in
    for c in checkins:
        leaves = c.checked_out_at
        if not leaves and c.venue_id not in dwell:
            dwell[c.venue_id] = dwell_minutes(c.venue)
        detail = "" if leaves else f"未登记离开，按停留{dwell.get(c.venue_id)}分钟计"
        stops.append(Stop("checkin", c.at, leaves, c.venue.name, detail, venue_id=c.venue_id))
    passages = Passage.objects.filter(identity_id__in=ids, at__gte=since, at__lte=until).select_related(
        "checkpoint"
    )
    for p in passages:
        detail = "，".join(x for x in (p.get_direction_display(), p.plate, p.origin, p.destination) if x)
        stops.append(Stop("passage", p.at, None, p.checkpoint.name, detail))
    for e in TrajectoryEntry.objects.filter(case=case).select_related("venue"):
        detail = "，".join(x for x in (e.get_kind_display(), e.vehicle, e.seat, e.notes) if x)
        stops.append(
            Stop("entry", e.starts_at, e.ends_at, e.place, detail, venue_id=e.venue_id, entry_id=e.pk)
        )
    return sorted(stops, key=lambda s: (s.at, s.kind))


# Candidates -------------------------------------------------------------------------------------------


def candidates_of(
    case: Case,
    *,
    venue: Venue | int | None = None,
    min_minutes: int | None = None,
    decision: str | None = None,
    source: str | None = None,
    via: Candidate | None = None,
) -> QuerySet[Candidate]:
    """The case's own candidates (or, with `via`, the secondary ones found through that close contact),
    longest overlap first; the filters a bulk decision uses."""
    rows = Candidate.objects.filter(case=case, via=via).select_related(
        "person", "person__node", "identity", "venue", "measure", "screening"
    )
    if venue is not None:
        rows = rows.filter(venue=venue)
    if min_minutes is not None:
        rows = rows.filter(overlap_minutes__gte=min_minutes)
    if decision:
        rows = rows.filter(decision=decision)
    if source:
        rows = rows.filter(source=source)
    return rows.order_by("-overlap_minutes", "id")


@dataclass
class VenueGroup:
    venue: Venue | None  # None: household members and people the case named
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def longest(self) -> int:
        return max((c.overlap_minutes for c in self.candidates), default=0)

    @property
    def pending(self) -> int:
        return sum(c.decision == Decision.PENDING for c in self.candidates)


def candidates_by_venue(case: Case, **filters) -> list[VenueGroup]:
    """The candidates grouped by venue, venues with the longest overlap first; those found another way
    (household, named) in a last group."""
    groups: dict[int | None, VenueGroup] = {}
    for c in candidates_of(case, **filters):
        groups.setdefault(c.venue_id, VenueGroup(c.venue)).candidates.append(c)
    others = groups.pop(None, None)
    ordered = sorted(groups.values(), key=lambda g: (-g.longest, g.venue.name))
    return ordered + ([others] if others else [])


def contacts_worklist(user) -> QuerySet[Candidate]:
    """Close and secondary contacts living in the user's area, with their measure and its caretakers:
    what a township or village must act on, whoever's case it is."""
    q = scoping.subtree_filter(user, scoping.VIEW, "person__node__path")
    if q is None:
        return Candidate.objects.none()
    caretakers = Prefetch(
        "measure__caretakers", queryset=Caretaker.objects.select_related("user").order_by("pk")
    )
    return (
        Candidate.objects.filter(q, decision__in=CONTACT_DECISIONS)
        .select_related("case", "person", "person__node", "venue", "measure", "screening")
        .prefetch_related(caretakers)
        .order_by("-decided_at", "-id")
    )


def handover_list(user, *, case: Case | None = None, node: Jurisdiction | None = None) -> QuerySet[Candidate]:
    """Contacts handed over to another county (协查), from the cases the user sees (of one case, or of the
    cases under a node)."""
    rows = Candidate.objects.filter(handed_over_at__isnull=False, case__in=cases_visible_to(user))
    if case is not None:
        rows = rows.filter(case=case)
    if node is not None:
        rows = rows.filter(case__node__path__startswith=node.path)
    return rows.select_related("case", "person", "identity", "venue", "via").order_by("-handed_over_at", "id")


# Clusters and chains ----------------------------------------------------------------------------------


def _cases_under(node: Jurisdiction) -> QuerySet[Case]:
    return Case.objects.filter(node__path__startswith=node.path).exclude(outcome="excluded")


def cluster_links(cases: list[Case]) -> list[rules.Link]:
    """The small units the cases share (decided here, DOMAIN.md §12 leaves it open):
    household — the registry household of the case's person; workplace — the person's registry unit;
    venue — a case found as a co-presence candidate of another case at a venue (both are linked to it);
    vehicle — trajectory entries of kind vehicle with the same number on the same day."""
    ids = [c.pk for c in cases]
    links = []
    for c in cases:
        if c.person_id and c.person.household_id:
            links.append(
                rules.Link(c.pk, "household", str(c.person.household_id), c.person.household.address)
            )
        if c.person_id and c.person.unit_id:
            links.append(rules.Link(c.pk, "workplace", str(c.person.unit_id), c.person.unit.name))
    identities = {c.identity_id: c.pk for c in cases if c.identity_id}
    by_person = {c.person_id: c.pk for c in cases if c.person_id}
    for identity_id, person_id in Identity.objects.filter(person_id__in=list(by_person)).values_list(
        "pk", "person_id"
    ):
        identities.setdefault(identity_id, by_person[person_id])
    found = Candidate.objects.filter(
        case_id__in=ids, via=None, venue__isnull=False, identity_id__in=list(identities)
    ).select_related("venue")
    for cand in found:
        key, label = str(cand.venue_id), cand.venue.name
        links.append(rules.Link(cand.case_id, "venue", key, label))
        links.append(rules.Link(identities[cand.identity_id], "venue", key, label))
    rides = TrajectoryEntry.objects.filter(case_id__in=ids, kind="vehicle").exclude(vehicle="")
    for e in rides:
        day = e.starts_at.astimezone(rules.SHANGHAI).date()
        number = e.vehicle.strip().upper()
        links.append(
            rules.Link(e.case_id, "vehicle", f"{number} {day:%Y-%m-%d}", f"{number}（{day:%Y-%m-%d}）")
        )
    return links


def clusters_in(node: Jurisdiction) -> list[rules.Cluster]:
    """Clusters (聚集性疫情) among the cases under the node, excluded suspects left out."""
    cases = list(_cases_under(node).select_related("person", "person__household", "person__unit"))
    facts = [rules.ClusterCase(c.pk, c.diagnosed_at) for c in cases]
    days = int(tracing_values(policy_for(node, timezone.localdate()).values)["cluster_days"])
    return rules.clusters(facts, cluster_links(cases), days=days)


def chain_in(node: Jurisdiction) -> rules.ChainGraph:
    """The transmission chains under the node for an ECharts graph: cases (category 0) linked by
    infected_by, and their close (1) and secondary (2) contacts linked to the case or the close contact
    through whom they were found. Names are masked: the graph is shared beyond the caretakers."""
    graph = rules.ChainGraph()
    cases = list(_cases_under(node).select_related("person", "identity"))
    for c in cases:
        who = c.person or c.identity
        graph.nodes.append(
            {"id": f"case-{c.pk}", "name": c.number, "label": who.masked_name, "category": 0, "kind": c.kind}
        )
        if c.infected_by_id:
            graph.edges.append(
                {"source": f"case-{c.infected_by_id}", "target": f"case-{c.pk}", "kind": "infected_by"}
            )
    contacts = Candidate.objects.filter(case__in=[c.pk for c in cases], decision__in=CONTACT_DECISIONS)
    for cand in contacts.select_related("person", "identity"):
        who = cand.person or cand.identity
        name = who.masked_name if who else mask_name(cand.name)
        category = 1 if cand.decision == Decision.CLOSE else 2
        graph.nodes.append({"id": f"contact-{cand.pk}", "name": name, "category": category})
        source = f"contact-{cand.via_id}" if cand.via_id else f"case-{cand.case_id}"
        graph.edges.append({"source": source, "target": f"contact-{cand.pk}", "kind": cand.source})
    return graph
