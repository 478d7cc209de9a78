"""A lab's result sheet (Excel or CSV) in: tube barcode, name, ID number, sampling time, result, Ct values,
with the headers labs use. All or nothing: one rejected row and nothing is written, every problem named
with its row, column and reason in Chinese. Importing the same file again changes nothing."""

from django.db import transaction
from django.utils import timezone

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.imports.reading import Column, read_table
from fangkong.imports.results import ImportResult, write_all
from fangkong.imports.values import NumberLostDigits, code_text, compact, parse_date, text
from fangkong.lib.errors import RuleError
from fangkong.lib.idcard import InvalidIdNumber, parse
from fangkong.lib.masking import mask_name
from fangkong.registry.queries import persons_visible_to

from . import actions, rules
from .models import KeyGroup, KeyGroupMember, Result, Sample, SampleMember

LEDGER = "核酸检测结果"
COLUMNS = (
    Column("number", "序号", ("编号", "no", "no."), content=False),
    Column(
        "tube_code",
        "试管编码",
        (
            "试管条码",
            "试管编号",
            "管码",
            "条码",
            "条码号",
            "样本编号",
            "样本条码",
            "采样管编号",
            "混管编码",
            "tube",
            "tubecode",
            "barcode",
            "tubebarcode",
            "sampleid",
        ),
    ),
    Column("name", "姓名", ("受检者姓名", "受检人", "被采样人", "name")),
    Column(
        "id_number",
        "身份证号",
        ("身份证号码", "证件号码", "证件号", "公民身份号码", "idnumber", "idcard", "id"),
    ),
    Column("sampled_at", "采样时间", ("采集时间", "采样日期", "采集日期", "samplingtime", "sampledat")),
    Column("result", "检测结果", ("结果", "核酸结果", "核酸检测结果", "检验结果", "result")),
    Column(
        "ct_orf1ab",
        "ORF1ab基因Ct值",
        ("ORF1ab", "Ct值(ORF1ab)", "ORF1ab-Ct", "ORF1abCt", "ORF1ab基因", "Ct1", "ct(orf1ab)"),
    ),
    Column("ct_n", "N基因Ct值", ("N", "Ct值(N)", "N-Ct", "NCt", "N基因", "Ct2", "ct(n)")),
)


