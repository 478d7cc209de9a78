"""The ledgers of market supervision in and out (through imports/): a pharmacy's real-name purchase
register (购药实名登记表), the weekly drug-sales monitoring report of many pharmacies (药品销售监测周报),
and the townships' daily gatherings (群体性聚餐取消情况统计表).

Every import reads the file, checks each row on its own (row, column and reason for each problem) and
writes all or nothing: one bad row and nothing is written. Importing the same file again writes nothing
new: a purchase row has a key made from its content (and its place among rows of the same content); a
weekly report is one per pharmacy and week, a gathering count one per township and day, so a row that
says the same is unchanged and a row that says otherwise corrects it."""

import datetime as dt
import hashlib
import re
from collections import Counter

from django.db import transaction
from django.utils import timezone, translation

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.imports.reading import Column, read_table
from fangkong.imports.results import ImportResult
from fangkong.imports.values import parse_date, text
from fangkong.imports.writing import LedgerSheet
from fangkong.lib.errors import RuleError

from . import actions, queries, rules
from .models import DrugClass, FeverFollowUp, Pharmacy, Purchase, WeeklySales

CLASS_WORDS = {
    DrugClass.FEVER: ("退热", "退烧", "退热药", "退烧药", "解热", "解热镇痛", "发热"),
    DrugClass.COUGH: ("止咳", "止咳药", "镇咳", "止咳化痰"),
    DrugClass.ANTIVIRAL: ("抗病毒", "抗病毒药", "抗病毒类"),
    DrugClass.ANTIBIOTIC: ("抗生素", "抗菌", "抗菌药", "抗生素类", "消炎", "消炎药"),
}


def read_class(raw: str) -> str:
    value = raw.strip()
    for code, words in CLASS_WORDS.items():
        if value in words or value == code:
            return code
    raise ValueError(f"无法识别的药品类别“{value}”，请填写退热、止咳、抗病毒或抗生素")


def _int(value, label: str, *, minimum: int = 0) -> int:
    raw = text(value).replace(",", "")
    if raw == "":
        return 0 if minimum == 0 else minimum
    try:
        number = float(raw)
    except ValueError:
        raise ValueError(f"{label}应为整数，现为“{raw}”") from None
    if not number.is_integer() or number < minimum:
        raise ValueError(f"{label}应为不小于{minimum}的整数")
    return int(number)


_MOMENT = re.compile(r"^(.+?)[\sT]+(\d{1,2})[:：时点](\d{1,2})?分?(?::\d{1,2})?$")


def read_moment(date_value, time_value, *, today: dt.date) -> dt.datetime:
    """A moment from a 购药时间 cell (a datetime, or "2020-01-28 14:30"), or a 日期 cell with a 时间 cell.
    Asia/Shanghai. ValueError with the reason."""
    if isinstance(date_value, dt.datetime):
        moment = date_value.replace(tzinfo=None)
        return moment.replace(tzinfo=rules.SHANGHAI)
    raw = text(date_value)
    hour = minute = None
    if match := _MOMENT.match(raw):
        raw, hour, minute = match[1], int(match[2]), int(match[3] or 0)
    day, _note = parse_date(raw if raw else None, today=today)
    if day is None:
        raise ValueError("购药日期为空")
    if hour is None:
        if isinstance(time_value, dt.time):
            hour, minute = time_value.hour, time_value.minute
        elif isinstance(time_value, dt.datetime):
            hour, minute = time_value.hour, time_value.minute
        elif text(time_value):
            found = re.match(r"^(\d{1,2})[:：时点](\d{1,2})?", text(time_value))
            if not found:
                raise ValueError(f"无法识别的时间“{text(time_value)}”，请写成14:30")
            hour, minute = int(found[1]), int(found[2] or 0)
        else:
            hour, minute = 12, 0  # a day without its time: midday (the register often has the day only)
    if not (0 <= hour <= 23 and 0 <= (minute or 0) <= 59):
        raise ValueError("时间不存在")
    return dt.datetime.combine(day, dt.time(hour, minute or 0), tzinfo=rules.SHANGHAI)


# ── purchases: one pharmacy's 购药实名登记表 ────────────────────────────────────────────────────────

