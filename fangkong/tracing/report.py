"""The investigation report (流调报告) of a case as a Word file, laid out per GB/T 9704 by lib/gbt9704.

Its sections follow the reports county CDCs wrote: the case's basic facts, the course from onset to
isolation, the trajectory over the look-back window, the contacts found and decided, and where the
investigation stands against the §12 clocks. Names, ID and phone numbers are masked unless the reader
may reveal them and asks to (DOMAIN.md §10); every download is audited, with whether it was full.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from urllib.parse import quote

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.lib import gbt9704
from fangkong.lib.dates import SHANGHAI
from fangkong.lib.errors import RuleError
from fangkong.lib.masking import mask_id_number, mask_name, mask_phone
from fangkong.tracing import queries
from fangkong.tracing.models import Case, Clock, Decision

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTACT_DECISIONS = (Decision.CLOSE, Decision.SECONDARY, Decision.GENERAL)
NUMERALS = "一二三四五六七八九十"
# Where a stop on the trajectory comes from (queries.Stop.kind).
STOP_KINDS = {"checkin": _("场所扫码"), "passage": _("卡口通行"), "entry": _("流调登记")}


@dataclass(frozen=True)
class Export:
    filename: str
    content: bytes

    @property
    def quoted_filename(self) -> str:
        return quote(self.filename)


def export_report(*, actor, case: Case, full: bool = False, request=None, now=None) -> Export:
    """The report of a case the actor may see; unmasked only with the reveal permission. Audited."""
    if full and not scoping.can(actor, scoping.REVEAL, case.node):
        raise RuleError({"full": "无权查看完整姓名、证件号和电话"}, code="forbidden")
    now = now or timezone.now()
    content = gbt9704.render(compose(case, full=full, now=now))
    with transaction.atomic():
        record(
            actor=actor,
            action=Action.EXPORT,
            target=case,
            node_path=case.node.path,
            request=request,
            report="流调报告",
            case=case.number,
            full=full,
        )
    return Export(filename=f"{case.number}流调报告.docx", content=content)


# ── what the report says ───────────────────────────────────────────────────────────────────────────


def when(moment: dt.datetime | None) -> str:
    """2022年3月5日14时20分, in Asia/Shanghai, as the reports write it."""
    if moment is None:
        return "不详"
    local = moment.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日{local.hour}时{local.minute:02d}分"


def day_text(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "不详"


def short(moment: dt.datetime | None) -> str:
    """For table cells: 3月5日 14:20."""
    if moment is None:
        return "—"
    local = moment.astimezone(SHANGHAI)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def issuer_of(case: Case) -> str:
    """The county's command centre (its investigation team signs the report), else the case's own node."""
    codes = case.node.path.strip("/").split("/")
    county = Jurisdiction.objects.filter(code__in=codes, level=Level.COUNTY).first()
    return f"{(county or case.node).name}新冠肺炎疫情防控指挥部"


class Masker:
    def __init__(self, full: bool):
        self.full = full

    def name(self, text: str) -> str:
        return text if self.full else mask_name(text)

    def id_number(self, text: str) -> str:
        return text if self.full else mask_id_number(text)

    def phone(self, text: str) -> str:
        return text if self.full else mask_phone(text)


def _who(case: Case) -> tuple[str, str, str]:
    holder = case.person or case.identity
    return holder.name, holder.id_number, holder.phone or ""


def compose(case: Case, *, full: bool = False, now: dt.datetime) -> gbt9704.Official:
    mask = Masker(full)
    blocks: list = []
    sections = [
        ("基本情况", _basics(case, mask)),
        ("发病就诊及转归经过", _course(case)),
        ("活动轨迹", _trajectory(case, now)),
        ("密切接触者判定和管控情况", _contacts(case, mask)),
        ("流调进度", _progress(case, now)),
    ]
    for number, (heading, body) in enumerate(sections):
        blocks.append(gbt9704.Heading(f"{NUMERALS[number]}、{heading}"))
        blocks.extend(body)
    local_now = now.astimezone(SHANGHAI)
    return gbt9704.Official(
        title=f"{case.number}{case.get_kind_display()}流行病学调查报告",
        issuer=issuer_of(case),
        date_text=day_text(local_now.date()),
        moment=now,
        blocks=blocks,
        comments=f"截至{when(now)}",
        keywords="流调报告",
    )


def _basics(case: Case, mask: Masker) -> list:
    name, id_number, phone = _who(case)
    text = f"{mask.name(name)}，身份证号{mask.id_number(id_number)}"
    if phone:
        text += f"，联系电话{mask.phone(phone)}"
    text += f"，现住{case.node.name}。{case.get_source_display()}"
    if case.origin_text:
        text += f"（{case.origin_text}）"
    text += f"，{when(case.diagnosed_at)}诊断为{case.get_kind_display()}"
    if case.clinical_type:
        text += f"（{case.get_clinical_type_display()}）"
    text += "。"
    if case.hospital:
        text += f"现收治于{case.hospital}。"
    if case.infected_by_id:
        text += f"经调查，传染来源为病例{case.infected_by.number}。"
    return [gbt9704.Body(text)]


def _course(case: Case) -> list:
    facts = [f"发病日期：{day_text(case.onset_on)}" if case.onset_on else "无症状"]
    if case.sampled_at:
        facts.append(f"采样时间：{when(case.sampled_at)}")
    if case.found_by_routine_testing:
        facts.append(f"经常规检测发现，末次阴性采样时间：{when(case.last_negative_at)}")
    facts.append(f"网络直报时间：{when(case.reported_at)}")
    facts.append(f"隔离管控时间：{when(case.isolated_at)}")
    blocks = [gbt9704.Body("；".join(facts) + "。")]
    events = list(case.events.all())
    if events:
        rows = tuple((short(e.at), e.get_kind_display(), e.note or "—") for e in events)
        blocks.append(gbt9704.Table(("时间", "事件", "说明"), rows, widths=(0.3, 0.3, 0.4)))
    return blocks


def _trajectory(case: Case, now: dt.datetime) -> list:
    since, until = queries.window_of(case, now)
    intro = f"调查时段为{when(since)}至{when(until)}。"
    stops = queries.trajectory(case, now)
    if not stops:
        return [gbt9704.Body(intro + "该时段内未查到场所扫码、卡口通行记录，也未登记其他活动。")]
    rows = tuple(
        (
            short(stop.at),
            short(stop.until),
            "，".join(filter(None, (stop.place, stop.detail))),
            str(STOP_KINDS[stop.kind]),
        )
        for stop in stops
    )
    return [
        gbt9704.Body(intro + f"共查到活动{len(stops)}处，按时间顺序如下。"),
        gbt9704.Table(("开始", "结束", "地点", "来源"), rows, widths=(0.2, 0.2, 0.4, 0.2)),
    ]


def _contacts(case: Case, mask: Masker) -> list:
    candidates = list(case.candidates.select_related("venue", "person", "identity", "measure"))
    counts = Counter(c.decision for c in candidates)
    text = (
        f"共排查风险人员{len(candidates)}人，其中判定密切接触者{counts[Decision.CLOSE]}人、"
        f"密接的密接{counts[Decision.SECONDARY]}人、一般接触者{counts[Decision.GENERAL]}人，"
        f"排除{counts[Decision.CLEARED]}人，待判定{counts[Decision.PENDING]}人。"
    )
    handed = sum(1 for c in candidates if c.handed_over_at)
    if handed:
        text += f"其中{handed}人不在本地，已发协查函移交。"
    decided = [c for c in candidates if c.decision in (Decision.CLOSE, Decision.SECONDARY)]
    blocks = [gbt9704.Body(text)]
    if decided:
        rows = tuple(
            (
                mask.name(_name_of(c)),
                c.get_decision_display(),
                c.venue.name if c.venue_id else c.get_source_display(),
                short(c.exposed_until),
                c.measure.get_kind_display() if c.measure_id else ("已移交" if c.handed_over_at else "—"),
            )
            for c in decided
        )
        header = ("姓名", "判定", "接触场所/方式", "末次接触", "管控措施")
        blocks.append(gbt9704.Table(header, rows, widths=(0.16, 0.18, 0.3, 0.18, 0.18)))
    return blocks


def _name_of(candidate) -> str:
    holder = candidate.person or candidate.identity
    return holder.name if holder else candidate.name


def _progress(case: Case, now: dt.datetime) -> list:
    parts = []
    for clock in queries.clocks_of(case, now):
        label = Clock(clock.clock).label
        if clock.done_at:
            state = f"已于{when(clock.done_at)}完成"
        elif clock.overdue:
            state = f"已超时（应于{when(clock.due_at)}前完成）"
        else:
            state = f"应于{when(clock.due_at)}前完成"
        parts.append(f"{label}：{state}")
    return [gbt9704.Body("；".join(parts) + "。")] if parts else []
