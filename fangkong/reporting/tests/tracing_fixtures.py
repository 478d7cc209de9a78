"""Cases, their events and decided contacts for the reporting tests, written as rows: the tracing actions
are not what these tests are about. Each helper also keeps what it wrote in plain Python (`Outbreak.cases`,
`Outbreak.contacts`) so that the tests can recount every figure without the database.

`outbreak` (2022-03-08 … 03-12 around D = 2022-03-10) has, in the tiny world:
- 甲 grid 07, local: confirmed on D 09:00, discharged on the 12th; reported 09:30, investigated 20:00.
- 乙 grid 07, local: asymptomatic on the 9th 20:00, confirmed on D 15:00 (无症状转确诊).
- 丙 grid 08, abroad: asymptomatic at D 00:00 exactly, still under observation.
- 丁 后屯, other province: suspected on D 23:59, excluded on the 11th.
- 戊 后屯, local: suspected on the 8th, confirmed on the 9th, died at 24:00 of D (that is the 11th).
- 己 found at the township itself (in no village), only a code identity, local: confirmed at 24:00 of D.
- 庚 grid 07, abroad: asymptomatic and confirmed at the same moment of D 11:00; reported 12:00,
  investigated the next day 13:00 (25 hours: late).
- 辛 grid 08, only a code identity, local: confirmed on D 10:00 but entered at 18:00; reported 10:30,
  never investigated.
Contacts: 张三 (grid 07) close to 甲 and to 乙 (one person, one measure from D 18:00); 李四 (后屯) close to
甲, measure 25 hours after the decision; a code identity with nobody behind it close to 丙 on the 9th (no
measure: counted at the case's grid 08); 王五 (grid 08) through their code identity, secondary to 戊 on D
22:00, measure at 23:00 released on the 11th 10:00; a named stranger close to 戊 on the 11th; one candidate
still pending and one judged a general contact (neither counts).
"""

import datetime as dt
from dataclasses import dataclass, field
from itertools import count

import pytest

from fangkong.healthcodes.models import Identity
from fangkong.lib.idcard import make
from fangkong.measures import actions as measure_actions
from fangkong.measures import rules
from fangkong.policy.models import Kind, Reason
from fangkong.registry import actions as registry_actions
from fangkong.reporting.tests.daily_fixtures import at, clock
from fangkong.tracing.models import (
    Candidate,
    CandidateSource,
    Case,
    CaseEvent,
    CaseKind,
    Decision,
    EventKind,
    Outcome,
    Source,
)

D = dt.date(2022, 3, 10)
KINDS = {CaseKind.CONFIRMED, CaseKind.ASYMPTOMATIC, CaseKind.SUSPECTED}
OUTCOMES = {EventKind.EXCLUDED, EventKind.DISCHARGED, EventKind.DIED}


def day(n: int) -> dt.date:
    return dt.date(2022, 3, n)


@dataclass
class CaseRecord:
    """What a test wrote for one case, for the recount: events in the order they were written."""

    case: Case
    path: str
    source: str
    created_at: dt.datetime
    events: list[tuple[str, dt.datetime, dt.datetime]] = field(default_factory=list)  # kind, at, entered
    reported_at: dt.datetime | None = None
    investigation_done_at: dt.datetime | None = None


@dataclass
class ContactRecord:
    who: str  # the person they are, for distinct counts
    path: str  # where they count
    decision: str
    decided_at: dt.datetime
    measure_started_at: dt.datetime | None = None
    measure_released_at: dt.datetime | None = None


