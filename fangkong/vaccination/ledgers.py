"""The vaccination ledgers in and out (through imports/).

In: the 接种登记表 a site keeps (序号、姓名、身份证号、疫苗名称、生产企业、批号、剂次、接种日期 …, headers as
places write them). Every row is checked — an ID number that is not valid, a person not registered (or
not in the importer's area), a name that disagrees with the ID's registration, a date that is not a date
or is in the future or before the birth, a product the policy's table does not know — and any rejected
row stops the whole import: nothing is written until the file is right (the rejected rows come back as a
workbook with the reasons). A dose already recorded (the same person and day, same product) is counted
as unchanged, so importing the same file twice records each dose once.

Out: the dose ledger of a site, the list of who is not (fully) vaccinated in a node for the grid
workers, and the coverage table. Names and ID numbers masked unless the full list is asked for by someone
who may reveal them; every export is audited."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.imports.reading import Column, read_table
from fangkong.imports.results import ImportResult
from fangkong.imports.values import NumberLostDigits, code_text, compact, format_date, parse_date, text
from fangkong.imports.writing import LedgerSheet, rejected_workbook
from fangkong.lib.errors import RuleError
from fangkong.lib.idcard import InvalidIdNumber, parse
from fangkong.lib.masking import mask_id_number, mask_name
from fangkong.registry.models import DocumentType, Person

from . import actions, queries, rules
from .models import Dose, Site

LEDGER = "新冠病毒疫苗接种登记表"
COLUMNS = (
    Column("seq", "序号", ("编号", "序", "No", "No."), content=False),
    Column("name", "姓名", ("受种者姓名", "受种者", "接种者姓名", "名字")),
    Column(
        "id_number",
        "身份证号",
        ("身份证号码", "公民身份号码", "证件号码", "身份证", "证件号", "受种者身份证号", "身份证件号码"),
    ),
    Column("product", "疫苗名称", ("疫苗", "疫苗品种", "疫苗种类", "疫苗产品", "品名", "疫苗品名")),
    Column("manufacturer", "生产企业", ("生产厂家", "厂家", "疫苗厂家", "生产单位", "疫苗生产企业")),
    Column("lot", "批号", ("疫苗批号", "批次", "批次号")),
    Column("dose_number", "剂次", ("针次", "接种剂次", "第几针", "第几剂", "剂数")),
    Column("given_on", "接种日期", ("接种时间", "日期", "接种日")),
    Column("site", "接种单位", ("接种点", "接种门诊", "接种地点")),
    Column("notes", "备注", ("说明",)),
)
REQUIRED = ("id_number", "given_on")
LABELS = {c.key: c.label for c in COLUMNS}


@dataclass
class DoseRow:
    row: int
    person: Person
    product: str
    manufacturer: str
    lot: str
    dose_number: int | None
    given_on: dt.date


def _people(actor, ids: list[str]) -> dict[str, Person]:
    visible = scoping.visible_to(
        actor,
        Person.objects.filter(document_type=DocumentType.RESIDENT_ID).select_related("node"),
        path_field="node__path",
    )
    found = {}
    for start in range(0, len(ids), 500):
        for person in visible.filter(id_number__in=ids[start : start + 500]):
            found[person.id_number] = person
    return found


def read_doses(actor, table, result: ImportResult, *, products: dict, today: dt.date) -> list[DoseRow]:
    for header in table.unknown:
        result.warn(table.header_rows[1], header, "无法识别的列，已忽略")
    label = table.label
    ids = []
    for row in table.rows:
        try:
            ids.append(parse(code_text(table.value(row, "id_number"), label="身份证号")).normalized)
        except (InvalidIdNumber, NumberLostDigits):
            pass
    people = _people(actor, ids)
    rows: list[DoseRow] = []
    seen: dict[tuple[int, dt.date], int] = {}
    for row in table.rows:
        n = row.number

        def value(key, row=row):
            return table.value(row, key)

        errors: list[tuple[str, str]] = []
        person = None
        try:
            number = parse(code_text(value("id_number"), label=label("id_number"))).normalized
        except (InvalidIdNumber, NumberLostDigits) as exc:
            errors.append((label("id_number"), str(exc)))
        else:
            person = people.get(number)
            if person is None:
                errors.append((label("id_number"), "未找到该身份证号的登记人员，请先在实有人口中登记"))
            elif compact(value("name")) and compact(value("name")) != person.name:
                errors.append(
                    (label("name"), f"与该身份证号登记的姓名（{mask_name(person.name)}）不一致，请核对")
                )
        product_text = " ".join(t for t in (text(value("product")), text(value("manufacturer"))) if t)
        product, reason = rules.find_product(product_text, products)
        if product is None:
            errors.append((label("product") if "product" in table.columns else label("manufacturer"), reason))
        given_on = None
        try:
            given_on, note = parse_date(value("given_on"), today=today)
        except ValueError as exc:
            errors.append((label("given_on"), str(exc)))
        else:
            if given_on is None:
                errors.append((label("given_on"), "未填写接种日期"))
            elif given_on > today:
                errors.append((label("given_on"), f"{format_date(given_on)}晚于今天，请核对"))
            elif person is not None and person.birth_date and given_on < person.birth_date:
                errors.append((label("given_on"), f"{format_date(given_on)}早于出生日期，请核对"))
            elif note:
                result.warn(n, label("given_on"), note)
        dose_number, understood = rules.dose_number_of(text(value("dose_number")))
        if not understood:
            errors.append(
                (label("dose_number"), f"无法识别的剂次“{text(value('dose_number'))}”，请写1、2、3或加强")
            )
        if errors:
            for column, reason in errors:
                result.reject(n, column, reason)
            continue
        key = (person.pk, given_on)
        if key in seen:
            result.warn(n, label("given_on"), f"与第{seen[key]}行是同一人同一天的接种，已按一剂计")
            continue
        seen[key] = n
        rows.append(
            DoseRow(
                row=n,
                person=person,
                product=product,
                manufacturer=text(value("manufacturer"))[:100] or products[product].manufacturer,
                lot=compact(value("lot"))[:40],
                dose_number=dose_number,
                given_on=given_on,
            )
        )
    return rows


def import_doses(
    *,
    actor,
    site: Site,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    request=None,
    today: dt.date | None = None,
) -> ImportResult:
    """Read a site's 接种登记表 and record its doses at the site: all of them, or none when a row is
    rejected (`result.refused` says so). Re-importing records nothing new."""
    if not scoping.can(actor, scoping.WRITE, site.node):
        raise RuleError({"site": "无权在该接种点登记接种"}, code="forbidden")
    today = today or timezone.localdate()
    products = actions.products_at(site.node, today)
    table = read_table(data, filename, COLUMNS, required=REQUIRED)
    result = ImportResult(rows=len(table.rows), dry_run=dry_run, table=table)
    rows = read_doses(actor, table, result, products=products, today=today)
    existing = {
        (d.person_id, d.given_on): d
        for d in Dose.objects.filter(person__in={r.person.pk for r in rows}).only(
            "person_id", "given_on", "product"
        )
    }
    new = []
    for r in rows:
        found = existing.get((r.person.pk, r.given_on))
        status = "created"
        if found is not None:
            if found.product != r.product:
                result.reject(
                    r.row, LABELS["given_on"], f"该人员当天已有一条其他疫苗（{found.product}）的接种记录"
                )
                continue
            status = "unchanged"
        else:
            new.append(r)
        setattr(result, status, getattr(result, status) + 1)
        result.plan.append(
            {
                "row": r.row,
                "name": mask_name(r.person.name),
                "id_number": mask_id_number(r.person.id_number),
                "status": status,
                "changes": f"{format_date(r.given_on)} {products[r.product].manufacturer}",
            }
        )
    if result.rejected:
        result.refused = f"有{len(result.rejected_rows)}行未通过校验，未写入任何数据，请改正后重新导入"
        return result
    if dry_run:
        return result
    with transaction.atomic():
        actions.write_doses(
            actor=actor,
            site=site,
            products=products,
            rows=[
                {
                    "person": r.person,
                    "product": r.product,
                    "manufacturer": r.manufacturer,
                    "lot": r.lot,
                    "dose_number": r.dose_number,
                    "given_on": r.given_on,
                }
                for r in new
            ],
        )
        record(
            actor=actor,
            action=Action.IMPORT,
            target=site,
            node_path=site.node.path,
            request=request,
            ledger=LEDGER,
            filename=filename[:200],
            rows=result.rows,
            created=result.created,
            unchanged=result.unchanged,
        )
    result.written = True
    return result


def rejected_rows_workbook(*, actor, site: Site, data: bytes, filename: str) -> bytes | None:
    result = import_doses(actor=actor, site=site, data=data, filename=filename, dry_run=True)
    if not result.rejected:
        return None
    return rejected_workbook(
        result.table, result.rejected_rows, title=f"{LEDGER}（未导入的行，改正后可重新导入）"
    )


# ── out ───────────────────────────────────────────────────────────────────────────────────────────────

STATUS_WORDS = {"none": "未接种", "partial": "未完成全程", "full": "已完成全程", "booster": "已加强"}


def _check_full(actor, node: Jurisdiction, full: bool) -> None:
    if not scoping.can(actor, scoping.VIEW, node):
        raise RuleError({"node": "无权导出该辖区的名单"}, code="forbidden")
    if full and not scoping.can(actor, scoping.REVEAL, node):
        raise RuleError({"full": "无权导出完整的姓名和证件号码"}, code="forbidden")


def unvaccinated_rows(people, day: dt.date, *, full: bool) -> list[list]:
    rows = []
    for number, p in enumerate(people, start=1):
        status = "partial" if p.has_first else "none"
        rows.append(
            [
                number,
                p.node.name,
                p.name if full else mask_name(p.name),
                p.id_number if full else mask_id_number(p.id_number),
                rules.age_on(p.birth_date, day) if p.birth_date else "",
                p.household.address if p.household_id else "",
                STATUS_WORDS[status],
                "暂缓或禁忌" if p.deferred else "",
            ]
        )
    return rows


UNVACCINATED_LEDGER = "未接种（未完成全程）人员名单"
UNVACCINATED_HEADERS = ("序号", "网格", "姓名", "身份证号", "年龄", "住址", "接种情况", "暂缓/禁忌")


def export_unvaccinated(
    *,
    actor,
    node: Jurisdiction,
    day: dt.date,
    status: str = queries.NOT_FULL,
    band: str = "",
    full: bool = False,
    request=None,
) -> tuple[str, bytes]:
    _check_full(actor, node, full)
    people = queries.unvaccinated(actor, node, day, status=status, band=band)
    with translation.override("zh-hans"):
        rows = unvaccinated_rows(people, day, full=full)
    sheet = LedgerSheet("名单")
    sheet.title(f"{node.name}{UNVACCINATED_LEDGER}", width=len(UNVACCINATED_HEADERS))
    sheet.line(f"截至{format_date(day)}　共{len(rows)}人（3岁以上）", width=len(UNVACCINATED_HEADERS))
    sheet.header(UNVACCINATED_HEADERS, widths=(6, 14, 10, 22, 6, 28, 12, 10))
    sheet.rows(rows, text_columns=(3,))
    content = sheet.save()
    record(
        actor=actor,
        action=Action.EXPORT,
        target=node,
        node_path=node.path,
        request=request,
        ledger=UNVACCINATED_LEDGER,
        rows=len(rows),
        full=full,
        status=status,
        band=band,
    )
    return f"{UNVACCINATED_LEDGER}_{node.name}_{day:%Y%m%d}.xlsx", content


DOSE_HEADERS = (
    "序号",
    "姓名",
    "身份证号",
    "疫苗名称",
    "生产企业",
    "批号",
    "剂次",
    "接种日期",
    "接种单位",
    "备注",
)


def export_doses(
    *, actor, site: Site, date_from: dt.date, date_to: dt.date, full: bool = False, request=None
) -> tuple[str, bytes]:
    """The site's 接种登记表 for a range of days: the same columns the import reads."""
    _check_full(actor, site.node, full)
    doses = (
        scoping.visible_to(actor, Dose.objects.filter(site=site), path_field="person__node__path")
        .filter(given_on__gte=date_from, given_on__lte=date_to)
        .select_related("person")
        .order_by("given_on", "pk")
    )
    products = actions.products_at(site.node)
    rows = []
    for number, d in enumerate(doses, start=1):
        product = products.get(d.product)
        rows.append(
            [
                number,
                d.person.name if full else mask_name(d.person.name),
                d.person.id_number if full else mask_id_number(d.person.id_number),
                product.name if product else d.product,
                d.manufacturer,
                d.lot,
                d.dose_number,
                d.given_on,
                site.name,
                rules.NOT_COUNTED_WORDS.get(d.not_counted, ""),
            ]
        )
    sheet = LedgerSheet("接种登记")
    sheet.title(f"{site.name}{LEDGER}", width=len(DOSE_HEADERS))
    sheet.line(
        f"{format_date(date_from)}至{format_date(date_to)}　共{len(rows)}剂次", width=len(DOSE_HEADERS)
    )
    sheet.header(DOSE_HEADERS, widths=(6, 10, 22, 30, 14, 14, 6, 12, 20, 24))
    sheet.rows(rows, text_columns=(2, 5))
    content = sheet.save()
    record(
        actor=actor,
        action=Action.EXPORT,
        target=site,
        node_path=site.node.path,
        request=request,
        ledger=LEDGER,
        rows=len(rows),
        full=full,
    )
    return f"{LEDGER}_{site.name}_{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx", content


