"""API bodies of disinfection."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from fangkong.disinfection.models import DisinfectionMethod
from fangkong.grid.schemas import text


class PlaceOut(Schema):
    id: int
    name: str
    kind: str
    node: str = Field(alias="node.code")
    node_name: str = Field(alias="node.name")
    active: bool


class DisinfectionEntryIn(Schema):
    started_at: dt.datetime = Field(description="不带时区按北京时间")
    ended_at: dt.datetime
    target: text(100) = ""
    area_m2: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=1)
    agent: text(50)
    concentration: text(50) = ""
    method: DisinfectionMethod
    contact_minutes: int | None = Field(None, ge=0, le=1440)
    done_by: text(50)
    checked_by: text(50) = ""
    note: text(200) = ""


class DisinfectionEntryOut(Schema):
    id: int
    place: int = Field(alias="place_id")
    started_at: dt.datetime
    ended_at: dt.datetime
    target: str
    area_m2: Decimal | None
    agent: str
    concentration: str
    method: str
    contact_minutes: int | None
    done_by: str
    checked_by: str
    note: str


class ComplianceOut(Schema):
    node: str
    day: dt.date
    required: int
    done: int
    percent: float | None
