"""Vaccination: grid 07's site, 张伟's dose today, 李秀英's deferral."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from fangkong.vaccination import actions as vaccination_actions

from ..values import upload


def records(w, r) -> dict:
    vaccination_site = vaccination_actions.create_site(
        actor=w.county_admin, node=w.grid07, name="第七网格接种点"
    )
    dose, _created = vaccination_actions.record_dose(
        actor=w.county_admin,
        person=r["zhang"],
        site=vaccination_site,
        product="ad5",
        given_on=timezone.localdate(),
    )
    return {"vaccination_site": vaccination_site, "dose": dose}


def deferrals(w, r) -> dict:
    vaccination_actions.record_deferral(
        actor=w.county_admin, person=r["li"], kind="postponed", reason="第七网格发热"
    )
    return {}


ROUTES = {
    "vaccination_entry": lambda w, r: ({}, f"person={r['zhang'].pk}"),
    "vaccination_sites": lambda w, r: ({}, ""),
    "vaccination_site_export": lambda w, r: ({"pk": r["vaccination_site"].pk}, "full=1"),
    "vaccination_deferral_add": lambda w, r: ({"pk": r["li"].pk}, ""),
    "vaccination_dose_correct": lambda w, r: ({"pk": r["dose"].pk}, ""),
    "vaccination_dose_void": lambda w, r: ({"pk": r["dose"].pk}, ""),
    "vaccination_coverage": lambda w, r: ({}, f"node={w.grid07.code}"),
    "vaccination_unvaccinated": lambda w, r: ({}, f"node={w.grid07.code}"),
    "vaccination_import": lambda w, r: ({}, ""),
    "vaccination_import_preview": lambda w, r: (
        {"site_id": r["vaccination_site"].pk, "token": r["upload"].token},
        "",
    ),
    "vaccination_import_confirm": lambda w, r: (
        {"site_id": r["vaccination_site"].pk, "token": r["upload"].token},
        "",
    ),
    "vaccination_import_rejected": lambda w, r: (
        {"site_id": r["vaccination_site"].pk, "token": r["upload"].token},
        "",
    ),
}

BODIES = {
    # 张伟 had a dose today: the entry records one for 李秀英; the ledger one of 张伟's two months ago.
    "vaccination_entry": lambda w, r: {"person": r["li"].pk},
    "vaccination_import": lambda w, r: {
        "file": upload(
            ["姓名", "身份证号", "生产企业", "剂次", "接种日期"],
            ["张伟", r["zhang"].id_number, "北京生物", "1", timezone.localdate() - dt.timedelta(days=60)],
        )
    },
    "vaccination_dose_correct": lambda w, r: {
        "site": r["vaccination_site"].pk,
        "product": "ad5",
        "given_on": timezone.localdate().isoformat(),
        "dose_number": 1,
        "lot": "G07LOT",
        "reason": "第七网格更正",
    },
}

BODY_URLS = {
    "vaccination_entry": lambda w, r: f"{reverse('vaccination_entry')}?person={r['li'].pk}",
}

PREVIEWS = {
    "vaccination_import": "确认导入",
}

API_BODIES = {
    # A dose for 李秀英 at grid 07's site; a deferral for 张伟.
    ("post", "/api/v1/vaccination/doses"): lambda w, r: {
        "person": r["li"].pk,
        "site": r["vaccination_site"].pk,
        "product": "bibp",
        "given_on": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
    },
    ("post", "/api/v1/vaccination/deferrals"): lambda w, r: {
        "person": r["zhang"].pk,
        "kind": "postponed",
        "reason": "第七网格发热",
    },
}
