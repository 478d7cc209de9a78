"""API bodies of market supervision. ID numbers and phones go out masked (DOMAIN.md §10)."""

import datetime as dt

from ninja import Field, Schema

from fangkong.grid.schemas import Code, Date, Id, required_text, text
from fangkong.inspections.schemas import Moment
from fangkong.registry.schemas import PageIn

from .models import DrugClass, TaskStatus


class PharmacyIn(Schema):
    node: Code = Field(description="所属乡镇、村（社区）或网格的代码")
    name: required_text(100)
    licence_no: required_text(50, description="药品经营许可证号")
    address: text(200) = ""
    contact_name: text(50) = ""
    contact_phone: text(20) = ""
    monitored: bool = Field(True, description="纳入销售监测（报送周报）")


class PharmacyOut(Schema):
    id: int
    name: str
    licence_no: str
    address: str
    node: str = Field(alias="node.code")
    node_name: str = Field(alias="node.name")
    unit: int | None = Field(None, alias="unit_id", description="检查（inspections）所用的单位 id")
    monitored: bool


class WeeklyIn(Schema):
    week_start: Date = Field(description="监测周的任一天（按周一至周日计）")
    fever: int = Field(ge=0, le=10_000_000)
    cough: int = Field(ge=0, le=10_000_000)
    antiviral: int = Field(ge=0, le=10_000_000)
    antibiotic: int = Field(ge=0, le=10_000_000)
    note: text(200) = ""


class WeeklyOut(Schema):
    id: int
    pharmacy: int = Field(alias="pharmacy_id")
    week_start: dt.date
    fever: int
    cough: int
    antiviral: int
    antibiotic: int
    note: str
    submitted_at: dt.datetime


class PurchaseIn(Schema):
    buyer_name: required_text(50)
    id_number: required_text(30, description="18位居民身份证号")
    phone: text(20) = ""
    drug: required_text(100)
    drug_class: DrugClass
    quantity: int = Field(1, ge=1, le=1000)
    symptoms: text(100) = ""
    purchased_at: Moment | None = Field(None, description="购药时间；空为现在；不带时区按北京时间")


class PurchaseOut(Schema):
    id: int
    pharmacy: int = Field(alias="pharmacy_id")
    purchased_at: dt.datetime
    buyer_name: str = Field(alias="masked_name")
    id_number: str = Field(alias="masked_id_number")
    phone: str = Field(alias="masked_phone")
    drug: str
    drug_class: DrugClass
    quantity: int
    registered: bool = Field(description="购药人是否为本系统登记的实有人口")
    followup: int | None = Field(None, description="推送至社区的核查任务 id")

    @staticmethod
    def resolve_registered(obj) -> bool:
        return obj.person_id is not None

    @staticmethod
    def resolve_followup(obj) -> int | None:
        task = getattr(obj, "followup", None)
        return task.pk if task is not None else None


class PurchaseFilterIn(PageIn):
    pharmacy: Id | None = None
    drug_class: DrugClass | None = None
    date_from: Date | None = None
    date_to: Date | None = None


class PurchasePageOut(Schema):
    count: int
    items: list[PurchaseOut]


class FeverFollowUpOut(Schema):
    id: int
    purchase: int = Field(alias="purchase_id")
    node: str = Field(alias="node.code")
    node_name: str = Field(alias="node.name")
    person_name: str = Field(alias="person.masked_name")
    pharmacy_name: str = Field(alias="purchase.pharmacy.name")
    purchased_at: dt.datetime = Field(alias="purchase.purchased_at")
    due_at: dt.datetime
    status: TaskStatus
    outcome: str
    done_at: dt.datetime | None


class FeverFollowUpFilterIn(PageIn):
    state: str = Field("open", pattern="^(open|overdue|done|all)$", description="open/overdue/done/all")


class FeverFollowUpPageOut(Schema):
    count: int
    items: list[FeverFollowUpOut]


class FeverFollowUpDoneIn(Schema):
    outcome: required_text(300)


class GatheringIn(Schema):
    node: Code = Field(description="乡镇（街道）代码")
    day: Date
    reported: int = Field(ge=0, le=100_000)
    cancelled: int = Field(ge=0, le=100_000)
    tables_cancelled: int = Field(0, ge=0, le=1_000_000)
    note: text(200) = ""


class GatheringOut(Schema):
    id: int
    node: str = Field(alias="node.code")
    node_name: str = Field(alias="node.name")
    day: dt.date
    reported: int
    cancelled: int
    tables_cancelled: int
    note: str


class GatheringFilterIn(PageIn):
    node: Code | None = None
    date_from: Date | None = None
    date_to: Date | None = None


class GatheringPageOut(Schema):
    count: int
    items: list[GatheringOut]
