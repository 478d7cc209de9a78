"""The indicators of inspections, rectification and the command's tasks (DOMAIN.md §9, §14, §16),
registered in indicators.REGISTRY like the rest: the daily report, the dashboard and the situation
report read them from compute().

Everything is counted at the node of the inspected unit or venue (a task: its node), in the subtree, for
day D ("during D" is D 00:00 ≤ t < D+1 00:00 Asia/Shanghai; "at the end of D" is 24:00 of D or, as of a
moment T, T; only rows entered by then — their `created_at` — count):
- `inspections_done` (检查家次): inspections made during D, re-inspections included, one per visit.
- `inspections_failed`: of those, the ones with at least one failed item.
- `rectifications_new` (责令整改): orders made during D (`ordered_on` = D); `rectifications_places_new`:
  the distinct units and venues they were made to (家).
- `rectifications_open` (未整改问题): orders made by the end of D and not closed by then.
- `rectifications_overdue`: of those, the ones whose deadline day had ended (deadline before D+1, so at
  24:00 of its deadline day an open order is overdue, as rules.is_overdue says).
- `rectifications_closed_new`: orders closed (销号) during D.
- `closures_active` (停业整顿): closures begun by the end of D and not reopened by then.
- `tasks_open` / `tasks_overdue`: tasks created by the end of D and not done or cancelled by then; overdue
  when their deadline had passed by then. `tasks_done_new`: tasks done during D.
"""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from fangkong.command.models import Task, TaskStatus
from fangkong.inspections.models import Closure, Inspection, Rectification
from fangkong.reporting.indicators import Scope, count, register

TIMES = _("家次")
PLACES = _("家")
ITEMS = _("项")

CODES = [
    "inspections_done",
    "inspections_failed",
    "rectifications_new",
    "rectifications_places_new",
    "rectifications_open",
    "rectifications_overdue",
    "rectifications_closed_new",
    "closures_active",
    "tasks_open",
    "tasks_overdue",
    "tasks_done_new",
]


def _entered(s: Scope, queryset):
    return queryset.filter(created_at__lte=s.end) if s.as_of is not None else queryset


def _inspections(s: Scope):
    rows = Inspection.objects.filter(
        node__path__startswith=s.path, inspected_at__gte=s.start, inspected_at__lt=s.end
    )
    return _entered(s, rows)


def _inspections_failed(s: Scope):
    return _inspections(s).filter(results__passed=False).values("pk").distinct()


def _orders(s: Scope):
    return _entered(s, Rectification.objects.filter(node__path__startswith=s.path))


def _orders_new(s: Scope):
    return _orders(s).filter(ordered_on=s.day)


def _places_new(s: Scope) -> int:
    counts = _orders_new(s).aggregate(
        units=Count("unit", distinct=True, filter=Q(unit__isnull=False)),
        venues=Count("venue", distinct=True, filter=Q(venue__isnull=False)),
    )
    return counts["units"] + counts["venues"]


def _open(s: Scope):
    return (
        _orders(s).filter(ordered_on__lte=s.day).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=s.end))
    )


def _closures_active(s: Scope):
    rows = Closure.objects.filter(node__path__startswith=s.path, closed_at__lt=s.end)
    return rows.filter(Q(reopened_at__isnull=True) | Q(reopened_at__gte=s.end))


def _tasks_open(s: Scope):
    rows = Task.objects.filter(node__path__startswith=s.path, created_at__lt=s.end)
    return rows.filter(Q(finished_at__isnull=True) | Q(finished_at__gte=s.end))


count("inspections_done", _("检查家次"), TIMES, _inspections)
count("inspections_failed", _("检查发现问题家次"), TIMES, _inspections_failed)
count("rectifications_new", _("新下达整改问题"), ITEMS, _orders_new)
register("rectifications_places_new", _("责令整改"), PLACES, _places_new)
count("rectifications_open", _("未整改问题"), ITEMS, _open)
count("rectifications_overdue", _("逾期未整改问题"), ITEMS, lambda s: _open(s).filter(deadline__lte=s.day))
count(
    "rectifications_closed_new",
    _("当日整改销号"),
    ITEMS,
    lambda s: _orders(s).filter(closed_at__gte=s.start, closed_at__lt=s.end),
)
count("closures_active", _("停业整顿"), PLACES, _closures_active)
count("tasks_open", _("未办结任务"), ITEMS, _tasks_open)
count("tasks_overdue", _("超时未办结任务"), ITEMS, lambda s: _tasks_open(s).filter(deadline__lte=s.end))
count(
    "tasks_done_new",
    _("当日办结任务"),
    ITEMS,
    lambda s: Task.objects.filter(
        node__path__startswith=s.path, status=TaskStatus.DONE, finished_at__gte=s.start, finished_at__lt=s.end
    ),
)


def links(day) -> dict:
    """code → (url name, query, what the list shows), for the dashboard's links to the records."""
    on_day = {"date_from": day.isoformat(), "date_to": day.isoformat()}
    return {
        "inspections_done": ("inspection_list", on_day, _("检查记录")),
        "inspections_failed": ("inspection_list", on_day, _("检查记录")),
        "rectifications_new": ("order_list", {}, _("整改单")),
        "rectifications_places_new": ("order_list", {}, _("整改单")),
        "rectifications_open": ("order_list", {"state": "open"}, _("整改中的整改单")),
        "rectifications_overdue": ("order_list", {"state": "overdue"}, _("逾期的整改单")),
        "rectifications_closed_new": ("order_list", {"state": "closed"}, _("已整改的整改单")),
        "closures_active": ("closure_list", {"state": "closed"}, _("停业整顿")),
        "tasks_open": ("task_list", {"state": "open"}, _("未办结任务")),
        "tasks_overdue": ("task_list", {"state": "overdue"}, _("超时任务")),
        "tasks_done_new": ("task_list", {"state": "done"}, _("已办结任务")),
    }
