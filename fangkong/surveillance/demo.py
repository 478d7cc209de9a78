"""The demo county's early warning: a fever clinic at each township's health centre, eight weeks of daily
visits (plausible: a weekly rhythm, busier on Mondays, a day or two not reported), one township whose clinic
sees a jump yesterday, and the detection run for yesterday, which raises that alarm; and schematic township
boundaries for the five-colour map: a square per township in rows by code near longitude 0, latitude 0, said
to be schematic in their source (the real boundaries are not bundled)."""

import datetime as dt
import json
import math
import random

from django.utils import timezone

from fangkong.grid.models import Jurisdiction
from fangkong.surveillance import actions
from fangkong.surveillance.models import FeverClinic, TownshipBoundaries

DAYS = 56
WEEKDAY = [1.25, 1.05, 1.0, 0.95, 1.0, 0.85, 0.8]  # Monday first


def is_loaded(context) -> bool:
    return FeverClinic.objects.filter(node__path__startswith=context.county.path).exists()


SCHEMATIC = "示意图（演示数据）：方格按乡镇代码排列，不是真实的乡镇边界"
CELL, GAP = 0.09, 0.01  # degrees


def schematic_boundaries(townships: list[Jurisdiction]) -> bytes:
    """A GeoJSON file of one square per township, in rows by code: a stand-in, not geography."""
    columns = max(1, math.ceil(math.sqrt(len(townships))))
    features = []
    for i, township in enumerate(sorted(townships, key=lambda t: t.code)):
        west, north = (i % columns) * (CELL + GAP), -(i // columns) * (CELL + GAP)
        ring = [[west, north], [west + CELL, north], [west + CELL, north - CELL], [west, north - CELL]]
        features.append(
            {
                "type": "Feature",
                "properties": {"code": township.code, "name": township.name},
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()


def load_boundaries(*, context) -> int | None:
    if TownshipBoundaries.objects.filter(county=context.county).exists():
        return None
    townships = list(Jurisdiction.objects.filter(parent=context.county))
    if not townships:
        return None
    stored = actions.upload_boundaries(
        actor=context.users["county"],
        county=context.county,
        data=schematic_boundaries(townships),
        filename="演示示意边界.geojson",
        source=SCHEMATIC,
    )
    return stored.features


def load(*, context, seed: int, now: dt.datetime | None = None) -> dict | None:
    boundaries = load_boundaries(context=context)
    if is_loaded(context):
        return {"township_boundaries": boundaries} if boundaries else None
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
    return {"clinics": len(clinics), "visit_days": visits, "township_boundaries": boundaries, **counts}
