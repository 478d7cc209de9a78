"""The demo county's early warning: a fever clinic at each township's health centre, eight weeks of daily
visits (plausible: a weekly rhythm, busier on Mondays, a day or two not reported), one township whose clinic
sees a jump yesterday, and the detection run for yesterday, which raises that alarm."""

import datetime as dt
import random

from django.utils import timezone

from fangkong.surveillance import actions
from fangkong.surveillance.models import FeverClinic

DAYS = 56
WEEKDAY = [1.25, 1.05, 1.0, 0.95, 1.0, 0.85, 0.8]  # Monday first


def is_loaded(context) -> bool:
    return FeverClinic.objects.filter(node__path__startswith=context.county.path).exists()


def load(*, context, seed: int, now: dt.datetime | None = None) -> dict | None:
    if is_loaded(context):
        return None
    rng = random.Random(f"{seed}-surveillance")
    admin = context.users["county"]
    today = timezone.localdate(now or timezone.now())
    yesterday = today - dt.timedelta(days=1)
    start = yesterday - dt.timedelta(days=DAYS - 1)
    clinics = [
        actions.add_clinic(actor=admin, node=t, name=f"{t.name}卫生院发热门诊") for t in context.townships
    ]
    visits = 0
    for n, clinic in enumerate(clinics):
        level = rng.choice([6, 8, 10, 12])
        skipped = {rng.randrange(DAYS - 12)} if n % 3 == 1 else set()  # a day not reported
        for i in range(DAYS):
            day = start + dt.timedelta(days=i)
            if i in skipped:
                continue
            count = max(0, round(rng.gauss(level * WEEKDAY[day.weekday()], level**0.5)))
            if n == 0 and day == yesterday:
                count = level * 4  # the jump the detection raises
            actions.record_visits(actor=admin, clinic=clinic, day=day, visits=count)
            visits += 1
    counts = actions.run_detection(actor=admin, day=yesterday)
    return {"clinics": len(clinics), "visit_days": visits, **counts}
