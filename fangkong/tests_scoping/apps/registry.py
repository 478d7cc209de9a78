"""The tree, households, persons and units: grid 07's kindergarten, which owes daily reports (reporting.py)
and is inspected (inspections.py). Its households and persons are the tiny world's (`people`)."""

import datetime as dt

from fangkong.lib.idcard import make as make_id
from fangkong.registry import actions as registry_actions


def records(w, r) -> dict:
    kindergarten = registry_actions.create_unit(
        actor=w.county_admin, node=w.grid07, name="第七网格幼儿园", kind="school"
    )
    return {"kindergarten": kindergarten}


ROUTES = {
    "tree": lambda w, r: ({}, ""),
    "tree_node": lambda w, r: ({"code": w.grid07.code}, ""),
    "household_list": lambda w, r: ({}, ""),
    "household_create": lambda w, r: ({}, ""),
    "household_detail": lambda w, r: ({"pk": r["h07"].pk}, ""),
    "household_edit": lambda w, r: ({"pk": r["h07"].pk}, ""),
    "person_list": lambda w, r: ({}, "q=zw"),
    "person_create": lambda w, r: ({}, f"household={r['h07'].pk}"),
    "person_detail": lambda w, r: ({"pk": r["zhang"].pk}, ""),
    "person_reveal": lambda w, r: ({"pk": r["zhang"].pk}, ""),
    "person_edit": lambda w, r: ({"pk": r["zhang"].pk}, ""),
    "person_move": lambda w, r: ({"pk": r["zhang"].pk}, ""),
    "person_verify": lambda w, r: ({"pk": r["zhang"].pk}, ""),
    "unit_list": lambda w, r: ({}, ""),
    "unit_create": lambda w, r: ({}, ""),
}

BODIES = {
    "person_create": lambda w, r: {"id_number": make_id("371502", dt.date(2001, 2, 3), 77), "phone": ""},
}

API_IDS = {
    "household_id": lambda w, r: r["h07"].pk,
    "person_id": lambda w, r: r["zhang"].pk,
}

API_BODIES = {
    ("post", "/api/v1/persons"): lambda w, r: {"id_number": make_id("371502", dt.date(2001, 2, 3), 77)},
    ("post", "/api/v1/persons/{person_id}/move"): lambda w, r: {"household": r["h08"].pk},
}
