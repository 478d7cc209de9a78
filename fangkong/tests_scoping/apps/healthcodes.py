"""Health codes: a risk area, 张伟's manual yellow and his appeal; the resident's pages are public."""

import datetime as dt

from django.utils import timezone

from fangkong.healthcodes import actions as healthcode_actions
from fangkong.healthcodes.identity import identity_for_person


def records(w, r) -> dict:
    zhang = r["zhang"]
    admin = w.county_admin
    risk_area = healthcode_actions.create_risk_area(
        actor=admin,
        declared_by=w.county,
        level="high",
        division_code="420102",
        name="武汉市江岸区",
        starts_on=timezone.localdate(),
    )
    manual = healthcode_actions.set_manual_colour(
        actor=admin,
        person=zhang,
        colour="yellow",
        reason="第七网格核查",
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    appeal = healthcode_actions.submit_appeal(
        identity=identity_for_person(zhang), text="张伟申诉：前屯村七组12号"
    )
    return {"risk_area": risk_area, "manual": manual, "appeal": appeal}


PUBLIC = {
    "resident_code": "a resident's own code: only the people this phone's signed cookie remembers",
    "resident_code_add": "identifying on a phone (name, ID number, phone), with an attempt limit",
    "resident_code_forget": "removing someone from this phone's signed cookie",
    "resident_code_appeal": "an appeal by a person this phone's signed cookie remembers",
    "resident_code_check": "a code's QR opened by any camera: colour and masked name while the token is valid",
}

ROUTES = {
    "riskarea_list": lambda w, r: ({}, ""),
    "riskarea_create": lambda w, r: ({}, ""),
    "riskarea_end": lambda w, r: ({"pk": r["risk_area"].pk}, ""),
    "healthcode_person": lambda w, r: ({"pk": r["zhang"].pk}, ""),
    "manual_colour_set": lambda w, r: ({"pk": r["zhang"].pk}, ""),
    "manual_colour_revoke": lambda w, r: ({"pk": r["manual"].pk}, ""),
    "appeal_list": lambda w, r: ({}, ""),
    "appeal_detail": lambda w, r: ({"pk": r["appeal"].pk}, ""),
    "code_rules": lambda w, r: ({}, ""),
    "code_rules_edit": lambda w, r: ({"code": w.grid07.code}, ""),
}
