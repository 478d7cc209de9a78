"""API schemas for households and persons. ID and phone numbers leave the API masked; the full values
only through the audited reveal endpoint. Lengths match the model columns so that nothing the
database would refuse gets past validation."""

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema

from fangkong.grid.schemas import Code, Date, Id, Version, local, required_text, text
from fangkong.lib.dates import age_on, today_in_shanghai

from .models import DocumentType, DwellingType, Relation, Sex, Verification

MAX_PAGE = 200

# What lib.phones.normalize_phone can read: digits (also full-width), spaces, dashes, brackets, +86. It
# decides, with its reason; the schema only says which characters can ever pass.
Phone = Annotated[
    str,
    Field(max_length=30, json_schema_extra={"pattern": r"^[0-9０-９ \u3000\-()（）+]*$"}),
]


class PageIn(Schema):
    limit: int = Field(50, ge=1, le=MAX_PAGE, description=f"每页条数，最多 {MAX_PAGE}")
    offset: int = Field(0, ge=0, le=2**31 - 1)


class HouseholdFilterIn(PageIn):
    node: Code | None = Field(None, description="只列该辖区及其下级")
    q: text(100, description="按地址查找") = ""


class HouseholdIn(Schema):
    node: Code = Field(description="所属村（社区）或网格的代码")
    address: required_text(200)
    dwelling_type: DwellingType = DwellingType.OWNED
    notes: text(300) = ""


class HouseholdUpdateIn(Schema):
    version: Version
    address: required_text(200)
    dwelling_type: DwellingType = DwellingType.OWNED
    notes: text(300) = ""


class HouseholdOut(Schema):
    id: int
    node: str = Field(description="所属辖区代码")
    node_name: str
    address: str
    dwelling_type: DwellingType
    notes: str
    version: int
    created_at: dt.datetime

    @staticmethod
    def resolve_node(obj) -> str:
        return obj.node.code

    @staticmethod
    def resolve_age(obj) -> int | None:
        return age_on(obj.birth_date, today_in_shanghai()) if obj.birth_date else None

    @staticmethod
    def resolve_node_name(obj) -> str:
        return obj.node.name

    @staticmethod
    def resolve_created_at(obj) -> dt.datetime:
        return local(obj.created_at)


class HouseholdPageOut(Schema):
    count: int
    items: list[HouseholdOut]


class PersonFilterIn(PageIn):
    q: text(
        50, description="姓名、拼音或首字母；证件号、电话（含4位及以上数字）请用 POST /persons/search"
    ) = ""
    node: Code | None = Field(None, description="只列该辖区及其下级")
    verification: Verification | None = None
    sex: Sex | None = None


class PersonSearchIn(PersonFilterIn):
    """The same filters in a request body, so that a number searched for stays out of URLs and logs."""

    q: text(50, description="姓名、拼音、首字母，证件号或电话（完整或后4位）") = ""


class _PersonFields(Schema):
    name: required_text(50)  # Person.name
    document_type: DocumentType = DocumentType.RESIDENT_ID
    household: Id | None = Field(None, description="户 id，须在同一网格")
    relation: Relation = Relation.OTHER
    occupation: text(50) = ""
    unit: Id | None = None
    notes: text(300) = ""
    sex: Sex | None = Field(None, description="居民身份证由号码决定，其他证件必填")
    birth_date: Date | None = Field(None, description="居民身份证由号码决定")


class PersonIn(_PersonFields):
    node: Code = Field(description="所属村（社区）或网格的代码")
    id_number: required_text(40)
    phone: Phone = ""


class PersonUpdateIn(_PersonFields):
    """Replaces the person's fields. The client only ever sees ID and phone masked, so leaving
    `id_number` or `phone` out keeps the stored value; an empty phone clears it."""

    version: Version
    id_number: required_text(40) | None = Field(None, description="不填则保持原号码")
    phone: Phone | None = Field(None, description="不填则保持原号码，空字符串清除")


class PersonOut(Schema):
    id: int
    name: str
    sex: Sex
    age: int | None = Field(
        description="周岁。出生日期与脱敏证件号合起来可还原完整号码，故只在查看完整号码时给出"
    )
    document_type: DocumentType
    masked_id_number: str
    masked_phone: str
    node: str = Field(description="所属辖区代码")
    node_name: str
    household: int | None
    relation: Relation
    occupation: str
    unit: int | None
    notes: str
    verification: Verification
    verified_at: dt.datetime | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_node(obj) -> str:
        return obj.node.code

    @staticmethod
    def resolve_age(obj) -> int | None:
        return age_on(obj.birth_date, today_in_shanghai()) if obj.birth_date else None

    @staticmethod
    def resolve_node_name(obj) -> str:
        return obj.node.name

    @staticmethod
    def resolve_household(obj) -> int | None:
        return obj.household_id

    @staticmethod
    def resolve_unit(obj) -> int | None:
        return obj.unit_id

    @staticmethod
    def resolve_verified_at(obj) -> dt.datetime | None:
        return local(obj.verified_at)

    @staticmethod
    def resolve_created_at(obj) -> dt.datetime:
        return local(obj.created_at)

    @staticmethod
    def resolve_updated_at(obj) -> dt.datetime:
        return local(obj.updated_at)


class PersonPageOut(Schema):
    count: int
    items: list[PersonOut]


class RevealOut(Schema):
    id_number: str
    phone: str
    birth_date: dt.date | None


class MoveIn(Schema):
    to_node: Code = Field(description="迁入的村（社区）或网格代码")
    household: Id | None = Field(None, description="迁入地的户 id")
    reason: text(200) = ""


class VerifyIn(Schema):
    method: Literal["in_person", "by_phone"] = Field(description="in_person 入户核查，by_phone 电话核查")
