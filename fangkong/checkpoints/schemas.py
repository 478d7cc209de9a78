"""API schemas for checkpoints and passages. People leave the API masked (张*, 371502********1234);
the full name only in a verification of someone from the caller's own area."""

import datetime as dt

from ninja import Field, Schema

from fangkong.checkpoints.models import CheckpointKind, Direction, Outcome
from fangkong.grid.schemas import Code, Date, local, text
from fangkong.healthcodes.models import Colour
from fangkong.registry.schemas import PageIn


class CheckpointFilterIn(PageIn):
    node: Code | None = Field(None, description="只列该辖区及其下级")


class CheckpointOut(Schema):
    id: int
    name: str
    kind: CheckpointKind
    kind_label: str
    node: str = Field(description="所属辖区代码")
    node_name: str
    address: str
    active: bool
    on_duty: bool = Field(description="调用者此刻是否在该卡口值守")

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(CheckpointKind(obj.kind).label)

    @staticmethod
    def resolve_node(obj) -> str:
        return obj.node.code

    @staticmethod
    def resolve_node_name(obj) -> str:
        return obj.node.name


class CheckpointPageOut(Schema):
    count: int
    items: list[CheckpointOut]


class SightIn(Schema):
    """A scanned code (`token`), or a typed ID number (with name and phone the first time)."""

    token: text(2000, description="健康码二维码内容（令牌或含令牌的链接）") = ""
    id_number: text(30, description="无法扫码时的身份证号") = ""
    name: text(50, description="首次登记该身份证号时填写") = ""
    phone: text(20, description="首次登记该身份证号时填写") = ""


class SightOut(Schema):
    colour: Colour
    colour_label: str
    name: str = Field(description="本辖区人员为姓名，其他为脱敏姓名")
    masked_id_number: str
    in_area: bool = Field(description="是否本辖区人员：是则给出原因与预计转绿日期")
    reasons: list[str]
    green_on: dt.date | None
    subject: str = Field(description="登记通行时原样传回（30分钟内、本卡口、本账号有效）")


class PassageIn(Schema):
    client_id: text(64, description="设备生成的唯一编号：重复上传同一编号只登记一次") | None = None
    subject: text(1000, description="核验接口返回的 subject；仅登记车辆时留空") = ""
    token: text(2000, description="也可直接传健康码令牌（须在有效期内）") = ""
    direction: Direction
    plate: text(16, description="车牌号，如 鲁P12345") = ""
    passengers: int | None = Field(None, ge=0, le=99, description="同车人数")
    temperature: float | None = Field(None, ge=30, le=45, allow_inf_nan=False, description="体温（℃）")
    origin: text(100) = ""
    destination: text(100) = ""
    purpose: text(100) = ""
    outcome: Outcome = Outcome.PASS
    at: dt.datetime | None = Field(None, description="通行时间，默认为现在；最多补录7天内")


class PassageOut(Schema):
    id: int
    checkpoint: int
    at: dt.datetime
    direction: Direction
    masked_name: str
    masked_id_number: str
    plate: str
    passengers: int | None
    temperature: float | None
    fever: bool
    colour_seen: str = Field(description="登记时的健康码颜色（green/yellow/red），仅登记车辆时为空")
    outcome: Outcome
    origin: str
    destination: str
    purpose: str
    screening_created: bool = Field(description="发热且为本辖区登记人员时已自动登记发热排查")
    client_id: str | None

    @staticmethod
    def resolve_checkpoint(obj) -> int:
        return obj.checkpoint_id

    @staticmethod
    def resolve_at(obj) -> dt.datetime:
        return local(obj.at)

    @staticmethod
    def resolve_masked_name(obj) -> str:
        return obj.identity.masked_name if obj.identity_id else ""

    @staticmethod
    def resolve_masked_id_number(obj) -> str:
        return obj.identity.masked_id_number if obj.identity_id else ""

    @staticmethod
    def resolve_temperature(obj) -> float | None:
        return float(obj.temperature) if obj.temperature is not None else None

    @staticmethod
    def resolve_screening_created(obj) -> bool:
        return obj.screening_id is not None


class PassageFilterIn(PageIn):
    day: Date | None = Field(None, description="日期，如 2022-03-01 或 2022年3月1日；默认今天")


class PassagePageOut(Schema):
    count: int
    items: list[PassageOut]
