"""The cold chain of grid 07: a cold store with a worker (张伟), a lot and a positive sample that sealed it;
a second store, and a second lot of the first, not sealed and with its four documents: the walk's bodies
document it, move it there and release it."""

from django.urls import reverse
from django.utils import timezone

from fangkong.coldchain import actions as coldchain_actions

from ..values import upload


def records(w, r) -> dict:
    admin = w.county_admin
    cold_store = coldchain_actions.create_store(
        actor=admin,
        node=w.grid07,
        name="第七网格冻品冷库",
        enterprise="第七网格冻品店",
        manager="第七网格库长",
    )
    coldchain_actions.add_worker(actor=admin, store=cold_store, person=r["zhang"], since=timezone.localdate())
    lot = coldchain_actions.register_lot(
        actor=admin,
        store=cold_store,
        product="第七网格冻虾",
        origin_country="厄瓜多尔",
        quantity=10,
        number="G07LOT",
        received_on=timezone.localdate(),
    )
    cold_sample = coldchain_actions.record_sample(
        actor=admin, store=cold_store, kind="goods", code="G07-COLD", sampled_on=timezone.localdate(), lot=lot
    )
    coldchain_actions.record_result(actor=admin, sample=cold_sample, result="positive")
    cold_store2 = coldchain_actions.create_store(
        actor=admin,
        node=w.grid07,
        name="第七网格冷库二",
        enterprise="第七网格冻品二店",
        manager="第七网格库长",
    )
    open_lot = coldchain_actions.register_lot(
        actor=admin,
        store=cold_store,
        product="第七网格冻鱼",
        origin_country="挪威",
        quantity=20,
        number="G07LOT2",
        received_on=timezone.localdate(),
    )
    for kind in ("inspection", "disinfection", "nat_report", "trace_info"):  # all four: it may be released
        coldchain_actions.record_document(
            actor=admin, lot=open_lot, kind=kind, number=f"G07-{kind}", issued_on=timezone.localdate()
        )
    return {
        "cold_store": cold_store,
        "lot": lot,
        "cold_sample": cold_sample,
        "open_lot": open_lot,
        "cold_store2": cold_store2,
    }


ROUTES = {
    "coldchain_home": lambda w, r: ({}, f"node={w.grid07.code}"),
    "coldstore_board": lambda w, r: ({}, f"node={w.grid07.code}"),
    "coldstore_create": lambda w, r: ({}, ""),
    "coldstore_detail": lambda w, r: ({"pk": r["cold_store"].pk}, ""),
    "lot_create": lambda w, r: ({"pk": r["cold_store"].pk}, ""),
    "coldworker_add": lambda w, r: ({"pk": r["cold_store"].pk}, ""),
    "lot_detail": lambda w, r: ({"pk": r["lot"].pk}, ""),
    "lot_document": lambda w, r: ({"pk": r["lot"].pk}, ""),
    "lot_release": lambda w, r: ({"pk": r["lot"].pk}, ""),
    "lot_disinfect": lambda w, r: ({"pk": r["lot"].pk}, ""),
    "lot_move": lambda w, r: ({"pk": r["lot"].pk}, ""),
    "lot_trace": lambda w, r: ({"pk": r["lot"].pk}, ""),
    "coldsample_list": lambda w, r: ({}, f"node={w.grid07.code}"),
    "coldsample_create": lambda w, r: ({}, ""),
    "coldsample_detail": lambda w, r: ({"pk": r["cold_sample"].pk}, ""),
    "coldsample_trace": lambda w, r: ({"pk": r["cold_sample"].pk}, ""),
    "coldchain_export_lots": lambda w, r: ({}, f"node={w.grid07.code}"),
    "coldchain_export_movements": lambda w, r: ({}, f"node={w.grid07.code}"),
    "coldchain_import": lambda w, r: ({}, ""),
}

BODIES = {
    # A store, a lot, a worker (李秀英), a document and a transfer of the unsealed lot, a sample,
    # and an arrival line of the in/out ledger.
    "coldstore_create": lambda w, r: {
        "node": w.grid07.pk,
        "name": "第七网格二号冷库",
        "kind": "cold_store",
        "enterprise": "第七网格冻品二店",
        "manager": "第七网格库长",
    },
    "lot_create": lambda w, r: {
        "product": "第七网格冻牛肉",
        "origin_country": "巴西",
        "quantity": "5",
        "unit": "千克",
        "number": "G07LOT3",
        "received_on": timezone.localdate().isoformat(),
    },
    "coldworker_add": lambda w, r: {
        "id_number": r["li"].id_number,
        "since": timezone.localdate().isoformat(),
    },
    "lot_document": lambda w, r: {
        "kind": "inspection",
        "number": "G07-DOC",
        "issued_on": timezone.localdate().isoformat(),
    },
    "lot_move": lambda w, r: {
        "source": r["cold_store"].pk,
        "target": r["cold_store2"].pk,
        "quantity": "1",
        "on": timezone.localdate().isoformat(),
    },
    "coldsample_create": lambda w, r: {
        "store": r["cold_store"].pk,
        "kind": "environment",
        "code": "G07-ENV",
        "sampled_on": timezone.localdate().isoformat(),
    },
    "coldchain_import": lambda w, r: {
        "ledger": "movements",
        "file": upload(
            ["日期", "品名", "批号", "原产国", "调入冷库", "数量"],
            [timezone.localdate().isoformat(), "第七网格冻虾仁", "G07LOT9", "越南", "第七网格冻品冷库", "3"],
        ),
    },
}

BODY_URLS = {
    "lot_document": lambda w, r: reverse("lot_document", args=[r["open_lot"].pk]),
    "lot_move": lambda w, r: reverse("lot_move", args=[r["open_lot"].pk]),
}

API_IDS = {
    "cold_store_id": lambda w, r: r["cold_store"].pk,
    "lot_id": lambda w, r: r["open_lot"].pk,
    "cold_sample_id": lambda w, r: r["cold_sample"].pk,
}

API_BODIES = {
    # A second store, a lot, a document, a disinfection, a transfer and a sample of grid 07.
    ("post", "/api/v1/cold-stores"): lambda w, r: {
        "node": w.grid07.code,
        "name": "第七网格冷库三",
        "enterprise": "第七网格冻品三店",
        "manager": "第七网格库长",
    },
    ("post", "/api/v1/cold-lots"): lambda w, r: {
        "store": r["cold_store"].pk,
        "product": "第七网格冻羊肉",
        "origin_country": "新西兰",
        "quantity": "8",
        "number": "G07LOT4",
        "received_on": timezone.localdate().isoformat(),
    },
    ("post", "/api/v1/cold-lots/{lot_id}/documents"): lambda w, r: {
        "kind": "inspection",
        "number": "G07-DOC2",
        "issued_on": timezone.localdate().isoformat(),
    },
    ("post", "/api/v1/cold-lots/{lot_id}/disinfection"): lambda w, r: {
        "on": timezone.localdate().isoformat()
    },
    ("post", "/api/v1/cold-lots/{lot_id}/movements"): lambda w, r: {
        "source": r["cold_store"].pk,
        "target": r["cold_store2"].pk,
        "quantity": "1",
        "on": timezone.localdate().isoformat(),
    },
    ("post", "/api/v1/cold-samples"): lambda w, r: {
        "store": r["cold_store"].pk,
        "kind": "environment",
        "code": "G07-ENV2",
        "sampled_on": timezone.localdate().isoformat(),
    },
    ("post", "/api/v1/cold-samples/{cold_sample_id}/result"): lambda w, r: {"result": "positive"},
}
