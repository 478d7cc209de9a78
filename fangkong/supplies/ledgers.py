"""防疫物资出入库台账 (DOMAIN.md §11) in and out, one store's ledger at a time.

Columns: 日期、单据号、物资名称、规格、单位、来源（下拨/自购/捐赠）、批号、有效期、入库数量、出库数量、结存、
领用单位、领用人、审批人、经手人 (and 捐赠方, 备注), under the usual variants of their names. A row fills
入库数量 (a receipt) or 出库数量 (an issue to the 领用单位). 结存 is read only to warn when it differs from
the balance worked out. Rows are written in date order, all or nothing: one bad row (a bad date, a
negative or missing quantity, an unknown source, an issue without approver, more out than in stock on
any day) and nothing is written. Each row has a key made from its content (and its place among rows of
the same content), so importing the same ledger again writes nothing new."""

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.imports.reading import Column, read_table
from fangkong.imports.results import ImportResult
from fangkong.imports.values import parse_date, text
from fangkong.imports.writing import LedgerSheet
from fangkong.lib.errors import RuleError
from fangkong.registry.models import Unit

from . import rules
from .actions import CATALOGUE_LEVELS, ZERO
from .models import Batch, Item, Movement, MovementKind, Stock, Store, SupplySource

LEDGER = "防疫物资出入库台账"
COLUMNS = [
    Column("number", "序号", ("编号", "No"), content=False),
    Column("on", "日期", ("出入库日期", "业务日期", "时间", "日期时间")),
    Column("document", "单据号", ("单号", "凭证号", "单据编号", "出入库单号")),
    Column("item", "物资名称", ("品名", "名称", "物品名称", "物资品名", "物资")),
    Column("spec", "规格", ("规格型号", "型号")),
    Column("unit", "单位", ("计量单位",)),
    Column("source", "来源", ("物资来源", "来源（下拨/自购/捐赠）", "入库来源", "来源方式")),
    Column("donor", "捐赠方", ("捐赠单位", "捐赠人", "捐赠单位（个人）")),
    Column("batch", "批号", ("生产批号", "批次")),
    Column("expires_on", "有效期", ("有效期至", "失效日期", "有效日期")),
    Column("in", "入库数量", ("入库", "入库数", "收入数量", "收入", "入")),
    Column("out", "出库数量", ("出库", "出库数", "发出数量", "发出", "支出", "出")),
    Column("balance", "结存", ("结存数量", "库存", "余额", "结余")),
    Column("recipient", "领用单位", ("领用部门", "发放单位", "领取单位", "使用单位")),
    Column("receiver", "领用人", ("领取人", "签收人")),
    Column("approver", "审批人", ("批准人", "审核人（审批）")),
    Column("handler", "经手人", ("经办人", "保管员", "发放人")),
    Column("note", "备注", ("说明",)),
]
REQUIRED = ["on", "item"]
HEADERS = [c.label for c in COLUMNS if c.key != "number"]
HEADERS.insert(0, "序号")
WIDTHS = [6, 12, 14, 16, 10, 6, 8, 16, 14, 12, 10, 10, 10, 18, 10, 10, 10, 16]

SOURCE_WORDS = [
    (SupplySource.DONATED, ("捐赠", "捐助", "捐献", "社会捐赠", "爱心捐赠")),
    (SupplySource.ALLOCATED, ("下拨", "调拨", "上级下拨", "分配", "调配", "划拨")),
    (SupplySource.BOUGHT, ("自购", "采购", "购买", "自行采购", "购置")),
]
_DONOR_IN_SOURCE = re.compile(r"^捐[赠助献][（(](.+)[)）]$")


def read_source(raw: str) -> tuple[str, str]:
    """(source, donor) from the 来源 cell: 下拨, 自购, 捐赠, or 捐赠（某公司）. ValueError otherwise."""
    value = raw.strip()
    if match := _DONOR_IN_SOURCE.match(value):
        return SupplySource.DONATED, match[1].strip()
    for source, words in SOURCE_WORDS:
        if value in words:
            return source, ""
    raise ValueError(f"无法识别的来源“{value}”，请填写下拨、自购或捐赠")


def _number(value, label: str) -> Decimal | None:
    raw = text(value)
    if not raw:
        return None
    try:
        return rules.check_quantity(raw)
    except ValueError as exc:
        raise ValueError(f"{label}：{exc}") from None


@dataclass
class LedgerRow:
    row: int
    on: dt.date
    kind: str  # receipt or issue
    quantity: Decimal  # positive
    item_name: str
    spec: str
    unit: str
    source: str = ""
    donor: str = ""
    batch: str = ""
    expires_on: dt.date | None = None
    document: str = ""
    recipient: str = ""
    receiver: str = ""
    approver: str = ""
    handler: str = ""
    note: str = ""
    balance: Decimal | None = None
    key: str = ""

    def content(self) -> str:
        return "|".join(
            str(v)
            for v in (
                self.on,
                self.kind,
                self.quantity,
                self.item_name,
                self.spec,
                self.source,
                self.donor,
                self.batch,
                self.document,
                self.recipient,
                self.receiver,
            )
        )