class Outbreak:
    def __init__(self, world, first: int = 1):
        """`first`: where the numbers of its people and cases start, for a second Outbreak in one world."""
        self.world = world
        self.admin = world.county_admin
        self.seq = count(first)
        self.cases: list[CaseRecord] = []
        self.contacts: list[ContactRecord] = []

    def person(self, node, name: str):
        seq = next(self.seq)
        with clock(at(dt.date(2022, 1, 10), "10:00")):
            return registry_actions.register_person(
                actor=self.admin,
                node=node,
                name=name,
                id_number=make("371502", dt.date(1970, 1, 1) + dt.timedelta(days=seq), 500 + seq),
            )

    def identity(self, name: str, person=None) -> Identity:
        seq = next(self.seq)
        id_number = (
            person.id_number if person else make("110105", dt.date(1980, 1, 1) + dt.timedelta(seq), seq)
        )
        return Identity.objects.create(id_number=id_number, name=name, person=person)

    def case(
        self,
        node,
        name: str,
        events: list[tuple[str, dt.datetime]],
        *,
        source: str = Source.LOCAL,
        registered: bool = True,
        entered_at: dt.datetime | None = None,
        reported_at: dt.datetime | None = None,
        investigation_done_at: dt.datetime | None = None,
    ) -> Case:
        """A case with its events, each entered at its own time unless `entered_at` says later."""
        person = self.person(node, name) if registered else None
        identity = None if registered else self.identity(name)
        kinds = [kind for kind, _at in events if kind in KINDS]
        outcomes = [kind for kind, _at in events if kind in OUTCOMES]
        first_at = events[0][1]
        created = entered_at or first_at
        case = Case.objects.create(
            number=f"BL{next(self.seq):04d}",
            person=person,
            identity=identity,
            node=node,
            kind=kinds[-1],
            outcome={EventKind.EXCLUDED: Outcome.EXCLUDED, EventKind.DISCHARGED: Outcome.DISCHARGED}.get(
                outcomes[-1], Outcome.DIED
            )
            if outcomes
            else "",
            source=source,
            diagnosed_at=first_at,
            reported_at=reported_at,
            investigation_done_at=investigation_done_at,
            recorded_by=self.admin,
        )
        Case.objects.filter(pk=case.pk).update(created_at=created)
        record = CaseRecord(case=case, path=node.path, source=source, created_at=created)
        for kind, moment in events:
            entered = max(moment, created)
            event = CaseEvent.objects.create(case=case, kind=kind, at=moment, recorded_by=self.admin)
            CaseEvent.objects.filter(pk=event.pk).update(created_at=entered)
            record.events.append((kind, moment, entered))
        record.reported_at, record.investigation_done_at = reported_at, investigation_done_at
        self.cases.append(record)
        return case

    def decide(
        self,
        case: Case,
        decision: str,
        decided_at: dt.datetime | None,
        *,
        person=None,
        identity: Identity | None = None,
        name: str = "",
        measure=None,
        measure_at: dt.datetime | None = None,
    ) -> Candidate:
        """A candidate of the case as decided; `measure_at` starts their home quarantine then."""
        if measure is None and measure_at is not None:
            who = person or identity.person
            screening = measure_actions.record_screening(
                actor=self.admin,
                person=who,
                reason=Reason.CLOSE_CONTACT,
                screened_on=measure_at.astimezone(rules.SHANGHAI).date(),
                reference_date=measure_at.astimezone(rules.SHANGHAI).date(),
            )
            measure = measure_actions.start_measure(
                actor=self.admin,
                person=who,
                kind=Kind.HOME_QUARANTINE,
                screening=screening,
                started_at=measure_at,
            )
        candidate = Candidate.objects.create(
            case=case,
            source=CandidateSource.NAMED if not identity else CandidateSource.VENUE,
            person=person,
            identity=identity,
            name=name,
            decision=decision,
            decided_at=decided_at,
            decided_by=self.admin if decided_at else None,
            measure=measure,
        )
        if decision in (Decision.CLOSE, Decision.SECONDARY):
            registered = person or (identity.person if identity else None)
            if registered:
                who, path = f"p{registered.pk}", registered.node.path
            elif identity:
                who, path = f"i{identity.pk}", case.node.path
            else:
                who, path = f"c{candidate.pk}", case.node.path
            self.contacts.append(
                ContactRecord(
                    who=who,
                    path=path,
                    decision=decision,
                    decided_at=decided_at,
                    measure_started_at=measure.started_at if measure else None,
                    measure_released_at=measure.released_at if measure else None,
                )
            )
        return candidate

    def release(self, measure, released_at: dt.datetime) -> None:
        measure_actions.release_measure(
            actor=self.admin,
            measure=measure,
            version=measure.version,
            released_at=released_at,
            override=True,
            reason="专家组评估",
        )
        for contact in self.contacts:
            if contact.measure_started_at == measure.started_at and contact.measure_released_at is None:
                contact.measure_released_at = released_at


C, A, S = EventKind.CONFIRMED, EventKind.ASYMPTOMATIC, EventKind.SUSPECTED


@pytest.fixture
def outbreak(world):
    o = Outbreak(world)
    with clock(at(day(20), "08:00")):
        jia = o.case(
            world.grid07,
            "甲",
            [(C, at(D, "09:00")), (EventKind.DISCHARGED, at(day(12), "10:00"))],
            reported_at=at(D, "09:30"),
            investigation_done_at=at(D, "20:00"),
        )
        yi = o.case(world.grid07, "乙", [(A, at(day(9), "20:00")), (C, at(D, "15:00"))])
        bing = o.case(world.grid08, "丙", [(A, at(D, "00:00"))], source=Source.ABROAD)
        o.case(
            world.other_village,
            "丁",
            [(S, at(D, "23:59")), (EventKind.EXCLUDED, at(day(11), "08:00"))],
            source=Source.OTHER_PROVINCE,
        )
        wu = o.case(
            world.other_village,
            "戊",
            [(S, at(day(8), "10:00")), (C, at(day(9), "12:00")), (EventKind.DIED, at(day(11), "00:00"))],
        )
        o.case(world.township, "己", [(C, at(day(11), "00:00"))], registered=False)
        o.case(
            world.grid07,
            "庚",
            [(A, at(D, "11:00")), (C, at(D, "11:00"))],
            source=Source.ABROAD,
            reported_at=at(D, "12:00"),
            investigation_done_at=at(day(11), "13:00"),
        )
        o.case(
            world.grid08,
            "辛",
            [(C, at(D, "10:00"))],
            registered=False,
            entered_at=at(D, "18:00"),
            reported_at=at(D, "10:30"),
        )

        zhang = o.person(world.grid07, "张三")
        first = o.decide(jia, Decision.CLOSE, at(D, "12:00"), person=zhang, measure_at=at(D, "18:00"))
        o.decide(yi, Decision.CLOSE, at(D, "16:00"), person=zhang, measure=first.measure)
        li = o.person(world.other_village, "李四")
        o.decide(jia, Decision.CLOSE, at(D, "13:00"), person=li, measure_at=at(day(11), "14:00"))
        o.decide(bing, Decision.CLOSE, at(day(9), "10:00"), identity=o.identity("某甲"))
        wang = o.person(world.grid08, "王五")
        secondary = o.decide(
            wu,
            Decision.SECONDARY,
            at(D, "22:00"),
            identity=o.identity("王五", wang),
            measure_at=at(D, "23:00"),
        )
        o.release(secondary.measure, at(day(11), "10:00"))
        o.decide(wu, Decision.CLOSE, at(day(11), "09:00"), name="赵某")
        o.decide(wu, Decision.PENDING, None, person=o.person(world.grid08, "待定"))
        o.decide(jia, Decision.GENERAL, at(D, "12:00"), person=o.person(world.grid07, "一般"))
    return o
