"""The indicators of every child of a node, side by side: the dashboard's children table.

Not one compute() per child: for each source, ONE query over the node's subtree with the very
expressions compute() builds, grouped by the child each row lies under (the row's node path cut after the
node's path and the next code: `<node path><child code>/`). A distinct count per group is the distinct
count of the child's subtree, since a row lies under one child only; rows recorded at the node itself fall
in no child's group. A child with no row of a source gets what the aggregates give over no rows, asked of
the database once for all such children. Indicators with their own query (`register(...)`), or over a
source not listed in PATHS, run compute() for each child: the same numbers, one query per child.
Counts of rows (not distinct) are grouped by the row's node instead and added up by child in Python.
tests/test_children.py checks that every indicator equals compute() child by child.
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, IntegerField, QuerySet, Value
from django.db.models.functions import StrIndex, Substr
from django.utils import timezone

from fangkong.grid.models import Jurisdiction
from fangkong.measures import rules
from fangkong.reporting.indicators import (
    REGISTRY,
    SOURCES,
    WITHIN_DAY,
    Scope,
    compute,
    over_no_rows,
    overlapping,
)

# The path of the node each source's rows are counted at (see indicators.SOURCES).
PATHS = {
    "residence": "node__path",
    "measure": "node__path",
    "screening": "node__path",
    "follow_up": "measure__node__path",
    "passage": "checkpoint__node__path",
    "checkin": "venue__node__path",
    "case": "node__path",
    "contact": "counted_path",  # the contact's own node, else the case's (reporting/cases.py)
    "school_entry": "school_check__school__node__path",
    "school_check": "school__node__path",
}


def child_path(lookup: str, parent: str):
    """The path of the child of `parent` a row at `lookup` lies under: the path up to the '/' that ends
    the code after the parent's; the parent's own path for a row at the parent itself."""
    rest = Substr(lookup, len(parent) + 1)
    return Substr(lookup, 1, Value(len(parent), output_field=IntegerField()) + StrIndex(rest, Value("/")))


def _additive(expression) -> bool:
    """A count of rows (not of distinct values): a child's is the sum of its nodes'."""
    return isinstance(expression, Count) and not expression.distinct


def _rows(source: str, scope: Scope, codes) -> QuerySet:
    """The source's rows; of measures, only those overlapping the day when every indicator counts only
    those (daily figures: as of a moment, a release not yet written keeps an older measure active)."""
    rows = SOURCES[source](scope)
    if source == "measure" and scope.as_of is None and all(code in WITHIN_DAY for code in codes):
        rows = rows.filter(overlapping(scope, scope))
    return rows


def _add_up(values: dict, node: Jurisdiction, source: str, scope: Scope, expressions: dict) -> None:
    """Counts of rows grouped by the node each row is at, added up by child in Python: grouping by the
    node's path is cheaper for the database than cutting every row's path down to the child's."""
    totals = {path: dict.fromkeys(expressions, 0) for path in values}
    rows = _rows(source, scope, expressions).order_by().values(PATHS[source]).annotate(**expressions)
    for row in rows:
        rest = row[PATHS[source]][len(node.path) :]
        child = node.path + rest[: rest.find("/") + 1] if rest else node.path
        if child in totals:
            for code in expressions:
                totals[child][code] += row[code]
    for path, child_values in values.items():
        child_values.update(totals[path])


def compute_children(
    node: Jurisdiction,
    day: dt.date,
    *,
    now: dt.datetime | None = None,
    as_of: dt.datetime | None = None,
    codes: list[str] | None = None,
) -> dict[Jurisdiction, dict[str, Any]]:
    """{child: compute(child, day, codes=codes, now=now, as_of=as_of)} for every child of the node, in
    path order, with one grouped query per source."""
    wanted = list(REGISTRY) if codes is None else codes
    unknown = [code for code in wanted if code not in REGISTRY]
    if unknown:
        raise KeyError(f"unknown indicators: {', '.join(unknown)}")
    if as_of is not None and not (
        rules.local_midnight(day) < as_of <= rules.local_midnight(day + dt.timedelta(days=1))
    ):
        raise ValueError(f"as_of {as_of.isoformat()} is not a moment of {day.isoformat()}")
    now = now or timezone.now()
    children = list(Jurisdiction.objects.filter(parent=node).order_by("path"))
    if not children:
        return {}
    scope = Scope(node=node, day=day, now=now, as_of=as_of)
    selected = [REGISTRY[code] for code in REGISTRY if code in wanted]
    values: dict[str, dict[str, Any]] = {child.path: {} for child in children}
    alone: list[str] = []  # indicators computed child by child
    by_source: dict[str, dict[str, Any]] = defaultdict(dict)
    for indicator in selected:
        if indicator.value is not None or indicator.source not in PATHS:
            alone.append(indicator.code)
            continue
        expression = indicator.expression(scope)
        if getattr(expression, "contains_aggregate", False):
            by_source[indicator.source][indicator.code] = expression
        else:  # a constant, the same for every child (it depends on the day, not the node)
            for child_values in values.values():
                child_values[indicator.code] = expression
    for source, expressions in by_source.items():
        if all(_additive(expression) for expression in expressions.values()):
            _add_up(values, node, source, scope, expressions)
            continue
        rows = (
            _rows(source, scope, expressions)
            .annotate(child_path=child_path(PATHS[source], node.path))
            .order_by()
            .values("child_path")
            .annotate(**expressions)
        )
        found = set()
        for row in rows:
            if row["child_path"] in values:
                found.add(row["child_path"])
                values[row["child_path"]].update({code: row[code] for code in expressions})
        if len(found) < len(children):
            empty = over_no_rows(source, scope, expressions)
            for path, child_values in values.items():
                if path not in found:
                    child_values.update(empty)
    result = {}
    for child in children:
        child_values = values[child.path]
        if alone:
            child_values.update(compute(child, day, codes=alone, now=now, as_of=as_of))
        for indicator in selected:
            if indicator.finish is not None and indicator.code not in alone:
                child_values[indicator.code] = indicator.finish(child_values[indicator.code])
        result[child] = {indicator.code: child_values[indicator.code] for indicator in selected}
    return result
