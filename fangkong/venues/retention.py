"""The retention purge of check-ins (DOMAIN.md §10): scan data is kept for the policy's retention period
(default 28 days) and then deleted, county by county under the policy in force there today. Each run
writes one audit row per county (with the count, also when nothing was due, so that the log shows the
job ran) and a log line. Run daily by the scheduler (fangkong/home/schedule.py): `fangkong purge-checkins`.

Check-ins kept are those of the last `days` full days and today: with 28 days, a run on 29 March keeps
everything from 1 March 00:00 (Asia/Shanghai) on, whatever the time of day it runs.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid.models import Jurisdiction, Level
from fangkong.venues.models import CheckIn
from fangkong.venues.queries import day_bounds, retention_days

log = logging.getLogger(__name__)

PURGE = Action.PURGE
CHUNK = 5000  # rows per DELETE: a city's day of scans must not hold one long lock


@dataclass(frozen=True)
class Purged:
    county: Jurisdiction
    days: int
    before: dt.datetime  # check-ins earlier than this were deleted
    count: int


def cutoff(today: dt.date, days: int) -> dt.datetime:
    return day_bounds(today - dt.timedelta(days=days))[0]


def _delete_before(county: Jurisdiction, before: dt.datetime) -> int:
    due = CheckIn.objects.filter(venue__node__path__startswith=county.path, at__lt=before)
    total = 0
    while True:
        ids = list(due.values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return total
        with transaction.atomic():
            total += CheckIn.objects.filter(pk__in=ids).delete()[0]


def purge_checkins(*, actor=None, today: dt.date | None = None, dry_run: bool = False) -> list[Purged]:
    """Delete each county's check-ins older than its retention period. `actor` is None for the scheduled
    job (a person running it by hand is recorded as its actor). With dry_run, count only."""
    today = today or timezone.localdate()
    results = []
    for county in Jurisdiction.objects.filter(level=Level.COUNTY).order_by("path"):
        days = retention_days(county, today)
        before = cutoff(today, days)
        if dry_run:
            count = CheckIn.objects.filter(venue__node__path__startswith=county.path, at__lt=before).count()
        else:
            count = _delete_before(county, before)
            record(
                actor=actor,
                action=PURGE,
                node_path=county.path,
                what="checkins",
                count=count,
                retention_days=days,
                before=before.isoformat(),
            )
            log.info(
                "purged %s check-ins before %s in %s (%s), retention %s days",
                count,
                before.isoformat(),
                county.name,
                county.code,
                days,
            )
        results.append(Purged(county=county, days=days, before=before, count=count))
    return results
