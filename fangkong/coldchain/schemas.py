"""API bodies of the cold chain. Names carry the domain (ColdStore…, ColdMovement…) so that the schema's
names stay unique beside supplies' stores and movements."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from fangkong.grid.schemas import Date, Id, required_text, text
from fangkong.registry.schemas import PageIn

from .models import DocumentKind, SampleKind, SampleResult, StoreKind

Quantity = Decimal


class ColdStoreIn(Schema):
    node: text(32) = Field(description="所属辖区代码")
    name: required_text(100)
    kind: StoreKind = StoreKind.COLD_STORE
    unit: Id | None = Field(None, description="企业（单位名录中的单位）")
    enterprise: text(100) = ""
    address: text(200) = ""
    capacity: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2, description="库容（吨）")
    manager: required_text(50) = Field(description="库长")
    manager_phone: text(20) = ""
    supervisor: text(50) = ""


class ColdStoreOut(Schema):
    id: int
    name: str
    kind: StoreKind
    enterprise: str
    address: str
    capacity: Decimal | None
    manager: str
    manager_phone: str
    supervisor: str
    node: str = Field(alias="node.code")
    node_name: str = Field(alias="node.name")


class LotIn(Schema):
    store: Id = Field(description="入库冷库（通常为集中监管仓）")
    product: required_text(100)
    origin_country: required_text(50)
    quantity: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    unit: text(10) = "千克"
    number: required_text(60)
    container: text(30) = ""
    received_on: Date
    document: text(60) = ""
    handler: text(50) = ""


class LotDocumentOut(Schema):
    kind: DocumentKind
    number: str
    issued_on: Date
    file: str | None = Field(None, description="附件地址")

    @staticmethod
    def resolve_file(obj):
        return obj.file.url if obj.file else None


class LotOut(Schema):
    id: int
    product: str
    origin_country: str
    quantity: Decimal
    unit: str
    number: str
    container: str
    received_on: Date
    node: str = Field(alias="node.code")
    disinfected_on: Date | None
    exit_certificate: str
    released_at: dt.datetime | None
    sealed_at: dt.datetime | None
    sealed_by: int | None = Field(alias="sealed_by_id")
    documents: list[LotDocumentOut]
    missing_documents: list[str] = Field(description="尚缺的证明（两证明一报告一信息）")

    @staticmethod
    def resolve_documents(obj):
        return list(obj.documents.all())

    @staticmethod
    def resolve_missing_documents(obj):
        from . import rules

        return [rules.DOCUMENT_NAMES[k] for k in rules.missing_documents(d.kind for d in obj.documents.all())]


class LotFilterIn(PageIn):
    node: text(32) | None = Field(None, description="只列该辖区登记的批次")
    sealed: bool | None = None


class LotPageOut(Schema):
    count: int
    items: list[LotOut]


class LotDocumentIn(Schema):
    kind: DocumentKind
    number: required_text(80)
    issued_on: Date


class ColdMovementIn(Schema):
    source: Id = Field(description="调出冷库")
    target: Id | None = Field(None, description="调入冷库；售出时为空")
    buyer: text(100) = Field("", description="购货方；调入冷库时为空")
    buyer_phone: text(20) = ""
    quantity: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    on: Date
    document: text(60) = ""
    handler: text(50) = ""
    exit_certificate: text(60) = Field("", description="从集中监管仓出仓时的出仓证明编号")


class ColdMovementOut(Schema):
    id: int
    lot: int = Field(alias="lot_id")
    source: int | None = Field(alias="source_id")
    target: int | None = Field(alias="target_id")
    buyer: str
    on: Date
    quantity: Decimal
    document: str
    handler: str


class ColdMovementFilterIn(PageIn):
    lot: Id | None = None
    store: Id | None = Field(None, description="进或出该冷库")
    date_from: Date | None = None
    date_to: Date | None = None


class ColdMovementPageOut(Schema):
    count: int
    items: list[ColdMovementOut]


class DisinfectionIn(Schema):
    on: Date


class ColdSampleIn(Schema):
    store: Id
    kind: SampleKind
    code: required_text(40)
    sampled_on: Date
    lot: Id | None = None
    lab: text(100) = ""
    note: text(200) = ""


class ColdSampleOut(Schema):
    id: int
    code: str
    kind: SampleKind
    store: int = Field(alias="store_id")
    lot: int | None = Field(alias="lot_id")
    sampled_on: Date
    result: SampleResult
    result_on: Date | None
    lab: str


class ColdResultIn(Schema):
    result: SampleResult = Field(description="negative 或 positive")
    result_on: Date | None = None
    lab: text(100) = ""


class TraceStoreOut(Schema):
    store: int
    store_name: str
    node: str
    level: int
    came_in: Decimal
    went_out: Decimal
    balance: Decimal
    first_in: Date | None
    until: Date | None = Field(description="货物离开该冷库的日期；仍在库时为空")
    workers: list[int] = Field(description="在此期间在岗的从业人员（人员编号）")


class TraceMovementOut(ColdMovementOut):
    level: int


class TraceOut(Schema):
    lot: int
    lot_number: str
    sealed: bool
    levels: int
    stores: list[TraceStoreOut]
    movements: list[TraceMovementOut]
    buyers: list[ColdMovementOut]
    sold: Decimal