def read_rows(table, result: ImportResult, *, today: dt.date) -> list[LedgerRow]:
    """The ledger's rows, each checked on its own; problems go to `result` with row, column and reason."""
    rows = []
    for row in table.rows:
        problems: list[tuple[str, str]] = []

        def value(key, row=row):
            return table.value(row, key)

        def bad(key, reason, problems=problems):
            problems.append((key, reason))

        if not any(text(value(key)) for key in ("on", "item", "in", "out")):
            result.warn(
                row.number, "", "既无日期、物资，也无数量：不是台账行，已跳过"
            )  # 保管员：… signature lines
            result.rows -= 1
            continue
        try:
            on, _note = parse_date(value("on"), today=today)
        except ValueError as exc:
            on = None
            bad("on", str(exc))
        else:
            if on is None:
                bad("on", "日期为空")
            elif on > today:
                bad("on", "日期不能晚于今天")
        item_name = text(value("item"))
        if not item_name:
            bad("item", "物资名称为空")
        amounts = {}
        for key, label in (("in", "入库数量"), ("out", "出库数量")):
            try:
                amounts[key] = _number(value(key), label)
            except ValueError as exc:
                bad(key, str(exc).split("：", 1)[1])
                amounts[key] = None
        given = [k for k in ("in", "out") if text(value(k))]
        if not given:
            bad("in", "入库数量和出库数量都为空")
        elif len(given) == 2 and amounts["in"] and amounts["out"]:
            bad("out", "一行只能填入库数量或出库数量之一")
        kind = MovementKind.RECEIPT if "in" in given and "out" not in given else MovementKind.ISSUE
        source = donor = ""
        if kind == MovementKind.RECEIPT:
            raw_source = text(value("source"))
            if not raw_source:
                bad("source", "入库须填写来源（下拨、自购或捐赠）")
            else:
                try:
                    source, donor = read_source(raw_source)
                except ValueError as exc:
                    bad("source", str(exc))
            donor = text(value("donor")) or donor
            if source == SupplySource.DONATED and not donor:
                bad("donor", "捐赠物资须填写捐赠方")
        approver = text(value("approver"))
        recipient = text(value("recipient"))
        if kind == MovementKind.ISSUE:
            if not approver:
                bad("approver", "出库须填写审批人")
            if not recipient:
                bad("recipient", "出库须填写领用单位")
        try:
            expires_on, _ = parse_date(value("expires_on"), today=dt.date.max - dt.timedelta(days=1))
        except ValueError as exc:
            expires_on = None
            bad("expires_on", str(exc))
        balance = None
        if text(value("balance")):
            try:
                balance = Decimal(text(value("balance")).replace(",", ""))
            except Exception:
                result.warn(row.number, table.label("balance"), "结存不是数字，已忽略")
        for key, reason in problems:
            result.reject(row.number, table.label(key), reason)
        if problems:
            continue
        rows.append(
            LedgerRow(
                row=row.number,
                on=on,
                kind=kind,
                quantity=amounts["in"] if kind == MovementKind.RECEIPT else amounts["out"],
                item_name=item_name,
                spec=text(value("spec")),
                unit=text(value("unit")),
                source=source,
                donor=donor,
                batch=text(value("batch")),
                expires_on=expires_on,
                document=text(value("document")),
                recipient=recipient,
                receiver=text(value("receiver")),
                approver=approver,
                handler=text(value("handler")),
                note=text(value("note"))[:200],
                balance=balance,
            )
        )
    seen: Counter = Counter()
    for r in rows:
        content = r.content()
        seen[content] += 1
        r.key = hashlib.sha256(f"{content}#{seen[content]}".encode()).hexdigest()[:40]
    return rows


def import_ledger(
    *, actor, store: Store, data: bytes, filename: str, dry_run: bool = False, request=None, today=None
) -> ImportResult:
    """Read one store's 出入库台账 and write it, all or nothing (nothing when `dry_run`)."""
    if not scoping.can(actor, scoping.WRITE, store.node):
        raise RuleError({"store": "无权登记该库点的出入库"}, code="forbidden")
    today = today or timezone.localdate()
    table = read_table(data, filename, COLUMNS, required=REQUIRED)
    result = ImportResult(rows=len(table.rows), dry_run=dry_run, table=table)
    rows = read_rows(table, result, today=today)
    with transaction.atomic():
        plan = _plan(actor, store, rows, result, table)
        if dry_run or result.rejected:
            transaction.set_rollback(True)
            return result
        _write(actor, store, plan, result, request=request, filename=filename)
    result.written = True
    return result


