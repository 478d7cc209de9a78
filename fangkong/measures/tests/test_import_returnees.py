"""Importing the 返乡人员登记表: every row rule, idempotence, all-or-nothing, the CLI's JSON."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fangkong.audit.models import Action, AuditEvent
from fangkong.imports.tests.sheets import STANDARD, id_number, read_back, row, workbook
from fangkong.lib.errors import RuleError
from fangkong.measures import actions as measure_actions
from fangkong.measures import rules
from fangkong.measures.actions import add_rooms, create_site
from fangkong.measures.ledgers import import_returnees, rejected_rows_workbook, source_key
from fangkong.measures.models import Caretaker, Measure, Screening
from fangkong.policy import actions as policy_actions
from fangkong.policy.models import Kind, Reason
from fangkong.policy.queries import policy_for
from fangkong.registry.models import Person

TODAY = timezone.localdate()
RECENT = TODAY - dt.timedelta(days=2)
TITLE = [["前屯村返乡人员登记表"], ["填报单位：前屯村委会"]]


def run(world, data, *, actor=None, node=None, **kwargs):
    return import_returnees(
        actor=actor or world.grid07_worker,
        node=node or world.grid07,
        data=data,
        filename="返乡.xlsx",
        **kwargs,
    )


def one(**values):
    defaults = {"姓名": "张三", "身份证号": id_number(11), "返回时间": f"{RECENT:%Y年%m月%d日}"}
    return row(**(defaults | values))


@pytest.mark.django_db
def test_it_registers_the_person_the_screening_and_the_measure(world):
    data = workbook(
        [
            one(
                序号=1,
                性别="男",
                联系电话="138-1234-5678",
                现住址="前屯村七组5号",
                从何地返回="湖北省武汉市江汉区",
                交通方式及车次="火车 G1234",
                有无发热咳嗽症状="无",
                管控措施="居家隔离",
                包保责任人="七网格员",
                备注="与妻子同行",
            )
        ],
        title_rows=TITLE,
        merges=["A1:M1", "A2:M2"],
    )
    result = run(world, data)
    assert (result.rows, result.created, result.updated, result.unchanged) == (1, 1, 0, 0)
    assert result.rejected == [] and result.warnings == []
    person = Person.objects.get(id_number=id_number(11))
    assert (person.node, person.name, person.phone, person.sex) == (
        world.grid07,
        "张三",
        "13812345678",
        "male",
    )
    assert person.household.address == "前屯村七组5号" and person.residences.count() == 1
    assert person.household.address_key == "前屯村七组0000000005号"  # sorts as 5, not as "5…"
    screening = person.screenings.get()
    assert (screening.reason, screening.arrived_on, screening.node) == (Reason.ARRIVAL, RECENT, world.grid07)
    assert (screening.origin_province, screening.origin_city, screening.origin_county) == (
        "42",
        "4201",
        "420103",
    )
    assert (screening.transport, screening.trip_number) == ("火车", "G1234")
    assert screening.notes == "与妻子同行"
    assert screening.source_key == source_key(person.pk, RECENT)
    measure = person.measures.get()
    assert measure.kind == Kind.HOME_QUARANTINE and measure.screening == screening
    # start_measure semantics: 2020 preset, returnees 14 days of home quarantine counted from the arrival
    assert measure.period_days == 14
    assert measure.planned_end == rules.local_midnight(RECENT + dt.timedelta(days=15))
    assert measure.policy_label.startswith("默认预设")
    assert list(Caretaker.objects.filter(measure=measure).values_list("user__username", "role")) == [
        ("grid07_worker", "grid_worker")
    ]


@pytest.mark.django_db
def test_it_plans_the_same_end_as_start_measure_under_the_policy_in_force(world):
    policy_actions.set_policy(
        actor=world.county_admin,
        node=world.county,
        effective_from=RECENT - dt.timedelta(days=30),
        preset="2021",
    )
    run(world, workbook([one(管控措施="居家健康监测")]))
    imported = Measure.objects.get()
    by_hand = rules.planned_end(
        kind=Kind.HOME_MONITORING,
        reason=Reason.ARRIVAL,
        reference_date=RECENT,
        started_at=imported.started_at,
        policy=policy_for(world.grid07, RECENT).values,
    )
    assert (imported.planned_end, imported.period_days) == by_hand
    assert "2021" in imported.policy_label


@pytest.mark.django_db
def test_it_rejects_rows_without_a_name_a_valid_id_or_with_a_return_date_in_the_future(world):
    rows = [
        one(姓名=None, 身份证号=id_number(11)),  # row 4
        one(姓名="李四", 身份证号="371502199003071234"),  # wrong check digit
        one(姓名="王五", 身份证号=None),
        one(姓名="赵六", 身份证号=id_number(17), 返回时间=f"{TODAY + dt.timedelta(days=3):%Y-%m-%d}"),
        one(姓名="钱七", 身份证号="371502900307123"),  # an old 15-digit number
        one(姓名="孙八", 身份证号=id_number(19)),  # row 9: fine
    ]
    result = run(world, workbook(rows, title_rows=TITLE))
    rejected = {(p.row, p.column) for p in result.rejected}
    assert rejected == {(4, "姓名"), (5, "身份证号"), (6, "身份证号"), (7, "返回时间"), (8, "身份证号")}
    reasons = {p.row: p.reason for p in result.rejected}
    assert "校验位" in reasons[5] and "晚于今天" in reasons[7] and "18位" in reasons[8]
    assert result.created == 1
    assert list(Person.objects.values_list("name", flat=True)) == ["孙八"]


@pytest.mark.django_db
def test_it_rejects_an_id_that_excel_stored_as_a_number(world):
    result = run(world, workbook([one(身份证号=371502199003070000)]))
    assert [(p.row, p.column) for p in result.rejected] == [(2, "身份证号")]
    assert "后几位已丢失" in result.rejected[0].reason


@pytest.mark.django_db
def test_it_imports_with_a_warning_when_the_phone_is_invalid_or_the_sex_disagrees_with_the_id(world):
    rows = [
        one(联系电话="1381234", 性别="男"),
        one(姓名="李秀", 身份证号=id_number(12), 联系电话="+86 139 8765 4321", 性别="男"),
    ]
    result = run(world, workbook(rows))
    assert result.rejected == [] and result.created == 2
    assert {(p.row, p.column) for p in result.warnings} == {(2, "联系电话"), (3, "性别")}
    assert Person.objects.get(name="张三").phone == ""
    li = Person.objects.get(name="李秀")
    assert (li.sex, li.phone) == ("female", "13987654321")  # the ID decides


@pytest.mark.django_db
def test_it_normalises_spaces_full_width_digits_a_lowercase_x_and_every_date_form(world):
    number = "11010519491231002x"
    wide = number.upper().translate({ord("0") + i: ord("０") + i for i in range(10)})
    rows = [
        one(姓名=" 张 三 ", 身份证号=number, 返回时间="2020年1月28日"),
        one(姓名="李四", 身份证号=wide.replace("X", "x"), 返回时间="2020.1.28"),  # same person, later row
        one(姓名="王五", 身份证号=f" {id_number(13)} ", 返回时间="2020/01/28"),
        one(姓名="赵六", 身份证号=id_number(15), 返回时间=43858),
        one(姓名="钱七", 身份证号=id_number(17), 返回时间=dt.datetime(2020, 1, 28)),  # noqa: DTZ001 an Excel cell
    ]
    result = run(world, workbook(rows))
    assert result.rejected == []
    assert sorted(Person.objects.values_list("id_number", flat=True)) == sorted(
        ["11010519491231002X", id_number(13), id_number(15), id_number(17)]
    )
    assert set(Screening.objects.values_list("arrived_on", flat=True)) == {dt.date(2020, 1, 28)}


@pytest.mark.django_db
def test_it_counts_the_same_person_twice_in_the_file_as_one_and_the_later_row_wins(world):
    rows = [
        one(联系电话="13800000001", 现住址="七组1号"),
        one(姓名="李四", 身份证号=id_number(13)),
        one(联系电话="13800000002", 现住址="七组2号"),
    ]
    result = run(world, workbook(rows))
    assert (result.rows, result.created) == (3, 2)
    assert [(p.row, p.column) for p in result.warnings] == [(2, "身份证号")]
    assert "第4行" in result.warnings[0].reason
    zhang = Person.objects.get(name="张三")
    assert (zhang.phone, zhang.household.address) == ("13800000002", "七组2号")


@pytest.mark.django_db
def test_it_skips_blank_total_and_signature_rows_without_reporting_them(world):
    rows = [
        one(序号=1),
        row(序号=2),
        [None] * 13,
        row(序号="合计", 姓名="1人"),
        ["填表人：王五", None, "审核人：赵六"],
    ]
    result = run(world, workbook(rows, title_rows=TITLE))
    assert (result.rows, result.created, result.rejected, result.warnings) == (1, 1, [], [])


@pytest.mark.django_db
def test_it_reports_unknown_columns_and_imports_anyway(world):
    header = [*STANDARD, "工作单位"]
    result = run(
        world, workbook([row(header, 姓名="张三", 身份证号=id_number(11), 工作单位="化肥厂")], header=header)
    )
    assert result.created == 1
    assert [p.as_dict() for p in result.warnings] == [
        {"row": 1, "column": "工作单位", "reason": "无法识别的列，已忽略"}
    ]


@pytest.mark.django_db
def test_importing_the_same_file_again_creates_nothing(world):
    data = workbook([one(管控措施="居家隔离", 现住址="七组5号"), one(姓名="李四", 身份证号=id_number(13))])
    run(world, data)
    counts = (Person.objects.count(), Screening.objects.count(), Measure.objects.count())
    again = run(world, data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert (Person.objects.count(), Screening.objects.count(), Measure.objects.count()) == counts
    assert again.warnings == []


@pytest.mark.django_db
def test_it_updates_a_person_already_registered_in_the_county_instead_of_duplicating(world, people):
    zhang = people["zhang"]
    data = workbook(
        [one(姓名="张伟", 身份证号=zhang.id_number, 联系电话="13911112222", 管控措施="自我健康监测")]
    )
    result = run(world, data)
    assert (result.created, result.updated) == (0, 1)
    zhang.refresh_from_db()
    assert (zhang.phone, zhang.version, zhang.node) == ("13911112222", 2, world.grid07)
    assert Person.objects.filter(id_number=zhang.id_number).count() == 1
    assert zhang.screenings.get().node == world.grid07 and zhang.measures.get().kind == Kind.SELF_MONITORING


@pytest.mark.django_db
def test_it_leaves_a_person_registered_elsewhere_where_they_are_and_adds_the_screening(world, people):
    wang = people["wang"]  # grid 08: the grid-07 worker may not write there
    result = run(world, workbook([one(姓名="王芳", 身份证号=wang.id_number, 联系电话="13700000000")]))
    assert result.updated == 1
    wang.refresh_from_db()
    assert (wang.node, wang.phone) == (world.grid08, "15066668888")
    assert wang.screenings.get().node == world.grid07
    assert "其他辖区" in result.warnings[0].reason


@pytest.mark.django_db
def test_it_does_not_start_a_second_measure_for_someone_already_under_one(world, people):
    measure_actions.start_measure(
        actor=world.grid07_worker, person=people["zhang"], kind=Kind.HOME_MONITORING
    )
    result = run(world, workbook([one(姓名="张伟", 身份证号=people["zhang"].id_number, 管控措施="居家隔离")]))
    assert Measure.objects.filter(person=people["zhang"]).count() == 1
    assert [p.column for p in result.warnings] == ["管控措施"]


@pytest.mark.django_db
def test_it_puts_someone_in_central_quarantine_only_with_a_room_named_in_the_ledger(world):
    site = create_site(actor=world.township_admin, node=world.township, name="如家酒店")
    add_rooms(actor=world.township_admin, site=site, first=305, last=305, capacity=1)
    rows = [
        one(管控措施="集中隔离（如家酒店 305）"),
        one(姓名="李四", 身份证号=id_number(13), 管控措施="集中隔离（如家酒店 305）"),  # the bed is taken
        one(姓名="王五", 身份证号=id_number(15), 管控措施="集中隔离"),
    ]
    result = run(world, workbook(rows), actor=world.township_admin)  # the site is the township's
    assert list(Measure.objects.values_list("person__name", "room__number")) == [("张三", "305")]
    assert [p.row for p in result.warnings if p.column == "管控措施"] == [3, 4]


@pytest.mark.django_db
def test_it_warns_about_a_measure_or_a_caretaker_it_cannot_use(world):
    result = run(world, workbook([one(管控措施="劝返", 包保责任人="不存在的人")]))
    assert result.created == 1 and Measure.objects.count() == 0
    assert "无法识别的管控措施" in result.warnings[0].reason


@pytest.mark.django_db
def test_it_writes_nothing_when_something_fails_midway(world, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    audit_rows = AuditEvent.objects.count()
    monkeypatch.setattr(Measure.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        run(world, workbook([one(管控措施="居家隔离"), one(姓名="李四", 身份证号=id_number(13))]))
    assert (Person.objects.count(), Screening.objects.count()) == (0, 0)
    assert AuditEvent.objects.count() == audit_rows


@pytest.mark.django_db
def test_strict_writes_nothing_when_any_row_is_rejected(world):
    data = workbook([one(), one(姓名=None, 身份证号=id_number(13))])
    result = run(world, data, strict=True)
    assert result.refused and not result.written
    assert (result.created, Person.objects.count()) == (0, 0)
    assert run(world, workbook([one()]), strict=True).created == 1


@pytest.mark.django_db
def test_a_dry_run_says_what_would_happen_and_writes_nothing(world):
    audit_rows = AuditEvent.objects.count()
    result = run(world, workbook([one(管控措施="居家隔离")]), dry_run=True)
    assert result.created == 1 and not result.written
    assert result.plan[0]["changes"] == "新增人员、新增排查、新增措施：居家隔离医学观察"
    assert result.plan[0]["id_number"].count("*") == 8
    assert (Person.objects.count(), AuditEvent.objects.count()) == (0, audit_rows)


@pytest.mark.django_db
def test_it_writes_one_audit_row_per_import(world):
    audit_rows = AuditEvent.objects.count()
    rows = [one(管控措施="居家隔离"), *(one(姓名=f"人{i}", 身份证号=id_number(20 + i)) for i in range(5))]
    run(world, workbook(rows))
    assert AuditEvent.objects.count() == audit_rows + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor, event.node_path) == (
        Action.IMPORT,
        world.grid07_worker,
        world.grid07.path,
    )
    counts = ("rows", "created", "updated", "unchanged", "rejected", "screenings", "measures")
    assert {k: event.detail[k] for k in counts} == dict(zip(counts, [6, 6, 0, 0, 0, 6, 1], strict=True))
    assert event.detail["ledger"] == "返乡人员登记表"


@pytest.mark.django_db
def test_it_refuses_a_node_the_user_may_not_write_or_that_is_not_a_village_or_grid(world):
    with pytest.raises(RuleError):
        run(world, workbook([one()]), actor=world.grid08_worker, node=world.grid07)
    with pytest.raises(RuleError):
        run(world, workbook([one()]), actor=world.grid07_viewer, node=world.grid07)
    with pytest.raises(RuleError):
        run(world, workbook([one()]), actor=world.county_admin, node=world.township)
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_the_rejected_rows_can_be_downloaded_fixed_and_imported_again(world):
    data = workbook([one(), one(姓名="李四", 身份证号="371502199003071234")], title_rows=TITLE)
    assert run(world, data).created == 1
    content = rejected_rows_workbook(data=data, filename="返乡.xlsx")
    sheet = read_back(content)
    header = sheet[1]
    assert header == [*STANDARD, "错误原因"]
    assert len(sheet) == 3
    bad = sheet[2]
    assert bad[1] == "李四" and "第5行" in bad[-1] and "校验位" in bad[-1]
    # the user fixes the number and imports the workbook as it is, reason column and all
    bad[3] = id_number(13)
    fixed = workbook([bad], header=header, title_rows=[[sheet[0][0]]])
    again = run(world, fixed)
    assert (again.created, again.rejected, again.warnings) == (1, [], [])
    assert Person.objects.filter(name="李四").exists()


@pytest.mark.django_db
def test_the_cli_prints_exactly_the_json_shape_with_excel_row_numbers(world, tmp_path):
    path = tmp_path / "返乡人员登记表.xlsx"
    path.write_bytes(
        workbook(
            [one(联系电话="123"), one(姓名=None, 身份证号=id_number(13))], title_rows=TITLE, merges=["A1:M1"]
        )
    )
    out = io.StringIO()
    call_command(
        "import",
        "returnees",
        str(path),
        "--node",
        world.grid07.code,
        "--json",
        "--user",
        "grid07_worker",
        stdout=out,
    )
    printed = json.loads(out.getvalue())
    assert printed == {
        "rows": 2,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": [{"row": 5, "column": "姓名", "reason": "姓名不能为空"}],
        "warnings": [{"row": 4, "column": "联系电话", "reason": printed["warnings"][0]["reason"]}],
    }
    assert "未登记电话" in printed["warnings"][0]["reason"]


@pytest.mark.django_db
def test_the_cli_dry_run_and_strict_write_nothing(world, tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(workbook([one(), one(姓名=None, 身份证号=id_number(13))]))
    common = [str(path), "--node", world.grid07.code, "--user", "grid07_worker", "--json"]
    out = io.StringIO()
    call_command("import", "returnees", *common, "--dry-run", stdout=out)
    assert json.loads(out.getvalue())["created"] == 1
    with pytest.raises(CommandError, match="strict"):
        call_command(
            "import",
            "returnees",
            *common,
            "--strict",
            "--rejected-out",
            str(tmp_path / "bad.xlsx"),
            stdout=io.StringIO(),
        )
    assert Person.objects.count() == 0
    assert read_back((tmp_path / "bad.xlsx").read_bytes())[1][-1] == "错误原因"
    with pytest.raises(CommandError):
        call_command(
            "import",
            "returnees",
            *common[:2],
            "--node",
            world.grid07.code,
            "--user",
            "grid08_worker",
            stdout=io.StringIO(),
        )


@pytest.mark.django_db
def test_a_corrected_ledger_updates_what_the_earlier_import_wrote(world):
    run(world, workbook([one(从何地返回="武汉", 交通方式及车次="火车")]))
    again = run(world, workbook([one(从何地返回="浙江省温州市", 交通方式及车次="火车 G1234")]))
    assert (again.created, again.updated) == (0, 1)
    screening = Screening.objects.get()
    assert (screening.origin_text, screening.origin_city, screening.trip_number) == (
        "浙江省温州市",
        "3303",
        "G1234",
    )


@pytest.mark.django_db
def test_it_matches_a_screening_typed_in_by_hand_and_leaves_it_as_it_was(world, people):
    by_hand = measure_actions.record_screening(
        actor=world.grid07_worker,
        person=people["zhang"],
        reason=Reason.ARRIVAL,
        arrived_on=RECENT,
        origin_text="湖北省武汉市",
        route="经停郑州",
    )
    result = run(world, workbook([one(姓名="张伟", 身份证号=people["zhang"].id_number, 从何地返回="武汉")]))
    assert result.unchanged == 1
    assert list(Screening.objects.values_list("pk", "route")) == [(by_hand.pk, "经停郑州")]
