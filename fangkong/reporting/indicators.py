"""The indicators of DOMAIN.md §9, each defined once, for a node's subtree and a day D (Asia/Shanghai).

The daily report, the dashboard and the situation report all read numbers from here: `compute(node, day)`
returns {code: value}; `REGISTRY` holds the definitions (code, Chinese label, unit, how to compute) and
later modules add theirs with `register(...)`, `count(...)` or `aggregate(...)`.

Everything is counted by the database. Indicators declared with `aggregate(...)` name a source (the rows
of one model in the subtree) and an aggregate expression; `compute` runs ONE query per source with every
requested expression of that source. Indicators declared with `count(...)` name the rows they count:
`compute` counts all of them in one statement. Indicators declared with `register(...)` run their own
query (grouping, HAVING) and return its result; none of them loads records into Python.

Boundaries, for day D:
- "end of D" is 24:00 of D, i.e. 00:00 of D+1; "during D" is D 00:00 ≤ t < D+1 00:00.
- As of a moment T of D (`compute(node, D, as_of=T)`, the situation report's "截至"), "end of D" is T and
  "during D" is D 00:00 ≤ t < T, and only what had been recorded by T counts: see "As of a moment" below.
- A measure is active at t when started_at ≤ t and (released_at is empty or released_at > t): a measure
  released exactly at 24:00 of D is not active at the end of D, and its release counts as during D+1.
- Scope: measures, follow-ups (through their measure) and screenings by the node they were recorded at;
  registered people by `registry.Residence`, so someone who moved counts where they lived at end of D.
- A transfer to another measure (home quarantine → hospital) is not a release: `released_*` count the
  measures that ended without a successor.
- Follow-up slots: morning ends 12:00, evening 24:00. A slot is due for each person whose measure owes it
  (`rules.owes_slot`: active at the slot's end, and started before it). It is done when the person has a
  follow-up recorded for that slot, and missed when it has ended without one; a slot that has not ended
  yet (D is today) is due but neither done nor missed until it is.

As of a moment T (`as_of`): every figure is the one a report made at T showed, however late it is made.
- Events by T: screenings dated on or before D, measures started by T and active at T, releases before T,
  follow-ups taken by T, passages and check-ins before T, residences and verifications by T.
- Records entered by T: a screening created after T, or a measure, follow-up or passage whose creation the
  audit log writes after T, is left out even when it is dated before T; a release written after T is not
  a release at T (the measure is still active then, and still owes its slots). Residences and
  verifications are stamped when they are entered, so their times are both.
- Follow-up slots as of T: a slot that has ended by T is due, done or missed as above with what was
  recorded by T; the slot running at T (and the evening, at a morning hour) is due for the measures that
  owe it so far (started before T, not released by T) and done when a reading is in it by T, and is not
  missed until it has ended.
- The daily figures (`as_of` empty) count everything recorded for D, also what is entered the next
  morning for the day before: the daily report of D is made on D+1. `as_of` = 24:00 of D gives the same
  figures when nothing for D was entered after 24:00.
What a report of T cannot hold still: edits in place with no history (a person's verification redone, a
reading of a slot replaced by a second one, a room's capacity or a site switched off, a measure's node),
records written without their own audit row (a ledger import's measures are bounded by their screenings'
entry time, which holds for the new screenings an import writes, not for a measure it adds to an older one),
and venue check-ins, which carry only the time of the scan (a kiosk uploading late adds to a past moment).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, NullIf
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.audit.models import Action, AuditEvent
from fangkong.checkpoints.models import Outcome, Passage
from fangkong.grid.models import Jurisdiction
from fangkong.measures import rules
from fangkong.measures.divisions import place_name
from fangkong.measures.models import ARRIVAL_REASONS, FollowUp, Measure, QuarantineSite, Room, Screening
from fangkong.measures.queries import active_at, followed_up, owes_slot
from fangkong.policy.models import Kind, Reason
from fangkong.registry.models import Residence
from fangkong.registry.queries import VERIFIED
from fangkong.venues.models import CheckIn

PEOPLE = _("人")
TIMES = _("人次")
PERCENT = "%"


@dataclass(frozen=True)
class Scope:
    """A subtree and a day, with the moments the definitions use; with `as_of`, a moment of the day."""

    node: Jurisdiction
    day: dt.date
    now: dt.datetime
    as_of: dt.datetime | None = None

    @property
    def path(self) -> str:
        return self.node.path

    @cached_property
    def start(self) -> dt.datetime:
        return rules.local_midnight(self.day)

    @cached_property
    def end(self) -> dt.datetime:
        """24:00 of D, or the moment of a report as of a moment."""
        return self.as_of or rules.local_midnight(self.day + dt.timedelta(days=1))

    def slot_end(self, slot: str) -> dt.datetime:
        """The moment the slot's dues are taken at: its end, or the moment of the report if earlier."""
        return min(rules.slot_bounds(self.day, slot)[1], self.end)

    def ended_slots(self) -> list[str]:
        until = self.now if self.as_of is None else min(self.now, self.as_of)
        return [
            slot for slot in (rules.MORNING, rules.EVENING) if rules.slot_bounds(self.day, slot)[1] <= until
        ]

    def once(self, name: str, count: Callable[[], Any]) -> Any:
        """count(), run once per scope under `name`: for what several indicators of the scope read."""
        counted = self.__dict__.setdefault("_counted_once", {})
        if name not in counted:
            counted[name] = count()
        return counted[name]


