"""The Excel exports: 返乡人员登记表 for a node and the per-person 体温检测登记表, scoped, masked unless
revealing is allowed and asked for, audited either way; read back with openpyxl."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from fangkong.audit.models import Action, AuditEvent
from fangkong.imports.tests.sheets import STANDARD, id_number, read_back, row, workbook
from fangkong.imports.values import format_date
from fangkong.measures import actions as measure_actions
from fangkong.measures import rules
from fangkong.measures.ledgers import EXPORT_COLUMNS, import_returnees
from fangkong.measures.models import CaretakerRole
from fangkong.policy.models import Kind, Reason

TODAY = timezone.localdate()
RECENT = TODAY - dt.timedelta(days=2)
HEADER = [*STANDARD, "出发时间", "途经地"]


def imported(world, actor, node, *rows):
    data = workbook([row(返回时间=f"{RECENT:%Y-%m-%d}", **values) for values in rows])
    return import_returnees(actor=actor, node=node, data=data, filename="l.xlsx")


@pytest.fixture
def ledgers(world):
    imported(
        world,
        world.grid07_worker,
        world.grid07,
        {
            "姓名": "张三",
            "身份证号": id_number(11),
            "联系电话": "13812345678",
            "现住址": "七组5号",
            "从何地返回": "湖北省武汉市",
            "交通方式及车次": "火车 G1234",
            "管控措施": "居家隔离",
            "包保责任人": "七网格员",
        },
        {"姓名": "李四", "身份证号": id_number(13), "有无发热咳嗽症状": "咳嗽"},
    )
    imported(world, world.grid08_worker, world.grid08, {"姓名": "王五", "身份证号": id_number(15)})


def export(client, user, node, **params):
    client.force_login(user)
    return client.get(reverse("export_returnees"), {"node": node.code, **params})


@pytest.mark.django_db
def test_it_exports_the_ledger_of_a_node_with_the_standard_columns_in_order(client, world, ledgers):
    response = export(client, world.grid07_worker, world.grid07)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = read_back(response.content)
    assert sheet[0][0] == "第七网格返乡人员登记表"
    assert format_date(TODAY) in sheet[1][0]
    assert sheet[2] == HEADER and len(EXPORT_COLUMNS) == len(HEADER)
    people = {r[1]: dict(zip(HEADER, r, strict=True)) for r in sheet[3:]}
    assert set(people) == {"张三", "李四"}  # 王五 is grid 08's
    zhang = people["张三"]
    assert zhang["身份证号"] == id_number(11)[:6] + "********" + id_number(11)[-4:]
    assert zhang["联系电话"] == "138****5678"
    assert (zhang["性别"], zhang["现住址"], zhang["从何地返回"]) == ("男", "七组5号", "湖北省武汉市")
    assert zhang["返回时间"].date() == RECENT
    assert (zhang["交通方式及车次"], zhang["管控措施"]) == ("火车 G1234", "居家隔离医学观察")
    assert zhang["包保责任人"] == "七网格员（网格员）" and zhang["有无发热咳嗽症状"] == "无"
    assert people["李四"]["有无发热咳嗽症状"] == "咳嗽"  # as the ledger said


@pytest.mark.django_db
def test_a_township_export_covers_the_subtree(client, world, ledgers):
    sheet = read_back(export(client, world.township_admin, world.township).content)
    assert {r[1] for r in sheet[3:]} == {"张三", "李四", "王五"}


@pytest.mark.django_db
def test_full_numbers_only_for_users_who_may_reveal_and_ask_and_every_export_is_audited(
    client, world, ledgers
):
    before = AuditEvent.objects.filter(action=Action.EXPORT).count()
    sheet = read_back(export(client, world.grid07_worker, world.grid07, full="1").content)
    assert {r[3] for r in sheet[3:]} == {id_number(11), id_number(13)}
    assert export(client, world.grid07_viewer, world.grid07, full="1").status_code == 403
    masked = read_back(export(client, world.grid07_viewer, world.grid07).content)
    assert all("*" in r[3] for r in masked[3:])
    events = list(AuditEvent.objects.filter(action=Action.EXPORT).order_by("id"))[before:]
    assert [(e.actor.username, e.detail["full"], e.detail["rows"]) for e in events] == [
        ("grid07_worker", True, 2),
        ("grid07_viewer", False, 2),
    ]
    assert all(e.node_path == world.grid07.path for e in events)


@pytest.mark.django_db
def test_grid08_worker_cannot_export_grid07(client, world, ledgers, tmp_path):
    assert export(client, world.grid08_worker, world.grid07).status_code == 404
    assert export(client, world.outsider, world.grid07).status_code == 404
    with pytest.raises(CommandError, match="不在您的辖区"):
        call_command(
            "export",
            "returnees",
            "--node",
            world.grid07.code,
            "--out",
            str(tmp_path / "x.xlsx"),
            "--user",
            "grid08_worker",
            stdout=io.StringIO(),
        )
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.django_db
def test_the_cli_writes_the_same_ledger(world, ledgers, tmp_path):
    out = tmp_path / "ledger.xlsx"
    call_command(
        "export",
        "returnees",
        "--node",
        world.village.code,
        "--out",
        str(out),
        "--user",
        "county_admin",
        stdout=io.StringIO(),
    )
    sheet = read_back(out.read_bytes())
    assert sheet[0][0] == "前屯村委会返乡人员登记表" and len(sheet) == 6


@pytest.mark.django_db
def test_an_export_with_full_numbers_imports_back_unchanged(client, world, ledgers):
    content = export(client, world.grid07_worker, world.grid07, full="1").content
    again = import_returnees(
        actor=world.grid07_worker, node=world.grid07, data=content, filename="export.xlsx"
    )
    assert (again.rows, again.created, again.updated, again.unchanged, again.rejected) == (2, 0, 0, 2, [])


@pytest.fixture
def monitored(world, people):
    """张伟 back from Wuhan three days ago, in home quarantine, with two follow-ups and a test."""
    arrived = TODAY - dt.timedelta(days=3)
    start = rules.local_midnight(arrived) + dt.timedelta(hours=9)
    worker = world.grid07_worker
    screening = measure_actions.record_screening(
        actor=worker,
        person=people["zhang"],
        reason=Reason.ARRIVAL,
        arrived_on=arrived,
        origin_text="湖北省武汉市",
    )
    measure = measure_actions.start_measure(
        actor=worker, person=people["zhang"], kind=Kind.HOME_QUARANTINE, screening=screening, started_at=start
    )
    measure_actions.assign_caretaker(
        actor=worker, measure=measure, user=worker, role=CaretakerRole.GRID_WORKER
    )
    day1 = rules.local_midnight(arrived + dt.timedelta(days=1))
    measure_actions.record_follow_up(
        actor=worker, measure=measure, temperature="36.5", taken_at=day1 + dt.timedelta(hours=8)
    )
    measure_actions.record_follow_up(
        actor=worker,
        measure=measure,
        temperature="37.6",
        symptoms=["干咳"],
        taken_at=day1 + dt.timedelta(hours=18),
    )
    measure_actions.record_test_result(
        actor=worker, person=people["zhang"], sampled_at=day1 + dt.timedelta(hours=10), outcome="negative"
    )
    return measure


@pytest.mark.django_db
def test_the_temperature_sheet_has_the_header_block_and_one_row_per_day(client, world, people, monitored):
    client.force_login(world.grid07_worker)
    response = client.get(reverse("export_temperature", args=[monitored.pk]))
    assert response.status_code == 200
    sheet = read_back(response.content)
    assert sheet[0][0] == "居家隔离人员体温检测登记表"
    block = {r[0]: r[1] for r in sheet[1:7]}
    assert list(block) == ["姓名", "身份证号", "住址", "管控类型与原因", "观察起止日期", "包保人员"]
    assert block["姓名"] == "张伟" and "*" in block["身份证号"] and block["住址"] == "前屯村七组12号"
    assert block["管控类型与原因"] == "居家隔离医学观察（外地返乡（来返）：湖北省武汉市）"
    assert block["包保人员"] == "七网格员（网格员）"
    assert sheet[7][:7] == ["日期", "第N天", "上午体温", "下午体温", "症状", "核酸采样与结果", "监测人"]
    days = sheet[8:]
    arrived = TODAY - dt.timedelta(days=3)
    assert len(days) == 15  # arrival day, then 14 days of quarantine (2020 preset)
    assert [d[0].date() for d in days] == [arrived + dt.timedelta(days=i) for i in range(15)]
    assert block["观察起止日期"] == f"{format_date(arrived)}至{format_date(arrived + dt.timedelta(days=14))}"
    first = days[1]
    assert first[1:] == ["第1天", 36.5, 37.6, "干咳", "10:00采样，阴性", "七网格员"]
    assert days[2][2:5] == [None, None, None]


@pytest.mark.django_db
def test_the_temperature_sheet_is_scoped_and_audited(client, world, monitored, tmp_path):
    client.force_login(world.grid08_worker)
    assert client.get(reverse("export_temperature", args=[monitored.pk])).status_code == 404
    before = AuditEvent.objects.filter(action=Action.EXPORT).count()
    call_command(
        "export",
        "temperature",
        "--measure",
        str(monitored.pk),
        "--out",
        str(tmp_path / "t.xlsx"),
        "--user",
        "grid07_worker",
        "--full",
        stdout=io.StringIO(),
    )
    assert read_back((tmp_path / "t.xlsx").read_bytes())[2][1] == monitored.person.id_number
    event = AuditEvent.objects.filter(action=Action.EXPORT).latest("id")
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == before + 1
    assert (event.target_type, event.target_id, event.detail["full"]) == ("Measure", str(monitored.pk), True)


@pytest.mark.django_db
def test_a_fever_at_a_follow_up_shows_as_symptoms_in_the_ledger(client, world, monitored):
    sheet = read_back(export(client, world.grid07_worker, world.grid07).content)
    assert [(r[1], r[9]) for r in sheet[3:]] == [("张伟", "有")]


@pytest.mark.django_db
def test_the_export_form_picks_the_users_only_node_and_refuses_an_empty_choice_with_a_form_error(
    client, world, ledgers
):
    client.force_login(world.grid07_worker)
    form = client.get(reverse("export_returnees")).context["form"]
    assert form["node"].value() == world.grid07.code
    response = client.get(reverse("export_returnees"), {"node": ""})
    assert response.status_code == 200 and "attachment" not in response.get("Content-Disposition", "")
    assert response.context["form"].errors["node"] == ["请选择辖区"]
    assert "请选择辖区" in response.content.decode()
    client.force_login(world.township_admin)
    assert client.get(reverse("export_returnees")).context["form"]["node"].value() == world.township.code
