"""发热门诊就诊登记表 in (DOMAIN.md §17): one row per clinic and day — 日期、发热门诊、就诊人次 — under the
usual variants of their names. The clinics are those of the area the importer may write for, by name. All or
nothing: one bad row (a bad date or one in the future, an unknown clinic, a count that is not a whole number
≥ 0, the same clinic twice on one day) and nothing is written. An empty count is a day not reported and is
skipped (never 0). Importing the same sheet again changes nothing; a changed count replaces the old one."""

from django.db import transaction
from django.utils import timezone

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.imports.reading import Column, read_table
from fangkong.imports.results import ImportResult
from fangkong.imports.values import parse_date, text
from fangkong.lib.errors import RuleError

from . import actions
from .models import ClinicVisits, EntrySource, FeverClinic

LEDGER = "发热门诊就诊登记表"
COLUMNS = [
    Column("number", "序号", ("编号", "No"), content=False),
    Column("day", "日期", ("就诊日期", "统计日期", "报告日期")),
    Column("clinic", "发热门诊", ("门诊名称", "医疗机构", "机构名称", "哨点", "发热哨点", "单位")),
    Column("visits", "就诊人次", ("发热门诊就诊人次", "就诊人数", "人次", "接诊人次", "发热病人数")),
]
REQUIRED = ("day", "clinic", "visits")


def import_visits(
    *, actor, node: Jurisdiction, data: bytes, filename: str, dry_run: bool = False, request=None, today=None
) -> ImportResult:
    if not scoping.can(actor, scoping.WRITE, node):
        raise RuleError({"node": "无权为该辖区导入发热门诊就诊"}, code="forbidden")
    today = today or timezone.localdate()
    table = read_table(data, filename, COLUMNS, required=REQUIRED)
    result = ImportResult(rows=len(table.rows), dry_run=dry_run, table=table)
    clinics = {c.name: c for c in FeverClinic.objects.filter(node__path__startswith=node.path, active=True)}
    rows, seen = [], {}
    for row in table.rows:
        raw_count = text(table.value(row, "visits"))
        name = text(table.value(row, "clinic"))
        try:
            day, _note = parse_date(table.value(row, "day"), today=today)
        except ValueError as exc:
            result.reject(row.number, table.label("day"), str(exc))
            continue
        if day is None:
            result.reject(row.number, table.label("day"), "日期不能为空")
            continue
        if day > today:
            result.reject(row.number, table.label("day"), "日期不能晚于今天")
            continue
        clinic = clinics.get(name)
        if clinic is None:
            result.reject(row.number, table.label("clinic"), f"本辖区没有名为“{name}”的发热门诊，请先添加")
            continue
        if raw_count == "":
            continue  # not reported that day
        try:
            visits = int(raw_count)
            if visits < 0 or str(visits) != raw_count:
                raise ValueError
        except ValueError:
            result.reject(row.number, table.label("visits"), "就诊人次应为不小于0的整数")
            continue
        if (clinic.pk, day) in seen:
            result.reject(
                row.number, table.label("clinic"), f"与第{seen[(clinic.pk, day)]}行重复（同一门诊同一天）"
            )
            continue
        seen[(clinic.pk, day)] = row.number
        rows.append((clinic, day, visits))
    with transaction.atomic():
        if result.rejected:
            return result
        existing = {
            (r.clinic_id, r.day): r.visits
            for r in ClinicVisits.objects.filter(
                clinic__in=[c for c, _d, _v in rows], day__in={d for _c, d, _v in rows}
            )
        }
        for clinic, day, visits in rows:
            before = existing.get((clinic.pk, day))
            if before == visits:
                result.unchanged += 1
                continue
            if before is None:
                result.created += 1
            else:
                result.updated += 1
            if not dry_run:
                actions.record_visits(
                    actor=actor,
                    clinic=clinic,
                    day=day,
                    visits=visits,
                    source=EntrySource.IMPORT,
                    request=request,
                )
    result.written = not dry_run
    return result
