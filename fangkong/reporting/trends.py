"""The dashboard's trends: charted indicators of a node's subtree for each of the last N days.

Not N × compute(): every value comes from the definitions in indicators.py, but the queries are shared
across days:
- an indicator with a series form (`indicators.SERIES`, e.g. screened_new) runs it: one query for the range;
- aggregate indicators over a source whose rows are the same whatever the day (measures: all of the
  subtree's) become ONE query for the whole range, with each day's expressions side by side — the very
  expressions compute() builds, for each day's Scope;
- aggregate indicators over a source that is the day's rows (follow-ups of slot day D) and that names
  its day field in `DAY_FIELDS` run ONE query over the range grouped by that field, when their
  expressions are the same whatever the day (checked on the SQL, as for the rows); otherwise one query
  per day holding every requested indicator of that source, which is what compute() runs for that source;
- aggregate indicators over a source whose rows of D meet a condition of D (residences at the end of D:
  `indicators.DAY_CONDITION`) become ONE query over the rows of any of the days, each day's expressions
  counting only the rows that meet that day's condition;
- indicators that count a queryset's rows (`indicators.count`) are counted for every day in one statement;
- anything else (an indicator with its own query and no series form) runs its query day by day.
Whether a source's rows depend on the day is read from its query, not assumed: if a definition changes,
trends fall back to a query per day and stay equal to compute(). tests/test_trends.py checks that every
series equals compute() day by day.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Aggregate, Q, QuerySet
from django.utils import timezone

from fangkong.grid.models import Jurisdiction
from fangkong.policy.models import Kind
from fangkong.reporting.indicators import (
    DAY_CONDITION,
    DAY_ROWS,
    REGISTRY,
    SERIES,
    SOURCES,
    WITHIN_DAY,
    Scope,
    count_rows,
    over_no_rows,
    overlapping,
)

DAYS = 30

# What the dashboard charts: screened, under each measure, released, fever found, follow-ups missed.
SCREENED = ["screened_new"]
ACTIVE = [f"active_{kind}" for kind in Kind.values]
RELEASED = ["released_new"]
FOLLOW_UPS = ["symptomatic_new", "followups_missed"]
CHARTED = SCREENED + ACTIVE + RELEASED + FOLLOW_UPS

# Sources whose rows for D are those with this field = D (the one filter of SOURCES[source] that pins the
# day; the range's query replaces it by the range's bounds on that field).
DAY_FIELDS = {
    "follow_up": "slot_date",
    "school_entry": "day",
    "school_check": "day",
    "cold_lot": "received_on",
    "cold_sample": "result_on",
}


@dataclass(frozen=True)
class Trends:
    days: list[dt.date]
    values: dict[str, list[Any]]  # code → one value per day, oldest first


def series(
    node: Jurisdiction,
    *,
    last_day: dt.date,
    days: int = DAYS,
    codes: list[str] | None = None,
    now: dt.datetime | None = None,
) -> Trends:
    """The indicators (`CHARTED` by default) for each of the `days` days ending with `last_day`. `now`
    decides which of today's slots have ended, as in compute()."""
    wanted = list(CHARTED if codes is None else codes)
    unknown = [code for code in wanted if code not in REGISTRY]
    if unknown:
        raise KeyError(f"unknown indicators: {', '.join(unknown)}")
    now = now or timezone.now()
    span = [last_day - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]
    scopes = [Scope(node=node, day=day, now=now) for day in span]
    values: dict[str, list] = {}
    by_source: dict[str, list[str]] = defaultdict(list)
    counted: list[str] = []  # rows.count() indicators: every day's counts in one statement
    for code in wanted:
        indicator = REGISTRY[code]
        if code in SERIES:
            values[code] = SERIES[code](scopes)
        elif indicator.value is not None:
            values[code] = [indicator.value(scope) for scope in scopes]
        elif indicator.rows is not None:
            counted.append(code)
        else:
            by_source[indicator.source].append(code)
    if counted:
        rows = {
            f"d{i}_{code}": REGISTRY[code].rows(scope) for code in counted for i, scope in enumerate(scopes)
        }
        result = count_rows(node, rows)
        values.update({code: [result[f"d{i}_{code}"] for i in range(len(scopes))] for code in counted})
    for source, source_codes in by_source.items():
        if len(scopes) == 1 or _same_rows_every_day(source, scopes):  # one day: nothing to compare
            values.update(_one_query(source, source_codes, scopes))
        elif _conditioned(source, scopes):
            values.update(_one_query_conditioned(source, source_codes, scopes))
        elif _grouped_by_day(source, source_codes, scopes):
            values.update(_one_query_by_day(source, source_codes, scopes))
        else:
            values.update(_query_per_day(source, source_codes, scopes))
    for code in wanted:
        finish = REGISTRY[code].finish
        if finish is not None:
            values[code] = [finish(value) for value in values[code]]
    return Trends(days=span, values={code: values[code] for code in wanted})


