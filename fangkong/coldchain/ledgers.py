"""The cold-chain ledgers in and out (through imports/): the lots (批次台账, with the four documents), the
daily in/out (进出货台账: a line is a lot's arrival, a part moved to another store, or a sale), and a lab's
result sheet for samples. Imports are all or nothing: every problem named with its row, column and reason
in Chinese, nothing written while one remains; a line imported again (its content's key) changes nothing."""

import hashlib

from django.db import transaction
from django.utils import timezone, translation

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.imports.reading import Column, read_table
from fangkong.imports.results import ImportResult
from fangkong.imports.values import compact, parse_date, text
from fangkong.imports.writing import LedgerSheet
from fangkong.lib.errors import RuleError
from fangkong.testing.rules import parse_result

from . import actions, rules
from .models import ColdStore, Lot, Movement, Sample

LOTS = "进口冷链食品批次台账"
MOVEMENTS = "冷链食品进出货台账"
RESULTS = "冷链样本检测结果"
LOT_HEADERS = [
    *["序号", "入库日期", "品名", "原产国", "批号", "集装箱号", "数量", "单位", "登记辖区"],
    *[rules.DOCUMENT_NAMES[kind] for kind in rules.DOCUMENTS],
    *["出仓证明编号", "状态"],
]
MOVEMENT_HEADERS = [
    "序号",
    "日期",
    "单据号",
    "品名",
    "批号",
    "原产国",
    "集装箱号",
    "调出冷库",
    "调入冷库",
    "购货方",
    "数量",
    "单位",
    "经手人",
]
MOVEMENT_COLUMNS = (
    Column("number", "序号", ("编号", "no"), content=False),
    Column("on", "日期", ("进货日期", "出货日期", "入库日期", "出库日期")),
    Column("document", "单据号", ("单号", "票据号")),
    Column("product", "品名", ("商品名称", "产品名称", "食品名称", "货品名称")),
    Column("lot", "批号", ("批次号", "生产批号", "批次")),
    Column("origin_country", "原产国", ("产地", "原产地", "原产国（地区）")),
    Column("container", "集装箱号", ("柜号", "箱号")),
    Column("source", "调出冷库", ("出货冷库", "来源冷库", "调出单位")),
    Column("target", "调入冷库", ("进货冷库", "入库冷库", "调入单位", "冷库")),
    Column("buyer", "购货方", ("购货单位", "销售去向", "客户")),
    Column("quantity", "数量", ("重量", "数量（千克）", "重量（千克）")),
    Column("unit", "单位", ("计量单位",)),
    Column("handler", "经手人", ("经办人",)),
)
RESULT_COLUMNS = (
    Column("number", "序号", ("编号", "no"), content=False),
    Column("code", "样本编号", ("样本号", "样品编号", "条码", "样本条码")),
    Column("result", "检测结果", ("结果", "核酸结果", "核酸检测结果")),
    Column("result_on", "出结果日期", ("报告日期", "检测日期")),
    Column("lab", "检测机构", ("检测单位", "实验室")),
)


def _key(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:40]


# Out -------------------------------------------------------------------------------------------------------


def export_lots(*, actor, node, lots, request=None) -> tuple[str, bytes]:
    lots = list(lots.prefetch_related("documents").select_related("node").order_by("received_on", "id"))
    rows = []
    with translation.override("zh-hans"):
        for n, lot in enumerate(lots, start=1):
            docs = {d.kind: d for d in lot.documents.all()}
            state = "已封存" if lot.sealed_at else ("准予销售" if lot.released_at else "待放行")
            rows.append(
                [
                    n,
                    lot.received_on,
                    lot.product,
                    lot.origin_country,
                    lot.number,
                    lot.container,
                    float(lot.quantity),
                    lot.unit,
                    lot.node.name,
                ]
                + [
                    f"{docs[k].number}（{docs[k].issued_on:%Y-%m-%d}）" if k in docs else "缺"
                    for k in rules.DOCUMENTS
                ]
                + [lot.exit_certificate, state]
            )
    return _save(actor, node, LOTS, LOT_HEADERS, rows, request, text_columns=[4, 5])


