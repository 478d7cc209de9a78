"""Who may see and change what: the one place.

Model: a user sees the subtrees of the nodes they hold a membership at, and nothing else. A user with
no membership sees nothing (fail closed); so does an anonymous user. Superusers are not special here:
they get memberships like everyone. What a role may do is the CAPABILITIES table. Every place-bearing
queryset goes through `visible_to`; single objects through `access`, which raises Http404 both for
"missing" and for "not yours" so that ids outside one's area cannot be probed.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from fangkong.lib.errors import RuleError

from .models import Jurisdiction, Level, Membership, Role

VIEW = "view"
WRITE = "write"
REVEAL = "reveal"  # see ID and phone numbers unmasked (audited)
MANAGE_USERS = "manage_users"
MANAGE_GRIDS = "manage_grids"
VIEW_AUDIT = "view_audit"

CAPABILITIES = {
    Role.ADMIN: {VIEW, WRITE, REVEAL, MANAGE_USERS, MANAGE_GRIDS, VIEW_AUDIT},
    Role.TOWNSHIP_STAFF: {VIEW, WRITE, REVEAL},
    Role.VILLAGE_STAFF: {VIEW, WRITE, REVEAL},
    Role.GRID_WORKER: {VIEW, WRITE, REVEAL},
    Role.UNIT_STAFF: {VIEW, WRITE},
    Role.VIEWER: {VIEW},
}

# Capabilities that only count at or above a level: grids are drawn by county and township admins,
# and the audit log is a county matter.
LOWEST_LEVEL = {MANAGE_GRIDS: Level.TOWNSHIP, VIEW_AUDIT: Level.COUNTY}
_LEVEL_ORDER = list(Level.values)


def memberships(user) -> list[Membership]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_fangkong_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("node").order_by("node__path"))
        user._fangkong_memberships = cached
    return cached


def _grants(membership: Membership, capability: str) -> bool:
    if capability not in CAPABILITIES[membership.role]:
        return False
    lowest = LOWEST_LEVEL.get(capability)
    return lowest is None or _LEVEL_ORDER.index(membership.node.level) <= _LEVEL_ORDER.index(lowest)


def require(actor, capability: str, node: Jurisdiction, message: str, *, field: str = "__all__") -> None:
    """For actions: refuse, with `message` (Chinese) as the reason for `field`, unless the actor may do
    this here."""
    if not can(actor, capability, node):
        raise RuleError({field: message}, code="forbidden")


def roles_with(capability: str) -> list[str]:
    """The roles that grant this capability at any level (for a check made inside one SQL statement)."""
    if capability in LOWEST_LEVEL:
        raise ValueError(f"{capability} depends on the level of the node, not on the role alone")
    return sorted(role for role, granted in CAPABILITIES.items() if capability in granted)


def nodes_with(user, capability: str = VIEW) -> list[Jurisdiction]:
    """The top nodes of the subtrees where the user has this capability."""
    return [m.node for m in memberships(user) if _grants(m, capability)]


def can(user, capability: str, node: Jurisdiction) -> bool:
    return any(node.path.startswith(top.path) for top in nodes_with(user, capability))


def subtree_filter(user, capability: str = VIEW, path_field: str = "path") -> Q | None:
    """A Q matching rows under the user's nodes, or None when the user has none."""
    tops = nodes_with(user, capability)
    if not tops:
        return None
    q = Q()
    for top in tops:
        q |= Q(**{f"{path_field}__startswith": top.path})
    return q


def visible_to(user, queryset: QuerySet, *, path_field: str, capability: str = VIEW) -> QuerySet:
    q = subtree_filter(user, capability, path_field)
    return queryset.none() if q is None else queryset.filter(q)


def access(user, queryset: QuerySet, pk, *, path_field: str, write: bool = False):
    """One object from the user's area, or Http404 (same answer for missing and not yours)."""
    try:
        return visible_to(user, queryset, path_field=path_field, capability=WRITE if write else VIEW).get(
            pk=pk
        )
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def visible_jurisdictions(user, capability: str = VIEW) -> QuerySet:
    return visible_to(user, Jurisdiction.objects.all(), path_field="path", capability=capability)


def access_jurisdiction(user, code: str, *, capability: str = VIEW) -> Jurisdiction:
    try:
        return visible_jurisdictions(user, capability).get(code=code)
    except Jurisdiction.DoesNotExist:
        raise Http404 from None
