"""The health-code rule table (DOMAIN.md §6) as plain functions. No database here: colours.py gathers a
person's records as the facts below (a fixed number of queries) and calls `evaluate`.

Each rule looks at the facts at a moment and returns findings: a colour, a reason in plain Chinese, when it
began (`since`) and when it ends (`until`; None while that is not known, e.g. a measure whose period is
over but which has not been released). The code is the worst colour found; it turns green when the last
finding ends. A finding marked `test_clears` ends early with a negative test sampled after it began. An
active manual green sets aside what was found before it was given (a later event still counts).

The table — which rules are on, their colour, days and hours — is the `health_code` section of the
policy in force (policy/presets.py), so it is versioned per jurisdiction and inherited down the tree.

Facts that other modules will provide (cases from tracing, venue co-presence candidates) come in through
`register_input(name, provider)`: a provider is called as `provider(identity=…, person=…, since=…,
until=…)`, makes one query and returns a list of `CaseFact` (name "cases") or `CandidateFact` (name
"co_presence"). The rules that read them ("case", "co_presence") work as soon as a provider exists.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from fangkong.measures.rules import SHANGHAI, local_midnight
from fangkong.policy.presets import DEFAULT_PRESET, PRESETS

RED, YELLOW, GREEN = "red", "yellow", "green"
COLOUR_LABELS = {RED: "红码", YELLOW: "黄码", GREEN: "绿码"}
SEVERITY = {GREEN: 0, YELLOW: 1, RED: 2}
# Bounds of the editable values; colours.py gathers records this far back so that any table fits.
MAX_DAYS = 60
MAX_HOURS = 72


# Facts ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    """A measure: quarantine, monitoring … `reason` is its screening's reason ("" without one)."""

    kind: str
    kind_label: str
    reason: str
    started_at: dt.datetime
    planned_end: dt.datetime | None
    released_at: dt.datetime | None


@dataclass(frozen=True)
class Arrival:
    """A screening with an arrival date. `origin_codes` are division codes, the most specific first;
    `declared` is the level the screener chose as the reason ("high", "medium" or "")."""

    arrived_on: dt.date
    left_on: dt.date
    origin_codes: tuple[str, ...]
    origin_name: str
    declared: str = ""


@dataclass(frozen=True)
class Area:
    """A risk area: `code` is its division code, or the code of its node of the tree."""

    level: str
    code: str
    name: str
    starts_on: dt.date
    ends_on: dt.date | None


@dataclass(frozen=True)
class Reading:
    """A temperature or symptom check: a follow-up, or a checkpoint's temperature."""

    at: dt.datetime
    abnormal: bool
    temperature: Decimal | None
    symptoms: tuple[str, ...]
    where: str  # "随访" / "在某卡口测温"
    # Which check the reading belongs to: a follow-up slot ("2022-03-01 morning") or one passage. A
    # slot may hold several readings, and a fever in it stays a fever whatever is measured after it.
    check: str = ""

    @property
    def check_key(self) -> str:
        return self.check or self.at.isoformat()  # a reading without a check is a check of its own


@dataclass(frozen=True)
class Manual:
    colour: str
    reason: str
    starts_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None


@dataclass(frozen=True)
class CaseFact:
    """A case (from the tracing module): kind is confirmed, suspected or asymptomatic."""

    kind: str
    since: dt.datetime
    released_at: dt.datetime | None  # discharged, or excluded (a suspected case ruled out)


@dataclass(frozen=True)
class CandidateFact:
    """A venue co-presence candidate (from the tracing module), until cleared by the investigator."""

    venue: str
    since: dt.datetime
    cleared_at: dt.datetime | None


@dataclass(frozen=True)
class PositiveFact:
    """A positive nucleic-acid test of the person (from the testing module), by its sampling time."""

    sampled_at: dt.datetime


@dataclass
class Inputs:
    measures: list[Held] = field(default_factory=list)
    arrivals: list[Arrival] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)
    negative_tests: list[dt.datetime] = field(default_factory=list)  # sampling times
    manual: list[Manual] = field(default_factory=list)
    extra: dict[str, list] = field(default_factory=dict)  # from registered providers


Provider = Callable[..., list]
PROVIDERS: dict[str, Provider] = {}
# A provider's test for the kiosk's one statement (venues/sql.py), with the provider it was given for: a
# provider registered without one (or replaced since) sends every check-in to colour_of.
PLAIN_SQL: dict[str, tuple[Provider, str]] = {}


