"""API schemas of key persons, follow-ups and alerts. People leave the API with their ID and phone
numbers masked, as in the registry's API; the full values only through the audited reveal endpoint."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from fangkong.grid.schemas import Code, local, required_text, text
from fangkong.measures import rules
from fangkong.measures.models import CaretakerRole, Slot
from fangkong.policy.models import Kind, Reason
from fangkong.registry.schemas import PageIn

Symptom = Literal[tuple(rules.SYMPTOMS)]


def _label(choices, value) -> str:
    return str(choices(value).label) if value else ""


# Key persons ---------------------------------------------------------------------------------------------


class KeypersonFilterIn(PageIn):
    node: Code | None = Field(None, description="只列该辖区及其下级")
    kind: Kind | None = Field(None, description="措施种类")
    active: bool | None = Field(
        None, description="true：正在采取措施（kind 给出时为该种措施）；false：措施均已解除（不含仅排查）"
    )
    reason: Reason | None = Field(None, description="排查原因")
    q: text(50, description="姓名、拼音、首字母，或证件号/电话后4位") = ""


class KeypersonOut(Schema):
    """One row of the key-person list: the person with their latest measure and latest screening."""

    id: int = Field(description="人员 id")
    name: str
    masked_id_number: str
    masked_phone: str
    node: str = Field(description="所属辖区代码")
    node_name: str
    status: Literal["active", "released", "screened"] = Field(
        description="active 在管；released 已解除；screened 仅排查"
    )
    measure_id: int | None = Field(description="最近一次措施")
    measure_kind: Kind | None
    measure_kind_label: str
    measure_started_at: dt.datetime | None
    measure_planned_end: dt.datetime | None
    measure_released_at: dt.datetime | None
    screening_reason: Reason | None = Field(description="最近一次排查的原因")
    screening_reason_label: str
    screened_on: dt.date | None

    @staticmethod
    def resolve_node(obj) -> str:
        return obj.node.code

    @staticmethod
    def resolve_node_name(obj) -> str:
        return obj.node.name

    @staticmethod
    def resolve_measure_kind_label(obj) -> str:
        return _label(Kind, obj.measure_kind)

    @staticmethod
    def resolve_screening_reason_label(obj) -> str:
        return _label(Reason, obj.screening_reason)

    @staticmethod
    def resolve_measure_started_at(obj) -> dt.datetime | None:
        return local(obj.measure_started)

    @staticmethod
    def resolve_measure_planned_end(obj) -> dt.datetime | None:
        return local(obj.measure_end)

    @staticmethod
    def resolve_measure_released_at(obj) -> dt.datetime | None:
        return local(obj.measure_released)


class KeypersonPageOut(Schema):
    count: int
    items: list[KeypersonOut]


class ScreeningOut(Schema):
    id: int
    reason: Reason
    reason_label: str
    screened_on: dt.date
    reference_date: dt.date | None = Field(description="末次暴露或抵达日期")
    node: str = Field(description="排查辖区代码")
    origin_text: str
    departed_on: dt.date | None
    arrived_on: dt.date | None
    transport: str
    trip_number: str

    @staticmethod
    def resolve_reason_label(obj) -> str:
        return _label(Reason, obj.reason)

    @staticmethod
    def resolve_node(obj) -> str:
        return obj.node.code


class CaretakerOut(Schema):
    user: int = Field(description="账号 id")
    name: str
    role: CaretakerRole
    role_label: str

    @staticmethod
    def resolve_user(obj) -> int:
        return obj.user_id

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.user.get_full_name() or obj.user.username

    @staticmethod
    def resolve_role_label(obj) -> str:
        return _label(CaretakerRole, obj.role)


class MeasureOut(Schema):
    id: int
    kind: Kind
    kind_label: str
    node: str = Field(description="管控辖区代码")
    started_at: dt.datetime
    planned_end: dt.datetime | None
    period_days: int | None
    policy_label: str = Field(description="计算期限所依据的政策")
    released_at: dt.datetime | None
    release_reason: str
    active: bool
    version: int
    screening: int | None = Field(description="所依据的排查记录 id")
    caretakers: list[CaretakerOut] = Field(description="包保责任人")

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return _label(Kind, obj.kind)

    @staticmethod
    def resolve_node(obj) -> str:
        return obj.node.code

    @staticmethod
    def resolve_started_at(obj) -> dt.datetime:
        return local(obj.started_at)

    @staticmethod
    def resolve_planned_end(obj) -> dt.datetime | None:
        return local(obj.planned_end)

    @staticmethod
    def resolve_released_at(obj) -> dt.datetime | None:
        return local(obj.released_at)

    @staticmethod
    def resolve_active(obj) -> bool:
        return obj.is_active

    @staticmethod
    def resolve_screening(obj) -> int | None:
        return obj.screening_id

    @staticmethod
    def resolve_caretakers(obj) -> list:
        return list(obj.caretakers.all())


class KeypersonDetailOut(Schema):
    id: int = Field(description="人员 id")
    name: str
    masked_id_number: str
    masked_phone: str
    node: str
    node_name: str
    screenings: list[ScreeningOut] = Field(description="排查记录，新的在前")
    measures: list[MeasureOut] = Field(description="措施，新的在前")


# Follow-ups ----------------------------------------------------------------------------------------------


class FollowUpIn(Schema):
    temperature: float = Field(ge=34, le=43, allow_inf_nan=False, description="体温（℃），保留一位小数")
    symptoms: list[Symptom] = Field(default_factory=list, max_length=len(rules.SYMPTOMS), description="症状")
    taken_at: dt.datetime | None = Field(
        None,
        description="测量时间，如 2022-03-01T08:30:00+08:00；不带时区按北京时间；不填为现在。"
        "12:00 前记为上午，之后记为下午",
    )
    notes: text(200) = ""


class FollowUpOut(Schema):
    id: int
    measure: int
    person: int
    slot_date: dt.date
    slot: Slot
    slot_label: str
    taken_at: dt.datetime
    temperature: float
    symptoms: list[str]
    abnormal: bool = Field(description="发热或有症状：已发出预警")
    alert: int | None = Field(description="因本次随访发出的预警 id")
    self_reported: bool
    notes: str

    @staticmethod
    def resolve_measure(obj) -> int:
        return obj.measure_id

    @staticmethod
    def resolve_person(obj) -> int:
        return obj.person_id

    @staticmethod
    def resolve_slot_label(obj) -> str:
        return _label(Slot, obj.slot)

    @staticmethod
    def resolve_taken_at(obj) -> dt.datetime:
        return local(obj.taken_at)

    @staticmethod
    def resolve_temperature(obj) -> float:
        return float(obj.temperature)

    @staticmethod
    def resolve_abnormal(obj) -> bool:
        return obj.is_abnormal

    @staticmethod
    def resolve_alert(obj) -> int | None:
        alert = getattr(obj, "alert", None)
        return alert.pk if alert else None


# Alerts --------------------------------------------------------------------------------------------------


class AlertFilterIn(PageIn):
    node: Code | None = Field(None, description="只列该辖区及其下级")


class AlertOut(Schema):
    id: int
    person: int = Field(description="人员 id")
    name: str
    masked_phone: str
    node: str = Field(description="管控辖区代码")
    node_name: str
    measure: int
    measure_kind: Kind
    raised_at: dt.datetime
    summary: str
    resolved_at: dt.datetime | None
    resolution: str

    @staticmethod
    def resolve_person(obj) -> int:
        return obj.person_id

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.person.name

    @staticmethod
    def resolve_masked_phone(obj) -> str:
        return obj.person.masked_phone

    @staticmethod
    def resolve_node(obj) -> str:
        return obj.measure.node.code

    @staticmethod
    def resolve_node_name(obj) -> str:
        return obj.measure.node.name

    @staticmethod
    def resolve_measure(obj) -> int:
        return obj.measure_id

    @staticmethod
    def resolve_measure_kind(obj) -> str:
        return obj.measure.kind

    @staticmethod
    def resolve_raised_at(obj) -> dt.datetime:
        return local(obj.raised_at)

    @staticmethod
    def resolve_resolved_at(obj) -> dt.datetime | None:
        return local(obj.resolved_at)


class AlertPageOut(Schema):
    count: int
    items: list[AlertOut]


class ResolveIn(Schema):
    resolution: required_text(200, description="处置结果，如：复测体温正常")