PURCHASE_LEDGER = "购药实名登记表"
PURCHASE_COLUMNS = [
    Column("number", "序号", ("编号",), content=False),
    Column("at", "购药时间", ("购药日期", "日期", "销售日期", "销售时间", "登记时间")),
    Column("time", "时间", ("购药时刻",)),
    Column("name", "姓名", ("购药人", "购药人姓名", "顾客姓名")),
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "证件号码", "身份证")),
    Column("phone", "联系电话", ("手机号码", "电话", "手机号", "联系方式")),
    Column("drug", "药品名称", ("药品", "药名", "品名", "通用名称")),
    Column("class", "类别", ("药品类别", "药品分类", "分类", "四类药品类别")),
    Column("quantity", "数量", ("购买数量", "销售数量", "盒数")),
    Column("symptoms", "症状", ("有无症状", "购药原因", "症状描述")),
    Column("note", "备注", ("说明",)),
]
PURCHASE_REQUIRED = ["at", "name", "id_number", "drug", "class"]
PURCHASE_HEADERS = [
    "序号",
    "购药时间",
    "姓名",
    "身份证号",
    "联系电话",
    "药品名称",
    "类别",
    "数量",
    "症状",
    "社区核查",
]


def import_purchases(
    *,
    actor,
    pharmacy: Pharmacy,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    request=None,
    now: dt.datetime | None = None,
) -> ImportResult:
    """A pharmacy's register, all or nothing. Each new fever-medicine purchase of a registered buyer
    becomes a follow-up task at the buyer's community, once: a row imported again is not a new purchase."""
    if not scoping.can(actor, scoping.WRITE, pharmacy.node):
        raise RuleError({"pharmacy": "无权为该药店导入购药登记"}, code="forbidden")
    now = now or timezone.now()
    today = timezone.localdate(now)
    table = read_table(data, filename, PURCHASE_COLUMNS, required=PURCHASE_REQUIRED)
    result = ImportResult(rows=len(table.rows), dry_run=dry_run, table=table)
    rows = []
    for row in table.rows:
        value = lambda key, row=row: table.value(row, key)  # noqa: E731
        if not any(text(value(k)) for k in ("name", "id_number", "drug")):
            result.warn(row.number, "", "既无姓名、身份证号，也无药品：不是登记行，已跳过")
            result.rows -= 1
            continue
        problems: list[tuple[str, str]] = []
        try:
            moment = read_moment(value("at"), value("time"), today=today)
        except ValueError as exc:
            moment = None
            problems.append(("at", str(exc)))
        try:
            drug_class = read_class(text(value("class")))
        except ValueError as exc:
            drug_class = ""
            problems.append(("class", str(exc)))
        try:
            quantity = _int(value("quantity"), "数量", minimum=1)
        except ValueError as exc:
            quantity = None
            problems.append(("quantity", str(exc)))
        values, errors = actions.check_purchase(
            buyer_name=text(value("name")),
            id_number=text(value("id_number")),
            phone=text(value("phone")),
            drug=text(value("drug")),
            drug_class=drug_class or DrugClass.FEVER,
            quantity=quantity if quantity is not None else 1,
            purchased_at=moment or now,
            now=now,
        )
        field_keys = {"buyer_name": "name", "purchased_at": "at"}
        for field, reason in errors.items():
            if field not in ("drug_class", "quantity") or moment is None:
                problems.append((field_keys.get(field, field), reason))
        for key, reason in problems:
            result.reject(row.number, table.label(key), reason)
        if problems:
            continue
        values["symptoms"] = text(value("symptoms"))[:100]
        values["row"] = row.number
        rows.append(values)
    seen: Counter = Counter()
    for values in rows:
        content = "|".join(
            str(values[k]) for k in ("purchased_at", "id_number", "drug", "drug_class", "quantity")
        )
        seen[content] += 1
        values["key"] = hashlib.sha256(f"{pharmacy.pk}|{content}#{seen[content]}".encode()).hexdigest()[:40]
    with transaction.atomic():
        known = set(
            Purchase.objects.filter(pharmacy=pharmacy, import_key__in=[v["key"] for v in rows]).values_list(
                "import_key", flat=True
            )
        )
        new = [v for v in rows if v["key"] not in known]
        result.unchanged = len(rows) - len(new)
        people = actions.registered_buyers(v["id_number"] for v in new)
        result.plan = [
            {
                "row": v["row"],
                "name": v["buyer_name"][:1] + "*" * (len(v["buyer_name"]) - 1),
                "class": DrugClass(v["drug_class"]).label,
                "registered": v["id_number"] in people,
            }
            for v in new
        ]
        if dry_run or result.rejected:
            transaction.set_rollback(True)
            return result
        hours = queries.followup_hours(pharmacy.node, today)
        by = actor if getattr(actor, "pk", None) else None
        purchases = [
            Purchase(
                pharmacy=pharmacy,
                node=pharmacy.node,
                person=people.get(v["id_number"]),
                buyer_name=v["buyer_name"],
                id_number=v["id_number"],
                phone=v["phone"],
                drug=v["drug"],
                drug_class=v["drug_class"],
                quantity=v["quantity"],
                symptoms=v["symptoms"],
                purchased_at=v["purchased_at"],
                import_key=v["key"],
                recorded_by=by,
            )
            for v in new
        ]
        Purchase.objects.bulk_create(purchases, batch_size=1000)
        if any(p.pk is None for p in purchases):  # a database that does not return the ids
            by_key = dict(
                Purchase.objects.filter(
                    pharmacy=pharmacy, import_key__in=[p.import_key for p in purchases]
                ).values_list("import_key", "pk")
            )
            for p in purchases:
                p.pk = by_key[p.import_key]
        followups = [f for p in purchases if (f := actions._followup_for(p, p.person, hours=hours))]
        FeverFollowUp.objects.bulk_create(followups, batch_size=1000)
        result.created = len(purchases)
        record(
            actor=actor,
            action=Action.IMPORT,
            target=pharmacy,
            node_path=pharmacy.node.path,
            request=request,
            ledger=PURCHASE_LEDGER,
            filename=filename[:200],
            rows=result.rows,
            created=result.created,
            unchanged=result.unchanged,
            followups=len(followups),
        )
    result.written = True
    return result


