"""Reads of venues and their check-ins, all scoped through grid.scoping by the venue's node, and the
two policy values venue codes use (dwell time by kind, retention period)."""

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.policy.presets import CHECKIN_RETENTION_DAYS, VENUE_DWELL_MINUTES
from fangkong.policy.queries import policy_for
from fangkong.venues.models import CheckIn, Venue


def venues_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[Venue]:
    return scoping.visible_to(user, Venue.objects.all(), path_field="node__path", capability=capability)


def access_venue(user, pk, *, write: bool = False) -> Venue:
    return scoping.access(
        user, Venue.objects.select_related("node", "node__parent"), pk, path_field="node__path", write=write
    )


def venue_for_code(code: str) -> Venue | None:
    """The active venue a poster's code names, for the public check-in page (no scoping: the code is the
    access check, and it opens nothing but that venue's check-in)."""
    return Venue.objects.select_related("node").filter(code=code, active=True).first()


def checkins_visible_to(user) -> QuerySet[CheckIn]:
    return scoping.visible_to(user, CheckIn.objects.all(), path_field="venue__node__path")


def checkins_on_day(user, day: dt.date) -> QuerySet[CheckIn]:
    start, end = day_bounds(day)
    return (
        checkins_visible_to(user)
        .filter(at__gte=start, at__lt=end)
        .select_related("venue", "venue__node", "identity", "scanned_by")
        .order_by("-at", "-pk")
    )


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Midnight to midnight in Asia/Shanghai (the site's time zone)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def with_counts(venues: QuerySet[Venue], day: dt.date) -> QuerySet[Venue]:
    """Each venue with `checkins_on_day`: its check-ins on that day, counted in the same query."""
    start, end = day_bounds(day)
    return venues.annotate(
        checkins_on_day=Count("checkins", filter=Q(checkins__at__gte=start, checkins__at__lt=end))
    )


def count_on_day(venue: Venue, day: dt.date) -> int:
    start, end = day_bounds(day)
    return venue.checkins.filter(at__gte=start, at__lt=end).count()


def search_venues(
    user, *, text: str = "", kind: str = "", node_code: str = "", active: str = "", day: dt.date
) -> QuerySet[Venue]:
    venues = venues_visible_to(user).select_related("node", "node__parent")
    if text:
        venues = venues.filter(Q(name__icontains=text) | Q(address__icontains=text))
    if kind:
        venues = venues.filter(kind=kind)
    if node_code:
        node = Jurisdiction.objects.filter(code=node_code).first()
        venues = venues.filter(node__path__startswith=node.path) if node else venues.none()
    if active in ("1", "0"):
        venues = venues.filter(active=active == "1")
    return with_counts(venues, day).order_by("node__path", "name")


def venues_under(user, node: Jurisdiction) -> QuerySet[Venue]:
    """The active venues of a node's subtree that the user may see, for a batch of posters."""
    return (
        venues_visible_to(user)
        .filter(node__path__startswith=node.path, active=True)
        .select_related("node")
        .order_by("node__path", "name")
    )


def recent_checkins(venue: Venue, *, limit: int = 50) -> QuerySet[CheckIn]:
    return venue.checkins.select_related("identity", "scanned_by").order_by("-at")[:limit]


def dwell_minutes(venue: Venue, day: dt.date | None = None) -> int:
    """How long a check-in without a check-out lasts: the venue's own value, else the policy's for its kind.
    A policy saved before the key existed falls back to the preset default (DOMAIN.md §5: 30 minutes)."""
    if venue.dwell_minutes:
        return venue.dwell_minutes
    values = policy_for(venue.node, day or timezone.localdate()).values
    by_kind = values.get("venue_dwell_minutes") or VENUE_DWELL_MINUTES
    return int(by_kind.get(venue.kind) or VENUE_DWELL_MINUTES.get(venue.kind, 30))


def retention_days(node: Jurisdiction, day: dt.date | None = None) -> int:
    """How many days check-ins at venues of this node are kept (DOMAIN.md §10, default 28)."""
    values = policy_for(node, day or timezone.localdate()).values
    return int(values.get("checkin_retention_days") or CHECKIN_RETENTION_DAYS)


def last_seen_at(identity) -> Jurisdiction | None:
    """The node of the venue where a resident last checked in, if any (healthcodes/sources.py)."""
    checkin = CheckIn.objects.filter(identity=identity).select_related("venue__node").first()
    return checkin.venue.node if checkin else None
