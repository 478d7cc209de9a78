"""Reads of the command, scoped through grid.scoping: a group, a task or a shift is seen in the subtree of
its node. The duty on now of a node is its own shift, else the nearest ancestor's."""

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.policy.queries import command_values, policy_for

from . import rules
from .models import FINISHED, DutyShift, LogEntry, Member, Task, WorkingGroup


def groups_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[WorkingGroup]:
    return scoping.visible_to(
        user, WorkingGroup.objects.all(), path_field="node__path", capability=capability
    )


def access_group(user, pk, *, write: bool = False) -> WorkingGroup:
    queryset = WorkingGroup.objects.select_related("node").prefetch_related(
        Prefetch("members", queryset=Member.objects.order_by("role", "id"))
    )
    return scoping.access(user, queryset, pk, path_field="node__path", write=write)


def tasks_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[Task]:
    return scoping.visible_to(user, Task.objects.all(), path_field="node__path", capability=capability)


def access_task(user, pk, *, write: bool = False) -> Task:
    return scoping.access(
        user, Task.objects.select_related("node", "group"), pk, path_field="node__path", write=write
    )


def shifts_visible_to(user, capability: str = scoping.VIEW) -> QuerySet[DutyShift]:
    return scoping.visible_to(user, DutyShift.objects.all(), path_field="node__path", capability=capability)


def access_shift(user, pk, *, write: bool = False) -> DutyShift:
    queryset = DutyShift.objects.select_related("node").prefetch_related(
        Prefetch("entries", queryset=LogEntry.objects.select_related("recorded_by"))
    )
    return scoping.access(user, queryset, pk, path_field="node__path", write=write)


def filter_tasks(tasks: QuerySet, *, state: str = "", now: dt.datetime | None = None) -> QuerySet:
    """state: open (not finished) / overdue / done, or all."""
    now = now or timezone.now()
    if state == "open":
        tasks = tasks.exclude(status__in=FINISHED)
    elif state == "overdue":
        tasks = tasks.exclude(status__in=FINISHED).filter(deadline__lte=now)
    elif state == "done":
        tasks = tasks.filter(status="done")
    return tasks.select_related("node", "group")


def duty_policy(node: Jurisdiction, day: dt.date) -> tuple[dt.time, int]:
    values = command_values(policy_for(node, day).values)
    return rules.parse_time(values["duty_starts"]), int(values["duty_hours"])


def on_duty(node: Jurisdiction, now: dt.datetime | None = None) -> DutyShift | None:
    """The shift on duty now at the node, else at the nearest ancestor that keeps a roster."""
    now = now or timezone.now()
    codes = node.path.strip("/").split("/")
    shifts = DutyShift.objects.filter(
        node__code__in=codes, starts_at__lte=now, ends_at__gt=now
    ).select_related("node")
    return max(shifts, key=lambda shift: len(shift.node.path), default=None)


def on_duty_for(user, now: dt.datetime | None = None) -> list[DutyShift]:
    """The shifts on duty for the user's nodes (one per node, deduplicated)."""
    found = {}
    for top in scoping.nodes_with(user):
        shift = on_duty(top, now)
        if shift is not None:
            found[shift.pk] = shift
    return list(found.values())