def _plan(actor, store, rows: list[LedgerRow], result: ImportResult, table) -> list[LedgerRow]:
    """The rows not imported before, with their items; every day's balance checked under the row locks."""
    known = set(
        Movement.objects.filter(store=store, import_key__in=[r.key for r in rows]).values_list(
            "import_key", flat=True
        )
    )
    new = [r for r in rows if r.key not in known]
    result.unchanged = len(rows) - len(new)
    may_add_items = any(n.level in CATALOGUE_LEVELS for n in scoping.nodes_with(actor, scoping.WRITE))
    items = {(i.name, i.spec): i for i in Item.objects.filter(name__in={r.item_name for r in new})}
    for r in new:
        item = items.get((r.item_name, r.spec))
        if item is None and not may_add_items:
            result.reject(
                r.row,
                table.label("item"),
                f"物资品种“{r.item_name}{r.spec and '（' + r.spec + '）'}”不在物资目录中，请先由县级添加",
            )
        elif item is None and not r.unit:
            result.reject(r.row, table.label("unit"), "新的物资品种须填写单位")
        elif item is None:
            items[(r.item_name, r.spec)] = Item(name=r.item_name, spec=r.spec, unit=r.unit)
        elif r.unit and r.unit != item.unit:
            result.reject(r.row, table.label("unit"), f"单位“{r.unit}”与物资目录中的“{item.unit}”不一致")
    if result.rejected:
        return []
    for item in items.values():
        if item.pk is None:
            item.save()
            record(actor=actor, action=Action.CREATE, target=item, ledger=LEDGER, unit=item.unit)
    for r in new:
        r.item = items[(r.item_name, r.spec)]
    # The balance on every day, per item: what is in the store, plus the rows, in date and row order.
    by_item: dict[int, list[LedgerRow]] = defaultdict(list)
    for r in new:
        by_item[r.item.pk].append(r)
    for item_id in by_item:
        Stock.objects.get_or_create(store=store, item_id=item_id)
    list(Stock.objects.select_for_update().filter(store=store, item_id__in=list(by_item)).order_by("item_id"))
    for item_id, item_rows in by_item.items():
        first = min(r.on for r in item_rows)
        movements = Movement.objects.filter(store=store, item_id=item_id)
        opening = movements.filter(on__lt=first).aggregate(t=Sum("quantity"))["t"] or ZERO
        existing = defaultdict(lambda: ZERO)
        for m in movements.filter(on__gte=first).order_by().values("on").annotate(t=Sum("quantity")):
            existing[m["on"]] = m["t"]
        changes = defaultdict(lambda: ZERO)
        for r in item_rows:
            changes[r.on] += r.quantity if r.kind == MovementKind.RECEIPT else -r.quantity
        balance = opening
        for day in sorted(set(existing) | set(changes)):
            balance += existing[day] + changes[day]
            if balance < 0:
                for r in sorted(item_rows, key=lambda r: (r.on, r.row)):
                    if r.on == day and r.kind == MovementKind.ISSUE:
                        result.reject(
                            r.row, table.label("out"), f"库存不足：{day:%Y-%m-%d}结存将为{balance}，不能出库"
                        )
                        break
                break
        running = opening
        for r in sorted(item_rows, key=lambda r: (r.on, r.row)):
            running += r.quantity if r.kind == MovementKind.RECEIPT else -r.quantity
            if r.balance is not None and not existing and r.balance != running:
                result.warn(r.row, table.label("balance"), f"结存应为{running}，表中为{r.balance}")
    return new