def register_input(name: str, provider: Provider, *, plain_sql: str | None = None) -> None:
    """Add a source of facts (call it from an AppConfig.ready). One query per call, please. `plain_sql`:
    an SQL condition, true when the provider would return nothing that could colour the code at %(at)s,
    over the resident's codes_identity row `i` (see venues/sql.py for the parameters it may use)."""
    PROVIDERS[name] = provider
    if plain_sql is None:
        PLAIN_SQL.pop(name, None)
    else:
        PLAIN_SQL[name] = (provider, plain_sql)


def plain_sql_of_providers() -> str | None:
    """The registered providers' kiosk tests joined with AND ("" when none is registered); None when a
    registered provider has none, so no check-in may be taken as plainly green."""
    tests = []
    for name, provider in PROVIDERS.items():
        known = PLAIN_SQL.get(name)
        if known is None or known[0] is not provider:
            return None
        tests.append(known[1])
    return "".join(f" AND {test}" for test in tests)


# Results --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    rule: str
    colour: str
    reason: str
    since: dt.datetime
    until: dt.datetime | None
    test_clears: bool = False


@dataclass(frozen=True)
class CodeResult:
    colour: str
    reasons: list[str]
    green_on: dt.date | None  # the day it is expected to turn green; None when green or not known
    findings: tuple[Finding, ...] = ()

    @property
    def colour_label(self) -> str:
        return COLOUR_LABELS[self.colour]


# Wording --------------------------------------------------------------------------------------------------


