"""Importing a site's 接种登记表: header variants, messy dates and products, people not found or whose
name and ID disagree — every problem a row error in Chinese with its row and column, nothing written
while one remains; the same file twice records each dose once."""

import datetime as dt

import pytest

from fangkong.audit.models import Action, AuditEvent
from fangkong.imports.tests.sheets import workbook
from fangkong.lib.errors import RuleError
from fangkong.lib.idcard import make
from fangkong.vaccination import ledgers
from fangkong.vaccination.models import Dose
from fangkong.vaccination.tests.conftest import days_ago

HEADER = ["序号", "受种者姓名", "公民身份号码", "疫苗品种", "生产厂家", "疫苗批号", "针次", "接种时间"]


def csv_bytes(rows, header=HEADER) -> bytes:
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    return ("\n".join(lines) + "\n").encode("gbk")


def _wrong_check() -> str:
    good = make("371502", dt.date(1990, 1, 1), 123)
    return good[:17] + ("1" if good[17] != "1" else "2")


@pytest.fixture
def ledger(people):
    zhang, li, wang = people["zhang"], people["li"], people["wang"]
    first, second = days_ago(60), days_ago(30)
    return [
        [
            1,
            "张伟",
            zhang.id_number,
            "新冠病毒灭活疫苗（Vero细胞）",
            "北京生物",
            "202104A",
            "第一针",
            f"{first:%Y.%m.%d}",
        ],
        [
            2,
            "张伟",
            zhang.id_number,
            "新冠疫苗",
            "北京生物",
            "202105B",
            "2",
            f"{second.year}年{second.month}月{second.day}日",
        ],
        [3, "李秀英", li.id_number, "", "康希诺", "NCOV210", "1", second],
        [4, "王芳", wang.id_number, "智克威得", "", "", "1", f"{first:%Y%m%d}"],
    ]


def test_it_imports_a_ledger_with_header_variants_and_messy_cells(world, site, people, ledger):
    data = workbook(ledger, header=HEADER, title_rows=[["梁水镇卫生院新冠病毒疫苗接种登记表"]])
    result = ledgers.import_doses(actor=world.county_admin, site=site, data=data, filename="接种.xlsx")
    assert result.rejected == [] and result.written and result.created == 4
    zhang = people["zhang"]
    doses = list(Dose.objects.filter(person=zhang).order_by("given_on"))
    assert [(d.product, d.dose_number, d.reaches_first, d.reaches_full) for d in doses] == [
        ("bibp", 1, True, False),
        ("bibp", 2, False, True),
    ]
    assert Dose.objects.get(person=people["li"]).reaches_full  # one Ad5 dose
    assert not Dose.objects.get(person=people["wang"]).reaches_full  # one of three
    assert AuditEvent.objects.filter(action=Action.IMPORT, target_type="Site").count() == 1


def test_the_same_file_twice_records_each_dose_once(world, site, people, ledger):
    data = csv_bytes(ledger)
    ledgers.import_doses(actor=world.county_admin, site=site, data=data, filename="接种.csv")
    again = ledgers.import_doses(actor=world.county_admin, site=site, data=data, filename="接种.csv")
    assert again.created == 0 and again.unchanged == 4
    assert Dose.objects.count() == 4


def test_a_dose_typed_in_and_then_imported_is_one_dose(world, site, people, ledger):
    from fangkong.vaccination import actions

    actions.record_dose(
        actor=world.county_admin, person=people["li"], site=site, product="ad5", given_on=days_ago(30)
    )
    result = ledgers.import_doses(
        actor=world.county_admin, site=site, data=csv_bytes(ledger), filename="接种.csv"
    )
    assert result.created == 3 and result.unchanged == 1


def test_every_bad_row_is_named_and_nothing_is_written(world, site, people, ledger):
    zhang, li = people["zhang"], people["li"]
    bad = [
        *ledger,
        [5, "张三", zhang.id_number, "", "北京生物", "", "3", days_ago(1)],  # name ≠ ID
        [6, "赵六", _wrong_check(), "", "北京生物", "", "1", days_ago(1)],  # check digit
        [7, "钱七", make("110101", dt.date(1990, 3, 7), 777), "", "北京生物", "", "1", days_ago(1)],
        [8, "李秀英", li.id_number, "", "辉瑞", "", "2", days_ago(1)],  # unknown product
        [9, "李秀英", li.id_number, "", "康希诺", "", "2", "2021-02-30"],  # no such day
        [
            10,
            "李秀英",
            li.id_number,
            "",
            "康希诺",
            "",
            "2",
            f"{days_ago(-3):%Y-%m-%d}",
        ],
        [11, "李秀英", li.id_number, "新冠病毒灭活疫苗", "", "", "2", days_ago(2)],  # which one?
        [12, "李秀英", li.id_number, "", "康希诺", "", "第X针", days_ago(3)],
    ]
    result = ledgers.import_doses(
        actor=world.county_admin, site=site, data=workbook(bad, header=HEADER), filename="x.xlsx"
    )
    assert not result.written and "未写入任何数据" in result.refused
    problems = {(p.row, p.column): p.reason for p in result.rejected}
    # Rows as Excel numbers them: the header is row 1, data from row 2.
    assert "不一致" in problems[(6, "受种者姓名")]
    assert "校验位" in problems[(7, "公民身份号码")]
    assert "未找到" in problems[(8, "公民身份号码")]  # valid, not registered
    assert "无法识别的疫苗产品" in problems[(9, "疫苗品种")]
    assert "不存在" in problems[(10, "接种时间")]
    assert "晚于今天" in problems[(11, "接种时间")]
    assert "多个产品" in problems[(12, "疫苗品种")]
    assert "剂次" in problems[(13, "针次")]
    assert Dose.objects.count() == 0
    assert ledgers.rejected_rows_workbook(
        actor=world.county_admin, site=site, data=workbook(bad, header=HEADER), filename="x.xlsx"
    )


def test_a_person_outside_the_importers_area_is_not_found(world, people, ledger):
    from fangkong.vaccination import actions

    site08 = actions.create_site(actor=world.county_admin, node=world.grid08, name="八网格临时接种点")
    result = ledgers.import_doses(
        actor=world.grid08_worker, site=site08, data=csv_bytes(ledger), filename="x.csv"
    )
    rows = sorted({p.row for p in result.rejected})
    assert rows == [2, 3, 4] and Dose.objects.count() == 0  # 张伟 and 李秀英 live in grid 07
    with pytest.raises(RuleError):
        ledgers.import_doses(
            actor=world.grid08_worker, site=_county_site(world), data=csv_bytes(ledger), filename="x.csv"
        )


def _county_site(world):
    from fangkong.vaccination import actions

    return actions.create_site(actor=world.county_admin, node=world.county, name="县疾控接种门诊")


def test_two_rows_of_one_dose_in_a_file_are_one_dose(world, site, people, ledger):
    data = csv_bytes([*ledger, ledger[0]])
    result = ledgers.import_doses(actor=world.county_admin, site=site, data=data, filename="x.csv")
    assert result.created == 4 and any("同一人同一天" in w.reason for w in result.warnings)
