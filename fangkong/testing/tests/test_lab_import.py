"""Lab result sheets as labs send them: header variants, Ct as text, results written 阴性/阴/negative/-,
duplicate tubes, a person whose name and ID disagree; all or nothing, and a second import changes nothing."""

import io

from openpyxl import Workbook

from fangkong.measures.models import TestResult as NatResult  # not a pytest class
from fangkong.testing.ledgers import import_lab_results
from fangkong.testing.models import Result, Retest, Sample


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["某某医学检验实验室核酸检测结果报告"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv(rows, encoding="utf-8") -> bytes:
    return "\n".join(",".join(str(c) for c in row) for row in rows).encode(encoding)


def test_a_messy_sheet_is_read(world, ten, people, sample_tube):
    sample_tube("P1", ten[:5], capacity=5)
    sample_tube("P2", ten[5:], capacity=5)
    sample_tube("S1", [people["wang"]], kind="single")
    zhang = people["zhang"]
    data = xlsx(
        [
            ["序号", "条码号", "受检者姓名", "身份证号码", "采集时间", "检测结果", "Ct值(ORF1ab)", "Ct值(N)"],
            [1, "p1", zhang.name, zhang.id_number, "", "阴", "", ""],
            [2, " P2 ", "", "", "", "Negative", "-", "无"],
            [3, "S1", "", "", "", "阳性(+)", "Ct=28,5", "30.1"],
            ["合计", "", "", "", "", "", "", ""],
        ]
    )
    result = import_lab_results(actor=world.county_admin, data=data, filename="lab.xlsx", lab="某检验所")
    assert result.rejected == [], result.rejected
    assert result.written and result.created == 3 and result.rows == 3
    assert dict(Sample.objects.values_list("tube_code", "result")) == {
        "P1": "negative",
        "P2": "negative",
        "S1": "positive",
    }
    s1 = Sample.objects.get(tube_code="S1")
    assert str(s1.ct_orf1ab) == "28.50" and str(s1.ct_n) == "30.10" and s1.lab == "某检验所"
    assert NatResult.objects.filter(outcome="negative").count() == 10
    assert list(NatResult.objects.filter(outcome="positive").values_list("person", flat=True)) == [
        people["wang"].pk
    ]
    # Again: nothing changes.
    again = import_lab_results(actor=world.county_admin, data=data, filename="lab.xlsx", lab="某检验所")
    assert again.rejected == [] and again.created == 0 and again.unchanged == 3
    assert NatResult.objects.count() == 11


def test_a_csv_with_english_headers(world, ten, sample_tube):
    sample_tube("P3", ten, capacity=10)
    data = csv([["Tube Barcode", "Result", "ORF1ab", "N"], ["P3", "-", "", ""]], encoding="gbk")
    result = import_lab_results(actor=world.county_admin, data=data, filename="lab.csv")
    assert result.rejected == [] and result.created == 1
    assert Sample.objects.get(tube_code="P3").result == Result.NEGATIVE


def test_bad_rows_are_named_and_nothing_is_written(world, ten, people, sample_tube):
    sample_tube("P4", ten[:5], capacity=5)
    sample_tube("P5", ten[5:], capacity=5)
    zhang, li = people["zhang"], people["li"]
    data = xlsx(
        [
            ["试管编码", "姓名", "身份证号", "检测结果", "ORF1ab基因Ct值"],
            ["P4", "阴性", "", "阴性", ""],  # a name that is no one's in the tube
            ["P4", "", "", "阴性", ""],  # the tube again
            ["P5", li.name, zhang.id_number, "阳性", "弱阳"],  # name and ID disagree; Ct not a number
            ["P9", "", "", "阴性", ""],  # no such tube
            ["P5", "", "", "待复核", ""],  # unreadable result
        ]
    )
    result = import_lab_results(actor=world.county_admin, data=data, filename="lab.xlsx")
    problems = {(p.row, p.column, p.reason) for p in result.rejected}
    assert (3, "姓名", "不在试管P4的采样名单中") in problems
    assert (4, "试管编码", "试管编码P4与第3行重复") in problems
    assert any(p[0] == 5 and p[1] == "ORF1ab基因Ct值" for p in problems)
    assert any(
        p[0] == 5 and p[1] == "身份证号" and "不在" in p[2] for p in problems
    )  # zhang is in P4, not P5
    assert (6, "试管编码", "试管编码P9没有采样记录") in problems
    assert any(p[0] == 7 and p[1] == "检测结果" for p in problems)
    assert not result.written
    assert set(Sample.objects.values_list("result", flat=True)) == {"pending"}
    assert not Retest.objects.exists()


def test_name_and_id_that_disagree(world, ten, people, sample_tube):
    sample_tube("P6", ten[:5], capacity=5)
    zhang, li = people["zhang"], people["li"]
    data = xlsx([["试管编码", "姓名", "身份证号", "检测结果"], ["P6", li.name, zhang.id_number, "阴性"]])
    result = import_lab_results(actor=world.county_admin, data=data, filename="lab.xlsx")
    assert [(p.row, p.column, p.reason) for p in result.rejected] == [(3, "姓名", "姓名与身份证号不符")]


def test_a_lab_listing_each_member_of_a_pool(world, ten, sample_tube):
    sample_tube("P7", ten[:5], capacity=5)
    rows = [["试管编码", "姓名", "身份证号", "检测结果"]]
    rows += [["P7", p.name, p.id_number, "阳性"] for p in ten[:5]]
    result = import_lab_results(actor=world.county_admin, data=xlsx(rows), filename="lab.xlsx")
    assert result.rejected == [] and result.created == 1
    assert Retest.objects.count() == 5


def test_a_result_that_contradicts_the_one_recorded(world, ten, sample_tube):
    sample_tube("P8", ten, capacity=10)
    import_lab_results(
        actor=world.county_admin, data=xlsx([["试管编码", "检测结果"], ["P8", "阴性"]]), filename="a.xlsx"
    )
    result = import_lab_results(
        actor=world.county_admin, data=xlsx([["试管编码", "检测结果"], ["P8", "阳性"]]), filename="b.xlsx"
    )
    assert [p.reason for p in result.rejected] == ["该试管已有结果（阴性），与本次不符"]


def test_an_outsider_cannot_import_results_of_the_village(world, ten, sample_tube):
    sample_tube("P10", ten, capacity=10)
    data = xlsx([["试管编码", "检测结果"], ["P10", "阴性"]])
    result = import_lab_results(actor=world.grid08_worker, data=data, filename="lab.xlsx")
    assert [p.reason for p in result.rejected] == ["无权登记试管P10的结果"]
