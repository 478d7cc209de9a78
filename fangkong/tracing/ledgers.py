"""The hand-over list (协查函) as Excel: contacts of the user's cases who are not registered in the county or
live where the decider cannot act, with what the receiving county needs — name, ID, phone, where and when
the exposure was, the case number and the sending contact person. ID and phone numbers are masked unless
the user may reveal them and asks for the full numbers; every export is an audit row either way."""

from django.utils import timezone, translation

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.imports.values import format_date
from fangkong.imports.writing import LedgerSheet
from fangkong.lib.errors import RuleError
from fangkong.lib.masking import mask_id_number, mask_phone

from . import rules
from .models import Candidate, Case
from .queries import handover_list

LEDGER = "密切接触者协查函"
HEADERS = (
    "序号",
    "姓名",
    "身份证号",
    "联系电话",
    "判定",
    "接触地点",
    "接触时间",
    "末次接触时间",
    "接触方式",
    "关联病例编号",
    "移交时间",
    "发函联系人",
    "联系人电话",
)
WIDTHS = [6, 10, 22, 15, 12, 24, 18, 18, 14, 20, 18, 12, 15]


def _moment(value) -> str:
    return f"{value.astimezone(rules.SHANGHAI):%Y-%m-%d %H:%M}" if value else ""


def _who(candidate: Candidate) -> tuple[str, str, str]:
    """(name, ID number, phone) from the registry, the code identity, or as the case told it."""
    for source in (candidate.person, candidate.identity):
        if source is not None:
            return source.name, source.id_number, source.phone
    return candidate.name, candidate.id_number, candidate.phone


def handover_rows(
    *,
    actor,
    node: Jurisdiction,
    case: Case | None = None,
    full: bool = False,
    sender: str = "",
    phone: str = "",
) -> list[list]:
    rows = []
    for number, c in enumerate(handover_list(actor, case=case, node=node), start=1):
        name, id_number, contact_phone = _who(c)
        place = c.venue.name if c.venue_id else (c.relation or c.get_source_display())
        rows.append(
            [
                number,
                name,
                id_number if full else mask_id_number(id_number),
                contact_phone if full else mask_phone(contact_phone),
                c.get_decision_display(),
                place,
                _moment(c.exposed_from),
                _moment(c.exposed_until),
                c.get_source_display(),
                c.case.number,
                _moment(c.handed_over_at),
                sender,
                phone,
            ]
        )
    return rows


def export_handover(
    *,
    actor,
    node: Jurisdiction,
    case: Case | None = None,
    full: bool = False,
    sender: str = "",
    phone: str = "",
    request=None,
) -> tuple[str, bytes]:
    """协查函 of the cases under `node` the user sees (or of one case) as .xlsx: (file name, content)."""
    if not scoping.can(actor, scoping.VIEW, node):
        raise RuleError({"node": "无权导出该辖区的协查函"}, code="forbidden")
    if full and not scoping.can(actor, scoping.REVEAL, node):
        raise RuleError({"full": "无权导出完整的证件号码和电话"}, code="forbidden")
    sender = sender or actor.get_full_name() or actor.get_username()
    today = timezone.localdate()
    with translation.override("zh-hans"):  # a Chinese form, whatever the interface language
        rows = handover_rows(actor=actor, node=node, case=case, full=full, sender=sender, phone=phone)
    sheet = LedgerSheet(LEDGER)
    sheet.title(f"{node.name}{LEDGER}", width=len(HEADERS))
    sheet.line(f"发函日期：{format_date(today)}　共{len(rows)}人", width=len(HEADERS))
    sheet.header(list(HEADERS), widths=WIDTHS)
    sheet.rows(rows, text_columns=[2, 3, 12])
    content = sheet.save()
    record(
        actor=actor,
        action=Action.EXPORT,
        target=case or node,
        node_path=(case.node if case else node).path,
        request=request,
        ledger=LEDGER,
        rows=len(rows),
        full=full,
    )
    return f"{LEDGER}_{(case.number if case else node.name)}_{today:%Y%m%d}.xlsx", content