def purchase_rows(purchases) -> list[list]:
    """The register's columns, masked."""
    rows = []
    for n, p in enumerate(purchases.select_related("followup"), start=1):
        followup = getattr(p, "followup", None)
        state = (
            "未在本系统登记"
            if p.person_id is None and p.drug_class == DrugClass.FEVER
            else (str(followup.get_status_display()) if followup else "")
        )
        rows.append(
            [
                n,
                timezone.localtime(p.purchased_at).strftime("%Y-%m-%d %H:%M"),
                p.masked_name,
                p.masked_id_number,
                p.masked_phone,
                p.drug,
                str(DrugClass(p.drug_class).label),
                p.quantity,
                p.symptoms,
                state,
            ]
        )
    return rows


def export_purchases(*, actor, pharmacy: Pharmacy, purchases, request=None) -> tuple[str, bytes]:
    """A pharmacy's register as .xlsx, ID numbers and phones masked (§10)."""
    if not scoping.can(actor, scoping.VIEW, pharmacy.node):
        raise RuleError({"pharmacy": "无权导出该药店的登记"}, code="forbidden")
    with translation.override("zh-hans"):  # the ledger is in Chinese whatever the page's language
        rows = purchase_rows(purchases)
    sheet = LedgerSheet(PURCHASE_LEDGER)
    sheet.title(f"{pharmacy.name}{PURCHASE_LEDGER}", width=len(PURCHASE_HEADERS))
    sheet.line(
        f"许可证号：{pharmacy.licence_no}　导出日期：{timezone.localdate():%Y-%m-%d}　共{len(rows)}条",
        width=len(PURCHASE_HEADERS),
    )
    sheet.header(PURCHASE_HEADERS, widths=[6, 18, 10, 22, 14, 20, 8, 6, 14, 12])
    sheet.rows(rows, text_columns=[3, 4])
    content = sheet.save()
    record(
        actor=actor,
        action=Action.EXPORT,
        target=pharmacy,
        node_path=pharmacy.node.path,
        request=request,
        ledger=PURCHASE_LEDGER,
        rows=len(rows),
    )
    return f"{PURCHASE_LEDGER}_{pharmacy.name}_{timezone.localdate():%Y%m%d}.xlsx", content


