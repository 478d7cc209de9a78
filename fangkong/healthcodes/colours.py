"""A resident's health-code colour, derived at read time from their records and the rule table of the
policy in force (rules.py). Nothing is stored: a record changed is a colour changed.

`colour_of` makes a fixed number of queries whatever the number of records (the policy, then one per
kind of record, one per registered provider); tests count them. Identities with no registry person have
only what the codes know of them (checkpoint temperatures, manual colours) and the default rule table.
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from fangkong.healthcodes import rules, sources
from fangkong.healthcodes.identity import link_registry_person
from fangkong.healthcodes.models import Identity, ManualColour, RiskArea
from fangkong.healthcodes.rules import CodeResult
from fangkong.measures.divisions import place_name
from fangkong.measures.models import FollowUp, Measure, Screening, TestResult
from fangkong.measures.rules import SHANGHAI, local_midnight
from fangkong.policy.models import Kind, Reason
from fangkong.policy.presets import DEFAULT_PRESET
from fangkong.policy.queries import policy_for, preset_values

DECLARED = {Reason.ARRIVAL_HIGH: "high", Reason.ARRIVAL_MEDIUM: "medium"}


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def table_for(identity: Identity, day: dt.date) -> tuple[dict, dict]:
    """(policy values, rule table) in force for the identity's registry node on `day` (one query)."""
    person = identity.person
    values = policy_for(person.node, day).values if person is not None else preset_values(DEFAULT_PRESET)
    return values, rules.rule_table(values)


def gather(identity: Identity, *, since: dt.datetime, until: dt.datetime) -> rules.Inputs:
    """The facts the rules may need to judge any moment in [since, until]."""
    person = identity.person
    earliest_day = local_date(since) - dt.timedelta(days=rules.MAX_DAYS + 1)
    reading_from = since - dt.timedelta(hours=rules.MAX_HOURS)
    inputs = rules.Inputs()
    if person is not None:
        measures = Measure.objects.filter(person=person, started_at__lte=until).filter(
            Q(released_at=None) | Q(released_at__gt=since) | Q(planned_end__gt=since)
        )
        inputs.measures = [
            rules.Held(
                kind=m.kind,
                kind_label=Kind(m.kind).label,
                reason=m.screening.reason if m.screening else "",
                started_at=m.started_at,
                planned_end=m.planned_end,
                released_at=m.released_at,
            )
            for m in measures.select_related("screening")
        ]
        arrivals = Screening.objects.filter(
            person=person, arrived_on__gte=earliest_day, arrived_on__lte=local_date(until)
        )
        inputs.arrivals = [_arrival(s) for s in arrivals]
        inputs.readings = [
            rules.Reading(
                at=f.taken_at,
                abnormal=f.is_abnormal,
                temperature=f.temperature,
                symptoms=tuple(f.symptoms or ()),
                where="随访",
                check=f"{f.slot_date} {f.slot}",
            )
            for f in FollowUp.objects.filter(person=person, taken_at__gt=reading_from, taken_at__lte=until)
        ]
        inputs.negative_tests = list(
            TestResult.objects.filter(
                person=person,
                outcome=TestResult.Outcome.NEGATIVE,
                sampled_at__gte=local_midnight(earliest_day),
                sampled_at__lte=until,
            ).values_list("sampled_at", flat=True)
        )
    if inputs.arrivals:
        left = min(a.left_on for a in inputs.arrivals)
        areas = RiskArea.objects.filter(starts_on__lte=local_date(until)).filter(
            Q(ends_on=None) | Q(ends_on__gte=left)
        )
        inputs.areas = [
            rules.Area(
                level=a.level,
                code=a.division_code or (a.node.code if a.node else ""),
                name=a.name,
                starts_on=a.starts_on,
                ends_on=a.ends_on,
            )
            for a in areas.select_related("node")
        ]
    for source in sources.READINGS:
        inputs.readings += source(identity=identity, after=reading_from, until=until)
    inputs.manual = [
        rules.Manual(
            colour=m.colour,
            reason=m.reason,
            starts_at=m.starts_at,
            expires_at=m.expires_at,
            revoked_at=m.revoked_at,
        )
        for m in ManualColour.objects.filter(identity=identity, starts_at__lte=until, expires_at__gt=since)
    ]
    for name, provider in rules.PROVIDERS.items():
        inputs.extra[name] = list(provider(identity=identity, person=person, since=since, until=until))
    return inputs


def _arrival(s: Screening) -> rules.Arrival:
    codes = tuple(c for c in (s.origin_county, s.origin_city, s.origin_province) if c)
    return rules.Arrival(
        arrived_on=s.arrived_on,
        left_on=s.departed_on or s.arrived_on,
        origin_codes=codes,
        origin_name=place_name(*reversed(codes)) or s.origin_text,
        declared=DECLARED.get(s.reason, ""),
    )


def _with_person(identity: Identity) -> Identity:
    # One query for the person and their node, unless the caller loaded them already; an identity with
    # no person yet is linked to one registered since (identity.link_registry_person).
    if identity.person_id is None:
        return link_registry_person(identity)
    if "person" not in identity._state.fields_cache:
        identity = Identity.objects.select_related("person__node").get(pk=identity.pk)
    return identity


def colour_of(identity: Identity, *, at: dt.datetime | None = None) -> CodeResult:
    """The colour at `at` (now by default), with its reasons and the day it is expected to turn green."""
    at = at or timezone.now()
    identity = _with_person(identity)
    _values, table = table_for(identity, local_date(at))
    return rules.evaluate(gather(identity, since=at, until=at), table, at)


def colour_history(identity: Identity, *, days: int = 14, at: dt.datetime | None = None):
    """[(day, CodeResult)] for the last `days` days, newest first: the colour at the end of each day (now,
    for today), under the policy in force that day. The records are read once."""
    at = at or timezone.now()
    identity = _with_person(identity)
    today = local_date(at)
    first = today - dt.timedelta(days=days - 1)
    inputs = gather(identity, since=local_midnight(first), until=at)
    out = []
    for offset in range(days):
        day = today - dt.timedelta(days=offset)
        moment = min(at, local_midnight(day + dt.timedelta(days=1)) - dt.timedelta(microseconds=1))
        _values, table = table_for(identity, day)
        out.append((day, rules.evaluate(inputs, table, moment)))
    return out
