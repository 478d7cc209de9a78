from . import scoping


def nav(request) -> dict:
    """Which optional links the navigation shows; the pages themselves check again."""
    user = getattr(request, "user", None)
    return {
        "nav": {
            "write": bool(scoping.nodes_with(user, scoping.WRITE)),
            "manage_users": bool(scoping.nodes_with(user, scoping.MANAGE_USERS)),
            "view_audit": bool(scoping.nodes_with(user, scoping.VIEW_AUDIT)),
        }
    }
