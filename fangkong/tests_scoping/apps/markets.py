"""Market supervision: grid 07's pharmacy; 张伟 bought fever medicine there (a follow-up of grid 07) and
李秀英 bought some before she was registered: on the township's list of unregistered buyers."""

import datetime as dt

from django.utils import timezone

from fangkong.markets import actions as market_actions
from fangkong.markets.models import FeverFollowUp, Purchase

from ..values import upload, yesterday


def records(w, r) -> dict:
    admin = w.county_admin
    pharmacy = market_actions.create_pharmacy(
        actor=admin, node=w.grid07, name="第七网格药店", licence_no="鲁AA0700001"
    )
    purchase = market_actions.record_purchase(
        actor=admin,
        pharmacy=pharmacy,
        buyer_name="张伟",
        id_number=r["zhang"].id_number,
        phone="13812345678",
        drug="布洛芬",
        drug_class="fever",
    )
    # 李秀英 bought fever medicine before she was registered: on the township's list, matched later.
    early = market_actions.record_purchase(
        actor=admin,
        pharmacy=pharmacy,
        buyer_name="李秀英",
        id_number=r["li"].id_number,
        drug="对乙酰氨基酚片",
        drug_class="fever",
    )
    FeverFollowUp.objects.filter(purchase=early).delete()
    Purchase.objects.filter(pk=early.pk).update(person=None)
    return {"pharmacy": pharmacy, "purchase": purchase, "followup": purchase.followup, "unregistered": early}


ROUTES = {
    "markets_home": lambda w, r: ({}, f"node={w.grid07.code}"),
    "weekly_export": lambda w, r: ({}, f"node={w.grid07.code}"),
    "pharmacy_list": lambda w, r: ({}, ""),
    "pharmacy_detail": lambda w, r: ({"pk": r["pharmacy"].pk}, ""),
    "purchase_new": lambda w, r: ({"pk": r["pharmacy"].pk}, ""),
    "weekly_new": lambda w, r: ({"pk": r["pharmacy"].pk}, ""),
    "pharmacy_export": lambda w, r: ({"pk": r["pharmacy"].pk}, ""),
    "fever_followup_list": lambda w, r: ({}, "state=all"),
    "fever_followup_done": lambda w, r: ({"pk": r["followup"].pk}, ""),
    "unregistered_buyer_list": lambda w, r: ({}, ""),
    "unregistered_buyer_match": lambda w, r: ({}, ""),
    "purchase_found": lambda w, r: ({"pk": r["unregistered"].pk}, ""),
    "gathering_list": lambda w, r: ({}, f"node={w.grid07.code}"),
    "markets_import": lambda w, r: ({}, ""),
}

BODIES = {
    # Grid 07's pharmacy, its buyers 张伟 (a task of grid 07) and 李秀英 (unregistered
    # when she bought), the township's gatherings.
    "pharmacy_list": lambda w, r: {
        "node": w.grid07.pk,
        "name": "第七网格二药房",
        "licence_no": "鲁AA0700002",
    },
    "purchase_new": lambda w, r: {
        "id_number": r["li"].id_number,
        "buyer_name": "李秀英",
        "drug_class": "fever",
        "drug": "布洛芬",
        "quantity": 1,
    },
    "weekly_new": lambda w, r: {
        "week_start": yesterday(),
        "fever": 1,
        "cough": 0,
        "antiviral": 0,
        "antibiotic": 0,
    },
    "fever_followup_done": lambda w, r: {"outcome": "第七网格已核查"},
    "purchase_found": lambda w, r: {"found_note": "第七网格已找到"},
    "gathering_list": lambda w, r: {
        "node": w.township.pk,
        "day": yesterday(),
        "reported": 2,
        "cancelled": 1,
    },
    "markets_import": lambda w, r: {
        "kind": "purchases",
        "pharmacy": r["pharmacy"].pk,
        "file": upload(
            ["购药时间", "姓名", "身份证号", "药品名称", "类别"],
            [f"{yesterday()} 09:00", "李秀英", r["li"].id_number, "布洛芬", "退热"],
        ),
    },
}

API_IDS = {
    "pharmacy_id": lambda w, r: r["pharmacy"].pk,
    "followup_id": lambda w, r: r["followup"].pk,
}

API_BODIES = {
    # Market supervision of grid 07 (its pharmacy, 张伟's follow-up) and of its township (gatherings).
    ("post", "/api/v1/pharmacies"): lambda w, r: {
        "node": w.grid07.code,
        "name": "第七网格二药房",
        "licence_no": "鲁AA0700002",
    },
    ("post", "/api/v1/pharmacies/{pharmacy_id}/purchases"): lambda w, r: {
        "buyer_name": "李秀英",
        "id_number": r["li"].id_number,
        "drug": "布洛芬",
        "drug_class": "fever",
    },
    ("post", "/api/v1/pharmacies/{pharmacy_id}/weekly-reports"): lambda w, r: {
        "week_start": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "fever": 1,
        "cough": 0,
        "antiviral": 0,
        "antibiotic": 0,
    },
    ("post", "/api/v1/fever-followups/{followup_id}/done"): lambda w, r: {"outcome": "第七网格已核查"},
    ("post", "/api/v1/gatherings"): lambda w, r: {
        "node": w.township.code,
        "day": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "reported": 2,
        "cancelled": 1,
    },
}
