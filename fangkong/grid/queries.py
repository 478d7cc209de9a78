"""Reads of the tree, of accounts and of the audit log, all scoped through grid.scoping. Counts are computed in the
database (aggregates and correlated subqueries), never by loading rows."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Func, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from fangkong.audit.models import Action, AuditEvent
from fangkong.registry.models import Verification
from fangkong.registry.queries import households_visible_to, persons_visible_to

from . import scoping
from .models import Jurisdiction, Level, Membership

VERIFIED = (Verification.IN_PERSON, Verification.BY_PHONE)


def percent(part: int, whole: int) -> Decimal | None:
    """part ÷ whole as a percentage with one decimal, rounded half up; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def subtree_counts(user, node: Jurisdiction) -> dict:
    """Townships, villages, grids, households, persons and the verified rate under a node."""
    nodes = (
        scoping.visible_jurisdictions(user)
        .filter(path__startswith=node.path)
        .aggregate(
            townships=Count("pk", filter=Q(level=Level.TOWNSHIP)),
            villages=Count("pk", filter=Q(level=Level.VILLAGE)),
            grids=Count("pk", filter=Q(level=Level.GRID)),
        )
    )
    households = households_visible_to(user).filter(node__path__startswith=node.path).count()
    persons = (
        persons_visible_to(user)
        .filter(node__path__startswith=node.path)
        .aggregate(persons=Count("pk"), verified=Count("pk", filter=Q(verification__in=VERIFIED)))
    )
    return {
        **nodes,
        "households": households,
        **persons,
        "verified_pct": percent(persons["verified"], persons["persons"]),
    }


def home_memberships(user) -> list[dict]:
    """The user's memberships, each with the counts of its subtree."""
    return [{"membership": m, "counts": subtree_counts(user, m.node)} for m in scoping.memberships(user)]


def _count_under(queryset: QuerySet) -> Coalesce:
    """COUNT(*) of the queryset's rows under the outer node, as a correlated subquery."""
    counted = (
        queryset.filter(node__path__startswith=OuterRef("path"))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_counts(user, nodes: QuerySet) -> QuerySet:
    """The nodes annotated with household_count and person_count of their subtrees, in one query."""
    return nodes.annotate(
        household_count=_count_under(households_visible_to(user)),
        person_count=_count_under(persons_visible_to(user)),
    ).order_by("path")


def children_with_counts(user, node: Jurisdiction) -> QuerySet:
    return with_counts(user, scoping.visible_jurisdictions(user).filter(parent=node))


def tops_with_counts(user) -> QuerySet:
    """The top nodes of the user's area (their memberships), with counts."""
    codes = [n.code for n in scoping.nodes_with(user)]
    return with_counts(user, scoping.visible_jurisdictions(user).filter(code__in=codes))


def breadcrumb(user, node: Jurisdiction) -> list[dict]:
    """The node's ancestors, root first; only those the user may see are links."""
    return [{"node": a, "link": scoping.can(user, scoping.VIEW, a)} for a in node.ancestors()]


# Accounts ----------------------------------------------------------------------------------------


def users_managed_by(admin) -> QuerySet:
    """Users with at least one membership inside the admin's MANAGE_USERS subtrees."""
    User = get_user_model()
    q = scoping.subtree_filter(admin, scoping.MANAGE_USERS, path_field="node__path")
    if q is None:
        return User.objects.none()
    inside = Membership.objects.filter(q).values("user_id")
    memberships = Membership.objects.select_related("node").order_by("node__path")
    return (
        User.objects.filter(pk__in=inside)
        .prefetch_related(Prefetch("memberships", queryset=memberships))
        .order_by("username")
    )


def access_managed_user(admin, pk):
    """One user the admin manages, or Http404 (same answer for missing and not yours)."""
    try:
        return users_managed_by(admin).get(pk=pk)
    except (get_user_model().DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def membership_rows(admin, user) -> list[dict]:
    """The user's memberships as the admin may see them: outside the admin's area only "其他辖区"."""
    return [
        {"membership": m, "inside": scoping.can(admin, scoping.MANAGE_USERS, m.node)}
        for m in user.memberships.all()
    ]


def manageable_nodes(admin) -> QuerySet:
    """Nodes where the admin may place accounts (for a select)."""
    return scoping.visible_jurisdictions(admin, scoping.MANAGE_USERS)


# Audit log ----------------------------------------------------------------------------------------
# Reads of the audit log, scoped like the records: a user with VIEW_AUDIT sees the events whose
# node_path lies in their VIEW_AUDIT subtrees, and the account events that have no place (logins, failed
# logins, tokens, password resets) of the accounts that hold a membership there.

# Events written without a place that name the account by username only (no actor).
_ANONYMOUS_LOGIN_EVENTS = (Action.LOGIN_FAILED, Action.LOCKED_OUT)


def events_visible_to(user) -> QuerySet[AuditEvent]:
    tops = scoping.nodes_with(user, scoping.VIEW_AUDIT)
    if not tops:
        return AuditEvent.objects.none()
    in_area = Q()
    for top in tops:
        in_area |= Q(node_path__startswith=top.path)
    members = Membership.objects.filter(
        scoping.subtree_filter(user, scoping.VIEW_AUDIT, path_field="node__path")
    ).values("user_id")
    usernames = get_user_model().objects.filter(pk__in=members).values("username")
    placeless = Q(node_path="") & (
        Q(actor__in=members) | Q(action__in=_ANONYMOUS_LOGIN_EVENTS, login_username__in=usernames)
    )
    return (
        AuditEvent.objects.annotate(login_username=KT("detail__username"))
        .filter(in_area | placeless)
        .select_related("actor")
        .order_by("-at", "-id")
    )


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of the day in the site's time zone (Asia/Shanghai), as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def search_events(
    user,
    *,
    action: str = "",
    actor: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    events = events_visible_to(user)
    if action:
        events = events.filter(action=action)
    if actor:
        actor = actor.strip()
        events = events.filter(Q(actor__username__iexact=actor) | Q(actor=None, login_username__iexact=actor))
    if date_from:
        events = events.filter(at__gte=_day_start(date_from))
    if date_to:
        events = events.filter(at__lt=_day_start(date_to + dt.timedelta(days=1)))
    return events
