"""API schemas of daily reports and indicators."""

import datetime as dt
from typing import Any

from ninja import Field, Schema

from fangkong.grid.schemas import Code, Date, local, text
from fangkong.registry.schemas import PageIn
from fangkong.reporting.completeness import Status
from fangkong.reporting.queries import MAX_COUNT

Figures = dict[str, Any]  # indicator code → number, percentage, null, or rows (see GET /indicators)


class DailyFilterIn(PageIn):
    node: Code = Field(description="辖区代码：列出该辖区及其下级的报告单位")
    day: Date = Field(description="报告日期，如 2022-03-01 或 2022年3月1日")


class DailyReportOut(Schema):
    id: int
    reporting_unit: int
    day: dt.date
    revision: int = Field(description="第几次报送（更正时加一）")
    is_zero: bool = Field(description="零报告")
    indicators: Figures = Field(description="报送时的指标（快照）；单位报告为空")
    activities: dict[str, int] = Field(description="工作开展情况：项目代码 → 数量")
    note: str
    submitted_at: dt.datetime
    correction_reason: str

    @staticmethod
    def resolve_reporting_unit(obj) -> int:
        return obj.reporting_unit_id

    @staticmethod
    def resolve_submitted_at(obj) -> dt.datetime:
        return local(obj.submitted_at)


class DailyStatusOut(Schema):
    reporting_unit: int = Field(description="报告单位 id")
    name: str
    node: str = Field(description="所属辖区代码")
    node_name: str
    unit: int | None = Field(description="实有单位 id；村（社区）报本辖区指标时为空")
    day: dt.date
    deadline: dt.datetime = Field(description="报送截止时间")
    status: Status = Field(description="on_time 按时 / late 迟报 / missing 缺报 / pending 待报")
    status_label: str
    first_submitted_at: dt.datetime | None
    is_zero: bool
    revisions: int
    report: DailyReportOut | None = Field(description="当前有效的报告")


class DailyStatusPageOut(Schema):
    count: int
    items: list[DailyStatusOut]


class DailyReportIn(Schema):
    day: Date = Field(description="报告日期，不能晚于今天")
    activities: dict[str, int] = Field(
        default_factory=dict,
        description="工作开展情况：项目代码 → 数量（不填为0）；项目由政策决定，默认 meetings、banners、posters、"
        "leaflets、broadcasts、volunteers、disinfections",
        json_schema_extra={"additionalProperties": {"type": "integer", "minimum": 0, "maximum": MAX_COUNT}},
    )
    note: text(1000) = ""
    reason: text(200, description="更正已报送的报告时必填") = ""


class ZeroReportIn(Schema):
    day: Date = Field(description="报告日期，不能晚于今天")
    reason: text(200, description="更正已报送的报告时必填") = ""


class IndicatorsIn(Schema):
    node: Code = Field(description="辖区代码")
    day: Date = Field(description="日期，如 2022-03-01 或 2022年3月1日")


class IndicatorsOut(Schema):
    node: str
    date: dt.date
    indicators: Figures = Field(description="与命令 fangkong indicators --json 相同")
