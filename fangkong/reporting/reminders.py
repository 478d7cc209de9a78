"""Reminders to the staff of reporting units whose daily report is missing after the deadline.

Run by `fangkong send-report-reminders` from the schedule (every 15 minutes): each run looks at the last
few days, finds the units whose report is missing (deadline passed, nothing submitted; see
completeness.py) and gives each of their staff (`completeness.attach_staff`: users who may write at or
below a village's node, or at a registry Unit's node) one Reminder. `Reminder.key` ("missing:<unit>:<day>") makes it one per
user and cause however often the job runs; submitting the report marks that cause's reminders read."""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fangkong.imports.values import format_date
from fangkong.measures.rules import SHANGHAI
from fangkong.reporting import completeness
from fangkong.reporting.models import Reminder, ReportingUnit

LOOK_BACK_DAYS = 2  # a missed run is caught up by the next one; older gaps are for the completeness page


def missing_key(unit_id: int, day: dt.date) -> str:
    return f"missing:{unit_id}:{day.isoformat()}"


def report_link(unit_id: int, day: dt.date) -> str:
    return reverse("daily_report", kwargs={"pk": unit_id, "day": day.isoformat()})


def reminder_text(row: completeness.UnitStatus) -> str:
    deadline = row.deadline.astimezone(SHANGHAI)
    return (
        f"{row.unit.name}{format_date(row.day)}的日报告尚未报送"
        f"（截止时间{deadline.month}月{deadline.day}日{deadline:%H:%M}），请尽快报送"
    )[:300]


@transaction.atomic
def send_report_reminders(*, now: dt.datetime | None = None, days: int = LOOK_BACK_DAYS) -> int:
    """Remind the staff of every unit whose report of one of the last `days` days is missing. Returns how
    many reminders were created (0 on a second run)."""
    now = now or timezone.now()
    today = now.astimezone(SHANGHAI).date()
    created = 0
    for back in range(days, 0, -1):
        day = today - dt.timedelta(days=back)
        rows = completeness.unit_statuses(
            ReportingUnit.objects.all(), day, now=now, policies=completeness.Policies.for_subtree(None, day)
        )
        missing = [row for row in rows if row.status == completeness.Status.MISSING]
        completeness.attach_staff(missing, under=None)
        wanted = {
            (membership.user_id, missing_key(row.unit.pk, day)): row
            for row in missing
            for membership in row.staff
        }
        if not wanted:
            continue
        existing = set(
            Reminder.objects.filter(key__in={key for _, key in wanted}).values_list("user_id", "key")
        )
        new = [
            Reminder(
                user_id=user_id,
                key=key,
                text=reminder_text(row),
                link=report_link(row.unit.pk, day),
            )
            for (user_id, key), row in wanted.items()
            if (user_id, key) not in existing
        ]
        # A run overlapping this one may have written some of them: the constraint keeps one per cause.
        Reminder.objects.bulk_create(new, ignore_conflicts=True)
        created += len(new)
    return created


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Reminder.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(*, user, reminder: Reminder | None = None) -> int:
    """Mark one of the user's reminders read, or all of them. Returns how many changed."""
    reminders = Reminder.objects.filter(user=user, read_at__isnull=True)
    if reminder is not None:
        reminders = reminders.filter(pk=reminder.pk)
    return reminders.update(read_at=timezone.now())


def resolve(*, unit_id: int, day: dt.date) -> int:
    """The report of that unit and day has come: its reminders are done, for every recipient."""
    return Reminder.objects.filter(key=missing_key(unit_id, day), read_at__isnull=True).update(
        read_at=timezone.now()
    )