# ── as of a moment: what had been recorded by then ─────────────────────────────────────────────────
# The audit log is the record of when rows were entered (rows are only added, in the transaction of the
# change): the models that carry no entry time of their own are read through it.

RELEASES = ["release", "transfer"]  # the audit `change` of measures.actions.release_measure/transfer_measure


def _written_after(model, moment: dt.datetime, **audit) -> Exists:
    """Rows of `model` whose audit row (creation by default, or the change in `audit`) came after the moment."""
    audit = audit or {"action": Action.CREATE}
    return Exists(
        AuditEvent.objects.filter(
            target_type=model.__name__,
            target_id=Cast(OuterRef("pk"), output_field=CharField()),
            at__gt=moment,
            **audit,
        )
    )


def _known_measures(s: Scope, measures: QuerySet) -> QuerySet:
    """As of a moment: the measures started and entered by then, each with `release_unknown` (released,
    but the release written after the moment). Daily: all of them. A measure is never entered before its
    screening: that bounds the measures a ledger import writes with one audit row for the whole ledger."""
    if s.as_of is None:
        return measures
    screened = Q(screening__isnull=True) | Q(screening__created_at__lte=s.end)
    return measures.filter(screened, ~_written_after(Measure, s.end), started_at__lte=s.end).alias(
        release_unknown=_written_after(Measure, s.end, action=Action.UPDATE, detail__change__in=RELEASES)
    )


def _active(s: Scope) -> Q:
    """Measures active at the end of the scope; as of a moment, also those whose release was not known."""
    if s.as_of is None:
        return active_at(s.end)
    return active_at(s.end) | (Q(started_at__lte=s.end) & Q(release_unknown=True))


def _owes(s: Scope, slot: str) -> Q:
    """Measures owing the slot (see Scope.slot_end); as of a moment, a release not known then does not
    excuse it."""
    moment = s.slot_end(slot)
    if s.as_of is None:
        return owes_slot(moment)
    unknown = Q(started_at__lt=moment) & ~Q(kind=Kind.HOSPITAL) & Q(release_unknown=True)
    return owes_slot(moment) | unknown


def _released(s: Scope) -> Q:
    """Releases that are not transfers; as of a moment, only those written by then."""
    if s.as_of is None:
        return _RELEASED
    return _RELEASED & Q(release_unknown=False)


def _readings(s: Scope, readings: QuerySet) -> QuerySet:
    """Follow-ups taken and entered by the moment; daily: all of the day's."""
    if s.as_of is None:
        return readings
    return readings.filter(~_written_after(FollowUp, s.end), taken_at__lte=s.end)