def import_lab_results(
    *, actor, data: bytes, filename: str, lab: str = "", dry_run: bool = False, request=None
) -> ImportResult:
    table = read_table(data, filename, COLUMNS, required=("tube_code", "result"))
    out = ImportResult(dry_run=dry_run, table=table)
    today = timezone.localdate()
    codes = {}
    for row in table.rows:
        codes[row.number] = compact(table.value(row, "tube_code")).upper()
    samples: dict[str, Sample] = {}
    wanted = sorted(set(filter(None, codes.values())))
    for i in range(0, len(wanted), 5000):
        for s in Sample.objects.filter(tube_code__in=wanted[i : i + 5000]).select_related("node"):
            samples[s.tube_code] = s
    named = {
        codes[r.number]
        for r in table.rows
        if text(table.value(r, "id_number")) or text(table.value(r, "name"))
    }
    members: dict[int, list[tuple[str, str]]] = {}
    named_ids = [samples[c].pk for c in named if c in samples]
    for i in range(0, len(named_ids), 5000):
        for sample_id, id_number, name in SampleMember.objects.filter(
            sample_id__in=named_ids[i : i + 5000]
        ).values_list("sample_id", "person__id_number", "person__name"):
            members.setdefault(sample_id, []).append((id_number.upper(), name))
    writable: dict[int, bool] = {}
    seen: dict[str, tuple[int, str, str]] = {}
    outcomes: dict[str, actions.Outcome] = {}
    for row in table.rows:
        out.rows += 1
        n = row.number
        code = codes[n]
        problems_before = len(out.rejected)
        if not code:
            out.reject(n, table.label("tube_code"), "试管编码不能为空")
            continue
        sample = samples.get(code)
        if sample is None:
            out.reject(n, table.label("tube_code"), f"试管编码{code}没有采样记录")
            continue
        if sample.node_id not in writable:
            writable[sample.node_id] = scoping.can(actor, scoping.WRITE, sample.node)
        if not writable[sample.node_id]:
            out.reject(n, table.label("tube_code"), f"无权登记试管{code}的结果")
            continue
        raw_result = text(table.value(row, "result"))
        result = rules.parse_result(raw_result)
        if result is None:
            out.reject(n, table.label("result"), f"无法识别的检测结果“{raw_result}”，应为阴性、阳性或无效")
        cts = {}
        for key in ("ct_orf1ab", "ct_n"):
            try:
                cts[key] = rules.parse_ct(table.value(row, key))
            except ValueError as exc:
                out.reject(n, table.label(key), f"{exc}（填写为“{text(table.value(row, key))}”）")
        try:
            id_number = code_text(table.value(row, "id_number"), label="身份证号").upper()
        except NumberLostDigits as exc:
            out.reject(n, table.label("id_number"), str(exc))
            id_number = ""
        id_number = compact(id_number).upper()
        name = compact(table.value(row, "name"))
        if id_number or name:
            listed = members.get(sample.pk, [])
            match = (
                [m for m in listed if m[0] == id_number] if id_number else [m for m in listed if m[1] == name]
            )
            if not match:
                column = "id_number" if id_number else "name"
                out.reject(n, table.label(column), f"不在试管{code}的采样名单中")
            elif id_number and name and match[0][1] != name:
                out.reject(n, table.label("name"), "姓名与身份证号不符")
        if table.value(row, "sampled_at") not in (None, ""):
            day, _reason = parse_date(table.value(row, "sampled_at"), today=today)
            if day and day != timezone.localtime(sample.sampled_at).date():
                out.warn(n, table.label("sampled_at"), "采样日期与采样记录不一致，以采样记录为准")
        if code in seen:
            first_row, first_result, first_id = seen[code]
            if result != first_result:
                out.reject(n, table.label("result"), f"试管{code}与第{first_row}行的结果不一致")
            elif not id_number or id_number == first_id:
                out.reject(n, table.label("tube_code"), f"试管编码{code}与第{first_row}行重复")
            continue
        seen[code] = (n, result, id_number)
        if len(out.rejected) > problems_before or result is None:
            continue
        if sample.result == result:
            out.unchanged += 1
        elif sample.result != Result.PENDING:
            out.reject(
                n, table.label("result"), f"该试管已有结果（{sample.get_result_display()}），与本次不符"
            )
        else:
            outcomes[code] = actions.Outcome(sample, result, cts.get("ct_orf1ab"), cts.get("ct_n"))
    out.created = len(outcomes)
    if out.rejected or dry_run:
        return out
    with transaction.atomic():
        actions.record_results(actor=actor, outcomes=list(outcomes.values()), lab=lab, request=request)
        record(
            actor=actor,
            action=Action.IMPORT,
            target=None,
            request=request,
            ledger=LEDGER,
            filename=filename[:100],
            rows=out.rows,
            created=out.created,
            unchanged=out.unchanged,
        )
    out.written = True
    return out


def import_or_raise(**kwargs) -> ImportResult:
    """For the API: the import, or RuleError listing the rejected rows."""
    result = import_lab_results(**kwargs)
    if result.rejected:
        raise RuleError(
            {"file": "；".join(f"第{p.row}行 {p.column}：{p.reason}" for p in result.rejected[:50])}
        )
    return result


# Key-group member lists (重点人群名单) -------------------------------------------------------------------------

