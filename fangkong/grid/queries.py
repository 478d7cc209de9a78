"""Reads of the tree, of accounts and of the audit log, all scoped through grid.scoping."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.fields.json import KT
from django.http import Http404
from django.utils import timezone

from fangkong.audit.models import Action, AuditEvent

from . import scoping
from .models import Jurisdiction, Membership


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
