"""The rules of cases and tracing as pure functions (DOMAIN.md §5, §12): no database, no clock of their own.

- `lookback_window`: where the search for contacts looks (§5).
- `clock_states`: the §12 clocks of a case and whether each ran out.
- `next_kind`: the state after an event, refusing what §12 does not allow.
- `clusters`: two or more cases within N days in one small unit (§12), from the links the caller found.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from fangkong.lib.dates import SHANGHAI
from fangkong.lib.errors import RuleError
from fangkong.measures.rules import local_midnight

# The §12 clocks and where their values sit in the policy's "tracing" section.
CLOCK_HOURS = {
    "report": "report_hours",
    "core": "core_hours",
    "investigation": "investigation_hours",
    "contacts": "contacts_hours",
}


def lookback_window(
    *,
    kind: str,
    onset_on: dt.date | None,
    sampled_at: dt.datetime | None,
    diagnosed_at: dt.datetime,
    found_by_routine_testing: bool,
    last_negative_at: dt.datetime | None,
    isolated_at: dt.datetime | None,
    lookback_days: int,
    now: dt.datetime,
) -> tuple[dt.datetime, dt.datetime]:
    """The look-back window of a case (DOMAIN.md §5).

    Starts `lookback_days` calendar days before symptom onset; for an asymptomatic case (or a case with no
    onset date yet) before the day of sampling, and failing that before the day of diagnosis. Days are whole
    days in Asia/Shanghai, as the protocols count them ("发病前2天" from 00:00). A case found by routine
    repeat testing starts at its last negative test instead. Ends when the case was isolated, or now."""
    if found_by_routine_testing and last_negative_at is not None:
        since = last_negative_at
    else:
        if kind != "asymptomatic" and onset_on is not None:
            anchor = onset_on
        else:
            anchor = (sampled_at or diagnosed_at).astimezone(SHANGHAI).date()
        since = local_midnight(anchor - dt.timedelta(days=lookback_days))
    until = isolated_at or now
    return since, max(since, until)


# Clocks ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockFacts:
    """What the clocks of one case are computed from."""

    diagnosed_at: dt.datetime
    reported_at: dt.datetime | None = None
    core_done_at: dt.datetime | None = None
    investigation_done_at: dt.datetime | None = None
    contacts_done_at: dt.datetime | None = None  # every candidate decided, the contacts under measures


@dataclass(frozen=True)
class ClockState:
    clock: str  # a tracing.models.Clock value
    due_at: dt.datetime
    done_at: dt.datetime | None
    overdue: bool  # ran out: not done by its due time (done late, or still open past it)

    @property
    def open(self) -> bool:
        return self.done_at is None


def clock_states(facts: ClockFacts, values: dict, now: dt.datetime) -> list[ClockState]:
    """The four §12 clocks. Reporting counts from diagnosis; the investigation and the contacts count from
    the report (接报后), or from diagnosis while the case is not reported yet. `values`: the policy's
    "tracing" section (policy.queries.tracing_values)."""
    start = facts.reported_at or facts.diagnosed_at
    done = {
        "report": (facts.diagnosed_at, facts.reported_at),
        "core": (start, facts.core_done_at),
        "investigation": (start, facts.investigation_done_at),
        "contacts": (start, facts.contacts_done_at),
    }
    states = []
    for clock, key in CLOCK_HOURS.items():
        begin, done_at = done[clock]
        due_at = begin + dt.timedelta(hours=float(values[key]))
        overdue = (done_at or now) > due_at
        states.append(ClockState(clock=clock, due_at=due_at, done_at=done_at, overdue=overdue))
    return states


# Transitions (§12) ---------------------------------------------------------------------------------------

# (kind, outcome) → event → (kind, outcome). A kind event on a case that has none is its report.
_TRANSITIONS = {
    ("suspected", ""): {"confirmed": ("confirmed", ""), "excluded": ("suspected", "excluded")},
    # 无症状转确诊: counted as confirmed from then on, no longer as asymptomatic.
    ("asymptomatic", ""): {"confirmed": ("confirmed", ""), "discharged": ("asymptomatic", "discharged")},
    ("confirmed", ""): {"discharged": ("confirmed", "discharged"), "died": ("confirmed", "died")},
}
FIRST_EVENTS = ("suspected", "confirmed", "asymptomatic")

_KIND_TEXT = {"suspected": "疑似病例", "confirmed": "确诊病例", "asymptomatic": "无症状感染者", "": "新病例"}
_EVENT_TEXT = {
    "suspected": "报告疑似",
    "confirmed": "确诊",
    "asymptomatic": "报告无症状感染者",
    "excluded": "排除",
    "discharged": "出院（解除隔离）",
    "died": "死亡",
}
_OUTCOME_TEXT = {"excluded": "已排除", "discharged": "已出院", "died": "已死亡"}


def next_kind(kind: str | None, outcome: str, event: str) -> tuple[str, str]:
    """The case's (kind, outcome) after `event`. Raises RuleError, saying why in Chinese, for what §12
    does not allow: suspected → confirmed or excluded; asymptomatic → confirmed (or released from
    isolation); confirmed → discharged or died; nothing after an outcome."""
    if not kind:
        if event in FIRST_EVENTS:
            return event, ""
        raise RuleError(
            {"kind": f"新病例须先报告为疑似、确诊或无症状感染者，不能直接“{_EVENT_TEXT.get(event, event)}”"}
        )
    if outcome:
        raise RuleError(
            {"kind": f"该病例{_OUTCOME_TEXT.get(outcome, outcome)}，不能再“{_EVENT_TEXT.get(event, event)}”"}
        )
    allowed = _TRANSITIONS.get((kind, ""), {})
    if event not in allowed:
        can = "、".join(f"“{_EVENT_TEXT[e]}”" for e in allowed) or "无"
        raise RuleError(
            {"kind": f"{_KIND_TEXT.get(kind, kind)}不能“{_EVENT_TEXT.get(event, event)}”，只能{can}"}
        )
    return allowed[event]


# Clusters (§12) ------------------------------------------------------------------------------------------

UNIT_TEXT = {"household": "同户", "workplace": "同单位", "venue": "同场所", "vehicle": "同交通工具"}


@dataclass(frozen=True)
class ClusterCase:
    id: int
    at: dt.datetime  # when the case was found: its diagnosis


@dataclass(frozen=True)
class Link:
    """A case belongs to a small unit: ("household", household id), ("workplace", unit id),
    ("venue", venue id) when it was co-present there with another case, ("vehicle", "G1234 2022-03-01")."""

    case_id: int
    unit: str
    key: str
    label: str = ""


@dataclass(frozen=True)
class Cluster:
    unit: str
    key: str
    label: str
    case_ids: tuple[int, ...]
    first_at: dt.datetime
    last_at: dt.datetime

    @property
    def size(self) -> int:
        return len(self.case_ids)

    @property
    def unit_text(self) -> str:
        return UNIT_TEXT.get(self.unit, self.unit)


def clusters(cases: Iterable[ClusterCase], links: Iterable[Link], *, days: int = 14) -> list[Cluster]:
    """Per small unit, its cases in time order cut where two consecutive ones are more than `days` apart;
    every run of two or more cases is a cluster. A case may sit in several clusters (its household and
    its workplace). Newest first."""
    at = {c.id: c.at for c in cases}
    members: dict[tuple[str, str], set[int]] = defaultdict(set)
    labels: dict[tuple[str, str], str] = {}
    for link in links:
        if link.case_id in at:
            members[(link.unit, link.key)].add(link.case_id)
            labels.setdefault((link.unit, link.key), link.label)
    gap = dt.timedelta(days=days)
    found = []
    for (unit, key), ids in members.items():
        ordered = sorted(ids, key=lambda i: (at[i], i))
        run: list[int] = []
        for case_id in ordered:
            if run and at[case_id] - at[run[-1]] > gap:
                found.extend(_cluster(unit, key, labels[(unit, key)], run, at))
                run = []
            run.append(case_id)
        found.extend(_cluster(unit, key, labels[(unit, key)], run, at))
    return sorted(found, key=lambda c: (c.last_at, c.size, c.unit, c.key), reverse=True)


def _cluster(unit: str, key: str, label: str, run: Sequence[int], at: dict) -> list[Cluster]:
    if len(run) < 2:
        return []
    return [Cluster(unit, key, label, tuple(run), at[run[0]], at[run[-1]])]


@dataclass
class ChainGraph:
    """Nodes and edges for the chain view (ECharts graph)."""

    nodes: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
