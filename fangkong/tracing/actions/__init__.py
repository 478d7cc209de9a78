"""Writes of tracing (cases, investigation, contacts and their decisions), re-exported for callers:
`from fangkong.tracing import actions; actions.report_case(...)`."""

from .cases import (
    add_entry,
    mark_investigation,
    record_case_view,
    record_event,
    remove_entry,
    report_case,
    resolve_alerts,
    update_case,
)
from .clocks import check_clocks
from .contacts import (
    DecisionSummary,
    SearchSummary,
    decide,
    name_contact,
    search_contacts,
    search_secondary,
)

__all__ = [
    "DecisionSummary",
    "SearchSummary",
    "add_entry",
    "check_clocks",
    "decide",
    "mark_investigation",
    "name_contact",
    "record_case_view",
    "record_event",
    "remove_entry",
    "report_case",
    "resolve_alerts",
    "search_contacts",
    "search_secondary",
    "update_case",
]