def movement_rows(movements) -> list[list]:
    return [
        [
            n,
            m.on,
            m.document,
            m.lot.product,
            m.lot.number,
            m.lot.origin_country,
            m.lot.container,
            m.source.name if m.source_id else "",
            m.target.name if m.target_id else "",
            m.buyer,
            float(m.quantity),
            m.lot.unit,
            m.handler,
        ]
        for n, m in enumerate(movements, start=1)
    ]


def export_movements(*, actor, node, movements, request=None) -> tuple[str, bytes]:
    movements = movements.select_related("lot", "source", "target").order_by("on", "id")
    return _save(
        actor, node, MOVEMENTS, MOVEMENT_HEADERS, movement_rows(movements), request, text_columns=[2, 4, 6]
    )


def _save(actor, node, title, headers, rows, request, *, text_columns) -> tuple[str, bytes]:
    sheet = LedgerSheet(title)
    sheet.title(f"{node.name}{title}", width=len(headers))
    sheet.line(f"导出日期：{timezone.localdate():%Y-%m-%d}　共{len(rows)}条", width=len(headers))
    sheet.header(headers)
    sheet.rows(rows, text_columns=text_columns)
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


# In: the in/out ledger ---------------------------------------------------------------------------------------


def import_movements(
    *, actor, data: bytes, filename: str, dry_run: bool = False, request=None
) -> ImportResult:
    """Lines of the 进出货台账: with no 调出冷库, a lot arriving at the 调入冷库 (registered with its
    product, origin, quantity, number and container); else a part of the lot moving to a store or a buyer.
    Lines are applied in the file's order, so a lot may arrive and be split in the same file."""
    table = read_table(data, filename, MOVEMENT_COLUMNS, required=("on", "product", "lot", "quantity"))
    out = ImportResult(dry_run=dry_run, table=table)
    today = timezone.localdate()
    stores = {s.name: s for s in ColdStore.objects.select_related("node")}
    plan = []
    for row in table.rows:
        out.rows += 1
        n = row.number
        value = lambda key, row=row: table.value(row, key)  # noqa: E731
        before = len(out.rejected)
        on, reason = parse_date(value("on"), today=today)
        if on is None:
            out.reject(n, table.label("on"), reason or "请填写日期")
        try:
            quantity = rules.check_quantity(text(value("quantity")))
        except ValueError as exc:
            out.reject(n, table.label("quantity"), str(exc))
            quantity = None
        found = {}
        for key in ("source", "target"):
            name = compact(value(key))
            if name and name not in stores:
                out.reject(n, table.label(key), f"冷库“{name}”未登记")
            found[key] = stores.get(name) if name else None
        buyer = text(value("buyer"))
        if found["source"] is None and found["target"] is None:
            out.reject(n, table.label("target"), "请填写调入冷库（入库）或调出冷库（出货）")
        if found["source"] is not None and found["target"] is None and not buyer:
            out.reject(n, table.label("buyer"), "出货须填写调入冷库或购货方")
        for key in ("source", "target"):
            store = found[key]
            if store is not None and key == ("target" if found["source"] is None else "source"):
                if not scoping.can(actor, scoping.WRITE, store.node):
                    out.reject(n, table.label(key), f"无权登记{store.name}的进出货")
        if found["source"] is None and not text(value("origin_country")):
            out.reject(n, table.label("origin_country"), "入库登记须填写原产国")
        if len(out.rejected) > before:
            continue
        key = _key(
            on,
            text(value("product")),
            text(value("lot")),
            found["source"] and found["source"].pk,
            found["target"] and found["target"].pk,
            buyer,
            quantity,
            text(value("document")),
        )
        if Movement.objects.filter(import_key=key).exists():
            out.unchanged += 1
            continue
        plan.append(
            (
                n,
                key,
                on,
                quantity,
                found,
                buyer,
                {
                    k: text(value(k))
                    for k in ("product", "lot", "origin_country", "container", "unit", "document", "handler")
                },
            )
        )
    out.created = len(plan)
    if out.rejected or dry_run:
        return out
    try:
        with transaction.atomic():
            for n, key, on, quantity, found, buyer, f in plan:
                try:
                    if found["source"] is None:
                        actions.register_lot(
                            actor=actor,
                            store=found["target"],
                            product=f["product"],
                            origin_country=f["origin_country"],
                            quantity=quantity,
                            number=f["lot"],
                            received_on=on,
                            unit=f["unit"] or "千克",
                            container=f["container"],
                            document=f["document"],
                            handler=f["handler"],
                            import_key=key,
                            request=request,
                        )
                    else:
                        lot = Lot.objects.filter(number=f["lot"], product=f["product"]).first()
                        if lot is None:
                            raise RuleError({"lot": f"批号{f['lot']}（{f['product']}）未登记入库"})
                        actions.move(
                            actor=actor,
                            lot=lot,
                            source=found["source"],
                            target=found["target"],
                            buyer=buyer,
                            quantity=quantity,
                            on=on,
                            document=f["document"],
                            handler=f["handler"],
                            import_key=key,
                            request=request,
                        )
                except RuleError as exc:
                    for field, reason in exc.errors.items():
                        column = {
                            "lot": "lot",
                            "quantity": "quantity",
                            "buyer": "buyer",
                            "on": "on",
                            "number": "lot",
                        }.get(field, "")
                        out.reject(n, table.label(column) if column else "", reason)
                    raise
            record(
                actor=actor,
                action=Action.IMPORT,
                target=None,
                request=request,
                ledger=MOVEMENTS,
                filename=filename[:100],
                rows=out.rows,
                created=out.created,
                unchanged=out.unchanged,
            )
    except RuleError:
        out.created = 0
        return out
    out.written = True
    return out