# What a source's query shows of it, by (source, its function, whether as of a moment): whether its rows
# are the same whatever the day. Read once per process: comparing two days' SQL costs more than a query.
_SAME_ROWS: dict[tuple, bool] = {}


def _same_rows_every_day(source: str, scopes: list[Scope]) -> bool:
    key = (source, SOURCES[source], scopes[0].as_of is None)
    if key not in _SAME_ROWS:
        first, last = SOURCES[source](scopes[0]), SOURCES[source](scopes[-1])
        _SAME_ROWS[key] = str(first.query) == str(last.query)
    return _SAME_ROWS[key]


def _expressions(codes: list[str], scope: Scope) -> tuple[dict[str, Any], dict[str, Any]]:
    """The aggregate expressions of the codes for one day, and the values that are constants (e.g. no
    slot of the day has ended yet), as compute() splits them."""
    aggregates, constants = {}, {}
    for code in codes:
        expression = REGISTRY[code].expression(scope)
        if getattr(expression, "contains_aggregate", False):
            aggregates[code] = expression
        else:
            constants[code] = expression
    return aggregates, constants


def _one_query(source: str, codes: list[str], scopes: list[Scope]) -> dict[str, list]:
    rows = SOURCES[source](scopes[-1])
    if source == "measure" and all(code in WITHIN_DAY for code in codes):
        rows = rows.filter(overlapping(scopes[0], scopes[-1]))
    values = {code: [None] * len(scopes) for code in codes}
    named = {}
    for i, scope in enumerate(scopes):
        aggregates, constants = _expressions(codes, scope)
        for code, value in constants.items():
            values[code][i] = value
        for code, expression in aggregates.items():
            named[f"d{i}_{code}"] = (i, code, expression)
    if named:
        result = rows.aggregate(**{alias: expression for alias, (_i, _c, expression) in named.items()})
        for alias, (i, code, _expression) in named.items():
            values[code][i] = result[alias]
    return values


def _by_day(source: str, codes: list[str], scope: Scope, scopes: list[Scope]) -> QuerySet:
    """The source's rows over the whole range grouped by its day field, with one day's expressions."""
    field = DAY_FIELDS[source]
    rows = _range_rows(source, scopes)
    aggregates, _constants = _expressions(codes, scope)
    return rows.order_by().values(field).annotate(**aggregates)


def _range_rows(source: str, scopes: list[Scope]) -> QuerySet | None:
    """SOURCES[source] of the last day with its day filter (`<field> = D`) widened to the range; None when
    that filter is not found alone at the top of its query."""
    field = DAY_FIELDS[source]
    rows = SOURCES[source](scopes[-1])
    where = rows.query.where
    pinned = [
        i
        for i, child in enumerate(where.children)
        if getattr(getattr(child, "lhs", None), "target", None) is not None
        and child.lhs.target.name == field
        and child.lookup_name == "exact"
        and child.rhs == scopes[-1].day
    ]
    if where.connector != "AND" or where.negated or len(pinned) != 1:
        return None
    del where.children[pinned[0]]
    return rows.filter(**{f"{field}__gte": scopes[0].day, f"{field}__lte": scopes[-1].day})


# Whether a source's days differ only by its day field, with the same SQL for the codes' expressions, by
# (source, the functions of the source and of the codes, the slots ended on the first and last day, as of
# a moment or not): read once per process, as _SAME_ROWS. The constants of each call's days are compared
# on each call.
_SAME_SHAPE: dict[tuple, bool] = {}


