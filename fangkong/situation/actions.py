"""Writes of the situation report: the text people keep between reports, and the audited export."""

import datetime as dt
import json
from dataclasses import dataclass

from django.db import transaction

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.lib.errors import RuleError, StaleEdit
from fangkong.situation import compose, pdf
from fangkong.situation import docx as word
from fangkong.situation.models import SituationNotes

DOCX, PDF, JSON = "docx", "pdf", "json"
FORMATS = (DOCX, PDF, JSON)
CONTENT_TYPES = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    PDF: "application/pdf",
    JSON: "application/json; charset=utf-8",
}


@transaction.atomic
def save_notes(
    *,
    actor,
    node: Jurisdiction,
    issuer: str,
    problems: str,
    next_steps: str,
    seen: str = "",
    request=None,
) -> SituationNotes:
    """存在问题, 下一步工作 and the issuing unit of a node's reports, kept until changed. `seen` is the
    `updated_at` the editor started from (ISO text): a save over someone else's newer text is refused."""
    if not scoping.can(actor, scoping.WRITE, node):
        raise RuleError({"__all__": "无权修改该辖区的情况报告"}, code="forbidden")
    issuer, problems, next_steps = issuer.strip(), problems.strip(), next_steps.strip()
    errors = {}
    if len(issuer) > compose.ISSUER_LIMIT:
        errors["issuer"] = f"发文单位不能超过{compose.ISSUER_LIMIT}个字"
    for field, label, text in (("problems", "存在问题", problems), ("next_steps", "下一步工作", next_steps)):
        if len(text) > compose.NOTES_LIMIT:
            errors[field] = f"{label}不能超过{compose.NOTES_LIMIT}个字（现有{len(text)}个字）"
    if errors:
        raise RuleError(errors)
    notes, created = SituationNotes.objects.select_for_update().get_or_create(node=node)
    if not created and seen and notes.updated_at.isoformat() != seen:
        raise StaleEdit("情况报告的存在问题和下一步工作")
    changed = [
        name
        for name, value in (("issuer", issuer), ("problems", problems), ("next_steps", next_steps))
        if getattr(notes, name) != value
    ]
    notes.issuer, notes.problems, notes.next_steps, notes.updated_by = issuer, problems, next_steps, actor
    notes.save()
    record(
        actor=actor,
        action=Action.UPDATE,
        target=notes,
        node_path=node.path,
        request=request,
        report="情况报告",
        changed=changed,
    )
    return notes


@dataclass(frozen=True)
class Export:
    filename: str
    content_type: str
    content: bytes


def render(situation: compose.Situation, fmt: str) -> bytes:
    if fmt == JSON:
        return json.dumps(compose.to_json(situation), ensure_ascii=False, indent=2).encode()
    content = word.render(situation)
    return pdf.convert(content) if fmt == PDF else content


def filename(situation: compose.Situation, fmt: str) -> str:
    local = situation.as_of.astimezone(compose.SHANGHAI)
    return f"{situation.node.name}情况报告_{local:%Y%m%d_%H%M}.{fmt}"


def export_situation(
    *, actor, node: Jurisdiction, as_of: dt.datetime, fmt: str, request=None, now: dt.datetime | None = None
) -> Export:
    """The report of a node the actor may see, as .docx, .pdf or .json; every export is audited."""
    if fmt not in FORMATS:
        raise RuleError({"format": f"不支持的格式：{fmt}（可选 docx、pdf、json）"})
    if not scoping.can(actor, scoping.VIEW, node):
        raise RuleError({"__all__": "无权导出该辖区的情况报告"}, code="forbidden")
    situation = compose.compose(node=node, as_of=as_of, now=now)
    content = render(situation, fmt)
    record(
        actor=actor,
        action=Action.EXPORT,
        target=node,
        node_path=node.path,
        request=request,
        report="情况报告",
        format=fmt,
        as_of=situation.as_of.isoformat(),
        figures=len(situation.figures),
    )
    return Export(filename=filename(situation, fmt), content_type=CONTENT_TYPES[fmt], content=content)