# In: a lab's results -----------------------------------------------------------------------------------------


def import_results(*, actor, data: bytes, filename: str, dry_run: bool = False, request=None) -> ImportResult:
    table = read_table(data, filename, RESULT_COLUMNS, required=("code", "result"))
    out = ImportResult(dry_run=dry_run, table=table)
    today = timezone.localdate()
    codes = {row.number: compact(table.value(row, "code")).upper() for row in table.rows}
    samples = {
        s.code: s for s in Sample.objects.filter(code__in=set(codes.values())).select_related("store__node")
    }
    seen: dict[str, tuple[int, str]] = {}
    plan = []
    for row in table.rows:
        out.rows += 1
        n, code = row.number, codes[row.number]
        sample = samples.get(code)
        if not code:
            out.reject(n, table.label("code"), "样本编号不能为空")
            continue
        if sample is None:
            out.reject(n, table.label("code"), f"样本编号{code}没有采样记录")
            continue
        if not scoping.can(actor, scoping.WRITE, sample.store.node):
            out.reject(n, table.label("code"), f"无权登记样本{code}的结果")
            continue
        raw = text(table.value(row, "result"))
        result = parse_result(raw)
        if result not in ("negative", "positive"):
            out.reject(n, table.label("result"), f"无法识别的检测结果“{raw}”，应为阴性或阳性")
            continue
        result_on = today
        if table.value(row, "result_on") not in (None, ""):
            result_on, reason = parse_date(table.value(row, "result_on"), today=today)
            if result_on is None:
                out.reject(n, table.label("result_on"), reason)
                continue
        if code in seen:
            if seen[code][1] != result:
                out.reject(n, table.label("result"), f"样本{code}与第{seen[code][0]}行的结果不一致")
            else:
                out.reject(n, table.label("code"), f"样本编号{code}与第{seen[code][0]}行重复")
            continue
        seen[code] = (n, result)
        if sample.result == result:
            out.unchanged += 1
        elif sample.result != "pending":
            out.reject(
                n, table.label("result"), f"该样本已有结果（{sample.get_result_display()}），与本次不符"
            )
        else:
            plan.append((sample, result, result_on, text(table.value(row, "lab"))))
    out.created = len(plan)
    if out.rejected or dry_run:
        return out
    with transaction.atomic():
        for sample, result, result_on, lab in plan:
            actions.record_result(
                actor=actor, sample=sample, result=result, result_on=result_on, lab=lab, request=request
            )
        record(
            actor=actor,
            action=Action.IMPORT,
            target=None,
            request=request,
            ledger=RESULTS,
            filename=filename[:100],
            rows=out.rows,
            created=out.created,
            unchanged=out.unchanged,
        )
    out.written = True
    return out
