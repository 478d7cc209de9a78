"""The class lists in and the 学校晨午检记录表 out (DOMAIN.md §11), through imports/.

Roster import: a class list (Excel or CSV) with 年级、班级、姓名、性别、身份证号、联系电话 (and 类别: 学生 or
教职工), under the usual variants of their names. A row names a class of the school; a class not yet there
is created. All or nothing: one bad row (no name, a bad ID number, a pupil without grade or class, the same
ID number twice) and nothing is written, with the row, the column as the file heads it and the reason.
Importing the same list again adds nobody: a row is the member with the same ID number in the school, else
the one with the same name in the same class (staff: in the school)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.imports.reading import Column, read_table
from fangkong.imports.results import ImportResult
from fangkong.imports.values import code_text, text
from fangkong.imports.writing import LedgerSheet
from fangkong.lib.errors import RuleError

from . import actions, queries, rules
from .models import Check, Member, MemberKind, School, SchoolClass

ROSTER = "班级花名册"
ROSTER_COLUMNS = [
    Column("number", "序号", ("编号", "No"), content=False),
    Column("grade", "年级", ("所在年级",)),
    Column("class", "班级", ("班别", "所在班级", "班")),
    Column("name", "姓名", ("学生姓名", "幼儿姓名", "教职工姓名")),
    Column("sex", "性别", ()),
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "证件号码", "学生身份证号")),
    Column("phone", "联系电话", ("家长电话", "监护人电话", "手机号码", "电话")),
    Column("kind", "类别", ("人员类别", "身份")),
]
KIND_WORDS = {
    "学生": MemberKind.PUPIL,
    "幼儿": MemberKind.PUPIL,
    "教职工": MemberKind.STAFF,
    "教师": MemberKind.STAFF,
    "老师": MemberKind.STAFF,
    "职工": MemberKind.STAFF,
    "": MemberKind.PUPIL,
}


def _grade_order(grade: str) -> int:
    for n, word in enumerate("一二三四五六七八九", start=1):
        if grade.startswith(word):
            return n
    for n, word in enumerate(("小班", "中班", "大班"), start=1):
        if word in grade:
            return n
    return 0


def import_roster(
    *, actor, school: School, data: bytes, filename: str, dry_run: bool = False, request=None
) -> ImportResult:
    if not queries.can_write(actor, school):
        raise RuleError({"file": "无权导入该学校的花名册"}, code="forbidden")
    table = read_table(data, filename, ROSTER_COLUMNS, required=["name"])
    result = ImportResult(rows=len(table.rows), dry_run=dry_run, table=table)
    lines = []
    seen_ids: dict[str, int] = {}
    for row in table.rows:
        value = lambda key, row=row: table.value(row, key)  # noqa: E731
        kind_word = text(value("kind"))
        kind = KIND_WORDS.get(kind_word)
        if kind is None:
            result.reject(row.number, table.label("kind"), f"类别“{kind_word}”应为学生或教职工")
            continue
        grade, klass = text(value("grade")), text(value("class"))
        if kind == MemberKind.PUPIL and not (grade and klass):
            result.reject(row.number, table.label("grade" if not grade else "class"), "学生须填写年级和班级")
            continue
        try:
            raw_id = (
                code_text(value("id_number"), label=table.label("id_number")) if value("id_number") else ""
            )
        except ValueError as exc:
            result.reject(row.number, table.label("id_number"), str(exc))
            continue
        try:
            fields = actions.clean_member(name=text(value("name")), id_number=raw_id, sex=text(value("sex")))
        except RuleError as exc:
            for key, reason in exc.errors.items():
                result.reject(row.number, table.label(key), reason)
            continue
        if fields["id_number"]:
            if fields["id_number"] in seen_ids:
                result.reject(
                    row.number, table.label("id_number"), f"与第{seen_ids[fields['id_number']]}行身份证号重复"
                )
                continue
            seen_ids[fields["id_number"]] = row.number
        lines.append((row.number, kind, grade, klass, fields, text(value("phone"))))
    with transaction.atomic():
        if not result.rejected:
            _write(actor, school, lines, result)
        if dry_run or result.rejected:
            transaction.set_rollback(True)
            return result
        record(
            actor=actor,
            action=Action.IMPORT,
            target=school,
            node_path=school.node.path,
            request=request,
            ledger=ROSTER,
            filename=filename,
            created=result.created,
            updated=result.updated,
        )
    result.written = True
    return result


def _write(actor, school: School, lines: list, result: ImportResult) -> None:
    classes = {(c.grade, c.name): c for c in SchoolClass.objects.filter(school=school)}
    members = list(Member.objects.filter(school=school))
    by_id = {m.id_number: m for m in members if m.id_number}
    by_name = {(m.school_class_id, m.kind, m.name): m for m in members}
    for _number, kind, grade, klass, fields, phone in lines:
        school_class = None
        if kind == MemberKind.PUPIL:
            school_class = classes.get((grade, klass))
            if school_class is None:
                school_class = classes[(grade, klass)] = SchoolClass.objects.create(
                    school=school, grade=grade, name=klass, grade_order=_grade_order(grade)
                )
        member = by_id.get(fields["id_number"]) or by_name.get(
            (school_class.pk if school_class else None, kind, fields["name"])
        )
        if member is None:
            member = Member.objects.create(
                school=school,
                school_class=school_class,
                kind=kind,
                guardian_phone=phone,
                person=actions._person_for(fields["id_number"]),
                **fields,
            )
            by_name[(member.school_class_id, kind, member.name)] = member
            result.created += 1
            continue
        new = {
            "school_class_id": school_class.pk if school_class else None,
            "name": fields["name"],
            "sex": fields["sex"] or member.sex,
            "id_number": fields["id_number"] or member.id_number,
            "guardian_phone": phone or member.guardian_phone,
            "active": True,
        }
        if all(getattr(member, k) == v for k, v in new.items()):
            result.unchanged += 1
            continue
        for k, v in new.items():
            setattr(member, k, v)
        if member.person_id is None:
            member.person = actions._person_for(member.id_number)
        member.save()
        result.updated += 1


# The check ledger out -------------------------------------------------------------------------------------

LEDGER = "学校晨午检记录表"
HEADERS = [
    "日期",
    "时段",
    "年级",
    "班级",
    "应到",
    "实到",
    "因病缺勤人数",
    "症状人数",
    "零报告",
    "姓名",
    "情况",
    "症状",
    "体温",
    "是否就诊",
    "诊断",
    "填报人",
]


def ledger_rows(checks) -> list[list]:
    """One row per check with its counts; under it one row per marked pupil (姓名、症状、是否就诊、诊断)."""
    rows = []
    for check in checks:
        head = [
            check.day,
            check.get_slot_display(),
            check.school_class.grade,
            check.school_class.name,
            check.enrolled,
            check.present,
            check.absent_illness,
            check.symptomatic,
            "是" if check.zero_report else "",
        ]
        who = check.submitted_by.first_name if check.submitted_by_id else ""
        entries = sorted(check.entries.all(), key=lambda e: e.member_id)
        if not entries:
            rows.append([*head, "", "", "", "", "", "", who])
        for e in entries:
            rows.append(
                [
                    *head,
                    e.member.name,
                    e.get_status_display(),
                    "、".join(rules.SYMPTOMS[s] for s in e.symptoms if s in rules.SYMPTOMS),
                    float(e.temperature) if e.temperature is not None else "",
                    "是" if e.saw_doctor else "否",
                    e.diagnosis,
                    who,
                ]
            )
            head = ["", "", "", "", "", "", "", "", ""]
    return rows


def export_checks(*, actor, school: School, start: dt.date, end: dt.date, request=None) -> tuple[str, bytes]:
    if not queries.schools_visible_to(actor).filter(pk=school.pk).exists():
        raise RuleError({"school": "无权导出该学校的记录"}, code="forbidden")
    checks = (
        Check.objects.filter(school=school, day__gte=start, day__lte=end)
        .select_related("school_class", "submitted_by")
        .prefetch_related("entries__member")
        .order_by("day", "slot", "school_class__grade_order", "school_class__grade", "school_class__name")
    )
    rows = ledger_rows(checks)
    sheet = LedgerSheet(LEDGER)
    sheet.title(f"{school.name}{LEDGER}", width=len(HEADERS))
    sheet.line(
        f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}　导出日期：{timezone.localdate():%Y-%m-%d}", width=len(HEADERS)
    )
    sheet.header(HEADERS)
    sheet.rows(rows)
    content = sheet.save()
    record(
        actor=actor,
        action=Action.EXPORT,
        target=school,
        node_path=school.node.path,
        request=request,
        ledger=LEDGER,
        rows=len(rows),
    )
    return f"{LEDGER}_{school.name}_{start:%Y%m%d}-{end:%Y%m%d}.xlsx", content
