"""Case tracing: 张伟 a confirmed case in grid 07, an entry of his trajectory and his household member as
a candidate contact."""

import datetime as dt

from django.utils import timezone

from fangkong.tracing import actions as tracing_actions

from ..values import an_hour_ago


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

BODIES = {
    # A confirmed case may be discharged (§12); the trajectory's place and the investigation's time.
    "case_event_add": lambda w, r: {"kind": "discharged"},
    "case_entry_add": lambda w, r: {"place": "前屯村七组12号", "starts_at": an_hour_ago()},
    "case_investigation": lambda w, r: {"core_at": an_hour_ago()},
}

API_IDS = {
    "case_id": lambda w, r: r["case"].pk,
    "entry_id": lambda w, r: r["entry"].pk,
}

API_BODIES = {
    # 李秀英 of grid 07 reported as a case; 张伟's case edited, discharged, its trajectory and candidates.
    ("post", "/api/v1/cases"): lambda w, r: {
        "kind": "suspected",
        "person": r["li"].pk,
        "diagnosed_at": timezone.localtime().isoformat(),
    },
    ("put", "/api/v1/cases/{case_id}"): lambda w, r: {
        "diagnosed_at": r["case"].diagnosed_at.isoformat(),
        "hospital": "第七网格卫生室",
    },
    ("post", "/api/v1/cases/{case_id}/events"): lambda w, r: {
        "kind": "discharged",
        "at": timezone.localtime().isoformat(),
    },
    ("post", "/api/v1/cases/{case_id}/entries"): lambda w, r: {
        "kind": "home",
        "starts_at": (timezone.localtime() - dt.timedelta(hours=2)).isoformat(),
        "place": "前屯村七组12号",
    },
    ("post", "/api/v1/cases/{case_id}/decisions"): lambda w, r: {
        "decision": "close",
        "candidates": [r["candidate"].pk],
    },
}