COVERAGE_LEDGER = "新冠病毒疫苗接种率统计表"


def export_coverage(*, actor, node: Jurisdiction, day: dt.date, request=None) -> tuple[str, bytes]:
    _check_full(actor, node, False)
    whole, children = queries.coverage(node, day)
    headers = ["辖区", "实有人口", "首针", "全程", "加强", "首针接种率", "全程接种率", "加强接种率"]
    for code, *_ in rules.AGE_BANDS:
        headers += [f"{queries.band_label(code)}人口", f"{queries.band_label(code)}全程接种率"]
    rows = []
    for row in [*children, whole]:
        name = row.node.name if row is not whole else "合计"
        line = [name, row.total.registered, row.total.first, row.total.full, row.total.booster]
        line += [row.total.pct(m) for m in rules.MILESTONES]
        for code, *_ in rules.AGE_BANDS:
            line += [row.bands[code].registered, row.bands[code].pct("full")]
        rows.append(line)
    sheet = LedgerSheet("接种率")
    sheet.title(f"{node.name}{COVERAGE_LEDGER}", width=len(headers))
    sheet.line(f"截至{format_date(day)}（接种率单位：%）", width=len(headers))
    sheet.header(headers)
    sheet.rows(rows)
    content = sheet.save()
    record(
        actor=actor,
        action=Action.EXPORT,
        target=node,
        node_path=node.path,
        request=request,
        ledger=COVERAGE_LEDGER,
        rows=len(rows),
    )
    return f"{COVERAGE_LEDGER}_{node.name}_{day:%Y%m%d}.xlsx", content
