import datetime as dt
import io

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from fangkong.conftest import PASSWORD
from fangkong.disinfection import ledgers
from fangkong.disinfection.models import Entry

from .conftest import at, entry


def client_of(user) -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


def sheet(header, rows, title=True) -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append(["前屯村公厕消杀记录表"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    for r in rows:
        ws.append(r)
    ws.append([])
    ws.append(["负责人：张三"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_a_phone_entry_in_one_tap(world, places):
    client = client_of(world.grid07_worker)
    toilet = places["toilet"]
    page = client.get(reverse("entry_create", args=[toilet.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    for name in ("started_at", "ended_at"):
        data[name] = form.initial[name].strftime("%Y-%m-%dT%H:%M")
    assert client.post(reverse("entry_create", args=[toilet.pk]), data).status_code == 302
    made = Entry.objects.get()
    assert made.agent == "含氯消毒剂" and made.done_by == "七网格员"


def test_pages(world, places):
    entry(world.county_admin, places["toilet"], timezone.now() - dt.timedelta(hours=2))
    client = client_of(world.county_admin)
    home = client.get(reverse("disinfection_home"))
    assert home.status_code == 200 and "梁水镇文化广场" in home.content.decode()
    assert client.get(reverse("place_detail", args=[places["toilet"].pk])).status_code == 200
    assert client.get(reverse("entry_list")).status_code == 200
    assert client.get(reverse("place_export", args=[places["toilet"].pk])).status_code == 200
    assert (
        client_of(world.grid08_worker).get(reverse("place_detail", args=[places["toilet"].pk])).status_code
        == 404
    )


def test_a_messy_record_sheet_imports_once(world, places):
    day = timezone.localdate() - dt.timedelta(days=1)
    header = [
        "序号",
        "消杀日期",
        "消毒时间",
        "消毒区域",
        "面积(㎡)",
        "使用药品",
        "配比浓度",
        "消毒方法",
        "作用时间",
        "消杀人员",
        "检查人",
    ]
    rows = [
        [
            1,
            day,
            "08:00-08:30",
            "男厕、女厕",
            "40",
            "84消毒液",
            "含氯500mg/L",
            "喷洒",
            "30分钟",
            "李师傅",
            "王主任",
        ],
        [
            2,
            f"{day:%Y年%m月%d日}",
            "17:00—17:20",
            "洗手池",
            None,
            "84消毒液",
            "含氯500mg/L",
            "擦拭",
            "0.5小时",
            "李师傅",
            "",
        ],
    ]
    data = sheet(header, rows)
    result = ledgers.import_entries(
        actor=world.county_admin, place=places["toilet"], data=data, filename="x.xlsx"
    )
    assert not result.rejected, result.rejected
    assert result.created == 2 and result.rows == 2
    first = Entry.objects.order_by("started_at").first()
    assert first.started_at == at(day, 8) and first.ended_at == at(day, 8, 30) and first.contact_minutes == 30
    assert Entry.objects.order_by("started_at").last().contact_minutes == 30
    again = ledgers.import_entries(
        actor=world.county_admin, place=places["toilet"], data=data, filename="x.xlsx"
    )
    assert (again.created, again.unchanged) == (0, 2) and Entry.objects.count() == 2


def test_bad_rows_write_nothing(world, places):
    header = [
        "日期",
        "开始时间",
        "结束时间",
        "区域/对象",
        "消毒剂",
        "浓度",
        "方式",
        "作用时间",
        "消毒人员",
        "复核人",
    ]
    day = timezone.localdate() - dt.timedelta(days=1)
    rows = [
        [day, "08:00", "08:30", "厕所", "84消毒液", "500mg/L", "喷洒", "30", "李师傅", ""],
        ["2020-13-01", "08:00", "08:30", "厕所", "84消毒液", "500mg/L", "喷洒", "30", "李师傅", ""],
        [day, "25:00", "08:30", "厕所", "84消毒液", "500mg/L", "喷洒", "30", "李师傅", ""],
        [day, "08:00", "08:30", "厕所", "84消毒液", "500mg/L", "喷洒", "半小时", "李师傅", ""],
        [day, "08:00", "08:30", "厕所", "", "500mg/L", "喷洒", "30", "", ""],
    ]
    result = ledgers.import_entries(
        actor=world.county_admin,
        place=places["toilet"],
        data=sheet(header, rows, title=False),
        filename="x.xlsx",
    )
    problems = {(p.row, p.column) for p in result.rejected}
    assert (3, "日期") in problems and (4, "开始时间") in problems and (5, "作用时间") in problems
    assert (6, "消毒剂") in problems and (6, "消毒人员") in problems
    assert not result.written and Entry.objects.count() == 0