def _followed_up(s: Scope, slot: str) -> Q:
    """measures.queries.followed_up, with only the readings known at the moment."""
    if s.as_of is None:
        return followed_up(s.day, slot)
    return Q(person__in=_readings(s, FollowUp.objects.filter(slot_date=s.day, slot=slot)).values("person"))


# The rows each source counts, already limited to the subtree (and to what exists by D where that is
# the same for every indicator of the source).
# A source whose rows of D are the subtree's rows that meet a condition of D also names the two: the rows
# whatever the day (DAY_ROWS) and the condition (DAY_CONDITION); trends.py counts several days in one query
# with them.
DAY_ROWS: dict[str, Callable[[str], QuerySet]] = {
    "residence": lambda path: Residence.objects.filter(node__path__startswith=path),
}
DAY_CONDITION: dict[str, Callable[[Scope], Q]] = {
    "residence": lambda s: Q(started_at__lte=s.end) & (Q(ended_at__isnull=True) | Q(ended_at__gt=s.end)),
}
SOURCES: dict[str, Callable[[Scope], QuerySet]] = {
    "residence": lambda s: DAY_ROWS["residence"](s.path).filter(DAY_CONDITION["residence"](s)),
    "measure": lambda s: _known_measures(s, Measure.objects.filter(node__path__startswith=s.path)),
    "screening": lambda s: Screening.objects.filter(
        Q() if s.as_of is None else Q(created_at__lte=s.end),
        node__path__startswith=s.path,
        screened_on__lte=s.day,
    ),
    "follow_up": lambda s: _readings(
        s, FollowUp.objects.filter(measure__node__path__startswith=s.path, slot_date=s.day)
    ),
}


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit: str
    # Either `source` + `expression` (an aggregate over SOURCES[source], or a constant) ...
    source: str = ""
    expression: Callable[[Scope], Any] | None = None
    finish: Callable[[Any], Any] | None = None  # turns the database's answer into the value
    # ... or `value`, which runs its own aggregate query ...
    value: Callable[[Scope], Any] | None = None
    # ... or `rows`, the rows it counts (its value is rows.count()): compute() counts every such
    # indicator's rows in one statement.
    rows: Callable[[Scope], QuerySet] | None = None


REGISTRY: dict[str, Indicator] = {}


def register(code: str, label, unit, value: Callable[[Scope], Any]) -> Indicator:
    """Add an indicator computed by its own query."""
    return _add(Indicator(code=code, label=label, unit=unit, value=value))


def count(code: str, label, unit, rows: Callable[[Scope], QuerySet]) -> Indicator:
    """Add an indicator that is the number of rows of a queryset (what `rows(scope).count()` returns)."""
    return _add(Indicator(code=code, label=label, unit=unit, rows=rows))