def day_text(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def moment_text(moment: dt.datetime) -> str:
    local = moment.astimezone(SHANGHAI)
    return f"{local.month}月{local.day}日{local:%H:%M}"


def _last_day(end: dt.datetime) -> dt.date:
    """A period ending at 24:00 of a day ends on that day, not the next."""
    return (end - dt.timedelta(microseconds=1)).astimezone(SHANGHAI).date()


def _measure_text(m: Held, at: dt.datetime) -> str:
    if m.released_at is None or m.released_at > at:
        text = f"正在{m.kind_label}（{day_text(m.started_at.astimezone(SHANGHAI).date())}起"
        if m.planned_end is not None and m.planned_end > at:
            text += f"，{day_text(_last_day(m.planned_end))}期满"
        elif m.planned_end is not None:
            text += "，期满待解除"
        return text + "）"
    released = day_text(m.released_at.astimezone(SHANGHAI).date())
    return f"{m.kind_label}已于{released}解除，观察期至{day_text(_last_day(m.planned_end))}"


# The rules ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    key: str
    label: str  # what the rule table page calls it
    params: tuple[str, ...]  # editable values besides "on" and "colour"
    check: Callable[[Inputs, dict, dt.datetime], list[Finding]]
    has_colour: bool = True


RULES: dict[str, Rule] = {}


def rule(key: str, label: str, params: tuple[str, ...] = (), has_colour: bool = True):
    def register(check):
        RULES[key] = Rule(key, label, params, check, has_colour)
        return check

    return register


def _measure_holds(m: Held, at: dt.datetime) -> bool:
    """A red measure holds until it is released AND its period has passed."""
    if m.started_at > at:
        return False
    return m.released_at is None or m.released_at > at or (m.planned_end is not None and m.planned_end > at)


def _measure_until(m: Held, at: dt.datetime) -> dt.datetime | None:
    if m.released_at is None or m.released_at > at:
        return m.planned_end if m.planned_end is not None and m.planned_end > at else None
    return max(m.released_at, m.planned_end or m.released_at)


CASE_LABELS = {"confirmed": "确诊病例", "suspected": "疑似病例", "asymptomatic": "无症状感染者"}


@rule("case", "确诊病例、疑似病例、无症状感染者", params=("days_after_release",))
def case_rule(inputs: Inputs, params: dict, at: dt.datetime) -> list[Finding]:
    days = int(params.get("days_after_release", 0))
    out = []
    for case in inputs.extra.get("cases", []):
        until = case.released_at + dt.timedelta(days=days) if case.released_at else None
        if case.since <= at and (until is None or at < until):
            reason = CASE_LABELS.get(case.kind, "病例")
            if case.released_at is not None and case.released_at <= at:
                reason += f"，{day_text(case.released_at.astimezone(SHANGHAI).date())}解除隔离后{days}天内"
            out.append(Finding("case", params["colour"], reason, case.since, until))
    return out


CONTACT_LABELS = {"close_contact": "密切接触者", "secondary_contact": "密接的密接"}


@rule("contact", "密切接触者、密接的密接（在管控措施期间）")
def contact_rule(inputs: Inputs, params: dict, at: dt.datetime) -> list[Finding]:
    return [
        Finding(
            "contact",
            params["colour"],
            f"{CONTACT_LABELS[m.reason]}，{_measure_text(m, at)}",
            m.started_at,
            _measure_until(m, at),
        )
        for m in inputs.measures
        if m.reason in CONTACT_LABELS and _measure_holds(m, at)
    ]


QUARANTINE_KINDS = ("central_quarantine", "home_quarantine")


@rule("quarantine", "集中或居家隔离医学观察")
def quarantine_rule(inputs: Inputs, params: dict, at: dt.datetime) -> list[Finding]:
    return [
        Finding("quarantine", params["colour"], _measure_text(m, at), m.started_at, _measure_until(m, at))
        for m in inputs.measures
        if m.kind in QUARANTINE_KINDS and _measure_holds(m, at)
    ]


def _area_matches(area: Area, arrival: Arrival) -> bool:
    """The origin lies in the area, or (origin known to the county) the area lies in the origin county."""
    if not arrival.origin_codes or not area.code:
        return False
    origin = arrival.origin_codes[0]
    return origin.startswith(area.code) or (len(origin) >= 6 and area.code.startswith(origin))


def _area_in_force(area: Area, arrival: Arrival, at: dt.datetime) -> bool:
    """A risk area when the person left it, or declared since (cases found there later)."""
    return area.starts_on <= at.astimezone(SHANGHAI).date() and (
        area.ends_on is None or area.ends_on >= arrival.left_on
    )


LEVEL_LABELS = {"high": "高风险区", "medium": "中风险区"}


def _arrival_findings(key: str, level: str, inputs: Inputs, params: dict, at: dt.datetime) -> list[Finding]:
    days = int(params["days"])
    out = []
    for arrival in inputs.arrivals:
        start = local_midnight(arrival.arrived_on)
        end = local_midnight(arrival.arrived_on + dt.timedelta(days=days + 1))  # day N ends at 24:00
        if not start <= at < end:
            continue
        area = next(
            (
                a
                for a in inputs.areas
                if a.level == level and _area_matches(a, arrival) and _area_in_force(a, arrival, at)
            ),
            None,
        )
        if area is None and arrival.declared != level:
            continue
        where = arrival.origin_name or "外地"
        reason = f"{day_text(arrival.arrived_on)}从{where}抵达"
        reason += f"（{area.name}为{LEVEL_LABELS[level]}）" if area else f"（{LEVEL_LABELS[level]}来返）"
        reason += f"，抵达后{days}天内"
        out.append(Finding(key, params["colour"], reason, start, end, bool(params.get("test_clears"))))
    return out


@rule("arrival_high", "14天内从高风险区抵达", params=("days",))
def arrival_high_rule(inputs: Inputs, params: dict, at: dt.datetime) -> list[Finding]:
    return _arrival_findings("arrival_high", "high", inputs, params, at)


MANUAL_LABELS = {RED: "人工赋红码", YELLOW: "人工赋黄码", GREEN: "人工转绿码"}


def _manual_active(m: Manual, at: dt.datetime) -> bool:
    return m.starts_at <= at < m.expires_at and (m.revoked_at is None or m.revoked_at > at)


def _manual_reason(m: Manual) -> str:
    return f"{MANUAL_LABELS[m.colour]}：{m.reason}（至{moment_text(m.expires_at)}）"


@rule("manual", "人工赋码（红、黄；转绿）", has_colour=False)
def manual_rule(inputs: Inputs, params: dict, at: dt.datetime) -> list[Finding]:
    return [
        Finding("manual", m.colour, _manual_reason(m), m.starts_at, m.expires_at)
        for m in inputs.manual
        if m.colour != GREEN and _manual_active(m, at)
    ]


@rule("symptoms", "最近一次随访或卡口测温发热或有症状", params=("hours",))
def symptoms_rule(inputs: Inputs, params: dict, at: dt.datetime) -> list[Finding]:
    """The last check decides (DOMAIN §6); a check with a fever among its readings is a fever, so a
    normal reading taken again in the same slot does not clear it, the next slot's does."""
    window = dt.timedelta(hours=int(params["hours"]))
    recent = [r for r in inputs.readings if at - window < r.at <= at]
    if not recent:
        return []
    last_check = max(recent, key=lambda r: r.at).check_key
    abnormal = [r for r in recent if r.abnormal and r.check_key == last_check]
    if not abnormal:
        return []
    last = max(abnormal, key=lambda r: r.at)
    found = ([f"体温{last.temperature}℃"] if last.temperature is not None else []) + list(last.symptoms)
    reason = f"{moment_text(last.at)}{last.where}：{'，'.join(found) or '异常'}"
    return [
        Finding(
            "symptoms", params["colour"], reason, last.at, last.at + window, bool(params.get("test_clears"))
        )
    ]


@rule("home_monitoring", "居家健康监测期间")
def home_monitoring_rule(inputs: Inputs, params: dict, at: dt.datetime) -> list[Finding]:
    return [
        Finding(
            "home_monitoring",
            params["colour"],
            _measure_text(m, at),
            m.started_at,
            m.planned_end if m.planned_end is not None and m.planned_end > at else None,
        )
        for m in inputs.measures
        if m.kind == "home_monitoring"
        and m.started_at <= at
        and (m.released_at is None or m.released_at > at)
    ]


@rule("arrival_medium", "14天内从中风险区抵达", params=("days",))
def arrival_medium_rule(inputs: Inputs, params: dict, at: dt.datetime) -> list[Finding]:
    return _arrival_findings("arrival_medium", "medium", inputs, params, at)


@rule("co_presence", "场所码时空交集待排查")
def co_presence_rule(inputs: Inputs, params: dict, at: dt.datetime) -> list[Finding]:
    return [
        Finding(
            "co_presence",
            params["colour"],
            f"{moment_text(c.since)}与病例在{c.venue}有时空交集，待排查",
            c.since,
            None,
            bool(params.get("test_clears")),
        )
        for c in inputs.extra.get("co_presence", [])
        if c.since <= at and (c.cleared_at is None or c.cleared_at > at)
    ]


@rule("positive_test", "核酸检测阳性（至其后阴性或期满）", params=("days",))
def positive_test_rule(inputs: Inputs, params: dict, at: dt.datetime) -> list[Finding]:
    """A positive test turns the code red from its sampling until a later negative test or `days` after it
    (a case opened for it keeps the code red through the "case" rule)."""
    days = int(params.get("days", 14))
    out = []
    for fact in inputs.extra.get("positive_tests", []):
        later = [t for t in inputs.negative_tests if t > fact.sampled_at]
        until = min([*later, fact.sampled_at + dt.timedelta(days=days)])
        if fact.sampled_at <= at < until:
            reason = f"{moment_text(fact.sampled_at)}采样核酸检测阳性"
            out.append(Finding("positive_test", params["colour"], reason, fact.sampled_at, until))
    return out


# The table ------------------------------------------------------------------------------------------------

PARAM_LIMITS = {"days": (1, MAX_DAYS), "hours": (1, MAX_HOURS), "days_after_release": (0, MAX_DAYS)}


def rule_table(values: dict) -> dict:
    """The rule table of a policy's values: its `health_code` section over its preset's (older policies,
    and rules added since, take the preset's values)."""
    preset = PRESETS.get(values.get("preset", DEFAULT_PRESET), PRESETS[DEFAULT_PRESET])
    base = preset["health_code"]
    own = values.get("health_code") or {}
    rules = {key: {**base["rules"].get(key, {}), **own.get("rules", {}).get(key, {})} for key in RULES}
    return {"label": own.get("label", base["label"]), "rules": rules}


def check_rules(rules: dict) -> dict[str, str]:
    """Reasons (Chinese, by rule key) why an edited table cannot be used; empty when it can."""
    errors = {}
    for key, params in rules.items():
        if key not in RULES:
            errors[key] = "不是可设置的赋码规则"
            continue
        rule_ = RULES[key]
        if rule_.has_colour and params.get("colour") not in (RED, YELLOW):
            errors[key] = f"{rule_.label}：颜色应为红码或黄码"
        for name in rule_.params:
            low, high = PARAM_LIMITS[name]
            value = params.get(name)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                errors[key] = f"{rule_.label}：天数或小时数应在{low}到{high}之间"
    return errors


def evaluate(inputs: Inputs, table: dict, at: dt.datetime) -> CodeResult:
    findings: list[Finding] = []
    for key, rule_ in RULES.items():
        params = table["rules"].get(key, {})
        if params.get("on"):
            findings += rule_.check(inputs, params, at)
    findings = [
        f for f in findings if not (f.test_clears and any(f.since < t <= at for t in inputs.negative_tests))
    ]
    notes = []
    greens = [m for m in inputs.manual if m.colour == GREEN and _manual_active(m, at)]
    if greens and table["rules"].get("manual", {}).get("on"):
        latest = max(greens, key=lambda m: m.starts_at)
        findings = [f for f in findings if f.rule == "manual" or f.since > latest.starts_at]
        notes.append(_manual_reason(latest))
    colour = max((f.colour for f in findings), key=SEVERITY.__getitem__, default=GREEN)
    findings.sort(key=lambda f: (-SEVERITY[f.colour], f.since))
    green_on = None
    if colour != GREEN and all(f.until is not None for f in findings):
        green_on = max(f.until for f in findings).astimezone(SHANGHAI).date()
    return CodeResult(
        colour=colour,
        reasons=[f.reason for f in findings] + notes,
        green_on=green_on,
        findings=tuple(findings),
    )
