"""Case tracing: 张伟 a confirmed case in grid 07, an entry of his trajectory and his household member as
a candidate contact."""

import datetime as dt

from django.utils import timezone

from fangkong.tracing import actions as tracing_actions


def records(w, r) -> dict:
    admin = w.county_admin
    case = tracing_actions.report_case(
        actor=admin,
        node=w.grid07,
        kind="confirmed",
        person=r["zhang"],
        diagnosed_at=timezone.now() - dt.timedelta(hours=1),
        hospital="第七网格卫生室",
    )
    entry = tracing_actions.add_entry(
        actor=admin,
        case=case,
        kind="home",
        starts_at=timezone.now() - dt.timedelta(hours=20),
        place="前屯村七组12号",
    )
    tracing_actions.search_contacts(actor=admin, case=case)
    return {"case": case, "entry": entry, "candidate": case.candidates.get()}


ROUTES = {
    "case_list": lambda w, r: ({}, ""),
    "case_create": lambda w, r: ({}, f"person={r['zhang'].pk}"),
    "case_detail": lambda w, r: ({"pk": r["case"].pk}, ""),
    "case_edit": lambda w, r: ({"pk": r["case"].pk}, ""),
    "case_event_add": lambda w, r: ({"pk": r["case"].pk}, ""),
    "case_investigation": lambda w, r: ({"pk": r["case"].pk}, ""),
    "case_entry_add": lambda w, r: ({"pk": r["case"].pk}, ""),
    "case_entry_remove": lambda w, r: ({"pk": r["case"].pk, "entry_id": r["entry"].pk}, ""),
    "case_contact_name": lambda w, r: ({"pk": r["case"].pk}, ""),
    "case_search": lambda w, r: ({"pk": r["case"].pk}, ""),
    "case_decide": lambda w, r: ({"pk": r["case"].pk}, ""),
    "case_report": lambda w, r: ({"pk": r["case"].pk}, "full=1"),
    "case_handover": lambda w, r: ({"pk": r["case"].pk}, "full=1"),
    "candidate_secondary": lambda w, r: ({"pk": r["candidate"].pk}, ""),
    "contact_worklist": lambda w, r: ({}, ""),
    "cluster_list": lambda w, r: ({}, f"node={w.grid07.code}"),
    "case_chain": lambda w, r: ({}, f"node={w.grid07.code}"),
}

API_IDS = {
    "case_id": lambda w, r: r["case"].pk,
    "entry_id": lambda w, r: r["entry"].pk,
}
