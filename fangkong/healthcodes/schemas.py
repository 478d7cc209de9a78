"""API schemas of health-code verification."""

import datetime as dt

from ninja import Field, Schema

from fangkong.grid.schemas import required_text
from fangkong.healthcodes.models import Colour


class CodeVerifyIn(Schema):
    token: required_text(500, description="居民健康码二维码中的令牌（或整个核验网址）")


class CodeVerifyOut(Schema):
    colour: Colour
    colour_label: str = Field(description="红码 / 黄码 / 绿码")
    masked_name: str
    in_area: bool = Field(description="持码人是否在核验人辖区内；不在时不返回原因和证件号")
    reasons: list[str] | None = Field(None, description="赋码原因（仅本辖区人员）")
    green_on: dt.date | None = Field(None, description="预计转绿日期（仅本辖区人员；未知时为空）")
    masked_id_number: str | None = Field(None, description="脱敏身份证号（仅本辖区人员）")
