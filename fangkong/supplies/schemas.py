"""API bodies of supplies."""

from decimal import Decimal

from ninja import Field, Schema

from fangkong.grid.schemas import Date, Id, text
from fangkong.registry.schemas import PageIn
from fangkong.supplies.models import MovementKind, SupplySource


class ItemOut(Schema):
    id: int
    name: str
    spec: str
    unit: str
    threshold: Decimal


class StoreOut(Schema):
    id: int
    name: str
    kind: str
    node: str = Field(alias="node.code")
    node_name: str = Field(alias="node.name")


class BalanceOut(Schema):
    item: int
    item_name: str
    unit: str
    balance: Decimal
    used: Decimal = Field(description="近7日（政策设定的天数）领用量")
    days_of_supply: Decimal | None = Field(None, description="可用天数；近期无领用时为空")
    low: bool


class MovementOut(Schema):
    id: int
    store: int = Field(alias="store_id")
    item: int = Field(alias="item_id")
    kind: MovementKind
    on: Date
    quantity: Decimal = Field(description="带符号：入库为正，出库为负")
    document: str
    source: str
    donor: str
    recipient: str
    receiver: str
    approver: str
    handler: str
    batch: str = Field("", alias="batch.number")
    note: str


class MovementFilterIn(PageIn):
    store: Id | None = None
    item: Id | None = None
    kind: MovementKind | None = None
    date_from: Date | None = None
    date_to: Date | None = None


class MovementPageOut(Schema):
    count: int
    items: list[MovementOut]


class ReceiptIn(Schema):
    item: Id
    quantity: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    on: Date
    source: SupplySource
    donor: text(100) = ""
    batch_number: text(50) = ""
    expires_on: Date | None = None
    document: text(50) = ""
    handler: text(50) = ""
    note: text(200) = ""


class IssueIn(Schema):
    item: Id
    quantity: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    on: Date
    approver: text(50)
    recipient_unit: Id | None = None
    recipient: text(100) = ""
    receiver: text(50) = ""
    document: text(50) = ""
    handler: text(50) = ""
    note: text(200) = ""


class TransferIn(Schema):
    item: Id
    quantity: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    on: Date
    target: Id
    document: text(50) = ""
    handler: text(50) = ""
    note: text(200) = ""


class StocktakeIn(Schema):
    item: Id
    counted: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    on: Date
    note: text(200) = ""
