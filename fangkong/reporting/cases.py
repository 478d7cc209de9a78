"""The indicators of cases and contacts (DOMAIN.md §9, §12), registered in indicators.REGISTRY like the
rest: the daily report, the dashboard and the situation report read them from compute().

Cases are counted at `case.node` (where the case lives or was found), one per case (例), by the state on
day D read from the case's events (tracing.CaseEvent), never from `case.kind`, which is only the latest:
- `cases_<kind>_new`: cases whose first event of that kind falls during D. A case reported asymptomatic
  on the 3rd and confirmed on the 5th is new asymptomatic on the 3rd and new confirmed on the 5th (also
  counted in `cases_asymptomatic_to_confirmed_new`, 无症状转确诊: confirmed during D with an asymptomatic
  report by the end of D); a suspected case confirmed the same way.
- `cases_<kind>_total`: cases whose kind at the end of D is that kind, whatever their outcome. §12's
  transitions only go up (suspected → confirmed, asymptomatic → confirmed), so the kind at a moment is the
  highest reached by then: confirmed, else asymptomatic, else suspected (events of two kinds at one
  moment: the higher). So a case counts in one total only: an asymptomatic case that was confirmed is
  in the confirmed total and no longer in the asymptomatic one (§12, "no longer as asymptomatic"), and
  `cases_asymptomatic_total` means "reported as asymptomatic and not confirmed by the end of D" (it can
  go down when one is confirmed); a suspected case excluded later stays in the suspected total (it was
  reported as such). The three totals add up to every case reported by the end of D.
- `cases_<kind>_active`: those of the total with no outcome event (excluded, discharged, died) by then.
- `cases_<kind>_new_<source>` / `_total_<source>` for confirmed and asymptomatic cases: the same counts
  by the case's source (本土 / 境外输入 / 外省输入), as the source reports break them down.
- `cases_discharged_*` / `cases_died_*`: cases whose first discharge / death event falls during D or by
  its end (a discharged asymptomatic case is one released from medical observation).
"During D" is D 00:00 ≤ t < D+1 00:00, "by the end of D" t < D+1 00:00; as of a moment T, t < T, and only
the cases and events entered by T (their `created_at`) count.

Contacts (`contacts_*`) are the candidates decided as close (密接) or secondary (次密接) contacts, one per
person: the registered person (or the person behind the code identity), else the code identity, else
the named candidate row itself. A contact is counted at the node of the registered person (where they
live now: that township acts on them), else at the node of the case; a decision made by the end of D
counts (as of T: decided before T). The decision is the candidate's current one (a decision changed in
place has no history here: the audit log has it). `contacts_<decision>_new`: decided during D (they also
stop a zero report, reporting/queries.py). `contacts_under_control`: those whose measure (the one their
decision linked) is active at the end of D, as §9 defines active. `contacts_controlled_24h_pct` is the share of the decisions of D
(rows, close or secondary) whose measure started no later than 24 hours after the decision; as of T the
measure must also have started by T. None when nothing was decided that day.

`investigations_on_time_pct`: of the cases reported during D (`reported_at`), the share whose
investigation report was done within the policy's hours of the report (policy's "tracing"
section, `investigation_hours`, 24 by default, DOMAIN.md §12); not done yet counts as not on
time. The hours are those of the policy in force at the node of the report on D (a child with another
policy gets the parent's hours in the children table). None when no case was reported that day.
"""

import datetime as dt

from django.db import models
from django.db.models import Count, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from fangkong.policy.queries import policy_for, tracing_values
from fangkong.reporting.indicators import (
    DAY_CONDITION,
    DAY_ROWS,
    PEOPLE,
    PERCENT,
    REGISTRY,
    SOURCES,
    Scope,
    aggregate,
)
from fangkong.tracing.models import Candidate, Case, CaseEvent, CaseKind, Decision, EventKind, Source

CASES = _("例")
KINDS = [CaseKind.CONFIRMED, CaseKind.ASYMPTOMATIC, CaseKind.SUSPECTED]
OUTCOMES = [EventKind.EXCLUDED, EventKind.DISCHARGED, EventKind.DIED]
BY_SOURCE = [CaseKind.CONFIRMED, CaseKind.ASYMPTOMATIC]  # the kinds the reports break down by source
CONTACT_DECISIONS = [Decision.CLOSE, Decision.SECONDARY]
CONTROL_HOURS = 24  # §9 defines the indicator on 24 hours: its name says so


