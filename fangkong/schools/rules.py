"""The rules of schools as pure functions (DOMAIN.md §15): what a check counts, when a class crosses the
policy's symptom threshold, the 14 days before opening, which absences are overdue."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

# The symptoms of the 学校晨午检记录表, in the order the sheet lists them.
SYMPTOMS = {
    "fever": "发热",
    "cough": "咳嗽",
    "sore_throat": "咽痛",
    "rash": "皮疹",
    "diarrhoea": "腹泻",
    "vomiting": "呕吐",
    "conjunctivitis": "红眼",
    "other": "其他",
}
ABSENT_ILLNESS = "absent_illness"
ABSENT_OTHER = "absent_other"
SYMPTOMATIC = "symptomatic"
STATUSES = (ABSENT_ILLNESS, ABSENT_OTHER, SYMPTOMATIC)


@dataclass(frozen=True)
class Mark:
    """A pupil marked at a check; everyone not marked is present and well."""

    member_id: int
    status: str
    symptoms: tuple[str, ...] = ()
    temperature: Decimal | None = None
    saw_doctor: bool = False
    diagnosis: str = ""

    def as_tuple(self) -> tuple:
        t = None if self.temperature is None else str(Decimal(self.temperature).quantize(Decimal("0.1")))
        return (self.member_id, self.status, tuple(sorted(self.symptoms)), t, self.saw_doctor, self.diagnosis)


@dataclass(frozen=True)
class Counts:
    enrolled: int
    present: int
    absent_illness: int
    absent_other: int
    symptomatic: int


def symptoms_of(mark: Mark, *, fever_threshold: Decimal) -> tuple[str, ...]:
    """The symptoms a mark shows: those ticked, and fever when the temperature reaches the threshold."""
    found = set(mark.symptoms)
    if mark.temperature is not None and Decimal(mark.temperature) >= fever_threshold:
        found.add("fever")
    return tuple(s for s in SYMPTOMS if s in found)


def check_counts(*, enrolled: int, marks: Iterable[Mark]) -> Counts:
    """应到、实到、因病缺勤、其他缺勤、症状人数 of a check: every pupil on the roster is present unless
    marked absent; symptomatic are the present pupils marked with symptoms."""
    by = defaultdict(int)
    for mark in marks:
        by[mark.status] += 1
    absent = by[ABSENT_ILLNESS] + by[ABSENT_OTHER]
    return Counts(
        enrolled=enrolled,
        present=enrolled - absent,
        absent_illness=by[ABSENT_ILLNESS],
        absent_other=by[ABSENT_OTHER],
        symptomatic=by[SYMPTOMATIC],
    )


@dataclass
class Crossing:
    symptom: str
    pupils: int
    window_start: dt.date
    member_ids: list[int] = field(default_factory=list)


def window(*, day: dt.date, days: int) -> tuple[dt.date, dt.date]:
    """The `days` days ending on `day`, both included: day − (days − 1) … day."""
    return day - dt.timedelta(days=days - 1), day


def crossings(
    sightings: Iterable[tuple[int, dt.date, Iterable[str]]], *, day: dt.date, pupils: int, days: int
) -> list[Crossing]:
    """The symptoms for which at least `pupils` distinct pupils of one class were seen with it (present
    with symptoms, or absent for illness with them) on the `days` days ending on `day`. `sightings` are
    (member id, day, symptoms); those outside the window are ignored."""
    start, end = window(day=day, days=days)
    seen: dict[str, set[int]] = defaultdict(set)
    for member_id, on, symptoms in sightings:
        if start <= on <= end:
            for symptom in symptoms:
                seen[symptom].add(member_id)
    return [
        Crossing(symptom=s, pupils=len(seen[s]), window_start=start, member_ids=sorted(seen[s]))
        for s in SYMPTOMS
        if len(seen[s]) >= pupils
    ]


def pre_opening_days(*, opening: dt.date, days: int) -> list[dt.date]:
    """The `days` days before the opening date (the opening day itself not among them)."""
    return [opening - dt.timedelta(days=n) for n in range(days, 0, -1)]


def absence_overdue(
    *, expected_return: dt.date | None, returned_on: dt.date | None, certificate: bool, today: dt.date
) -> bool:
    """An illness absence to follow up: back at school without a return certificate (复课证明), or past
    its expected return and not back."""
    if returned_on is not None:
        return not certificate
    return expected_return is not None and expected_return < today
