"""What the tracing pages share: the case list's filters and clock badges, the candidate panel of a case
page, and small look-ups scoped through the user. Reads only; writes go through tracing.actions."""

import datetime as dt
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from fangkong.grid import scoping
from fangkong.healthcodes.models import Identity
from fangkong.lib.masking import mask_id_number, mask_name, mask_phone
from fangkong.policy.queries import policy_for, tracing_values
from fangkong.registry.models import Person
from fangkong.tracing import forms, queries, report
from fangkong.tracing.models import Candidate, Case, Clock, Decision, TrajectoryEntry
from fangkong.venues.models import Venue


def now_to_the_minute() -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0)


def without_empty(values: dict) -> dict:
    """Fields left blank are not passed: the action's defaults stand."""
    return {name: value for name, value in values.items() if value not in (None, "")}


def edit_initial(case: Case) -> dict:
    facts = {name: getattr(case, name) for name in forms.CaseFactsForm.base_fields}
    source = case.infected_by.number if case.infected_by_id else ""
    return {**facts, "infected_by": source, "version": case.version}


def filter_cases(cases, *, kind=None, source=None, date_from=None, date_to=None):
    if kind:
        cases = cases.filter(kind=kind)
    if source:
        cases = cases.filter(source=source)
    if date_from:
        cases = cases.filter(diagnosed_at__date__gte=date_from)
    if date_to:
        cases = cases.filter(diagnosed_at__date__lte=date_to)
    return cases.select_related("person", "identity", "node")


@dataclass(frozen=True)
class ClockBadge:
    label: str
    due_at: dt.datetime
    done_at: dt.datetime | None
    overdue: bool


def badges(clocks) -> list[ClockBadge]:
    """The §12 clocks with their names, as the case list and page show them."""
    return [ClockBadge(str(Clock(c.clock).label), c.due_at, c.done_at, c.overdue) for c in clocks]


@dataclass
class CaseRow:
    case: Case
    overdue: list  # the clocks that ran out, not done
    due: list  # the clocks still running


def with_clocks(cases: list[Case], *, now: dt.datetime) -> list[CaseRow]:
    """Each case with its running and overdue clocks, in three queries for the whole page."""
    rows = []
    for case, clocks in zip(cases, queries.clocks_of_many(cases, now=now), strict=True):
        running = [c for c in badges(clocks) if c.done_at is None]
        rows.append(CaseRow(case, [c for c in running if c.overdue], [c for c in running if not c.overdue]))
    return rows


def home_node(user):
    """Where a case of someone not registered here is reported: the highest node the user may write in."""
    nodes = scoping.nodes_with(user, scoping.WRITE)
    if not nodes:
        raise Http404
    return min(nodes, key=lambda node: len(node.path))


def access_identity(user, pk) -> Identity:
    """A code identity found by its full ID number on the report form; only staff who may write
    somewhere report cases."""
    if not scoping.nodes_with(user, scoping.WRITE):
        raise Http404
    return get_object_or_404(Identity, pk=pk)


def entry_of(case: Case, entry_id) -> TrajectoryEntry:
    return get_object_or_404(TrajectoryEntry, case=case, pk=entry_id)


def candidate_filters(request, case: Case) -> forms.CandidateFilterForm:
    data = request.POST if request.method == "POST" else request.GET
    return forms.CandidateFilterForm(data or None, venues=_venues(case))


def _venues(case: Case):
    return Venue.objects.filter(pk__in=case.candidates.filter(venue__isnull=False).values("venue")).order_by(
        "name"
    )


def show(rows):
    """Masked name, ID and phone on each row (a candidate, a person or an identity), as every list of
    people shows them (DOMAIN.md §10): from the registry person, else the code identity, else what the
    case said."""
    for row in rows:
        holder = getattr(row, "person", None) or getattr(row, "identity", None) or row
        if isinstance(row, (Person, Identity)):
            holder = row
        row.shown_name = mask_name(holder.name or "")
        row.shown_id_number = mask_id_number(holder.id_number or "")
        row.shown_phone = mask_phone(holder.phone or "")
    return rows


def candidates_context(request, case: Case) -> dict:
    """The candidate panel: filters, the candidates they show grouped by venue, and the bulk form."""
    filters = candidate_filters(request, case)
    values = filters.values()
    groups = queries.candidates_by_venue(case, **values)
    show([c for g in groups for c in g.candidates])
    return {
        "candidate_filters": filters,
        "filter_values": {k: v for k, v in values.items() if v not in (None, "")},
        "groups": groups,
        "shown_count": sum(len(g.candidates) for g in groups),
        "decisions": [c for c in Decision.choices if c[0] != Decision.PENDING],
        "secondary": with_via_names(show(list(secondary_of(case)))),
        "secondary_determined": secondary_determined(case),
    }


def view_node(request):
    """The part of the tree a cluster list or chain covers: ?node=CODE within the user's area, else the
    highest node they see; an account with no area sees nothing (404)."""
    code = request.GET.get("node", "")
    if code:
        return scoping.access_jurisdiction(request.user, code)
    nodes = scoping.nodes_with(request.user, scoping.VIEW)
    if not nodes:
        raise Http404
    return min(nodes, key=lambda node: len(node.path))


def stop_rows(stops) -> list[dict]:
    """The trajectory's stops with the name of where each came from."""
    return [{"stop": stop, "source": report.STOP_KINDS.get(stop.kind, stop.kind)} for stop in stops]


def worklist_rows(contacts) -> list:
    """The worklist's contacts, masked, with their caretakers' names (prefetched with the measure)."""
    rows = show(list(contacts))
    for row in rows:
        caretakers = row.measure.caretakers.all() if row.measure_id else []
        row.caretaker_names = [c.user.first_name or c.user.username for c in caretakers]
    return rows


def secondary_of(case: Case):
    """The secondary candidates found through the case's close contacts (candidates_of lists the case's own)."""
    return (
        Candidate.objects.filter(case=case, via__isnull=False)
        .select_related("person", "identity", "venue", "measure", "via", "via__person", "via__identity")
        .order_by("via_id", "-overlap_minutes", "id")
    )


def secondary_determined(case: Case) -> bool:
    """Whether the policy in force today determines secondary contacts (search_secondary asks the same)."""
    values = policy_for(case.node, timezone.localdate()).values
    return bool(tracing_values(values)["secondary_determined"])


def with_via_names(rows):
    for row in rows:
        via = row.via
        holder = via.person or via.identity
        row.via_name = mask_name(holder.name if holder else via.name)
    return rows