class _RowCount(Subquery):
    """rows.count() as an expression: COUNT(*) over the rows' query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted_rows)"
    output_field = IntegerField()


def count_rows(node: Jurisdiction, rows: dict[str, QuerySet]) -> dict[str, int]:
    """{name: queryset.count()} of every queryset in ONE statement, each a scalar subquery beside the
    others: a query per indicator cost more in round trips and planning than in counting (about 2 ms on
    SQLite and 3 ms on PostgreSQL each, bench/reporting_indicators.py's baseline_compute_grid)."""
    if not rows:
        return {}
    aliases = {f"counted_{i}": name for i, name in enumerate(rows)}  # never a field's name
    selected = {alias: _RowCount(rows[name].order_by()) for alias, name in aliases.items()}
    result = Jurisdiction.objects.filter(pk=node.pk).values(**selected).get()
    return {name: result[alias] for alias, name in aliases.items()}


def over_no_rows(source: str, scope: Scope, aggregates: dict[str, Any]) -> dict[str, Any]:
    """What the aggregates give over none of the source's rows (0 for a count, None for a rate of
    nothing), for a day or a child without rows: a COUNT is 0 over no rows, anything else is asked of the
    database."""
    if all(type(expression) is Count for expression in aggregates.values()):
        return dict.fromkeys(aggregates, 0)
    return SOURCES[source](scope).filter(pk__isnull=True).aggregate(**aggregates)


def aggregate(
    code: str,
    label,
    unit,
    *,
    source: str,
    expression: Callable[[Scope], Any],
    finish: Callable[[Any], Any] | None = None,
) -> Indicator:
    """Add an indicator that is one aggregate expression over a source; see SOURCES."""
    if source not in SOURCES:
        raise ValueError(f"unknown indicator source {source!r}")
    return _add(
        Indicator(code=code, label=label, unit=unit, source=source, expression=expression, finish=finish)
    )


def _add(indicator: Indicator) -> Indicator:
    if indicator.code in REGISTRY:
        raise ValueError(f"indicator {indicator.code!r} is defined twice")
    REGISTRY[indicator.code] = indicator
    return indicator


def compute(
    node: Jurisdiction,
    day: dt.date,
    *,
    codes: list[str] | None = None,
    now: dt.datetime | None = None,
    as_of: dt.datetime | None = None,
) -> dict[str, Any]:
    """The indicators (all, or `codes`) of the node's subtree for day D, in registry order. `now` decides
    which of today's slots have ended (default: the current time). With `as_of`, a moment of D after its
    00:00 (24:00 included), the figures as they stood and were recorded then (see the module docstring)."""
    wanted = list(REGISTRY) if codes is None else codes
    unknown = [code for code in wanted if code not in REGISTRY]
    if unknown:
        raise KeyError(f"unknown indicators: {', '.join(unknown)}")
    if as_of is not None and not (
        rules.local_midnight(day) < as_of <= rules.local_midnight(day + dt.timedelta(days=1))
    ):
        raise ValueError(f"as_of {as_of.isoformat()} is not a moment of {day.isoformat()}")
    scope = Scope(node=node, day=day, now=now or timezone.now(), as_of=as_of)
    selected = [REGISTRY[code] for code in REGISTRY if code in wanted]
    values: dict[str, Any] = {}
    by_source: dict[str, dict[str, Any]] = defaultdict(dict)
    counted: dict[str, QuerySet] = {}
    for indicator in selected:
        if indicator.value is not None:
            values[indicator.code] = indicator.value(scope)
            continue
        if indicator.rows is not None:
            counted[indicator.code] = indicator.rows(scope)
            continue
        expression = indicator.expression(scope)
        if getattr(expression, "contains_aggregate", False):
            by_source[indicator.source][indicator.code] = expression
        else:  # a constant, e.g. no slot of the day has ended yet
            values[indicator.code] = expression
    values.update(count_rows(node, counted))
    for source, expressions in by_source.items():
        values.update(SOURCES[source](scope).aggregate(**expressions))
    for indicator in selected:
        if indicator.finish is not None:
            values[indicator.code] = indicator.finish(values[indicator.code])
    return {indicator.code: values[indicator.code] for indicator in selected}


def describe() -> list[dict]:
    """The definitions, for pages and exports that list indicators with their labels and units."""
    return [{"code": i.code, "label": str(i.label), "unit": str(i.unit)} for i in REGISTRY.values()]


def _distinct_people(filter: Q | None = None) -> Count:
    return Count("person", distinct=True, filter=filter)


def _sum(expressions: list) -> Any:
    if not expressions:
        return 0
    total = expressions[0]
    for expression in expressions[1:]:
        total = total + expression
    return total


def _percent(value) -> float | None:
    return None if value is None else round(float(value), 1)


# ── registry (实有人口) ──────────────────────────────────────────────────────────────────────────


def _residents(filter: Q | None = None) -> Count:
    """People among the residences at the end of D: one residence each, since a person's residences do
    not overlap (registry.Residence's constraints; tests/test_residences.py), so no DISTINCT — the
    distinct count is the bulk of the dashboard's time at a million people."""
    return Count("pk", filter=filter)


aggregate(
    "registered_people",
    _("实有人口登记数"),
    PEOPLE,
    source="residence",
    expression=lambda s: _residents(),
)


def verified(s: Scope) -> Q:
    """Residences of people verified (in person or by phone) by the end of D. Through the join to each
    resident's person, which costs what the subtree's residents cost: a list of every verified person
    (IN) was faster for a county of 100,000 (64 against 102 ms) but made a grid of a county of a million
    read 650,000 people (bench/reporting_indicators.py's baseline_compute_grid: 708 ms)."""
    return Q(person__verification__in=VERIFIED, person__verified_at__lte=s.end)


def _verified_pct(s: Scope):
    verified_count = _residents(verified(s))
    registered = _residents()
    return (
        Cast(verified_count, FloatField())
        * Value(100.0)
        / NullIf(Cast(registered, FloatField()), Value(0.0), output_field=FloatField())
    )


# None when nobody is registered: a rate of nothing is not 0 %.
aggregate(
    "verified_people_pct",
    _("实有人口核查率"),
    PERCENT,
    source="residence",
    expression=_verified_pct,
    finish=_percent,
)

# ── screenings (排查) ─────────────────────────────────────────────────────────────────────────────

aggregate(
    "screened_total",
    _("累计排查重点人员"),
    PEOPLE,
    source="screening",
    expression=lambda s: _distinct_people(),
)


def _screened_first_on_the_day(s: Scope) -> QuerySet:
    """People whose first screening in the subtree is dated D (the day's growth of screened_total): a
    screening there on D and none earlier. From the day's screenings, not from every person's first one:
    that grouping read every screening of the database even for a grid (128 ms at a million people)."""
    subtree = SOURCES["screening"](s)
    earlier = subtree.filter(person=OuterRef("person"), screened_on__lt=OuterRef("screened_on"))
    return subtree.filter(screened_on=s.day).filter(~Exists(earlier)).values("person").distinct()


count("screened_new", _("当日新增排查"), PEOPLE, _screened_first_on_the_day)


def _screened_by_origin(s: Scope) -> list[dict]:
    """screened_total of arrivals by origin province and city, largest first. Someone who arrived from
    two places counts under each; an arrival without an origin under empty codes (未填写)."""
    rows = (
        SOURCES["screening"](s)
        .filter(reason__in=ARRIVAL_REASONS)
        .values("origin_province", "origin_city")
        .annotate(count=Count("person", distinct=True))
        .order_by("-count", "origin_province", "origin_city")
    )
    return [
        {
            "province_code": row["origin_province"],
            "province": place_name(row["origin_province"]) or row["origin_province"] or str(_("未填写")),
            "city_code": row["origin_city"],
            # The 市辖区 of a municipality has no name of its own: it is the municipality.
            "city": (
                place_name(row["origin_city"]) or place_name(row["origin_province"]) or row["origin_city"]
            )
            if row["origin_city"]
            else "",
            "count": row["count"],
        }
        for row in rows
    ]


register("screened_by_origin", _("按来源地排查"), PEOPLE, _screened_by_origin)


def origin_label(row: dict) -> str:
    """湖北省武汉市 for a row of screened_by_origin; a municipality once (天津市, not 天津市天津市)."""
    province, city = row.get("province") or "", row.get("city") or ""
    if not row.get("province_code"):
        return str(_("来源地未填写"))
    return province if not city or city == province else f"{province}{city}"


aggregate(
    "close_contacts_total",
    _("累计密切接触者"),
    PEOPLE,
    source="screening",
    expression=lambda s: _distinct_people(Q(reason=Reason.CLOSE_CONTACT)),
)

# ── measures (管控措施) ───────────────────────────────────────────────────────────────────────────

for _kind in Kind:
    aggregate(
        f"active_{_kind.value}",
        format_lazy(_("在管人数（{}）"), _kind.label),
        PEOPLE,
        source="measure",
        expression=lambda s, kind=_kind.value: _distinct_people(Q(kind=kind) & _active(s)),
    )
del _kind

_RELEASED = Q(transferred_to__isnull=True)

aggregate(
    "released_new",
    _("当日解除"),
    TIMES,
    source="measure",
    expression=lambda s: Count(
        "pk", filter=_released(s) & Q(released_at__gte=s.start, released_at__lt=s.end)
    ),
)
aggregate(
    "released_total",
    _("累计解除"),
    TIMES,
    source="measure",
    expression=lambda s: Count("pk", filter=_released(s) & Q(released_at__lt=s.end)),
)
aggregate(
    "hospital_total",
    _("累计送医"),
    TIMES,
    source="measure",
    expression=lambda s: Count("pk", filter=Q(kind=Kind.HOSPITAL, started_at__lt=s.end)),
)

# Measure indicators whose value for D only looks at measures that overlap D: active at a moment of D,
# released during D, owing a slot of D. For these a query over one day or a range of days may read only
# the measures that overlap it (trends.py, children.py); anything else reads the whole subtree.
WITHIN_DAY = {f"active_{kind}" for kind in Kind.values} | {
    "released_new",
    "followups_due",
    "followups_done",
    "followups_missed",
}


def overlapping(first: Scope, last: Scope) -> Q:
    """Measures that overlap the days from `first` to `last`: started by the end of the last (a measure
    starting at its 24:00 is active at that end), not released before the start of the first."""
    not_released = Q(released_at__isnull=True) | Q(released_at__gte=first.start)
    if connection.vendor == "sqlite":
        # SQLite's planner drives from the subtree's nodes and reads every measure they ever had (150 ms
        # at a million people); the ids from the released_at index are the few that can overlap, as
        # PostgreSQL's bitmap OR finds them by itself (where this subquery would cost a full scan).
        not_released = Q(pk__in=Measure.objects.filter(not_released).values("pk"))
    return Q(started_at__lte=last.end) & not_released


# ── follow-ups (随访) ─────────────────────────────────────────────────────────────────────────────

aggregate(
    "symptomatic_new",
    _("当日随访发现发热等症状"),
    PEOPLE,
    source="follow_up",
    expression=lambda s: _distinct_people(Q(is_abnormal=True)),
)


def _slots(s: Scope, slots: list[str], done: bool | None):
    """Due person-slots among `slots`; with `done`, only those with (True) or without (False) a follow-up."""
    counts = []
    for slot in slots:
        condition = _owes(s, slot)
        if done is True:
            condition &= _followed_up(s, slot)
        elif done is False:
            condition &= ~_followed_up(s, slot)
        counts.append(_distinct_people(condition))
    return _sum(counts)


_BOTH = [rules.MORNING, rules.EVENING]

aggregate(
    "followups_due",
    _("当日应随访人次"),
    TIMES,
    source="measure",
    expression=lambda s: _slots(s, _BOTH, None),
)
aggregate(
    "followups_done",
    _("当日已随访人次"),
    TIMES,
    source="measure",
    expression=lambda s: _slots(s, _BOTH, True),
)
aggregate(
    "followups_missed",
    _("当日漏访人次"),
    TIMES,
    source="measure",
    expression=lambda s: _slots(s, s.ended_slots(), False),
)

# ── checkpoints and venue codes (卡口、场所码) ───────────────────────────────────────────────────────
# Passages by the node of their checkpoint, check-ins by the node of their venue, both during D.
# checkpoint_people counts the passages that registered a person (scanned code or typed ID number),
# person-times as the 卡口 ledgers count them; checkpoint_vehicles the passages with a plate (a vehicle
# with its driver scanned counts in both); checkpoint_turned_back every passage turned back, person or
# vehicle. Passengers of a vehicle that nobody scanned are not people registered.

# Both are the subtree's rows of a moment during D (DAY_ROWS, DAY_CONDITION): trends.py counts several days
# in one query.
DAY_ROWS["passage"] = lambda path: Passage.objects.filter(checkpoint__node__path__startswith=path)
DAY_ROWS["checkin"] = lambda path: CheckIn.objects.filter(venue__node__path__startswith=path)


def _at_during(s: Scope) -> Q:
    return Q(at__gte=s.start, at__lt=s.end)


def _passages_during(s: Scope) -> Q:
    """During D; as of a moment, also entered by then."""
    return _at_during(s) if s.as_of is None else _at_during(s) & Q(~_written_after(Passage, s.end))


DAY_CONDITION["passage"] = _passages_during
DAY_CONDITION["checkin"] = _at_during
for _source in ("passage", "checkin"):
    SOURCES[_source] = lambda s, source=_source: DAY_ROWS[source](s.path).filter(DAY_CONDITION[source](s))
del _source

aggregate(
    "checkpoint_people",
    _("卡口测温人次"),
    TIMES,
    source="passage",
    expression=lambda s: Count("pk", filter=Q(identity__isnull=False)),
)
aggregate(
    "checkpoint_vehicles",
    _("卡口登记车辆"),
    _("辆"),
    source="passage",
    expression=lambda s: Count("pk", filter=~Q(plate="")),
)
aggregate(
    "checkpoint_turned_back",
    _("卡口劝返"),
    TIMES,
    source="passage",
    expression=lambda s: Count("pk", filter=Q(outcome=Outcome.TURNED_BACK)),
)
aggregate(
    "checkins",
    _("场所扫码人次"),
    TIMES,
    source="checkin",
    expression=lambda s: Count("pk"),
)

# ── quarantine sites (集中隔离点), added for the situation report ──────────────────────────────────────
# Active sites by the node they belong to, their rooms' beds, and the beds free at the end of D (beds less
# the measures in their rooms active then, wherever those people live). Sites and rooms carry no dates:
# the sites and beds are those configured now, whatever D.


def _sites(s: Scope) -> QuerySet:
    return QuarantineSite.objects.filter(node__path__startswith=s.path, active=True)


def _beds(s: Scope) -> int:
    """Counted once per scope: quarantine_beds_free reads it too."""
    return s.once(
        "quarantine_beds",
        lambda: Room.objects.filter(site__in=_sites(s)).aggregate(beds=Sum("capacity"))["beds"] or 0,
    )


def _beds_free(s: Scope) -> int:
    occupied = _known_measures(s, Measure.objects.filter(room__site__in=_sites(s))).filter(_active(s)).count()
    return _beds(s) - occupied


count("quarantine_sites", _("集中隔离点"), _("个"), _sites)
BEDS = pgettext_lazy("unit of beds", "张")  # 张 counts posters too (queries.py): not the same word in English
register("quarantine_beds", _("集中隔离床位"), BEDS, _beds)
register("quarantine_beds_free", _("集中隔离空余床位"), BEDS, _beds_free)


# ── series forms (appended for the dashboard's trends, reporting/trends.py) ──────────────────────────
# An indicator that one query can give for every day of a range, where running its own query once per day
# would repeat the work. trends.series() uses the form when there is one; tests/test_trends.py checks each
# against compute() day by day. Aggregate indicators need none: trends.py builds their per-day
# expressions from the definitions above.

SERIES: dict[str, Callable[[list[Scope]], list]] = {}


def _screened_new_series(scopes: list[Scope]) -> list[int]:
    """screened_new for each scope (same node, days in order): a person's first screening in the
    subtree falls on D exactly when they have a screening there on D and none earlier."""
    subtree = SOURCES["screening"](scopes[-1])
    earlier = subtree.filter(person=OuterRef("person"), screened_on__lt=OuterRef("screened_on"))
    rows = (
        subtree.filter(screened_on__gte=scopes[0].day)
        .filter(~Exists(earlier))
        .order_by()
        .values("screened_on")
        .annotate(count=Count("person", distinct=True))
    )
    by_day = {row["screened_on"]: row["count"] for row in rows}
    return [by_day.get(scope.day, 0) for scope in scopes]


SERIES["screened_new"] = _screened_new_series

# The indicators of cases and contacts (DOMAIN.md §9, §12), of nucleic-acid testing and vaccination (§13), of
# supplies and disinfection, of inspections, rectification and tasks (§16), of the cold chain, markets (§14),
# schools (§15) and early warning (§17) live in their own modules, registered on import.
from fangkong.reporting import (  # noqa: E402, F401
    cases,
    coldchain,
    inspections,
    markets,
    operations,
    schools,
    surveillance,
    testing,
    vaccination,
)
