"""The series of early warning (DOMAIN.md §17): daily counts per node, read from the records.

A source is one function and one registration line:

    def my_counts(start: date, end: date) -> Iterable[tuple[int, date, int]]:
        ...  # (node_id, day, count): one row per REPORTED (node, day), start ≤ day ≤ end; count may be 0

    register("my_counts", _("标签"), my_counts)

Rows sit at the node the records name; a node's series is the sum over its subtree, and a day is reported
for a node when it is reported somewhere in its subtree. A day nobody reported is None, never 0 — except for
a source registered with `every_day=True` (new cases: the case system is the whole record, so a day with no
case is a day with none)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from fangkong.checkpoints.models import Passage
from fangkong.grid.models import Jurisdiction
from fangkong.lib.dates import SHANGHAI
from fangkong.markets.queries import pharmacy_sales_counts
from fangkong.measures.models import FollowUp
from fangkong.measures.rules import local_midnight
from fangkong.schools.queries import illness_absence_counts
from fangkong.tracing.models import Case, CaseKind, Outcome
from fangkong.tracing.models import Source as CaseSource

from .models import ClinicVisits

Rows = Iterable[tuple[int, dt.date, int]]


@dataclass(frozen=True)
class SeriesSource:
    code: str
    label: object
    rows: Callable[[dt.date, dt.date], Rows]
    every_day: bool = False


SOURCES: dict[str, SeriesSource] = {}


def register(code: str, label, rows: Callable[[dt.date, dt.date], Rows], *, every_day: bool = False):
    if code in SOURCES:
        raise ValueError(f"series {code!r} registered twice")
    SOURCES[code] = SeriesSource(code, label, rows, every_day)


def label(code: str) -> str:
    source = SOURCES.get(code)
    return str(source.label) if source else code


# ── the sources of this app ───────────────────────────────────────────────────────────────────────────


def followup_fevers(start: dt.date, end: dt.date) -> Rows:
    """People with a fever or a symptom at a follow-up that day (every reading counts), at the measure's
    node; a day is reported where any follow-up was recorded."""
    rows = (
        FollowUp.objects.filter(slot_date__gte=start, slot_date__lte=end)
        .values("measure__node_id", "slot_date")
        .annotate(n=Count("person", distinct=True, filter=Q(is_abnormal=True)))
    )
    return [(r["measure__node_id"], r["slot_date"], r["n"]) for r in rows]


def checkpoint_fevers(start: dt.date, end: dt.date) -> Rows:
    """Passages with a fever at the checkpoints of the node; a day is reported where a passage was."""
    rows = (
        Passage.objects.filter(
            at__gte=local_midnight(start), at__lt=local_midnight(end + dt.timedelta(days=1))
        )
        .annotate(on=TruncDate("at", tzinfo=SHANGHAI))
        .values("checkpoint__node_id", "on")
        .annotate(n=Count("pk", filter=Q(fever=True)))
    )
    return [(r["checkpoint__node_id"], r["on"], r["n"]) for r in rows]


CASE_KINDS = [CaseKind.CONFIRMED, CaseKind.ASYMPTOMATIC]


def _cases(start: dt.date, end: dt.date, **extra) -> Rows:
    rows = (
        Case.objects.filter(
            kind__in=CASE_KINDS,
            diagnosed_at__gte=local_midnight(start),
            diagnosed_at__lt=local_midnight(end + dt.timedelta(days=1)),
            **extra,
        )
        .exclude(outcome=Outcome.EXCLUDED)
        .annotate(on=TruncDate("diagnosed_at", tzinfo=SHANGHAI))
        .values("node_id", "on")
        .annotate(n=Count("pk"))
    )
    return [(r["node_id"], r["on"], r["n"]) for r in rows]


def new_cases(start: dt.date, end: dt.date) -> Rows:
    """Confirmed and asymptomatic cases by the day of diagnosis, where they live (excluded ones left out)."""
    return _cases(start, end)


def imported_cases(start: dt.date, end: dt.date) -> Rows:
    """The new cases infected elsewhere (abroad, another province): R_t's imported cases."""
    return _cases(start, end, source__in=[CaseSource.ABROAD, CaseSource.OTHER_PROVINCE])


def clinic_visits(start: dt.date, end: dt.date) -> Rows:
    """Fever-clinic visits as the clinics reported them, at the clinic's node."""
    rows = (
        ClinicVisits.objects.filter(day__gte=start, day__lte=end)
        .values("clinic__node_id", "day")
        .annotate(n=Sum("visits"))
    )
    return [(r["clinic__node_id"], r["day"], r["n"]) for r in rows]


register("clinic_visits", _("发热门诊就诊人次"), clinic_visits)
register("followup_fevers", _("随访发现发热或症状"), followup_fevers)
register("checkpoint_fevers", _("卡口测温发热"), checkpoint_fevers)
register("new_cases", _("新增病例"), new_cases, every_day=True)
register("school_absences", _("学校因病缺勤"), illness_absence_counts)
register("pharmacy_sales", _("药店四类药品实名销售"), pharmacy_sales_counts)


# ── a node's series ───────────────────────────────────────────────────────────────────────────────────


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def node_series(code: str, node: Jurisdiction, start: dt.date, end: dt.date) -> list[int | None]:
    """The node's daily counts from start to end (its subtree summed), None on days nobody reported."""
    return by_node(code, start, end, nodes=[node])[node.pk]


def by_node(code: str, start: dt.date, end: dt.date, *, nodes=None, rows: Rows | None = None) -> dict:
    """{node_id: [count or None per day]} for every node with a reported day in the window (and its
    ancestors), or for `nodes` only. Rows of a node count for each of its ancestors."""
    source = SOURCES[code]
    rows = list(source.rows(start, end) if rows is None else rows)
    leaf_ids = {node_id for node_id, _day, _n in rows}
    paths = dict(Jurisdiction.objects.filter(pk__in=leaf_ids).values_list("pk", "path"))
    wanted = None
    if nodes is not None:
        wanted = {n.pk: n.path for n in nodes}
        targets_of = {
            leaf: [pk for pk, path in wanted.items() if paths.get(leaf, "").startswith(path)]
            for leaf in leaf_ids
        }
    else:
        codes = {c for path in paths.values() for c in path.strip("/").split("/")}
        by_code = dict(Jurisdiction.objects.filter(code__in=codes).values_list("code", "pk"))
        targets_of = {
            leaf: [by_code[c] for c in paths[leaf].strip("/").split("/") if c in by_code] for leaf in leaf_ids
        }
    index = {day: i for i, day in enumerate(days(start, end))}
    size = len(index)
    fill = 0 if source.every_day else None
    out: dict[int, list] = defaultdict(lambda: [fill] * size)
    if wanted is not None:
        for pk in wanted:
            out[pk] = [fill] * size
    for leaf, day, n in rows:
        i = index.get(day)
        if i is None:
            continue
        for target in targets_of.get(leaf, ()):
            series = out[target]
            series[i] = (series[i] or 0) + n
    return dict(out)
