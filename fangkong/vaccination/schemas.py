"""API bodies of the vaccination ledger."""

from ninja import Field, Schema

from fangkong.grid.schemas import Code, Date, Id, text
from fangkong.registry.schemas import PageIn

from .models import DeferralKind, VaccineKind


class SiteOut(Schema):
    id: int
    name: str
    node: str = Field(description="所属辖区代码")
    address: str
    active: bool


class DoseFilterIn(PageIn):
    person: Id | None = Field(None, description="只列该人员的接种记录")
    site: Id | None = Field(None, description="只列该接种点的接种记录")
    date_from: Date | None = None
    date_to: Date | None = None


class DoseIn(Schema):
    client_key: text(100, description="客户端生成的唯一编号：重复上传同一编号只登记一次") | None = None
    person: Id
    site: Id
    product: text(40, description="疫苗产品（防控政策产品表中的代码，如 bibp、coronavac、ad5、zf2001）")
    given_on: Date
    dose_number: int | None = Field(None, ge=1, le=9, description="剂次；不填时按接种史推算")
    lot: text(40) = ""


class DoseOut(Schema):
    id: int
    person: int
    masked_name: str
    site: int
    product: str
    kind: VaccineKind
    manufacturer: str
    lot: str
    dose_number: int
    given_on: Date
    counted: bool = Field(description="是否计入全程或加强（间隔不足、技术路线不同的剂次不计入）")
    reaches_first: bool
    reaches_full: bool
    reaches_booster: bool


class DosePageOut(Schema):
    count: int
    items: list[DoseOut]


class DeferralIn(Schema):
    client_key: text(100) | None = None
    person: Id
    kind: DeferralKind
    reason: text(200)
    decided_on: Date | None = None
    until: Date | None = None


class DeferralOut(Schema):
    id: int
    person: int
    kind: DeferralKind
    reason: str
    decided_on: Date
    until: Date | None


class CoverageIn(Schema):
    node: Code | None = Field(None, description="辖区代码，默认为本人所属辖区")
    day: Date | None = Field(None, description="截至日期，默认今天")


class TallyOut(Schema):
    registered: int
    first: int
    full: int
    booster: int
    first_pct: float | None
    full_pct: float | None
    booster_pct: float | None


class CoverageRowOut(Schema):
    node: str
    name: str
    total: TallyOut
    bands: dict[str, TallyOut] = Field(description="按年龄段：3_11、12_17、18_59、60_plus")


class CoverageOut(Schema):
    day: Date
    whole: CoverageRowOut
    children: list[CoverageRowOut]