def township_names(paths) -> dict[str, str]:
    """Node path → the name of the township it lies in (itself, if a township)."""
    paths = set(paths)
    prefixes = set()
    for p in paths:
        parts = p.rstrip("/").split("/")
        prefixes |= {"/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)}
    townships = dict(
        Jurisdiction.objects.filter(path__in=prefixes, level=Level.TOWNSHIP).values_list("path", "name")
    )
    return {p: next((n for t, n in townships.items() if p.startswith(t)), "") for p in paths}


# ── weekly: 药品销售监测周报 of many pharmacies ───────────────────────────────────────────────────────

WEEKLY_LEDGER = "药品销售监测周报"
WEEKLY_COLUMNS = [
    Column("number", "序号", ("编号",), content=False),
    Column("licence", "许可证号", ("药品经营许可证号", "许可证编号", "经营许可证号")),
    Column("pharmacy", "药店名称", ("药店", "单位名称", "名称", "药店（单位）名称")),
    Column("week", "周起始日期", ("周开始日期", "起始日期", "监测周", "周次", "日期", "统计周")),
    Column("fever", "退热药", ("退热", "退烧药", "退烧", "退热类")),
    Column("cough", "止咳药", ("止咳", "止咳类")),
    Column("antiviral", "抗病毒药", ("抗病毒", "抗病毒类")),
    Column("antibiotic", "抗生素", ("抗生素药", "抗生素类", "抗菌药")),
    Column("note", "备注", ("说明",)),
]
WEEKLY_REQUIRED = ["week", "fever", "cough", "antiviral", "antibiotic"]
WEEKLY_HEADERS = [
    "序号",
    "所属乡镇",
    "药店名称",
    "许可证号",
    "周起始日期",
    "退热药",
    "止咳药",
    "抗病毒药",
    "抗生素",
    "合计",
    "报送时间",
]


def import_weekly(
    *, actor, data: bytes, filename: str, dry_run: bool = False, request=None, now: dt.datetime | None = None
) -> ImportResult:
    """Weekly reports of the pharmacies the actor may write for, found by licence number (or, failing
    that, by a name unique among them). All or nothing; a report of the same pharmacy and week replaces
    the one before when it says otherwise."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    table = read_table(data, filename, WEEKLY_COLUMNS, required=WEEKLY_REQUIRED)
    if "licence" not in table.columns and "pharmacy" not in table.columns:
        raise RuleError({"file": "表中没有“许可证号”或“药店名称”列"})
    result = ImportResult(rows=len(table.rows), dry_run=dry_run, table=table)
    mine = list(queries.pharmacies_visible_to(actor, scoping.WRITE))
    by_licence = {p.licence_no: p for p in mine}
    by_name: dict[str, list[Pharmacy]] = {}
    for p in mine:
        by_name.setdefault(p.name, []).append(p)
    plan = []
    seen: dict[tuple[int, dt.date], int] = {}
    for row in table.rows:
        value = lambda key, row=row: table.value(row, key)  # noqa: E731
        if not any(text(value(k)) for k in ("licence", "pharmacy", "week")):
            result.warn(row.number, "", "既无药店，也无日期：不是报表行，已跳过")
            result.rows -= 1
            continue
        problems: list[tuple[str, str]] = []
        licence, name = text(value("licence")).upper(), text(value("pharmacy"))
        pharmacy = by_licence.get(licence) if licence else None
        if pharmacy is None and licence:
            problems.append(("licence", f"许可证号{licence}不是您辖区内登记的药店"))
        elif pharmacy is None:
            found = by_name.get(name, [])
            if not name:
                problems.append(("pharmacy", "药店名称和许可证号都为空"))
            elif len(found) != 1:
                reason = "有同名药店，请填写许可证号" if found else "不是您辖区内登记的药店"
                problems.append(("pharmacy", f"“{name}”{reason}"))
            else:
                pharmacy = found[0]
        try:
            day, _ = parse_date(value("week"), today=today)
            if day is None:
                problems.append(("week", "日期为空"))
            elif rules.week_start(day) > today:
                problems.append(("week", "不能报送尚未开始的周"))
        except ValueError as exc:
            day = None
            problems.append(("week", str(exc)))
        counts = {}
        for field in actions.CLASS_FIELDS:
            try:
                counts[field] = _int(value(field), table.label(field))
            except ValueError as exc:
                problems.append((field, str(exc)))
        if pharmacy is not None and day is not None:
            key = (pharmacy.pk, rules.week_start(day))
            if key in seen:
                problems.append(("week", f"与第{seen[key]}行重复：同一药店同一周只能报送一次"))
            else:
                seen[key] = row.number
        for key, reason in problems:
            result.reject(row.number, table.label(key), reason)
        if not problems:
            plan.append((pharmacy, rules.week_start(day), counts, text(value("note"))[:200]))
    if dry_run or result.rejected:
        return result
    with transaction.atomic():
        for pharmacy, monday, counts, note in plan:
            _report, state = actions.submit_weekly(
                actor=actor,
                pharmacy=pharmacy,
                week_start=monday,
                note=note,
                request=request,
                now=now,
                **counts,
            )
            setattr(result, state, getattr(result, state) + 1)
    result.written = True
    return result


def export_weekly(*, actor, node: Jurisdiction, monday: dt.date, request=None) -> tuple[str, bytes]:
    monday = rules.week_start(monday)
    reports = (
        WeeklySales.objects.filter(pharmacy__node__path__startswith=node.path, week_start=monday)
        .select_related("pharmacy__node")
        .order_by("pharmacy__node__path", "pharmacy__name")
    )
    reports = list(reports)
    townships = township_names(r.pharmacy.node.path for r in reports)
    rows = []
    for n, r in enumerate(reports, start=1):
        township = townships.get(r.pharmacy.node.path, "")
        rows.append(
            [
                n,
                township,
                r.pharmacy.name,
                r.pharmacy.licence_no,
                r.week_start,
                r.fever,
                r.cough,
                r.antiviral,
                r.antibiotic,
                r.total,
                timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    sheet = LedgerSheet(WEEKLY_LEDGER)
    sheet.title(f"{node.name}{WEEKLY_LEDGER}", width=len(WEEKLY_HEADERS))
    sheet.line(
        f"监测周：{monday:%Y-%m-%d}至{monday + dt.timedelta(days=6):%Y-%m-%d}　共{len(rows)}家药店报送",
        width=len(WEEKLY_HEADERS),
    )
    sheet.header(WEEKLY_HEADERS, widths=[6, 14, 22, 20, 12, 8, 8, 8, 8, 8, 18])
    sheet.rows(rows, text_columns=[3])
    content = sheet.save()
    record(
        actor=actor,
        action=Action.EXPORT,
        target=node,
        node_path=node.path,
        request=request,
        ledger=WEEKLY_LEDGER,
        rows=len(rows),
    )
    return f"{WEEKLY_LEDGER}_{node.name}_{monday:%Y%m%d}.xlsx", content


# ── gatherings: 群体性聚餐 per township per day ─────────────────────────────────────────────────────────

GATHERING_LEDGER = "群体性聚餐取消情况统计表"
GATHERING_COLUMNS = [
    Column("number", "序号", ("编号",), content=False),
    Column("day", "日期", ("上报日期", "统计日期")),
    Column("township", "乡镇", ("乡镇（街道）", "乡镇街道", "街道", "镇街", "乡镇名称")),
    Column("reported", "上报聚餐（起）", ("上报聚餐", "聚餐起数", "上报起数", "拟举办聚餐")),
    Column("cancelled", "取消聚餐（起）", ("取消聚餐", "取消起数", "劝停起数", "劝停聚餐")),
    Column("tables", "劝停桌数", ("取消桌数", "桌数")),
    Column("note", "备注", ("说明",)),
]
GATHERING_REQUIRED = ["day", "township", "cancelled"]
GATHERING_HEADERS = ["序号", "日期", "乡镇（街道）", "上报聚餐（起）", "取消聚餐（起）", "劝停桌数", "备注"]


def import_gatherings(
    *, actor, data: bytes, filename: str, dry_run: bool = False, request=None
) -> ImportResult:
    """The townships' daily counts, all or nothing; a township and day already reported is corrected."""
    today = timezone.localdate()
    table = read_table(data, filename, GATHERING_COLUMNS, required=GATHERING_REQUIRED)
    result = ImportResult(rows=len(table.rows), dry_run=dry_run, table=table)
    townships = {t.name: t for t in queries.townships_for(actor, scoping.WRITE)}
    plan = []
    seen: dict[tuple[int, dt.date], int] = {}
    for row in table.rows:
        value = lambda key, row=row: table.value(row, key)  # noqa: E731
        if not any(text(value(k)) for k in ("day", "township", "cancelled")):
            result.warn(row.number, "", "既无日期、乡镇，也无数字：不是统计行，已跳过")
            result.rows -= 1
            continue
        problems: list[tuple[str, str]] = []
        name = text(value("township"))
        township = townships.get(name)
        if township is None:
            problems.append(("township", f"“{name}”不是您可上报的乡镇（街道）" if name else "乡镇为空"))
        try:
            day, _ = parse_date(value("day"), today=today)
            if day is None:
                problems.append(("day", "日期为空"))
            elif day > today:
                problems.append(("day", "日期不能晚于今天"))
        except ValueError as exc:
            day = None
            problems.append(("day", str(exc)))
        counts = {}
        for key, label in (("reported", "上报聚餐"), ("cancelled", "取消聚餐"), ("tables", "劝停桌数")):
            try:
                counts[key] = _int(value(key), label)
            except ValueError as exc:
                problems.append((key, str(exc)))
        if len(counts) == 3:
            if not text(value("reported")):
                counts["reported"] = counts["cancelled"]  # a sheet of cancellations only
            errors = rules.check_gathering_counts(
                reported=counts["reported"], cancelled=counts["cancelled"], tables=counts["tables"]
            )
            problems += [({"tables_cancelled": "tables"}.get(f, f), r) for f, r in errors.items()]
        if township is not None and day is not None:
            if (township.pk, day) in seen:
                problems.append(("day", f"与第{seen[(township.pk, day)]}行重复：同一乡镇同一天只能有一行"))
            else:
                seen[(township.pk, day)] = row.number
        for key, reason in problems:
            result.reject(row.number, table.label(key), reason)
        if not problems:
            plan.append((township, day, counts, text(value("note"))[:200]))
    if dry_run or result.rejected:
        return result
    with transaction.atomic():
        for township, day, counts, note in plan:
            _row, state = actions.record_gatherings(
                actor=actor,
                node=township,
                day=day,
                reported=counts["reported"],
                cancelled=counts["cancelled"],
                tables_cancelled=counts["tables"],
                note=note,
                request=request,
            )
            setattr(result, state, getattr(result, state) + 1)
    result.written = True
    return result


def export_gatherings(*, actor, node: Jurisdiction, rows, request=None) -> tuple[str, bytes]:
    lines = [
        [n, g.day, g.node.name, g.reported, g.cancelled, g.tables_cancelled, g.note]
        for n, g in enumerate(rows, start=1)
    ]
    sheet = LedgerSheet(GATHERING_LEDGER)
    sheet.title(f"{node.name}{GATHERING_LEDGER}", width=len(GATHERING_HEADERS))
    sheet.line(
        f"导出日期：{timezone.localdate():%Y-%m-%d}　共{len(lines)}条，取消聚餐合计"
        f"{sum(g.cancelled for g in rows)}起",
        width=len(GATHERING_HEADERS),
    )
    sheet.header(GATHERING_HEADERS, widths=[6, 12, 16, 14, 14, 10, 24])
    sheet.rows(lines)
    content = sheet.save()
    record(
        actor=actor,
        action=Action.EXPORT,
        target=node,
        node_path=node.path,
        request=request,
        ledger=GATHERING_LEDGER,
        rows=len(lines),
    )
    return f"{GATHERING_LEDGER}_{node.name}_{timezone.localdate():%Y%m%d}.xlsx", content
