"""Market supervision: grid 07's pharmacy; 张伟 bought fever medicine there (a follow-up of grid 07) and
李秀英 bought some before she was registered: on the township's list of unregistered buyers."""

from fangkong.markets import actions as market_actions
from fangkong.markets.models import FeverFollowUp, Purchase


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

API_IDS = {
    "pharmacy_id": lambda w, r: r["pharmacy"].pk,
    "followup_id": lambda w, r: r["followup"].pk,
}
