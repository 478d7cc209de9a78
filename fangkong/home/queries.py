"""Reads of the home page."""

from fangkong.grid import scoping
from fangkong.registry.queries import subtree_counts


def home_memberships(user) -> list[dict]:
    """The user's memberships, each with the counts of its subtree."""
    return [{"membership": m, "counts": subtree_counts(user, m.node)} for m in scoping.memberships(user)]
