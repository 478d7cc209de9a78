"""消杀记录表 (DOMAIN.md §11) in and out, one place's record at a time: 日期、起止时间（或开始时间、结束时间）、
区域/对象、消毒剂、浓度、方式、作用时间、消毒人员、复核人. All or nothing; each row has a key made from its
content, so the same sheet imported again writes nothing new."""

import datetime as dt
import hashlib
import re
from collections import Counter

from django.db import transaction
from django.utils import timezone, translation

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.imports.reading import Column, read_table
from fangkong.imports.results import ImportResult
from fangkong.imports.values import parse_date, text
from fangkong.imports.writing import LedgerSheet
from fangkong.lib.dates import SHANGHAI
from fangkong.lib.errors import RuleError

from .actions import clean_entry
from .models import DisinfectionMethod, Entry, Place

LEDGER = "消杀记录表"
COLUMNS = [
    Column("number", "序号", ("编号",), content=False),
    Column("on", "日期", ("消杀日期", "消毒日期")),
    Column("times", "起止时间", ("消杀时间", "消毒时间", "时间段")),
    Column("start", "开始时间", ("起始时间",)),
    Column("end", "结束时间", ("终止时间",)),
    Column(
        "target", "区域/对象", ("消杀区域", "消毒区域", "消毒对象", "区域", "对象", "消杀部位", "消毒部位")
    ),
    Column("area", "面积", ("消杀面积", "消毒面积", "面积(平方米)", "面积(㎡)")),
    Column("agent", "消毒剂", ("消毒剂名称", "消毒药品", "药品名称", "使用药品")),
    Column("concentration", "浓度", ("消毒剂浓度", "配比浓度", "使用浓度")),
    Column("method", "方式", ("消毒方式", "消杀方式", "消毒方法")),
    Column("contact", "作用时间", ("作用时间(分钟)", "作用时间(min)", "作用时长")),
    Column("done_by", "消毒人员", ("消杀人员", "操作人员", "消毒人", "实施人")),
    Column("checked_by", "复核人", ("检查人", "核查人", "监督人", "复核人员")),
    Column("note", "备注", ("说明",)),
]
REQUIRED = ["on", "agent"]
LABELS = {c.key: c.label for c in COLUMNS}
HEADERS = [
    "序号",
    "日期",
    "起止时间",
    "区域/对象",
    "面积（平方米）",
    "消毒剂",
    "浓度",
    "方式",
    "作用时间（分钟）",
    "消毒人员",
    "复核人",
    "备注",
]
METHOD_WORDS = {label: value for value, label in DisinfectionMethod.choices} | {
    "喷雾": DisinfectionMethod.SPRAY,
    "喷洒消毒": DisinfectionMethod.SPRAY,
    "擦拭消毒": DisinfectionMethod.WIPE,
    "擦洗": DisinfectionMethod.WIPE,
    "拖拭": DisinfectionMethod.WIPE,
    "浸泡消毒": DisinfectionMethod.SOAK,
    "气溶胶": DisinfectionMethod.MIST,
    "紫外线": DisinfectionMethod.UV,
    "紫外灯": DisinfectionMethod.UV,
    "紫外线消毒": DisinfectionMethod.UV,
}
_TIME = r"(\d{1,2})\s*[:：时点]\s*(\d{1,2})?\s*分?"
_RANGE = re.compile(rf"^{_TIME}\s*[-—–~～至到]+\s*{_TIME}$")
_ONE = re.compile(rf"^{_TIME}$")
_MINUTES = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:分钟|min|分|mins|m)?$", re.IGNORECASE)


def _hm(hour, minute) -> dt.time:
    return dt.time(int(hour), int(minute or 0))


