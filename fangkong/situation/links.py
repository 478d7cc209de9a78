"""Where each figure of the report leads: the list of the records behind it, the same lists the
dashboard links to. The lists scope themselves to the user; `node_code` narrows them to the report's node
where the list offers that filter."""

from django.urls import reverse
from django.utils.http import urlencode

from fangkong.grid.models import Jurisdiction
from fangkong.policy.models import Kind, Reason

KEYPERSONS, PERSONS = "keyperson_list", "person_list"

# code → (URL name, query without the node, whether the list takes node_code)
FIXED: dict[str, tuple[str, dict, bool]] = {
    "registered_people": (PERSONS, {}, True),
    "verified_people_pct": (PERSONS, {}, True),
    "screened_total": (KEYPERSONS, {}, True),
    "screened_new": (KEYPERSONS, {}, True),
    "screened_by_origin": (KEYPERSONS, {}, True),
    "close_contacts_total": (KEYPERSONS, {"reason": Reason.CLOSE_CONTACT.value}, True),
    "released_new": (KEYPERSONS, {"status": "released"}, True),
    "released_total": (KEYPERSONS, {"status": "released"}, True),
    "hospital_total": (KEYPERSONS, {"kind": Kind.HOSPITAL.value}, True),
    "followups_due": (KEYPERSONS, {"status": "active"}, True),
    "followups_done": (KEYPERSONS, {"status": "active"}, True),
    "followups_missed": ("township_overview", {}, False),
    "symptomatic_new": ("alert_list", {}, False),
    "quarantine_sites": ("site_list", {}, False),
    "quarantine_beds": ("site_list", {}, False),
    "quarantine_beds_free": ("site_list", {}, False),
    "checkpoint_people": ("checkpoint_list", {}, False),
    "checkpoint_vehicles": ("checkpoint_list", {}, False),
    "checkpoint_turned_back": ("checkpoint_list", {}, False),
    "checkins": ("checkin_list", {}, False),
    "signals_alarming": ("signal_list", {}, True),
    "supplies_low_stock": ("supplies_home", {}, True),
    "supplies_near_expiry": ("supplies_home", {}, True),
    "supplies_receipts_new": ("movement_list", {"kind": "receipt"}, False),
    "supplies_donations_new": ("donation_list", {}, True),
    "supplies_issues_new": ("movement_list", {"kind": "issue"}, False),
    "disinfection_required": ("disinfection_home", {}, True),
    "disinfection_done": ("entry_list", {}, True),
    "disinfection_compliance_pct": ("disinfection_home", {}, True),
    "disinfection_missed": ("disinfection_home", {}, True),
    # Inspections and rectification (reporting/inspections.py): the lists of the inspections app.
    "inspections_done": ("inspection_list", {}, False),
    "inspections_failed": ("inspection_list", {}, False),
    "rectifications_new": ("order_list", {}, False),
    "rectifications_places_new": ("order_list", {}, False),
    "rectifications_closed_new": ("order_list", {"state": "closed"}, False),
    "rectifications_open": ("order_list", {"state": "open"}, False),
    "rectifications_overdue": ("order_list", {"state": "overdue"}, False),
    "closures_active": ("closure_list", {"state": "closed"}, False),
    "tasks_overdue": ("task_list", {"state": "overdue"}, False),
    # Schools (reporting/schools.py): the completeness page, and the illness absences followed up.
    "school_checks": ("schools_home", {}, True),
    "school_zero_reports": ("schools_home", {}, True),
    "school_symptomatic": ("schools_home", {}, True),
    "school_absent_illness": ("absence_list", {}, False),
    # Market supervision (reporting/markets.py): the lists of the markets app.
    "pharmacy_purchases": ("pharmacy_list", {}, False),
    "pharmacy_fever_buyers": ("fever_followup_list", {"state": "all"}, False),
    "pharmacy_fever_followups_open": ("fever_followup_list", {"state": "open"}, False),
    "gatherings_reported": ("gathering_list", {}, True),
    "gatherings_cancelled": ("gathering_list", {}, True),
    "gatherings_cancelled_total": ("gathering_list", {}, True),
    "market_inspections": ("markets_home", {}, True),
    "market_inspections_total": ("markets_home", {}, True),
    "market_rectification_places_total": ("markets_home", {}, True),
    # The cold chain (reporting/coldchain.py): its lots and samples, narrowed to the node.
    "coldchain_lots_in": ("coldchain_home", {}, True),
    "coldchain_samples_tested": ("coldsample_list", {}, True),
    "coldchain_samples_positive": ("coldsample_list", {"result": "positive"}, True),
}


def records_link(code: str, node: Jurisdiction) -> str:
    """The URL of the records behind an indicator of `node`, or "" when no list shows them."""
    if code.startswith("active_"):
        name, query, by_node = KEYPERSONS, {"kind": code.removeprefix("active_"), "status": "active"}, True
    elif code in FIXED:
        name, query, by_node = FIXED[code]
    else:
        return ""
    if by_node:
        query = {**query, "node_code": node.code}
    return reverse(name) + (f"?{urlencode(query)}" if query else "")
