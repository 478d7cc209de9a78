"""Supplies: grid 07's store holding 100 donated masks (and the village's, to transfer to), an upload of
grid 07's worker for its store; the published donations list is public."""

from django.utils import timezone

from fangkong.imports import uploads
from fangkong.supplies import actions as supply_actions

from ..values import upload, yesterday


def records(w, r) -> dict:
    admin = w.county_admin
    supply_item = supply_actions.create_item(actor=admin, name="医用外科口罩", unit="只", threshold=10)
    store = supply_actions.create_store(actor=admin, node=w.grid07, name="第七网格物资点", kind="village")
    supply_actions.create_store(actor=admin, node=w.village, name="前屯村物资点", kind="village")
    supply_actions.receive(
        actor=admin,
        store=store,
        item=supply_item,
        quantity=100,
        on=timezone.localdate(),
        source="donated",
        donor="第七网格爱心人士",
    )
    # The supplies import is kept per store: the upload names it.
    store_upload = uploads.save_upload(
        user=w.grid07_worker, node_code=str(store.pk), filename="l.xlsx", data=b"x"
    )
    return {"store": store, "supply_item": supply_item, "store_upload": store_upload}


PUBLIC = {
    "public_donations": "the published donations list of the node a signed link names: date, item, quantity, "
    "area, and the donor only where they agreed to public thanks",
}

ROUTES = {
    "supplies_home": lambda w, r: ({}, f"node={w.grid07.code}"),
    "store_create": lambda w, r: ({}, ""),
    "store_detail": lambda w, r: ({"pk": r["store"].pk}, ""),
    "store_receive": lambda w, r: ({"pk": r["store"].pk}, ""),
    "store_issue": lambda w, r: ({"pk": r["store"].pk}, ""),
    "store_transfer": lambda w, r: ({"pk": r["store"].pk}, ""),
    "store_stocktake": lambda w, r: ({"pk": r["store"].pk}, ""),
    "store_export": lambda w, r: ({"pk": r["store"].pk}, ""),
    "movement_list": lambda w, r: ({}, ""),
    "donation_list": lambda w, r: ({}, f"node={w.grid07.code}"),
    "supply_item_list": lambda w, r: ({}, ""),
    "supplies_import": lambda w, r: ({}, ""),
    "imports_supplies_preview": lambda w, r: ({"token": r["store_upload"].token}, ""),
    "imports_supplies_confirm": lambda w, r: ({"token": r["store_upload"].token}, ""),
    "imports_supplies_rejected": lambda w, r: ({"token": r["store_upload"].token}, ""),
}

BODIES = {
    # How much, who approved; a new store without a unit; a receipt of yesterday in the ledger.
    "store_create": lambda w, r: {"unit": ""},
    "store_receive": lambda w, r: {"item": r["supply_item"].pk, "quantity": "10", "source": "bought"},
    "store_issue": lambda w, r: {
        "item": r["supply_item"].pk,
        "quantity": "10",
        "approver": "七组审批",
        "recipient_unit": "",
        "recipient": "七组小学",
    },
    "store_transfer": lambda w, r: {"item": r["supply_item"].pk, "quantity": "10"},
    "store_stocktake": lambda w, r: {"item": r["supply_item"].pk, "counted": "90"},
    "supply_item_list": lambda w, r: {"unit": "个"},
    "supplies_import": lambda w, r: {
        "store": r["store"].pk,
        "file": upload(
            ["日期", "物资名称", "单位", "来源", "入库数量"], [yesterday(), "医用外科口罩", "只", "自购", 5]
        ),
    },
}

PREVIEWS = {
    "supplies_import": "确认导入",
}

API_IDS = {
    "store_id": lambda w, r: r["store"].pk,
}

API_BODIES = {
    ("post", "/api/v1/supply-stores/{store_id}/receipts"): lambda w, r: {
        "item": r["supply_item"].pk,
        "quantity": "10",
        "on": timezone.localdate().isoformat(),
        "source": "bought",
    },
    ("post", "/api/v1/supply-stores/{store_id}/issues"): lambda w, r: {
        "item": r["supply_item"].pk,
        "quantity": "10",
        "on": timezone.localdate().isoformat(),
        "approver": "七组审批",
        "recipient": "七组小学",
    },
    ("post", "/api/v1/supply-stores/{store_id}/transfers"): lambda w, r: {
        "item": r["supply_item"].pk,
        "quantity": "10",
        "on": timezone.localdate().isoformat(),
        "target": r["store"].__class__.objects.get(name="前屯村物资点").pk,
    },
    ("post", "/api/v1/supply-stores/{store_id}/stocktakes"): lambda w, r: {
        "item": r["supply_item"].pk,
        "counted": "90",
        "on": timezone.localdate().isoformat(),
    },
}