def read_times(row_values: dict, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Start and end as moments in Shanghai, from 起止时间 (08:00-08:30) or 开始/结束时间; an end before
    the start is taken as past midnight. ValueError (Chinese) otherwise."""
    raw = text(row_values.get("times"))
    try:
        if raw:
            match = _RANGE.match(raw.replace(" ", ""))
            if not match:
                raise ValueError(f"无法识别的起止时间“{raw}”，请写成08:00-08:30")
            start, end = _hm(match[1], match[2]), _hm(match[3], match[4])
        else:
            start, end = (
                _cell_time(row_values.get(k), label)
                for k, label in (("start", "开始时间"), ("end", "结束时间"))
            )
    except ValueError as exc:
        if "hour must be" in str(exc) or "minute must be" in str(exc):
            raise ValueError(f"时间“{raw}”不存在") from None
        raise
    started = dt.datetime.combine(day, start, tzinfo=SHANGHAI)
    ended = dt.datetime.combine(day, end, tzinfo=SHANGHAI)
    if ended < started:
        ended += dt.timedelta(days=1)
    return started, ended


def _cell_time(value, label: str) -> dt.time:
    if isinstance(value, dt.datetime):
        return value.time()
    if isinstance(value, dt.time):
        return value
    raw = text(value)
    if not raw:
        raise ValueError(f"请填写{label}或起止时间")
    match = _ONE.match(raw.replace(" ", ""))
    if not match:
        raise ValueError(f"无法识别的{label}“{raw}”")
    return _hm(match[1], match[2])


def read_rows(table, result: ImportResult, *, today: dt.date) -> list[dict]:
    rows = []
    now = timezone.now()
    for row in table.rows:
        values = {key: table.value(row, key) for key in table.columns}
        if not any(text(values.get(k)) for k in ("on", "agent", "times", "start", "done_by")):
            result.rows -= 1
            continue
        problems = []
        try:
            day, _ = parse_date(values.get("on"), today=today)
            if day is None:
                raise ValueError("日期为空")
        except ValueError as exc:
            problems.append(("on", str(exc)))
            day = None
        started = ended = None
        if day is not None:
            try:
                started, ended = read_times(values, day)
            except ValueError as exc:
                problems.append(("times" if "times" in table.columns else "start", str(exc)))
        method_raw = text(values.get("method"))
        method = METHOD_WORDS.get(method_raw, DisinfectionMethod.OTHER if method_raw else "")
        contact = text(values.get("contact"))
        minutes = None
        if contact:
            match = _MINUTES.match(contact)
            if match:
                minutes = int(float(match[1]))
            elif (
                contact.endswith(("小时", "h"))
                and contact[: -2 if contact.endswith("小时") else -1].strip().replace(".", "", 1).isdigit()
            ):
                minutes = int(float(contact[: -2 if contact.endswith("小时") else -1]) * 60)
            else:
                problems.append(("contact", f"无法识别的作用时间“{contact}”，请写分钟数"))
        area = text(values.get("area")).replace("㎡", "").replace("平方米", "").strip() or None
        fields = {
            "started_at": started,
            "ended_at": ended,
            "target": text(values.get("target"))[:100],
            "area_m2": area,
            "agent": text(values.get("agent"))[:50],
            "concentration": text(values.get("concentration"))[:50],
            "method": method,
            "contact_minutes": minutes,
            "done_by": text(values.get("done_by"))[:50],
            "checked_by": text(values.get("checked_by"))[:50],
            "note": text(values.get("note"))[:200],
        }
        if not problems:
            try:
                fields = clean_entry(fields, now=now)
            except RuleError as exc:
                column = {
                    "started_at": "times",
                    "ended_at": "times",
                    "area_m2": "area",
                    "contact_minutes": "contact",
                }
                problems += [(column.get(k, k), reason) for k, reason in exc.errors.items()]
        for key, reason in problems:
            if key == "times" and "times" not in table.columns:
                key = "start"
            result.reject(
                row.number, table.label(key) if key in table.columns else LABELS.get(key, key), reason
            )
        if problems:
            continue
        rows.append(fields)
    seen: Counter = Counter()
    for fields in rows:
        content = "|".join(
            str(fields[k]) for k in ("started_at", "ended_at", "target", "agent", "method", "done_by")
        )
        seen[content] += 1
        fields["import_key"] = hashlib.sha256(f"{content}#{seen[content]}".encode()).hexdigest()[:40]
    return rows


def import_entries(
    *, actor, place: Place, data: bytes, filename: str, dry_run: bool = False, request=None
) -> ImportResult:
    if not scoping.can(actor, scoping.WRITE, place.node):
        raise RuleError({"place": "无权登记该场所的消杀"}, code="forbidden")
    table = read_table(data, filename, COLUMNS, required=REQUIRED)
    result = ImportResult(rows=len(table.rows), dry_run=dry_run, table=table)
    rows = read_rows(table, result, today=timezone.localdate())
    if dry_run or result.rejected:
        return result
    with transaction.atomic():
        known = set(
            place.entries.filter(import_key__in=[r["import_key"] for r in rows]).values_list(
                "import_key", flat=True
            )
        )
        new = [r for r in rows if r["import_key"] not in known]
        by = actor if getattr(actor, "pk", None) else None
        Entry.objects.bulk_create([Entry(place=place, recorded_by=by, **r) for r in new], batch_size=1000)
        result.created, result.unchanged = len(new), len(rows) - len(new)
        record(
            actor=actor,
            action=Action.IMPORT,
            target=place,
            node_path=place.node.path,
            request=request,
            ledger=LEDGER,
            filename=filename[:200],
            rows=result.rows,
            created=result.created,
            unchanged=result.unchanged,
        )
    result.written = True
    return result


def entry_row(n: int, e: Entry) -> list:
    start, end = e.started_at.astimezone(SHANGHAI), e.ended_at.astimezone(SHANGHAI)
    return [
        n,
        start.date(),
        f"{start:%H:%M}-{end:%H:%M}",
        e.target,
        float(e.area_m2) if e.area_m2 is not None else "",
        e.agent,
        e.concentration,
        e.get_method_display(),
        e.contact_minutes if e.contact_minutes is not None else "",
        e.done_by,
        e.checked_by,
        e.note,
    ]


def export_entries(*, actor, place: Place, request=None) -> tuple[str, bytes]:
    if not scoping.can(actor, scoping.VIEW, place.node):
        raise RuleError({"place": "无权导出"}, code="forbidden")
    entries = place.entries.order_by("started_at", "id")
    with translation.override("zh-hans"):
        rows = [entry_row(n, e) for n, e in enumerate(entries, start=1)]
    sheet = LedgerSheet(LEDGER)
    sheet.title(f"{place.name}{LEDGER}", width=len(HEADERS))
    sheet.line(
        f"场所类型：{place.get_kind_display()}　所属辖区：{place.node.name}　共{len(rows)}次",
        width=len(HEADERS),
    )
    sheet.header(HEADERS, widths=[6, 12, 14, 18, 10, 14, 16, 10, 10, 10, 10, 16])
    sheet.rows(rows)
    content = sheet.save()
    record(
        actor=actor,
        action=Action.EXPORT,
        target=place,
        node_path=place.node.path,
        request=request,
        ledger=LEDGER,
        rows=len(rows),
    )
    return f"{LEDGER}_{place.name}_{timezone.localdate():%Y%m%d}.xlsx", content
