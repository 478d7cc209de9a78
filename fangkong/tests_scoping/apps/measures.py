"""Key persons and measures: 张伟 screened on arrival and under home quarantine, grid 07's worker his
caretaker, a fever at his first follow-up (an alert), and an isolation site with two rooms."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from fangkong.imports.tests.sheets import STANDARD, row
from fangkong.imports.tests.sheets import id_number as sheet_id
from fangkong.measures import actions as measure_actions
from fangkong.measures.actions import add_rooms, create_site
from fangkong.policy.models import Kind, Reason

from ..values import upload


def records(w, r) -> dict:
    zhang = r["zhang"]
    admin = w.county_admin
    screening = measure_actions.record_screening(
        actor=admin,
        person=zhang,
        reason=Reason.ARRIVAL,
        screened_on=dt.date(2020, 1, 28),
        arrived_on=dt.date(2020, 1, 27),
    )
    started = timezone.now() - dt.timedelta(days=2)
    measure = measure_actions.start_measure(
        actor=admin, person=zhang, kind=Kind.HOME_QUARANTINE, screening=screening, started_at=started
    )
    measure_actions.assign_caretaker(actor=admin, measure=measure, user=w.grid07_worker, role="grid_worker")
    follow_up = measure_actions.record_follow_up(
        actor=admin, measure=measure, temperature="38.1", taken_at=started + dt.timedelta(hours=1)
    )
    site = create_site(actor=admin, node=w.village, name="第七网格隔离点", address="前屯村七组12号")
    add_rooms(actor=admin, site=site, first=101, last=102, capacity=1)
    return {"measure": measure, "alert": follow_up.alert, "site": site}


PUBLIC = {
    "selfreport": "a resident's follow-up page, reached by a signed link; the token is the access check",
}

ROUTES = {
    "keyperson_list": lambda w, r: ({}, ""),
    "screening_create": lambda w, r: ({}, f"person={r['zhang'].pk}"),
    "measure_start": lambda w, r: ({}, f"person={r['zhang'].pk}"),
    "measure_detail": lambda w, r: ({"pk": r["measure"].pk}, ""),
    "measure_release": lambda w, r: ({"pk": r["measure"].pk}, ""),
    "measure_transfer": lambda w, r: ({"pk": r["measure"].pk}, ""),
    "measure_caretaker_add": lambda w, r: ({"pk": r["measure"].pk}, ""),
    "measure_test_add": lambda w, r: ({"pk": r["measure"].pk}, ""),
    "site_list": lambda w, r: ({}, ""),
    "site_create": lambda w, r: ({}, ""),
    "site_detail": lambda w, r: ({"pk": r["site"].pk}, ""),
    "site_rooms_add": lambda w, r: ({"pk": r["site"].pk}, ""),
    "worklist": lambda w, r: ({}, ""),
    "worklist_card": lambda w, r: ({"pk": r["measure"].pk}, ""),
    "followup_create": lambda w, r: ({"pk": r["measure"].pk}, ""),
    "selfreport_link": lambda w, r: ({"pk": r["measure"].pk}, ""),
    "alert_list": lambda w, r: ({}, ""),
    "alert_transfer": lambda w, r: ({"pk": r["alert"].pk}, ""),
    "alert_resolve": lambda w, r: ({"pk": r["alert"].pk}, ""),
    "township_overview": lambda w, r: ({}, ""),
    "imports_returnees": lambda w, r: ({}, ""),
    "imports_returnees_preview": lambda w, r: ({"token": r["upload"].token}, ""),
    "imports_returnees_confirm": lambda w, r: ({"token": r["upload"].token}, ""),
    "imports_returnees_rejected": lambda w, r: ({"token": r["upload"].token}, ""),
    "export_returnees": lambda w, r: ({}, f"node={w.grid07.code}&full=1"),
    "export_temperature": lambda w, r: ({"measure_id": r["measure"].pk}, ""),
}

BODIES = {
    "measure_caretaker_add": lambda w, r: {"user": w.grid07_viewer.pk, "role": "grid_worker"},
    "imports_returnees": lambda w, r: {
        "file": upload(STANDARD, row(姓名="赵七组", 身份证号=sheet_id(31), 现住址="前屯村七组14号")),
    },
}

BODY_URLS = {
    "measure_start": lambda w, r: f"{reverse('measure_start')}?person={r['li'].pk}",
    "screening_create": lambda w, r: f"{reverse('screening_create')}?person={r['li'].pk}",
}

PREVIEWS = {
    "imports_returnees": "新增排查",
}

API_IDS = {
    "alert_id": lambda w, r: r["alert"].pk,
    "measure_id": lambda w, r: r["measure"].pk,
}
