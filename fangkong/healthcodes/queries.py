"""Reads for the health-code pages: risk areas, appeals, manual colours, each through the one scoping
module. Risk areas are public notices (announced by the county), so every staff account sees the list;
appeals and manual colours belong to the node of the person."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.healthcodes.models import Appeal, Identity, ManualColour, RiskArea

# Risk areas are declared by the county (or above): a city or provincial admin may too.
DECLARING_LEVELS = (Level.PROVINCE, Level.CITY, Level.COUNTY)


def declaring_nodes(user) -> list[Jurisdiction]:
    """The nodes at which the user may declare and end risk areas."""
    return [n for n in scoping.nodes_with(user, scoping.MANAGE_USERS) if n.level in DECLARING_LEVELS]


def risk_areas(user, *, level: str = "", active_on=None) -> QuerySet[RiskArea]:
    if not scoping.nodes_with(user):
        return RiskArea.objects.none()
    areas = RiskArea.objects.select_related("node", "declared_by")
    if level:
        areas = areas.filter(level=level)
    if active_on is not None:
        areas = areas.filter(starts_on__lte=active_on).filter(Q(ends_on=None) | Q(ends_on__gte=active_on))
    return areas.order_by("level", "-starts_on", "name")


def access_risk_area(user, pk) -> RiskArea:
    """A risk area the user may end: one declared at or under a node where they may declare."""
    tops = declaring_nodes(user)
    try:
        area = RiskArea.objects.select_related("declared_by", "node").get(pk=pk)
    except (RiskArea.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not any(top.contains(area.declared_by) for top in tops):
        raise Http404
    return area


def appeals_visible_to(user) -> QuerySet[Appeal]:
    """Appeals of people in the user's area; those with no node (a visitor the tree does not know) go to
    the admins of counties and above."""
    q = scoping.subtree_filter(user, scoping.VIEW, "node__path")
    if q is None:
        return Appeal.objects.none()
    if declaring_nodes(user):
        q |= Q(node=None)
    return Appeal.objects.filter(q).select_related("identity", "node", "handled_by")


def access_appeal(user, pk) -> Appeal:
    try:
        return appeals_visible_to(user).get(pk=pk)
    except (Appeal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_handle_appeal(user, appeal: Appeal) -> bool:
    if appeal.node is None:
        return bool(declaring_nodes(user))
    return scoping.can(user, scoping.MANAGE_USERS, appeal.node)


def manual_colours_of(identity: Identity | None) -> QuerySet[ManualColour]:
    if identity is None:
        return ManualColour.objects.none()
    return ManualColour.objects.filter(identity=identity).select_related("set_by", "node")


def active_manual_colours(identity: Identity, now=None) -> QuerySet[ManualColour]:
    now = now or timezone.now()
    return ManualColour.objects.filter(
        identity=identity, revoked_at=None, starts_at__lte=now, expires_at__gt=now
    )


def access_manual_colour(user, pk) -> ManualColour:
    """A manual colour the user may revoke: set on a person of a node where they are admin."""
    try:
        manual = ManualColour.objects.select_related("identity__person__node", "node").get(pk=pk)
    except (ManualColour.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not scoping.can(user, scoping.MANAGE_USERS, manual.node):
        raise Http404
    return manual


def identity_of_person(person) -> Identity | None:
    return Identity.objects.filter(person=person).select_related("person__node").first()