def _with(s: Scope, *kinds: str, since: bool | None = None) -> Q:
    """Cases with an event of one of the kinds by the end of the scope; `since=True`: during the day only,
    `since=False`: before the day began. As of T, only events entered by T.

    Uncorrelated `pk IN (events …)`, not a subquery per case: the database works each list out once (a
    hashed subplan on PostgreSQL) however many indicators test it, where correlated subqueries were
    evaluated again in every FILTER and made PostgreSQL's planner cost (and JIT) explode
    (bench/reporting_cases.py: 2.4 s → see bench/README.md)."""
    events = CaseEvent.objects.filter(kind__in=kinds)
    if since is True:
        events = events.filter(at__gte=s.start, at__lt=s.end)
    elif since is False:
        events = events.filter(at__lt=s.start)
    else:
        events = events.filter(at__lt=s.end)
    if s.as_of is not None:
        events = events.filter(created_at__lte=s.end)
    return Q(pk__in=events.values("case_id"))


def _cases(s: Scope) -> QuerySet:
    cases = Case.objects.filter(node__path__startswith=s.path)
    if s.as_of is not None:
        cases = cases.filter(created_at__lte=s.end)
    return cases


SOURCES["case"] = _cases

# The kinds a case goes through only upwards (DOMAIN.md §12: suspected → confirmed, asymptomatic →
# confirmed): its kind at a moment is the highest it has reached by then.
HIGHER = {
    CaseKind.CONFIRMED: [],
    CaseKind.ASYMPTOMATIC: [CaseKind.CONFIRMED],
    CaseKind.SUSPECTED: [CaseKind.CONFIRMED, CaseKind.ASYMPTOMATIC],
}


def _new(s: Scope, kind: str) -> Q:
    """A first event of the kind during D: one during D and none before it."""
    return _with(s, kind, since=True) & ~_with(s, kind, since=False)


def _state(s: Scope, kind: str) -> Q:
    """Of that kind at the end of the scope."""
    condition = _with(s, kind)
    if HIGHER[kind]:
        condition &= ~_with(s, *HIGHER[kind])
    return condition


def _during(s: Scope, field: str) -> Q:
    return Q(**{f"{field}__gte": s.start, f"{field}__lt": s.end})


def _cases_count(condition: Q) -> Count:
    return Count("pk", filter=condition)


def _rate(part, whole):
    return (
        Cast(part, FloatField())
        * Value(100.0)
        / NullIf(Cast(whole, FloatField()), Value(0.0), output_field=FloatField())
    )


def _percent(value) -> float | None:
    return None if value is None else round(float(value), 1)


NEW_LABELS = {
    CaseKind.CONFIRMED: _("新增确诊病例"),
    CaseKind.ASYMPTOMATIC: _("新增无症状感染者"),
    CaseKind.SUSPECTED: _("新增疑似病例"),
}
TOTAL_LABELS = {
    CaseKind.CONFIRMED: _("累计确诊病例"),
    CaseKind.ASYMPTOMATIC: _("累计无症状感染者（未转确诊）"),
    CaseKind.SUSPECTED: _("累计疑似病例"),
}
ACTIVE_LABELS = {
    CaseKind.CONFIRMED: _("现有确诊病例"),
    CaseKind.ASYMPTOMATIC: _("尚在医学观察无症状感染者"),
    CaseKind.SUSPECTED: _("现有疑似病例"),
}

for _kind in KINDS:
    aggregate(
        f"cases_{_kind}_new",
        NEW_LABELS[_kind],
        CASES,
        source="case",
        expression=lambda s, kind=_kind: _cases_count(_new(s, kind)),
    )
    aggregate(
        f"cases_{_kind}_total",
        TOTAL_LABELS[_kind],
        CASES,
        source="case",
        expression=lambda s, kind=_kind: _cases_count(_state(s, kind)),
    )
    aggregate(
        f"cases_{_kind}_active",
        ACTIVE_LABELS[_kind],
        CASES,
        source="case",
        expression=lambda s, kind=_kind: _cases_count(_state(s, kind) & ~_with(s, *OUTCOMES)),
    )

for _kind in BY_SOURCE:
    for _source in Source:
        aggregate(
            f"cases_{_kind}_new_{_source}",
            format_lazy(_("{}（{}）"), NEW_LABELS[_kind], _source.label),
            CASES,
            source="case",
            expression=lambda s, kind=_kind, source=_source.value: _cases_count(
                Q(source=source) & _new(s, kind)
            ),
        )
        aggregate(
            f"cases_{_kind}_total_{_source}",
            format_lazy(_("{}（{}）"), TOTAL_LABELS[_kind], _source.label),
            CASES,
            source="case",
            expression=lambda s, kind=_kind, source=_source.value: _cases_count(
                Q(source=source) & _state(s, kind)
            ),
        )
del _kind, _source

# 无症状转确诊: confirmed, having been reported asymptomatic (before, or at the same call).
aggregate(
    "cases_asymptomatic_to_confirmed_new",
    _("当日无症状感染者转为确诊病例"),
    CASES,
    source="case",
    expression=lambda s: _cases_count(_new(s, CaseKind.CONFIRMED) & _with(s, CaseKind.ASYMPTOMATIC)),
)
aggregate(
    "cases_asymptomatic_to_confirmed_total",
    _("累计无症状感染者转为确诊病例"),
    CASES,
    source="case",
    expression=lambda s: _cases_count(_with(s, CaseKind.CONFIRMED) & _with(s, CaseKind.ASYMPTOMATIC)),
)

