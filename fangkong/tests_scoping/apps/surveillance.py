"""Early warning: grid 07's fever clinic, eleven ordinary days of visits and a jump yesterday: yesterday's
detection raises a signal of grid 07."""

import datetime as dt
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fangkong.surveillance import actions as surveillance_actions
from fangkong.surveillance.models import SignalAlert

from ..values import upload


def records(w, r) -> dict:
    admin = w.county_admin
    clinic = surveillance_actions.add_clinic(actor=admin, node=w.grid07, name="第七网格发热哨点")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for i, visits in enumerate([2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 30]):
        surveillance_actions.record_visits(
            actor=admin, clinic=clinic, day=yesterday - dt.timedelta(days=11 - i), visits=visits
        )
    surveillance_actions.run_detection(day=yesterday)
    return {"signal_alert": SignalAlert.objects.get(node=w.grid07, day=yesterday), "fever_clinic": clinic}


ROUTES = {
    "signal_list": lambda w, r: ({}, f"node={w.grid07.code}"),
    "signal_run": lambda w, r: ({}, f"node={w.grid07.code}"),
    "signal_alert_resolve": lambda w, r: ({"pk": r["signal_alert"].pk}, ""),
    "surveillance_rt": lambda w, r: ({}, f"node={w.grid07.code}"),
    "clinic_visits_entry": lambda w, r: ({}, f"node={w.grid07.code}"),
    "clinic_visits_import": lambda w, r: ({}, f"node={w.grid07.code}"),
    "surveillance_risk": lambda w, r: ({}, f"node={w.grid07.code}"),
    "five_colour": lambda w, r: ({}, f"node={w.grid07.code}"),
    "five_colour_boundaries": lambda w, r: ({}, f"node={w.grid07.code}"),
}

BODIES = {
    # The county's boundaries: grid 07's township as a small triangle (the county admin's upload).
    "five_colour_boundaries": lambda w, r: {
        "file": SimpleUploadedFile(
            "乡镇边界.geojson",
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "properties": {"adcode": w.township.code},
                            "geometry": {
                                "type": "Polygon",
                                "coordinates": [[[115.9, 36.4], [116, 36.4], [116, 36.5], [115.9, 36.4]]],
                            },
                        }
                    ],
                }
            ).encode(),
        ),
    },
    # Grid 07's fever clinic, today's visits (yesterday's and before are entered already).
    "clinic_visits_entry": lambda w, r: {f"visits_{r['fever_clinic'].pk}": "4"},
    "clinic_visits_import": lambda w, r: {
        "file": upload(
            ["日期", "发热门诊", "就诊人次"], [timezone.localdate().isoformat(), "第七网格发热哨点", 4]
        ),
    },
}

API_BODIES = {
    ("post", "/api/v1/fever-clinic-visits"): lambda w, r: {
        "clinic": r["fever_clinic"].pk,
        "day": timezone.localdate().isoformat(),
        "visits": 4,
    },
}