KEY_GROUP_LEDGER = "重点人群名单"
KEY_GROUP_COLUMNS = (
    Column("number", "序号", ("编号",), content=False),
    Column("name", "姓名", ("人员姓名", "name")),
    Column("id_number", "身份证号", ("身份证号码", "证件号码", "公民身份号码", "idnumber")),
    Column("group", "重点人群", ("人群类别", "人员类别", "类别", "行业", "从业类别", "group")),
    Column("since", "纳入日期", ("纳入时间", "登记日期", "日期", "since")),
    Column("workplace", "工作单位", ("单位", "单位名称"), content=False),
)


def import_key_group_members(
    *, actor, node, data: bytes, filename: str, dry_run: bool = False, request=None
) -> ImportResult:
    """A member list of the people registered under `node`: each row puts a person (found by ID number,
    the name checked against it) into a key group. A member already in the group is unchanged; one
    removed before is put back (updated). All or nothing; the same list again changes nothing."""
    scoping.require(actor, scoping.WRITE, node, "无权为该辖区导入重点人群名单", field="node")
    table = read_table(data, filename, KEY_GROUP_COLUMNS, required=("id_number", "group"))
    result = ImportResult(dry_run=dry_run, table=table)
    today = timezone.localdate()
    labels = {code: str(label) for code, label in KeyGroup.choices}
    numbers: dict[int, str] = {}
    for row in table.rows:
        try:
            numbers[row.number] = parse(code_text(table.value(row, "id_number"), label="身份证号")).normalized
        except (InvalidIdNumber, NumberLostDigits):
            pass
    people = {}
    visible = persons_visible_to(actor).filter(node__path__startswith=node.path).select_related("node")
    wanted = sorted(set(numbers.values()))
    for i in range(0, len(wanted), 500):
        for person in visible.filter(id_number__in=wanted[i : i + 500]):
            people[person.id_number] = person
    existing = {
        (m.person_id, m.group): m for m in KeyGroupMember.objects.filter(person__in=list(people.values()))
    }
    planned, seen = [], {}
    for row in table.rows:
        result.rows += 1
        n, before = row.number, len(result.rejected)
        person = None
        try:
            number = parse(
                code_text(table.value(row, "id_number"), label=table.label("id_number"))
            ).normalized
        except (InvalidIdNumber, NumberLostDigits) as exc:
            result.reject(n, table.label("id_number"), str(exc))
        else:
            person = people.get(number)
            name = compact(table.value(row, "name"))
            if person is None:
                result.reject(
                    n, table.label("id_number"), f"{node.name}未登记该身份证号的人员，请先在实有人口中登记"
                )
            elif name and name != person.name:
                result.reject(
                    n, table.label("name"), f"与该身份证号登记的姓名（{mask_name(person.name)}）不一致"
                )
        group = rules.key_group_of(text(table.value(row, "group")), labels)
        if group is None:
            result.reject(n, table.label("group"), f"无法识别的重点人群，应为：{'、'.join(labels.values())}")
        since = today
        try:
            day, note = parse_date(table.value(row, "since"), today=today)
        except ValueError as exc:
            result.reject(n, table.label("since"), str(exc))
        else:
            if day is not None and day > today:
                result.reject(n, table.label("since"), "纳入日期晚于今天，请核对")
            since = day or today
            if note:
                result.warn(n, table.label("since"), note)
        if len(result.rejected) > before:
            continue
        if (person.pk, group) in seen:
            result.reject(n, table.label("id_number"), f"与第{seen[person.pk, group]}行重复")
            continue
        seen[person.pk, group] = n
        member = existing.get((person.pk, group))
        if member is not None and member.active:
            result.unchanged += 1
            continue
        if member is None:
            result.created += 1
        else:
            result.updated += 1
        result.plan.append({"row": n, "person": mask_name(person.name), "group": labels[group]})
        planned.append((person, group, since))

    def write():
        for person, group, since in planned:
            actions.add_to_key_group(actor=actor, person=person, group=group, since=since, request=request)

    return write_all(
        result,
        actor=actor,
        target=node,
        node_path=node.path,
        ledger=KEY_GROUP_LEDGER,
        filename=filename,
        request=request,
        write=write,
    )