def _write(actor, store, rows: list[LedgerRow], result: ImportResult, *, request, filename: str) -> None:
    units = {
        u.name: u
        for u in Unit.objects.filter(
            node__path__startswith=store.node.path, name__in={r.recipient for r in rows}
        )
    }
    batches: dict[tuple[int, str], Batch] = {}
    for r in rows:
        if r.batch and (r.item.pk, r.batch) not in batches:
            batch, _ = Batch.objects.get_or_create(
                item=r.item, number=r.batch, defaults={"expires_on": r.expires_on}
            )
            batches[(r.item.pk, r.batch)] = batch
    by = actor if getattr(actor, "pk", None) else None
    movements = []
    for r in sorted(rows, key=lambda r: (r.on, r.row)):
        receipt = r.kind == MovementKind.RECEIPT
        movements.append(
            Movement(
                store=store,
                item=r.item,
                batch=batches.get((r.item.pk, r.batch)),
                kind=r.kind,
                on=r.on,
                quantity=r.quantity if receipt else -r.quantity,
                document=r.document[:50],
                source=r.source if receipt else "",
                donor=r.donor[:100] if receipt else "",
                recipient_unit=None if receipt else units.get(r.recipient),
                recipient="" if receipt else r.recipient[:100],
                receiver=r.receiver[:50],
                approver=r.approver[:50],
                handler=r.handler[:50],
                note=r.note,
                import_key=r.key,
                recorded_by=by,
            )
        )
    Movement.objects.bulk_create(movements, batch_size=1000)
    totals = defaultdict(lambda: ZERO)
    first: dict[int, dt.date] = {}
    for m in movements:
        totals[m.item_id] += m.quantity
        first[m.item_id] = min(first.get(m.item_id, m.on), m.on)
    for stock in Stock.objects.filter(store=store, item_id__in=list(totals)):
        stock.quantity += totals[stock.item_id]
        since = first[stock.item_id]
        stock.since = since if stock.since is None else min(stock.since, since)
        stock.save(update_fields=["quantity", "since"])
    result.created = len(movements)
    record(
        actor=actor,
        action=Action.IMPORT,
        target=store,
        node_path=store.node.path,
        request=request,
        ledger=LEDGER,
        filename=filename[:200],
        rows=result.rows,
        created=result.created,
        unchanged=result.unchanged,
    )


# ── out ───────────────────────────────────────────────────────────────────────────────────────────────


def ledger_rows(movements) -> list[list]:
    """The §11 columns, with the running balance of each store and item (of the rows given, which should
    be all of a store's from its first movement for the balance to be the book's)."""
    balances: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    rows = []
    for n, m in enumerate(movements, start=1):
        balances[(m.store_id, m.item_id)] += m.quantity
        incoming = m.quantity > 0
        rows.append(
            [
                n,
                m.on,
                m.document,
                m.item.name,
                m.item.spec,
                m.item.unit,
                m.get_source_display() if m.source else m.get_kind_display(),
                m.donor,
                m.batch.number if m.batch_id else "",
                m.batch.expires_on if m.batch_id and m.batch.expires_on else "",
                float(m.quantity) if incoming else "",
                float(-m.quantity) if not incoming else "",
                float(balances[(m.store_id, m.item_id)]),
                m.recipient,
                m.receiver,
                m.approver,
                m.handler,
                m.note,
            ]
        )
    return rows


def export_ledger(*, actor, store: Store, request=None) -> tuple[str, bytes]:
    """A store's whole 出入库台账 as .xlsx: (file name, content)."""
    if not scoping.can(actor, scoping.VIEW, store.node):
        raise RuleError({"store": "无权导出该库点的台账"}, code="forbidden")
    movements = Movement.objects.filter(store=store).select_related("item", "batch").order_by("on", "id")
    with translation.override("zh-hans"):
        rows = ledger_rows(movements)
    sheet = LedgerSheet(LEDGER)
    sheet.title(f"{store.name}{LEDGER}", width=len(HEADERS))
    sheet.line(
        f"所属辖区：{store.node.name}　导出日期：{timezone.localdate():%Y-%m-%d}　共{len(rows)}条",
        width=len(HEADERS),
    )
    sheet.header(HEADERS, widths=WIDTHS)
    sheet.rows(rows, text_columns=[2, 8])
    content = sheet.save()
    record(
        actor=actor,
        action=Action.EXPORT,
        target=store,
        node_path=store.node.path,
        request=request,
        ledger=LEDGER,
        rows=len(rows),
    )
    return f"{LEDGER}_{store.name}_{timezone.localdate():%Y%m%d}.xlsx", content


DONATION_HEADERS = ["序号", "日期", "捐赠方", "物资名称", "规格", "数量", "单位", "接收库点"]


def export_donations(*, actor, node, movements, request=None) -> tuple[str, bytes]:
    """The donations ledger (捐赠物资公示表), as published to thank the donors."""
    rows = [
        [n, m.on, m.donor, m.item.name, m.item.spec, float(m.quantity), m.item.unit, m.store.name]
        for n, m in enumerate(movements, start=1)
    ]
    title = "捐赠物资公示表"
    sheet = LedgerSheet(title)
    sheet.title(f"{node.name}{title}", width=len(DONATION_HEADERS))
    sheet.line(
        f"截至{timezone.localdate():%Y年%m月%d日}，共接收捐赠{len(rows)}批次。衷心感谢社会各界的支持！",
        width=len(DONATION_HEADERS),
    )
    sheet.header(DONATION_HEADERS, widths=[6, 12, 24, 16, 10, 10, 6, 18])
    sheet.rows(rows)
    content = sheet.save()
    record(
        actor=actor,
        action=Action.EXPORT,
        target=node,
        node_path=node.path,
        request=request,
        ledger=title,
        rows=len(rows),
    )
    return f"{title}_{node.name}_{timezone.localdate():%Y%m%d}.xlsx", content
