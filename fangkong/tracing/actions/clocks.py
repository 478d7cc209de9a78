"""The §12 clocks' alerts: raised once per case and clock when the clock runs out while still open, resolved
when it is done. Run by the scheduled `check_clocks` command (home/schedule.py); safe to run twice."""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.tracing.models import Case, ClockAlert
from fangkong.tracing.queries import clocks_of

# Cases older than this have long had every clock run out or stop: not read again unless an alert is open.
HORIZON = dt.timedelta(days=30)


@dataclass(frozen=True)
class ClockCheck:
    cases: int
    raised: int
    resolved: int


@transaction.atomic
def check_clocks(*, actor=None, now: dt.datetime | None = None) -> ClockCheck:
    now = now or timezone.now()
    open_alerts = ClockAlert.objects.filter(resolved_at=None)
    cases = (
        Case.objects.filter(Q(diagnosed_at__gte=now - HORIZON) | Q(pk__in=open_alerts.values("case_id")))
        .exclude(outcome="excluded")
        .select_related("node")
    )
    alerts = {(a.case_id, a.clock): a for a in ClockAlert.objects.filter(case__in=cases)}
    raised = resolved = checked = 0
    for case in cases:
        checked += 1
        for state in clocks_of(case, now):
            alert = alerts.get((case.pk, state.clock))
            if state.done_at is None and state.overdue and alert is None:
                try:
                    with transaction.atomic():
                        alert = ClockAlert.objects.create(
                            case=case, clock=state.clock, due_at=state.due_at, raised_at=now
                        )
                except IntegrityError:
                    continue  # another run raised it meanwhile
                raised += 1
                record(
                    actor=actor,
                    action=Action.CREATE,
                    target=alert,
                    node_path=case.node.path,
                    clock=state.clock,
                    due_at=state.due_at.isoformat(),
                )
            elif state.done_at is not None and alert is not None and alert.resolved_at is None:
                ClockAlert.objects.filter(pk=alert.pk).update(resolved_at=now)
                resolved += 1
    return ClockCheck(cases=checked, raised=raised, resolved=resolved)
