import datetime as dt

from ninja import Schema
from pydantic import Field

from fangkong.grid.schemas import Date, Id


class SeriesDayOut(Schema):
    day: dt.date
    value: int | None = Field(description="当日数值；未报告为 null（不等于0）")
    upper: float | None = Field(description="预警上限；基线日期不全时为 null")
    alarm: bool


class SeriesOut(Schema):
    code: str
    label: str
    method: str
    rows: list[SeriesDayOut]


class SignalOut(Schema):
    node: str = Field(description="辖区代码")
    node_name: str
    series: str
    day: dt.date
    method: str
    value: int | None
    upper: float | None
    alarm: bool


class SignalAlertOut(Schema):
    id: int
    node: str
    node_name: str
    series: str
    day: dt.date
    value: int
    upper: float
    methods: str
    summary: str
    raised_at: dt.datetime
    resolved_at: dt.datetime | None


class RtWindowOut(Schema):
    start: dt.date
    end: dt.date
    cases: int
    enough: bool = Field(description="窗口内病例不少于12例；否则不估计")
    mean: float | None
    sd: float | None
    q025: float | None
    median: float | None
    q975: float | None


class RtOut(Schema):
    serial_interval: dict
    rows: list[RtWindowOut]


class ClinicOut(Schema):
    id: int
    name: str
    node: str
    node_name: str


class ClinicVisitsIn(Schema):
    clinic: Id
    day: Date
    visits: int = Field(ge=0, le=1_000_000)


class ClinicVisitsOut(Schema):
    clinic: int
    day: dt.date
    visits: int
    source: str


class RiskDecisionOut(Schema):
    id: int
    node: str
    node_name: str
    preset: str
    day: dt.date
    level: str = Field(description="按规则：high / medium / low")
    reason: str
    steps: list = Field(description="[[日期, 降至等级], …]：无新增时的降级日期")
    status: str = Field(description="proposed 待确认 / confirmed 已确认 / overridden 已调整")
    decided_level: str
    note: str


class FiveColourOut(Schema):
    node: str
    node_name: str
    colour: str = Field(description="red / orange / yellow / blue / green")
    reason: str
    total: int
    local: int
    clusters: int
    new_7d: int
    days_since_last: int | None
