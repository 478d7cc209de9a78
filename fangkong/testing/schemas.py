"""API bodies of testing. People leave the API masked (name, ID number), as elsewhere."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from fangkong.grid.schemas import Code, Date, Id, required_text, text
from fangkong.lib.masking import mask_id_number, mask_name
from fangkong.registry.schemas import PageIn

Kind = Literal["single", "pool"]
ResultIn_ = Literal["negative", "positive", "invalid"]


class PointIn(Schema):
    node: Code
    name: required_text(100)
    address: text(200) = ""


class PointOut(Schema):
    id: int
    node: str = Field(alias="node.code")
    name: str
    address: str
    active: bool


class SampleIn(Schema):
    tube_code: required_text(40, description="试管条码")
    kind: Kind
    capacity: int = Field(1, description="单采为1；混采为5、10或20")
    node: Code = Field(description="采样辖区代码")
    point: Id | None = None
    round: Id | None = None
    sampled_at: dt.datetime | None = Field(None, description="不填为现在；无时区视为北京时间")


class MemberIn(Schema):
    person: Id | None = Field(None, description="人员 id")
    id_number: text(40) = Field("", description="或证件号码")


class MemberOut(Schema):
    id: int
    person: int = Field(alias="person_id")
    name: str
    id_number: str

    @staticmethod
    def resolve_name(obj):
        return mask_name(obj.person.name)

    @staticmethod
    def resolve_id_number(obj):
        return mask_id_number(obj.person.id_number)


class SampleOut(Schema):
    id: int
    tube_code: str
    kind: str
    capacity: int
    node: str = Field(alias="node.code")
    point: int | None = Field(None, alias="point_id")
    round: int | None = Field(None, alias="round_id")
    sampled_at: dt.datetime
    result: str
    result_at: dt.datetime | None
    ct_orf1ab: Decimal | None
    ct_n: Decimal | None
    lab: str


class SampleDetailOut(SampleOut):
    members: list[MemberOut] = Field(alias="member_list")


class SampleFilterIn(PageIn):
    result: Literal["pending", "negative", "positive", "invalid"] | None = None
    round: Id | None = None


class SamplePageOut(Schema):
    count: int
    items: list[SampleOut]


class TubeIn(Schema):
    tube_code: required_text(40)
    kind: Kind
    capacity: int = 1
    sampled_at: dt.datetime
    people: list[text(40)] = Field(description="证件号码", max_length=20)


class SamplingBatchIn(Schema):
    node: Code
    point: Id | None = None
    round: Id | None = None
    tubes: list[TubeIn] = Field(max_length=500)


class SamplingBatchOut(Schema):
    tubes_created: int
    members_created: int
    unchanged: int


class ResultIn(Schema):
    result: ResultIn_
    ct_orf1ab: text(20) = ""
    ct_n: text(20) = ""
    lab: text(100) = ""


class TubeResultIn(ResultIn):
    tube_code: required_text(40)


class ResultsIn(Schema):
    lab: text(100) = ""
    results: list[TubeResultIn] = Field(max_length=5000)


class ResultsOut(Schema):
    created: int
    unchanged: int


class RoundIn(Schema):
    node: Code
    name: required_text(100)
    starts_on: Date
    ends_on: Date | None = None


class RoundOut(Schema):
    id: int
    node: str = Field(alias="node.code")
    name: str
    starts_on: dt.date
    ends_on: dt.date | None


class ProgressOut(Schema):
    node: str
    name: str
    target: int
    sampled: int
    back: int
    positive_tubes: int
    coverage_pct: float | None


class RoundProgressOut(Schema):
    total: ProgressOut
    children: list[ProgressOut]


class UnsampledPersonOut(Schema):
    id: int
    name: str
    id_number: str
    node: str
    address: str


class UnsampledPageOut(Schema):
    count: int
    items: list[UnsampledPersonOut]


class NodeFilterIn(PageIn):
    node: Code | None = None


class RetestOut(Schema):
    id: int
    person: int
    name: str
    id_number: str
    node: str
    reason: str
    tube_code: str
    requested_at: dt.datetime


class DueOut(Schema):
    person: int
    name: str
    node: str
    why: str
    due_on: dt.date
    state: str


class KeyGroupIn(Schema):
    person: Id
    group: Literal["cold_chain", "port", "medical", "delivery", "market"]
    since: Date | None = None
