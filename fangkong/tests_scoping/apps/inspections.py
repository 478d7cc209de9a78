"""Inspections: a checklist of grid 07, an inspection of its kindergarten (registry.py) with a failed item
and its rectification order, the closure of its shop (venues.py)."""

import datetime as dt

from django.utils import timezone

from fangkong.inspections import actions as inspection_actions

from ..values import an_hour_ago, upload


def records(w, r) -> dict:
    admin = w.county_admin
    checklist = inspection_actions.create_template(
        actor=admin, node=w.grid07, name="第七网格检查表", items=["第七网格测温点"]
    )
    inspection = inspection_actions.record_inspection(
        actor=admin,
        target=r["kindergarten"],
        template=checklist,
        inspected_at=timezone.now() - dt.timedelta(hours=2),
        inspectors="第七网格督查员",
        results=[{"text": "第七网格测温点", "passed": False, "note": "第七网格未测温"}],
        owner="第七网格园长",
    )
    closure = inspection_actions.close_object(
        actor=admin,
        target=r["venue"],
        reason="第七网格停业整顿",
        closed_at=timezone.now() - dt.timedelta(hours=2),
    )
    return {
        "checklist": checklist,
        "inspection": inspection,
        "order": inspection.results.get().rectification,
        "closure": closure,
    }


ROUTES = {
    "inspection_list": lambda w, r: ({}, ""),
    "export_inspections": lambda w, r: ({}, f"node={w.grid07.code}"),
    "inspection_pick": lambda w, r: ({}, ""),
    "inspection_create": lambda w, r: ({}, f"unit={r['kindergarten'].pk}"),
    "inspection_detail": lambda w, r: ({"pk": r["inspection"].pk}, ""),
    "result_photo": lambda w, r: ({"pk": r["inspection"].results.get().pk}, ""),
    "order_list": lambda w, r: ({}, ""),
    "order_detail": lambda w, r: ({"pk": r["order"].pk}, ""),
    "reinspect": lambda w, r: ({}, f"unit={r['kindergarten'].pk}"),
    "closure_list": lambda w, r: ({}, ""),
    "closure_create": lambda w, r: ({}, f"unit={r['kindergarten'].pk}"),
    "closure_reopen": lambda w, r: ({"pk": r["closure"].pk}, ""),
    "template_list": lambda w, r: ({}, ""),
    "template_create": lambda w, r: ({}, ""),
    "template_detail": lambda w, r: ({"pk": r["checklist"].pk}, ""),
    "template_copy": lambda w, r: ({"pk": r["checklist"].pk}, ""),
    "imports_inspections": lambda w, r: ({}, ""),
    "imports_inspections_preview": lambda w, r: ({"token": r["upload"].token}, ""),
    "imports_inspections_confirm": lambda w, r: ({"token": r["upload"].token}, ""),
    "imports_inspections_rejected": lambda w, r: ({"token": r["upload"].token}, ""),
}

BODIES = {
    # Grid 07's kindergarten, its open order, the shop closed two hours ago.
    "inspection_create": lambda w, r: {"inspectors": "第七网格督查员"},
    "reinspect": lambda w, r: {"inspectors": "第七网格督查员"},
    "closure_reopen": lambda w, r: {"reopened_at": an_hour_ago()},
    "template_create": lambda w, r: {"items": "第七网格测温点"},
    "imports_inspections": lambda w, r: {
        "file": upload(
            ["检查日期", "被检查单位", "检查人员"], [timezone.localdate(), "第七网格幼儿园", "督查员"]
        )
    },
}

PREVIEWS = {
    "imports_inspections": "确认导入",
}

API_IDS = {
    "inspection_id": lambda w, r: r["inspection"].pk,
    "order_id": lambda w, r: r["order"].pk,
    "closure_id": lambda w, r: r["closure"].pk,
}

API_BODIES = {
    # Grid 07's kindergarten inspected again, its open order checked; the shop closed and reopened.
    ("post", "/api/v1/inspections"): lambda w, r: {
        "unit": r["kindergarten"].pk,
        "inspected_at": timezone.localtime().isoformat(),
        "inspectors": "第七网格督查员",
        "results": [{"text": "第七网格测温点", "passed": True}],
    },
    ("post", "/api/v1/inspections/reinspections"): lambda w, r: {
        "unit": r["kindergarten"].pk,
        "inspected_at": timezone.localtime().isoformat(),
        "inspectors": "第七网格督查员",
        "checks": [{"order": r["order"].pk, "passed": True}],
    },
    ("post", "/api/v1/closures"): lambda w, r: {
        "unit": r["kindergarten"].pk,
        "reason": "第七网格停业整顿",
        "closed_at": timezone.localtime().isoformat(),
    },
    ("post", "/api/v1/closures/{closure_id}/reopen"): lambda w, r: {
        "reopened_at": timezone.localtime().isoformat()
    },
}
