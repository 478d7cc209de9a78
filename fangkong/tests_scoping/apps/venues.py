"""Venues: grid 07's shop (closed by inspections.py), 张伟 checked in there; the QR pages are public."""

from fangkong.healthcodes.identity import identity_for_person
from fangkong.venues import actions as venue_actions


def records(w, r) -> dict:
    venue = venue_actions.create_venue(
        actor=w.county_admin, node=w.grid07, name="第七网格便民超市", kind="shop"
    )
    venue_actions.check_in(actor=None, venue=venue, people=[identity_for_person(r["zhang"])])
    return {"venue": venue}


PUBLIC = {
    "venue_checkin": "a venue poster's QR code: the random venue code opens that venue's check-in only",
    "venue_checkout": "leaving a venue: only check-ins of the people this phone's signed cookie remembers",
}

ROUTES = {
    "venue_list": lambda w, r: ({}, ""),
    "venue_create": lambda w, r: ({}, ""),
    "venue_posters": lambda w, r: ({}, f"node_code={w.grid07.code}"),
    "venue_detail": lambda w, r: ({"pk": r["venue"].pk}, ""),
    "venue_edit": lambda w, r: ({"pk": r["venue"].pk}, ""),
    "venue_set_active": lambda w, r: ({"pk": r["venue"].pk}, ""),
    "venue_poster_pdf": lambda w, r: ({"pk": r["venue"].pk}, ""),
    "venue_poster_png": lambda w, r: ({"pk": r["venue"].pk}, ""),
    "checkin_list": lambda w, r: ({}, ""),
}
