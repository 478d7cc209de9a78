"""Disinfection: grid 07's public toilet with one entry, an upload of grid 07's worker for it."""

import datetime as dt

from django.utils import timezone

from fangkong.disinfection import actions as disinfection_actions
from fangkong.imports import uploads

from ..values import an_hour_ago, upload, yesterday


def records(w, r) -> dict:
    admin = w.county_admin
    place = disinfection_actions.create_place(
        actor=admin, node=w.grid07, name="第七网格公厕", kind="public_toilet"
    )
    # The disinfection import is kept per place: the upload names it.
    place_upload = uploads.save_upload(
        user=w.grid07_worker, node_code=str(place.pk), filename="l.xlsx", data=b"x"
    )
    disinfection_actions.record_entry(
        actor=admin,
        place=place,
        started_at=timezone.now() - dt.timedelta(hours=2),
        ended_at=timezone.now() - dt.timedelta(hours=1),
        agent="84消毒液",
        method="spray",
        done_by="张伟",
    )
    return {"place": place, "place_upload": place_upload}


ROUTES = {
    "disinfection_home": lambda w, r: ({}, f"node={w.grid07.code}"),
    "place_create": lambda w, r: ({}, ""),
    "place_detail": lambda w, r: ({"pk": r["place"].pk}, ""),
    "entry_create": lambda w, r: ({"pk": r["place"].pk}, ""),
    "place_export": lambda w, r: ({"pk": r["place"].pk}, ""),
    "entry_list": lambda w, r: ({}, f"node={w.grid07.code}"),
    "disinfection_import": lambda w, r: ({}, ""),
    "imports_disinfection_preview": lambda w, r: ({"token": r["place_upload"].token}, ""),
    "imports_disinfection_confirm": lambda w, r: ({"token": r["place_upload"].token}, ""),
    "imports_disinfection_rejected": lambda w, r: ({"token": r["place_upload"].token}, ""),
}

BODIES = {
    # A disinfection of yesterday in the ledger of grid 07's public toilet.
    "disinfection_import": lambda w, r: {
        "place": r["place"].pk,
        "file": upload(
            ["日期", "起止时间", "消毒剂", "方式", "消毒人员"],
            [yesterday(), "08:00-08:30", "84消毒液", "喷洒", "李师傅"],
        ),
    },
}

PREVIEWS = {
    "disinfection_import": "确认导入",
}

API_IDS = {
    "place_id": lambda w, r: r["place"].pk,
}

API_BODIES = {
    ("post", "/api/v1/disinfection-places/{place_id}/entries"): lambda w, r: {
        "started_at": an_hour_ago(),
        "ended_at": an_hour_ago(),
        "agent": "84消毒液",
        "method": "spray",
        "done_by": "李师傅",
    },
}