for _outcome, _new_label, _total_label in [
    (EventKind.DISCHARGED, _("当日出院（解除隔离）"), _("累计出院（解除隔离）")),
    (EventKind.DIED, _("当日死亡病例"), _("累计死亡病例")),
]:
    aggregate(
        f"cases_{_outcome}_new",
        _new_label,
        CASES,
        source="case",
        expression=lambda s, outcome=_outcome: _cases_count(_new(s, outcome)),
    )
    aggregate(
        f"cases_{_outcome}_total",
        _total_label,
        CASES,
        source="case",
        expression=lambda s, outcome=_outcome: _cases_count(_with(s, outcome)),
    )
del _outcome, _new_label, _total_label


def _investigation_hours(s: Scope) -> int:
    return int(tracing_values(policy_for(s.node, s.day).values)["investigation_hours"])


def _investigations_on_time(s: Scope):
    reported = _during(s, "reported_at")
    deadline = F("reported_at") + dt.timedelta(hours=_investigation_hours(s))
    on_time = reported & Q(investigation_done_at__lte=deadline)
    if s.as_of is not None:  # a report done after T was not known at T
        on_time &= Q(investigation_done_at__lte=s.end)
    return _rate(_cases_count(on_time), _cases_count(reported))


aggregate(
    "investigations_on_time_pct",
    _("流调及时率"),
    PERCENT,
    source="case",
    expression=_investigations_on_time,
    finish=_percent,
)

# ── contacts (密接、次密接) ───────────────────────────────────────────────────────────────────────────


def _contact_rows(path: str) -> QuerySet:
    """Candidates decided as close or secondary contacts, whenever, at the node they count at
    (`counted_path`) in the subtree, each with the key of the person they are (`who`)."""
    who = models.Case(
        When(person__isnull=False, then=F("person_id") * 3),
        When(identity__person__isnull=False, then=F("identity__person_id") * 3),
        When(identity__isnull=False, then=F("identity_id") * 3 + 1),
        default=F("pk") * 3 + 2,
        output_field=IntegerField(),
    )
    return (
        Candidate.objects.filter(decision__in=CONTACT_DECISIONS)
        .alias(
            counted_path=Coalesce("person__node__path", "identity__person__node__path", "case__node__path")
        )
        .filter(counted_path__startswith=path)
        .annotate(who=who)
    )


# Those decided by the end of the scope: trends.py counts several days in one query (DAY_CONDITION).
DAY_ROWS["contact"] = _contact_rows
DAY_CONDITION["contact"] = lambda s: Q(decided_at__lt=s.end)
SOURCES["contact"] = lambda s: _contact_rows(s.path).filter(DAY_CONDITION["contact"](s))


def _people(condition: Q) -> Count:
    return Count("who", distinct=True, filter=condition)


for _decision, _total_label, _new_label in [
    (Decision.CLOSE, _("累计判定密切接触者"), _("当日判定密切接触者")),
    (Decision.SECONDARY, _("累计判定密接的密接"), _("当日判定密接的密接")),
]:
    aggregate(
        f"contacts_{_decision}_total",
        _total_label,
        PEOPLE,
        source="contact",
        expression=lambda s, decision=_decision: _people(Q(decision=decision)),
    )
    aggregate(
        f"contacts_{_decision}_new",
        _new_label,
        PEOPLE,
        source="contact",
        expression=lambda s, decision=_decision: _people(Q(decision=decision) & _during(s, "decided_at")),
    )
del _decision, _total_label, _new_label


def _under_control(s: Scope):
    """Close and secondary contacts whose measure (the one their decision created) is active at the end
    of the scope (DOMAIN.md §9: started by then, not released by then)."""
    started = Q(measure__started_at__lte=s.end)
    return _people(started & (Q(measure__released_at__isnull=True) | Q(measure__released_at__gt=s.end)))


aggregate(
    "contacts_under_control",
    _("在管密接、次密接"),
    PEOPLE,
    source="contact",
    expression=_under_control,
)


def _controlled_24h(s: Scope):
    decided = _during(s, "decided_at")
    controlled = decided & Q(
        measure__started_at__lte=F("decided_at") + dt.timedelta(hours=CONTROL_HOURS),
    )
    if s.as_of is not None:
        controlled &= Q(measure__started_at__lte=s.end)
    return _rate(Count("pk", filter=controlled), Count("pk", filter=decided))


aggregate(
    "contacts_controlled_24h_pct",
    _("24小时内管控率"),
    PERCENT,
    source="contact",
    expression=_controlled_24h,
    finish=_percent,
)

# The codes this module adds, in registry order: the daily report's cases section.
CODES = [code for code in REGISTRY if code.startswith(("cases_", "contacts_", "investigations_"))]
