"""Daily reports: grid 07's kindergarten (registry.py) owes one; it sent 28 January's and missed the next
two, so grid 07's worker has a reminder."""

import datetime as dt

from fangkong.reporting import actions as daily_actions
from fangkong.reporting import reminders


def records(w, r) -> dict:
    reporting_unit = daily_actions.add_reporting_unit(
        actor=w.county_admin, unit=r["kindergarten"], active_from=dt.date(2020, 1, 27)
    )
    daily_actions.submit_report(
        actor=w.grid07_worker,
        reporting_unit=reporting_unit,
        day=dt.date(2020, 1, 28),
        activities={"meetings": 1},
        note="前屯村七组12号门口消杀",
    )
    reminders.send_report_reminders(
        now=dt.datetime(2020, 1, 31, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    )
    return {"reporting_unit": reporting_unit, "reminder": w.grid07_worker.reminders.first()}


ROUTES = {
    "daily_list": lambda w, r: ({}, "date=2020-01-28"),
    "daily_report": lambda w, r: ({"pk": r["reporting_unit"].pk, "day": "2020-01-28"}, ""),
    "daily_zero": lambda w, r: ({"pk": r["reporting_unit"].pk, "day": "2020-01-29"}, ""),
    "completeness": lambda w, r: ({"code": w.grid07.code}, "date=2020-01-28"),
    "reporting_units": lambda w, r: ({"code": w.grid07.code}, ""),
    "reporting_units_villages": lambda w, r: ({"code": w.village.code}, ""),
    "reporting_unit_remove": lambda w, r: ({"pk": r["reporting_unit"].pk}, ""),
    "daily_export": lambda w, r: ({"code": w.grid07.code}, "date_from=2020-01-28&date_to=2020-01-30"),
    "reminder_list": lambda w, r: ({}, ""),
    "reminder_read": lambda w, r: ({"pk": r["reminder"].pk}, ""),
    "dashboard": lambda w, r: ({}, ""),
    "dashboard_node": lambda w, r: ({"code": w.grid07.code}, ""),
}

BODIES = {
    "daily_report": lambda w, r: {"note": "第七网格改报"},
    # Grid 07's clinic, which does not report yet (made by the strangers fixture of test_other_areas.py).
    "reporting_units": lambda w, r: {"node": "", "unit": r["clinic"].pk},
}

API_IDS = {
    "reporting_unit_id": lambda w, r: r["reporting_unit"].pk,
}
