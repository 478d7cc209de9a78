"""API bodies of inspections, rectification orders, closures and checklist templates."""

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, model_validator

from fangkong.grid.schemas import FIRST_YEAR, LAST_YEAR, Date, Id, local, required_text, text
from fangkong.registry.schemas import PageIn

from .models import InspectionKind, OrderStatus


def _in_range(value: dt.datetime) -> dt.datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"时间应在{FIRST_YEAR}年至{LAST_YEAR}年之间")
    return value


# A moment from 1900 to 2099: years near 1 or 9999 overflow once turned into Asia/Shanghai.
Moment = Annotated[dt.datetime, AfterValidator(_in_range)]


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A time without an offset is Beijing time, as a device writes it."""
    from django.utils import timezone

    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


class TargetIn(Schema):
    unit: Id | None = Field(None, description="单位 id（登记的单位）")
    venue: Id | None = Field(None, description="场所 id（场所码的场所）")

    @model_validator(mode="after")
    def one_target(self):
        if (self.unit is None) == (self.venue is None):
            raise ValueError("请给出 unit 或 venue 之一")
        return self


ItemText = text(200)
NoteText = text(500)


class ItemResultIn(Schema):
    item: Id | None = Field(None, description="检查表中的检查项 id；不填时按 text")
    text: ItemText = Field("", description="检查内容（无检查项 id 时必填）")
    passed: bool
    note: NoteText = Field("", description="存在的问题；不合格时必填")


class InspectionIn(TargetIn):
    template: Id | None = Field(None, description="检查表 id")
    inspected_at: Moment = Field(description="检查时间；不带时区按北京时间")
    inspectors: required_text(200, description="检查人员")
    results: list[ItemResultIn] = Field(min_length=1, max_length=100)
    note: text(2000) = ""
    deadline: Date | None = Field(None, description="整改期限；不填按政策默认天数")
    owner: text(50) = Field("", description="整改责任人；不填为单位联系人")
    owner_phone: text(20) = ""
    requirement: text(500) = ""


class RecheckIn(Schema):
    order: Id = Field(description="整改单 id")
    passed: bool = Field(description="已整改")
    note: text(500) = ""


class ReinspectionIn(TargetIn):
    inspected_at: Moment = Field(description="复查时间；不带时区按北京时间")
    inspectors: required_text(200, description="检查人员")
    checks: list[RecheckIn] = Field(min_length=1, max_length=100)
    new_deadline: Date | None = Field(None, description="仍未整改时的新期限；不填则逾期上报")
    note: text(2000) = ""


class ResultOut(Schema):
    id: int
    text: str
    passed: bool
    note: str
    has_photo: bool
    order: int | None = Field(description="此项生成的整改单 id（不合格项）或复查的整改单 id")

    @staticmethod
    def resolve_has_photo(obj) -> bool:
        return bool(obj.photo)

    @staticmethod
    def resolve_order(obj) -> int | None:
        rectification = getattr(obj, "rectification", None) if not obj.passed else None
        return rectification.pk if rectification is not None else obj.order_id


class InspectionOut(Schema):
    id: int
    kind: InspectionKind
    unit: int | None
    venue: int | None
    target_name: str
    node: str = Field(description="所属辖区代码")
    template: int | None
    inspected_at: dt.datetime
    inspectors: str
    note: str

    @staticmethod
    def resolve_unit(obj):
        return obj.unit_id

    @staticmethod
    def resolve_venue(obj):
        return obj.venue_id

    @staticmethod
    def resolve_node(obj):
        return obj.node.code

    @staticmethod
    def resolve_template(obj):
        return obj.template_id

    @staticmethod
    def resolve_inspected_at(obj):
        return local(obj.inspected_at)


class InspectionDetailOut(InspectionOut):
    results: list[ResultOut]

    @staticmethod
    def resolve_results(obj):
        return list(obj.results.all())


class InspectionPageOut(Schema):
    count: int
    items: list[InspectionOut]


class InspectionFilterIn(PageIn):
    kind: InspectionKind | None = None
    date_from: Date | None = Field(None, description="检查日期自（含）")
    date_to: Date | None = Field(None, description="检查日期至（含）")


class OrderOut(Schema):
    id: int
    unit: int | None
    venue: int | None
    target_name: str
    node: str
    problem: str
    requirement: str
    ordered_on: dt.date
    deadline: dt.date
    owner: str
    status: OrderStatus
    overdue: bool
    escalated_to: str | None = Field(description="已上报至的辖区代码")
    closed_at: dt.datetime | None
    inspection: int = Field(description="发现问题的检查记录 id")

    @staticmethod
    def resolve_unit(obj):
        return obj.unit_id

    @staticmethod
    def resolve_venue(obj):
        return obj.venue_id

    @staticmethod
    def resolve_node(obj):
        return obj.node.code

    @staticmethod
    def resolve_overdue(obj):
        from django.utils import timezone

        from .rules import is_overdue

        return obj.status == OrderStatus.OPEN and is_overdue(obj.deadline, timezone.now())

    @staticmethod
    def resolve_escalated_to(obj):
        return obj.escalated_to.code if obj.escalated_to_id else None

    @staticmethod
    def resolve_closed_at(obj):
        return local(obj.closed_at)

    @staticmethod
    def resolve_inspection(obj):
        return obj.finding.inspection_id


class OrderPageOut(Schema):
    count: int
    items: list[OrderOut]


class OrderFilterIn(PageIn):
    state: str = Field(
        "", pattern="^(|open|overdue|escalated|closed)$", description="open / overdue / escalated / closed"
    )


class ClosureIn(TargetIn):
    reason: required_text(300)
    closed_at: Moment


class ReopenIn(Schema):
    reopened_at: Moment
    note: text(300) = ""


class ClosureOut(Schema):
    id: int
    unit: int | None
    venue: int | None
    target_name: str
    node: str
    reason: str
    closed_at: dt.datetime
    reopened_at: dt.datetime | None
    reopen_note: str

    @staticmethod
    def resolve_unit(obj):
        return obj.unit_id

    @staticmethod
    def resolve_venue(obj):
        return obj.venue_id

    @staticmethod
    def resolve_node(obj):
        return obj.node.code

    @staticmethod
    def resolve_closed_at(obj):
        return local(obj.closed_at)

    @staticmethod
    def resolve_reopened_at(obj):
        return local(obj.reopened_at)


class ChecklistItemOut(Schema):
    id: int
    position: int
    text: str


class ChecklistOut(Schema):
    id: int
    name: str
    node: str | None = Field(description="所属辖区代码；预置检查表为空")
    active: bool
    items: list[ChecklistItemOut]

    @staticmethod
    def resolve_node(obj):
        return obj.node.code if obj.node_id else None

    @staticmethod
    def resolve_items(obj):
        return [i for i in obj.items.all() if i.active]
