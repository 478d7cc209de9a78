"""API schemas of venues and check-ins. A check-in's person leaves the API masked; a venue's contact
phone too, like a unit's."""

import datetime as dt
from typing import Any

from ninja import Field, Schema

from fangkong.grid.schemas import Code, local, required_text, text
from fangkong.healthcodes.models import Colour
from fangkong.lib.masking import mask_name, mask_phone
from fangkong.registry.schemas import PageIn
from fangkong.venues.actions import MAX_BATCH, Item
from fangkong.venues.models import VenueKind


class VenueFilterIn(PageIn):
    node: Code | None = Field(None, description="只列该辖区及其下级的场所")
    active: bool | None = Field(None, description="true 只列启用的，false 只列已停用的")


class VenueOut(Schema):
    id: int
    code: str = Field(description="场所码：海报二维码指向 /r/v/<code>/，终端上传扫码记录时用它指明场所")
    name: str
    kind: VenueKind
    kind_label: str
    node: str = Field(description="所属辖区代码")
    node_name: str
    address: str
    contact_name: str
    contact_phone: str = Field(description="联系电话（脱敏）")
    dwell_minutes: int | None = Field(description="默认停留时间（分钟）；为空时按政策中该类场所的默认值")
    active: bool
    checkins_today: int = Field(description="今日扫码人次")

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(VenueKind(obj.kind).label)

    @staticmethod
    def resolve_node(obj) -> str:
        return obj.node.code

    @staticmethod
    def resolve_node_name(obj) -> str:
        return obj.node.name

    @staticmethod
    def resolve_contact_phone(obj) -> str:
        return mask_phone(obj.contact_phone or "")

    @staticmethod
    def resolve_checkins_today(obj) -> int:
        return obj.checkins_on_day


class VenuePageOut(Schema):
    count: int
    items: list[VenueOut]


class CheckInIn(Schema):
    client_id: text(64, description="终端生成的唯一编号；重发同一条不会重复登记，返回同一 id") = Field(
        ..., min_length=1
    )
    venue_code: required_text(24, description="场所码（GET /venues 的 code）")
    id_number: required_text(30, description="身份证号")
    name: required_text(50, description="姓名")
    phone: text(20, description="手机号") = ""
    at: dt.datetime | None = Field(
        None, description="扫码时间，如 2022-03-01T08:30:00+08:00；不带时区按北京时间；不填为收到时间"
    )

    def item(self) -> Item:
        return Item(**self.model_dump())


class CheckInOut(Schema):
    id: int
    client_id: str | None
    venue_code: str
    venue: str
    at: dt.datetime
    masked_name: str
    colour: Colour | None = Field(description="登记时的健康码颜色（批量上传的记录为空）")
    colour_label: str | None
    duplicate: bool = Field(description="true：此前已登记过（重发或几分钟内重复扫码），未新增记录")


def checkin_out(outcome) -> dict:
    """CheckInOut of an ItemOutcome (record_checkins)."""
    checkin = outcome.checkin
    return answer(
        id=checkin.pk,
        client_id=checkin.client_id,
        venue_code=checkin.venue.code,
        venue=checkin.venue.name,
        at=checkin.at,
        name=checkin.identity.name,
        colour=checkin.colour_shown,
        duplicate=outcome.duplicate,
    )


def scanned_out(scanned) -> dict:
    """CheckInOut of a kiosk's scan written in the common case (actions.Scanned)."""
    return answer(
        id=scanned.id,
        client_id=scanned.client_id,
        venue_code=scanned.venue_code,
        venue=scanned.venue_name,
        at=scanned.at,
        name=scanned.name,
        colour=scanned.colour,
        duplicate=False,
    )


def answer(*, id, client_id, venue_code, venue, at, name, colour, duplicate) -> dict:
    return {
        "id": id,
        "client_id": client_id,
        "venue_code": venue_code,
        "venue": venue,
        "at": local(at),
        "masked_name": mask_name(name),
        "colour": colour or None,
        "colour_label": str(Colour(colour).label) if colour else None,
        "duplicate": duplicate,
    }


class BatchIn(Schema):
    items: list[dict[str, Any]] = Field(
        description=f"扫码记录，每条与 POST /checkins 的请求体相同，最多 {MAX_BATCH} 条；"
        "有误的条目按序号返回原因，其余照常登记",
        # actions.check_batch_size decides (with its own message); the schema says the same.
        json_schema_extra={"minItems": 1, "maxItems": MAX_BATCH},
    )


class BatchItemOut(Schema):
    index: int = Field(description="在 items 中的序号（从 0 起）")
    client_id: str
    id: int | None = Field(description="扫码记录 id；有误时为空")
    duplicate: bool
    errors: dict[str, str] = Field(description="字段名 → 原因；为空表示已登记")


class BatchOut(Schema):
    created: int
    duplicates: int
    failed: int
    results: list[BatchItemOut]
