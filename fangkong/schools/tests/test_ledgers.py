import datetime as dt
import io

from openpyxl import load_workbook

from fangkong.lib.idcard import make
from fangkong.schools import actions, ledgers
from fangkong.schools.models import Member, SchoolClass
from fangkong.schools.rules import ABSENT_ILLNESS, SYMPTOMATIC, Mark

from .conftest import DAY

ID1 = make("371502", dt.date(2012, 5, 1), 11)
ID2 = make("371502", dt.date(2012, 7, 9), 22)


def _csv(rows: list[str]) -> bytes:
    return (
        "\n".join(["三年级一班花名册", "序号,年级,班级,学生姓名,性别,身份证号码,家长电话", *rows]) + "\n"
    ).encode()


GOOD = [f"1,三年级,1班,李明,男,{ID1},13800000001", f"2,三年级,1班,王红,女,{ID2},", "3,三年级,2班,赵强,男,,"]


def test_a_class_list_is_imported_once_however_often(world, people, school):
    result = ledgers.import_roster(
        actor=world.county_admin, school=school, data=_csv(GOOD), filename="班级.csv"
    )
    assert result.written and (result.created, result.rejected) == (3, [])
    assert SchoolClass.objects.filter(school=school).count() == 2
    assert SchoolClass.objects.get(name="1班").grade_order == 3
    again = ledgers.import_roster(
        actor=world.county_admin, school=school, data=_csv(GOOD), filename="班级.csv"
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Member.objects.filter(school=school).count() == 3
    # A pupil moved to class 2: an update of the same member.
    moved = [GOOD[0].replace("1班", "2班"), *GOOD[1:]]
    third = ledgers.import_roster(
        actor=world.county_admin, school=school, data=_csv(moved), filename="班级.csv"
    )
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    assert Member.objects.get(id_number=ID1).school_class.name == "2班"


def test_one_bad_row_writes_nothing_and_says_where(world, school):
    bad = [
        *GOOD,
        "4,三年级,1班,钱多,男,371502201205011234,",
        "5,,,孙五,男,,",
        "6,三年级,1班,,男,,",
        f"7,三年级,1班,周六,男,{ID1},",
    ]
    result = ledgers.import_roster(
        actor=world.county_admin, school=school, data=_csv(bad), filename="班级.csv"
    )
    assert not result.written and Member.objects.count() == 0 and SchoolClass.objects.count() == 0
    problems = {(p.row, p.column) for p in result.rejected}
    assert problems == {(6, "身份证号码"), (7, "年级"), (8, "学生姓名"), (9, "身份证号码")}
    assert any("校验位" in p.reason for p in result.rejected if p.row == 6)
    assert any("第3行" in p.reason for p in result.rejected if p.row == 9)


def test_the_check_ledger_has_the_sheet_columns(world, teacher, klass, pupils):
    actions.submit_check(
        actor=teacher,
        school_class=klass,
        day=DAY,
        slot="morning",
        marks=[
            Mark(pupils[0].pk, ABSENT_ILLNESS),
            Mark(pupils[1].pk, SYMPTOMATIC, ("cough",), None, True, "感冒"),
        ],
    )
    actions.submit_check(actor=teacher, school_class=klass, day=DAY, slot="noon")
    name, content = ledgers.export_checks(actor=teacher, school=klass.school, start=DAY, end=DAY)
    ws = load_workbook(io.BytesIO(content)).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header = rows[2]
    assert header[:9] == [
        "日期",
        "时段",
        "年级",
        "班级",
        "应到",
        "实到",
        "因病缺勤人数",
        "症状人数",
        "零报告",
    ]
    body = rows[3:]
    assert body[0][4:8] == [45, 44, 1, 1] and body[0][9] == "学生01"
    assert body[1][9] == "学生02" and body[1][11] == "咳嗽" and body[1][13] == "是" and body[1][14] == "感冒"
    assert body[2][1] == "午检" and body[2][8] == "是" and body[2][5] == 45
