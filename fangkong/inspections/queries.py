"""Reads of inspections, orders and closures, scoped through grid.scoping: each record is seen in the
subtree of the inspected object's node. Templates are offered to a node's subtree (a preset everywhere)."""

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.policy.queries import inspections_values, policy_for
from fangkong.registry.models import Unit
from fangkong.venues.models import Venue

from . import rules
from .models import ChecklistItem, ChecklistTemplate, Closure, Inspection, OrderStatus, Rectification, Result


def inspections_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[Inspection]:
    return scoping.visible_to(user, Inspection.objects.all(), path_field="node__path", capability=capability)


def access_inspection(user, pk, *, write: bool = False) -> Inspection:
    queryset = Inspection.objects.select_related("node", "unit", "venue", "template").prefetch_related(
        Prefetch("results", queryset=Result.objects.select_related("rectification", "order"))
    )
    return scoping.access(user, queryset, pk, path_field="node__path", write=write)


def orders_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[Rectification]:
    """Orders in the user's area, and orders escalated to a node of it (from below, so also in it)."""
    return scoping.visible_to(
        user, Rectification.objects.all(), path_field="node__path", capability=capability
    )


def access_order(user, pk, *, write: bool = False) -> Rectification:
    queryset = Rectification.objects.select_related(
        "node", "unit", "venue", "escalated_to", "finding__inspection"
    )
    return scoping.access(user, queryset, pk, path_field="node__path", write=write)


def closures_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[Closure]:
    return scoping.visible_to(user, Closure.objects.all(), path_field="node__path", capability=capability)


def access_closure(user, pk, *, write: bool = False) -> Closure:
    queryset = Closure.objects.select_related("node", "unit", "venue")
    return scoping.access(user, queryset, pk, path_field="node__path", write=write)


def units_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[Unit]:
    return scoping.visible_to(user, Unit.objects.all(), path_field="node__path", capability=capability)


def venues_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[Venue]:
    return scoping.visible_to(user, Venue.objects.all(), path_field="node__path", capability=capability)


def access_target(user, *, unit_id=None, venue_id=None, write: bool = False):
    """The unit or the venue an inspection is about, or Http404 (missing or not yours)."""
    if unit_id:
        return scoping.access(
            user, Unit.objects.select_related("node"), unit_id, path_field="node__path", write=write
        )
    return scoping.access(
        user, Venue.objects.select_related("node"), venue_id, path_field="node__path", write=write
    )


def templates_for(user) -> QuerySet[ChecklistTemplate]:
    """The presets, and the templates of the nodes the user stands in or above (their own and inherited)
    or below (their subtree's)."""
    tops = scoping.nodes_with(user)
    if not tops:
        return ChecklistTemplate.objects.none()
    codes = {code for top in tops for code in top.path.strip("/").split("/")}
    q = Q(node__isnull=True) | Q(node__code__in=codes)
    for top in tops:
        q |= Q(node__path__startswith=top.path)
    return (
        ChecklistTemplate.objects.filter(q)
        .select_related("node")
        .annotate(item_count=Count("items", filter=Q(items__active=True)))
    )


def access_template(user, pk) -> ChecklistTemplate:
    from django.http import Http404

    try:
        return templates_for(user).prefetch_related("items").get(pk=pk)
    except (ChecklistTemplate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def active_items(template: ChecklistTemplate) -> list[ChecklistItem]:
    return list(template.items.filter(active=True).order_by("position", "id"))


def object_filter(target) -> Q:
    """Records about this unit or venue."""
    return Q(unit=target) if isinstance(target, Unit) else Q(venue=target)


def open_orders_of(target) -> QuerySet[Rectification]:
    return Rectification.objects.filter(object_filter(target), status=OrderStatus.OPEN)


def open_closure_of(target) -> Closure | None:
    return Closure.objects.filter(object_filter(target), reopened_at__isnull=True).first()


def escalation_chain(node: Jurisdiction) -> list[Jurisdiction]:
    """The node and its ancestors, nearest first, up to the county (an order climbs no higher)."""
    codes = node.path.strip("/").split("/")
    by_code = {n.code: n for n in Jurisdiction.objects.filter(code__in=codes)}
    chain = []
    for code in reversed(codes):
        found = by_code.get(code)
        if found is None:
            continue
        chain.append(found)
        if found.level == Level.COUNTY:
            break
    return chain


def policy_of(node: Jurisdiction, day: dt.date | None = None) -> dict:
    return inspections_values(policy_for(node, day or timezone.localdate()).values)


def default_deadline(node: Jurisdiction, ordered_on: dt.date) -> dt.date:
    return rules.deadline_for(ordered_on, int(policy_of(node, ordered_on)["rectification_days"]))


def filter_orders(orders: QuerySet, *, state: str = "", now: dt.datetime | None = None) -> QuerySet:
    """state: open / overdue / escalated / closed, or all."""
    now = now or timezone.now()
    if state == "open":
        orders = orders.filter(status=OrderStatus.OPEN)
    elif state == "overdue":
        today = now.astimezone(rules.SHANGHAI).date()
        orders = orders.filter(status=OrderStatus.OPEN, deadline__lt=today)
    elif state == "escalated":
        orders = orders.filter(status=OrderStatus.OPEN, escalated_to__isnull=False)
    elif state == "closed":
        orders = orders.filter(status=OrderStatus.CLOSED)
    return orders.select_related("node", "unit", "venue", "escalated_to")


def escalated_to_user(user) -> QuerySet[Rectification]:
    """Open orders escalated to one of the user's nodes: the ones they now answer for."""
    tops = scoping.nodes_with(user)
    return Rectification.objects.filter(
        status=OrderStatus.OPEN, escalated_to__in=[top.pk for top in tops]
    ).select_related("node", "unit", "venue", "escalated_to")