def _grouped_by_day(source: str, codes: list[str], scopes: list[Scope]) -> bool:
    """Whether one query grouped by the day gives what compute() gives day by day: the source names its
    day field, its rows differ between days only by that field, and every day's expressions (and
    constants) are the same."""
    if source not in DAY_FIELDS or _range_rows(source, scopes) is None:
        return False
    first, last = _expressions(codes, scopes[0]), _expressions(codes, scopes[-1])
    if set(first[0]) != set(last[0]) or first[1] != last[1] or not first[0]:
        return False
    functions = tuple(REGISTRY[code].expression for code in codes)
    slots = tuple(tuple(scope.ended_slots()) for scope in (scopes[0], scopes[-1]))
    key = (source, SOURCES[source], tuple(codes), functions, slots, scopes[0].as_of is None)
    if key not in _SAME_SHAPE:
        field = DAY_FIELDS[source]
        base = [SOURCES[source](scope).order_by().values(field) for scope in (scopes[0], scopes[-1])]
        shapes = [
            str(rows.annotate(**aggregates).query).replace(str(scope.day), "D")
            for rows, scope, (aggregates, _c) in zip(
                base, (scopes[0], scopes[-1]), (first, last), strict=True
            )
        ]
        _SAME_SHAPE[key] = shapes[0] == shapes[1]
    return _SAME_SHAPE[key]


def _one_query_by_day(source: str, codes: list[str], scopes: list[Scope]) -> dict[str, list]:
    field = DAY_FIELDS[source]
    aggregates, constants = _expressions(codes, scopes[-1])
    by_day = {row[field]: row for row in _by_day(source, codes, scopes[-1], scopes)}
    if any(scope.day not in by_day for scope in scopes):
        empty = over_no_rows(source, scopes[-1], aggregates)
        by_day.update({scope.day: empty for scope in scopes if scope.day not in by_day})
    values = {}
    for code in codes:
        if code in constants:
            values[code] = [constants[code]] * len(scopes)
        else:
            values[code] = [by_day[scope.day][code] for scope in scopes]
    return values


# Whether a source's rows are its DAY_ROWS meeting its DAY_CONDITION, by (source, the three functions, as
# of a moment or not): read once per process, as _SAME_ROWS.
_CONDITIONED: dict[tuple, bool] = {}


def _conditioned(source: str, scopes: list[Scope]) -> bool:
    """Whether the source's rows of each day are its DAY_ROWS meeting its DAY_CONDITION (checked on the
    SQL of the first and last day, so that a changed definition falls back to a query per day)."""
    if source not in DAY_CONDITION:
        return False
    rows, condition = DAY_ROWS[source], DAY_CONDITION[source]
    key = (source, SOURCES[source], rows, condition, scopes[0].as_of is None)
    if key not in _CONDITIONED:
        _CONDITIONED[key] = all(
            str(SOURCES[source](scope).query) == str(rows(scope.path).filter(condition(scope)).query)
            for scope in (scopes[0], scopes[-1])
        )
    return _CONDITIONED[key]


def _within(expression, condition: Q):
    """The expression with the condition added to the filter of every aggregate in it."""
    expression = expression.copy()
    if isinstance(expression, Aggregate):
        expression.filter = condition if expression.filter is None else condition & expression.filter
        return expression
    expression.set_source_expressions(
        [e if e is None else _within(e, condition) for e in expression.get_source_expressions()]
    )
    return expression


def _one_query_conditioned(source: str, codes: list[str], scopes: list[Scope]) -> dict[str, list]:
    """Every day's expressions side by side over the rows meeting any day's condition, each limited to
    the rows meeting its own day's."""
    condition = DAY_CONDITION[source]
    any_day = Q()
    for scope in scopes:
        any_day |= condition(scope)
    rows = DAY_ROWS[source](scopes[-1].path).filter(any_day)
    values = {code: [None] * len(scopes) for code in codes}
    named = {}
    for i, scope in enumerate(scopes):
        aggregates, constants = _expressions(codes, scope)
        for code, value in constants.items():
            values[code][i] = value
        for code, expression in aggregates.items():
            named[f"d{i}_{code}"] = (i, code, _within(expression, condition(scope)))
    if named:
        result = rows.aggregate(**{alias: expression for alias, (_i, _c, expression) in named.items()})
        for alias, (i, code, _expression) in named.items():
            values[code][i] = result[alias]
    return values


def _query_per_day(source: str, codes: list[str], scopes: list[Scope]) -> dict[str, list]:
    values = {code: [None] * len(scopes) for code in codes}
    for i, scope in enumerate(scopes):
        aggregates, constants = _expressions(codes, scope)
        for code, value in constants.items():
            values[code][i] = value
        if aggregates:
            for code, value in SOURCES[source](scope).aggregate(**aggregates).items():
                values[code][i] = value
    return values
