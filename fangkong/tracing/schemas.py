"""API schemas of cases, their investigation, candidates and decisions. People leave the API masked (name,
ID and phone), as in the registry's API; the full values only through the audited reveal of the pages."""

import datetime as dt

from ninja import Field, Schema
from pydantic import model_validator

from fangkong.grid.schemas import Date, Id, Version, local, required_text, text
from fangkong.lib.masking import mask_id_number, mask_name, mask_phone
from fangkong.registry.schemas import PageIn
from fangkong.tracing.models import (
    CandidateSource,
    CaseKind,
    ClinicalType,
    Decision,
    EntryKind,
    EventKind,
    Outcome,
    Source,
)

Moment = dt.datetime


def _holder(obj):
    return obj.person or obj.identity


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A time without an offset is Beijing time, as a device writes it."""
    from django.utils import timezone

    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


# Cases ---------------------------------------------------------------------------------------------------


class CaseFilterIn(PageIn):
    kind: CaseKind | None = Field(None, description="病例类别")
    source: Source | None = Field(None, description="感染来源")
    date_from: Date | None = Field(None, description="诊断日期自（含）")
    date_to: Date | None = Field(None, description="诊断日期至（含）")


class CaseFactsIn(Schema):
    """The facts of a case a user may type; the kind changes only through events."""

    clinical_type: ClinicalType | None = None
    source: Source = Source.LOCAL
    origin_text: text(100) = ""
    onset_on: Date | None = None
    sampled_at: Moment | None = None
    reported_at: Moment | None = None
    isolated_at: Moment | None = None
    found_by_routine_testing: bool = False
    last_negative_at: Moment | None = None
    hospital: text(100) = ""
    notes: text(500) = ""

    def facts(self) -> dict:
        values = self.model_dump(
            exclude={"kind", "number", "person", "identity", "version", "diagnosed_at", "infected_by"}
        )
        values["clinical_type"] = values["clinical_type"] or ""
        for name in ("sampled_at", "reported_at", "isolated_at", "last_negative_at"):
            values[name] = _aware(values[name])
        return values


class CaseIn(CaseFactsIn):
    kind: CaseKind
    diagnosed_at: Moment = Field(description="诊断时间；不带时区按北京时间")
    number: text(30, description="病例编号；不填则自动编号") = ""
    person: Id | None = Field(None, description="登记人员 id（本辖区）")
    identity: Id | None = Field(None, description="码证身份 id（本地未登记的人员）")

    @model_validator(mode="after")
    def one_holder(self):
        if (self.person is None) == (self.identity is None):
            raise ValueError("请给出 person 或 identity 之一")
        return self


class CaseUpdateIn(CaseFactsIn):
    diagnosed_at: Moment
    infected_by: Id | None = Field(None, description="传染来源病例 id；不填则无")
    version: Version


class CaseOut(Schema):
    id: int
    number: str
    name: str = Field(description="姓名（脱敏）")
    masked_id_number: str
    masked_phone: str
    person: int | None = Field(description="登记人员 id")
    identity: int | None = Field(description="码证身份 id")
    node: str = Field(description="报告辖区代码")
    node_name: str
    kind: CaseKind
    kind_label: str
    outcome: Outcome | None
    clinical_type: ClinicalType | None
    source: Source
    origin_text: str
    onset_on: dt.date | None
    sampled_at: dt.datetime | None
    diagnosed_at: dt.datetime
    reported_at: dt.datetime | None
    isolated_at: dt.datetime | None
    found_by_routine_testing: bool
    last_negative_at: dt.datetime | None
    hospital: str
    core_investigation_done_at: dt.datetime | None
    investigation_done_at: dt.datetime | None
    infected_by: int | None
    notes: str
    version: int

    @staticmethod
    def resolve_name(obj) -> str:
        return mask_name(_holder(obj).name)

    @staticmethod
    def resolve_masked_id_number(obj) -> str:
        return mask_id_number(_holder(obj).id_number)

    @staticmethod
    def resolve_masked_phone(obj) -> str:
        return mask_phone(_holder(obj).phone or "")

    @staticmethod
    def resolve_person(obj) -> int | None:
        return obj.person_id

    @staticmethod
    def resolve_identity(obj) -> int | None:
        return obj.identity_id

    @staticmethod
    def resolve_node(obj) -> str:
        return obj.node.code

    @staticmethod
    def resolve_node_name(obj) -> str:
        return obj.node.name

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_outcome(obj):
        return obj.outcome or None

    @staticmethod
    def resolve_clinical_type(obj):
        return obj.clinical_type or None

    @staticmethod
    def resolve_infected_by(obj) -> int | None:
        return obj.infected_by_id

    @staticmethod
    def resolve_sampled_at(obj):
        return local(obj.sampled_at)

    @staticmethod
    def resolve_diagnosed_at(obj):
        return local(obj.diagnosed_at)

    @staticmethod
    def resolve_reported_at(obj):
        return local(obj.reported_at)

    @staticmethod
    def resolve_isolated_at(obj):
        return local(obj.isolated_at)


class CasePageOut(Schema):
    count: int
    items: list[CaseOut]


class EventIn(Schema):
    kind: EventKind
    at: Moment = Field(description="时间；不带时区按北京时间")
    note: text(200) = ""


class EventOut(Schema):
    id: int
    kind: EventKind
    kind_label: str
    at: dt.datetime
    note: str

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_at(obj):
        return local(obj.at)


class ClockOut(Schema):
    clock: str = Field(description="report 直报 / core 核心信息 / investigation 流调报告 / contacts 密接管控")
    label: str
    due_at: dt.datetime
    done_at: dt.datetime | None
    overdue: bool


class CaseDetailOut(CaseOut):
    window_since: dt.datetime = Field(description="调查时段起")
    window_until: dt.datetime = Field(description="调查时段止")
    events: list[EventOut] = Field(alias="event_list")
    clocks: list[ClockOut]


# Investigation entries -----------------------------------------------------------------------------------


class EntryIn(Schema):
    kind: EntryKind
    starts_at: Moment
    ends_at: Moment | None = None
    place: required_text(200)
    venue: Id | None = Field(None, description="场所 id（可选）")
    vehicle: text(50) = ""
    seat: text(20) = ""
    notes: text(300) = ""


class EntryOut(Schema):
    id: int
    kind: EntryKind
    kind_label: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    place: str
    venue: int | None
    vehicle: str
    seat: str
    notes: str

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_venue(obj) -> int | None:
        return obj.venue_id

    @staticmethod
    def resolve_starts_at(obj):
        return local(obj.starts_at)

    @staticmethod
    def resolve_ends_at(obj):
        return local(obj.ends_at)


# Candidates and decisions --------------------------------------------------------------------------------


class CandidateFilterIn(PageIn):
    venue: Id | None = Field(None, description="场所 id")
    min_minutes: int | None = Field(None, ge=0, le=100000, description="与病例重叠至少多少分钟")
    decision: Decision | None = None
    source: CandidateSource | None = None

    def filters(self) -> dict:
        return {
            "venue": self.venue,
            "min_minutes": self.min_minutes,
            "decision": self.decision,
            "source": self.source,
        }


class CandidateOut(Schema):
    id: int
    case: int
    via: int | None = Field(description="经由的密接（密接的密接）")
    source: CandidateSource
    name: str = Field(description="姓名（脱敏）")
    masked_id_number: str
    masked_phone: str
    relation: str
    venue: int | None
    venue_name: str
    exposed_from: dt.datetime | None
    exposed_until: dt.datetime | None
    overlap_minutes: int
    decision: Decision
    decision_label: str
    decided_at: dt.datetime | None
    measure: int | None
    handed_over_at: dt.datetime | None
    version: int

    @staticmethod
    def _who(obj) -> tuple[str, str, str]:
        holder = obj.person or obj.identity
        if holder is not None:
            return holder.name, holder.id_number, holder.phone or ""
        return obj.name, obj.id_number, obj.phone

    @staticmethod
    def resolve_case(obj) -> int:
        return obj.case_id

    @staticmethod
    def resolve_via(obj) -> int | None:
        return obj.via_id

    @staticmethod
    def resolve_name(obj) -> str:
        return mask_name(CandidateOut._who(obj)[0])

    @staticmethod
    def resolve_masked_id_number(obj) -> str:
        return mask_id_number(CandidateOut._who(obj)[1])

    @staticmethod
    def resolve_masked_phone(obj) -> str:
        return mask_phone(CandidateOut._who(obj)[2])

    @staticmethod
    def resolve_venue(obj) -> int | None:
        return obj.venue_id

    @staticmethod
    def resolve_venue_name(obj) -> str:
        return obj.venue.name if obj.venue_id else ""

    @staticmethod
    def resolve_decision_label(obj) -> str:
        return str(obj.get_decision_display())

    @staticmethod
    def resolve_measure(obj) -> int | None:
        return obj.measure_id

    @staticmethod
    def resolve_exposed_from(obj):
        return local(obj.exposed_from)

    @staticmethod
    def resolve_exposed_until(obj):
        return local(obj.exposed_until)

    @staticmethod
    def resolve_decided_at(obj):
        return local(obj.decided_at)

    @staticmethod
    def resolve_handed_over_at(obj):
        return local(obj.handed_over_at)


class CandidatePageOut(Schema):
    count: int
    items: list[CandidateOut]


class SearchOut(Schema):
    found: int = Field(description="检索到的风险人员数")
    new: int = Field(description="本次新增")
    venues: int = Field(description="涉及场所数")


class DecisionIn(Schema):
    decision: Decision = Field(
        description="close 密接 / secondary 密接的密接 / general 一般接触者 / cleared 排除"
    )
    candidates: list[Id] = Field(default_factory=list, max_length=5000, description="要判定的风险人员 id")
    all: bool = Field(False, description="true：判定筛选条件下的全部人员（忽略 candidates）")
    venue: Id | None = Field(None, description="all 时的筛选：场所 id")
    min_minutes: int | None = Field(None, ge=0, le=100000, description="all 时的筛选：重叠至少多少分钟")
    source: CandidateSource | None = Field(None, description="all 时的筛选：来源")

    @model_validator(mode="after")
    def something_to_decide(self):
        if self.decision == Decision.PENDING:
            raise ValueError("判定不能为 pending")
        if not self.all and not self.candidates:
            raise ValueError("请给出 candidates，或 all=true")
        return self


class DecisionOut(Schema):
    decided: int = Field(description="本次判定的人数")
    items: list[CandidateOut]
