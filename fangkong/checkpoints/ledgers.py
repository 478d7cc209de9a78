"""卡口登记表: one checkpoint's passages of one day as the .xlsx people kept by hand (DOMAIN.md §11).
Names, ID and phone numbers masked unless the full ledger is asked for by someone who may reveal them
at the checkpoint's node; every export is audited either way."""

import datetime as dt

from django.utils import timezone, translation

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.checkpoints.models import Checkpoint, Passage
from fangkong.checkpoints.queries import passages_on
from fangkong.grid import scoping
from fangkong.imports.writing import LedgerSheet
from fangkong.lib.errors import RuleError
from fangkong.lib.masking import mask_id_number, mask_name, mask_phone

LEDGER = "卡口登记表"
HEADERS = (
    "序号",
    "日期",
    "时间",
    "进/出",
    "姓名",
    "身份证号",
    "电话",
    "来自何地",
    "去往何地",
    "事由",
    "车牌号",
    "同车人数",
    "体温",
    "健康码颜色",
    "处置结果",
    "值守人员",
)
WIDTHS = (6, 12, 8, 6, 10, 22, 15, 18, 18, 14, 12, 8, 8, 10, 16, 12)
TEXT_COLUMNS = (HEADERS.index("身份证号"), HEADERS.index("电话"))


def _who(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.first_name or user.get_username()


def passage_row(number: int, passage: Passage, *, full: bool) -> list:
    identity = passage.identity
    local = timezone.localtime(passage.at)
    name = id_number = phone = ""
    if identity is not None:
        name = identity.name if full else mask_name(identity.name)
        id_number = identity.id_number if full else mask_id_number(identity.id_number)
        phone = identity.phone if full else mask_phone(identity.phone)
    return [
        number,
        local.date(),
        f"{local:%H:%M}",
        passage.get_direction_display(),
        name,
        id_number,
        phone,
        passage.origin,
        passage.destination,
        passage.purpose,
        passage.plate,
        passage.passengers,
        float(passage.temperature) if passage.temperature is not None else None,
        passage.get_colour_seen_display() if passage.colour_seen else "",
        passage.get_outcome_display(),
        _who(passage.recorded_by),
    ]


def export_passages(
    *, actor, checkpoint: Checkpoint, day: dt.date, full: bool = False, request=None
) -> tuple[str, bytes]:
    """The checkpoint's 卡口登记表 for day D: (file name, content)."""
    if full and not scoping.can(actor, scoping.REVEAL, checkpoint.node):
        raise RuleError({"full": "无权导出完整的姓名、证件号码和电话"}, code="forbidden")
    passages = list(passages_on(checkpoint, day))
    with translation.override("zh-hans"):  # a Chinese form: labels in Chinese whatever the interface language
        rows = [passage_row(number, p, full=full) for number, p in enumerate(passages, start=1)]
    people = sum(1 for p in passages if p.identity_id)
    vehicles = sum(1 for p in passages if p.plate)
    sheet = LedgerSheet(LEDGER)
    sheet.title(f"{checkpoint.name}{LEDGER}", width=len(HEADERS))
    sheet.line(
        f"日期：{day.year}年{day.month}月{day.day}日　所属辖区：{checkpoint.node.name}　"
        f"共{len(rows)}条（登记人员{people}人次，车辆{vehicles}辆）",
        width=len(HEADERS),
    )
    sheet.header(HEADERS, widths=WIDTHS)
    sheet.rows(rows, text_columns=TEXT_COLUMNS)
    content = sheet.save()
    record(
        actor=actor,
        action=Action.EXPORT,
        target=checkpoint,
        node_path=checkpoint.node.path,
        request=request,
        ledger=LEDGER,
        day=day.isoformat(),
        rows=len(rows),
        full=full,
    )
    return f"{LEDGER}_{checkpoint.name}_{day:%Y%m%d}.xlsx", content
