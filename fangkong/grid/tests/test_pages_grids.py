"""Grids: drawn one by one on a village, or imported from a sheet (preview, confirm, all or nothing)."""

import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from fangkong.audit.models import Action, AuditEvent
from fangkong.conftest import make_user
from fangkong.grid.models import Jurisdiction, Level


def grids() -> set[tuple[str, str]]:
    return set(Jurisdiction.objects.filter(level=Level.GRID).values_list("code", "name"))


def csv_file(text: str, name: str = "grids.csv", encoding: str = "utf-8-sig") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_bytes(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD_CSV = (
    "村（社区）代码,网格编号,网格名称\n"
    "371502103201,09,第九网格\n"
    "371502103202,01,后屯一网格\n"
    "371502103202,02,后屯二网格\n"
)


def import_url(node) -> str:
    return f"/tree/{node.code}/grids/import/"


def preview(client, node, upload):
    return client.post(import_url(node), {"file": upload})


def confirm(client, node, response):
    digest = response.context["digest"]
    assert digest, "the preview offers no confirmation"
    return client.post(import_url(node), {"confirm": digest})


# One grid at a time ------------------------------------------------------------------------------


def test_it_lets_a_township_admin_draw_a_grid_on_a_village(client, world):
    client.force_login(world.township_admin)

    response = client.post(
        f"/tree/{world.other_village.code}/grids/new/", {"local_code": "01", "name": "后屯一"}
    )

    assert response.status_code == 302
    assert ("371502103202-01", "后屯一") in grids()
    assert AuditEvent.objects.filter(
        action=Action.CREATE, target_label="后屯一", actor=world.township_admin
    ).exists()


def test_it_shows_the_rule_error_on_the_field(client, world):
    client.force_login(world.county_admin)

    response = client.post(f"/tree/{world.village.code}/grids/new/", {"local_code": "07", "name": "重复"})

    assert response.status_code == 200
    assert "该村（社区）已有编号为 07 的网格" in response.content.decode()
    assert ("371502103201-07", "重复") not in grids()


@pytest.mark.parametrize("persona", ["grid07_worker", "grid07_viewer", "grid08_worker", "outsider"])
def test_it_hides_grid_drawing_from_everyone_outside_the_village(client, world, persona):
    client.force_login(getattr(world, persona))

    assert client.get(f"/tree/{world.village.code}/grids/new/").status_code == 404
    assert (
        client.post(f"/tree/{world.village.code}/grids/new/", {"local_code": "09", "name": "九"}).status_code
        == 404
    )
    assert client.get(import_url(world.village)).status_code == 404
    assert ("371502103201-09", "九") not in grids()


def test_it_refuses_grid_drawing_to_a_viewer_who_sees_the_village(client, world):
    client.force_login(make_user("township_viewer", world.township, "viewer", "镇查看"))

    response = client.post(f"/tree/{world.village.code}/grids/new/", {"local_code": "09", "name": "九"})

    assert response.status_code == 403
    assert client.get(import_url(world.township)).status_code == 403
    assert ("371502103201-09", "九") not in grids()


def test_it_draws_grids_only_on_villages(client, world):
    client.force_login(world.county_admin)

    assert client.get(f"/tree/{world.township.code}/grids/new/").status_code == 404


# Import ------------------------------------------------------------------------------------------


def test_it_previews_then_imports_a_good_file(client, world):
    client.force_login(world.township_admin)
    before = grids()

    shown = preview(client, world.township, csv_file(GOOD_CSV))

    assert shown.status_code == 200
    assert "将新建 3 个网格" in shown.content.decode()
    assert grids() == before  # a preview writes nothing
    done = confirm(client, world.township, shown)
    assert done.status_code == 302
    assert grids() - before == {
        ("371502103201-09", "第九网格"),
        ("371502103202-01", "后屯一网格"),
        ("371502103202-02", "后屯二网格"),
    }
    assert AuditEvent.objects.filter(action=Action.CREATE, target_type="Jurisdiction").count() == 2 + 3


def test_it_imports_nothing_from_a_file_with_bad_rows_and_names_row_and_column(client, world):
    client.force_login(world.township_admin)
    before = grids()
    bad = (
        "网格导入表\n"  # a title line above the header: the header is on row 2
        "村代码,编号,名称\n"
        "371502103201,10,第十网格\n"  # row 3: good
        "371502103201,1 0,坏编号\n"  # row 4: bad code
        "371502103202,03,\n"  # row 5: no name
        "371502999999,01,不存在的村\n"  # row 6: no such village
        "371502103201,07,另一个名字\n"  # row 7: grid 07 exists with another name
        "371502103201,10,第十网格\n"  # row 8: same as row 3
    )

    response = preview(client, world.township, csv_file(bad))

    html = response.content.decode()
    errors = {(e["row"], e["column"]) for e in response.context["result"]["errors"]}
    assert errors == {
        (4, "网格编号"),
        (5, "网格名称"),
        (6, "村（社区）代码"),
        (7, "网格名称"),
        (8, "网格编号"),
    }
    assert "第 4 行" in html and "网格编号应为1至8位数字或字母" in html
    assert "网格名称不能为空" in html and "与第3行重复" in html
    assert "371502999999 不存在或不在您可划分网格的辖区内" in html
    assert "未导入任何网格" in html
    assert response.context["digest"] is None  # nothing to confirm
    assert client.post(import_url(world.township), {"confirm": "anything"}).status_code == 302
    assert grids() == before


def test_it_creates_nothing_new_when_the_same_file_is_imported_twice(client, world):
    client.force_login(world.township_admin)
    first = preview(client, world.township, csv_file(GOOD_CSV))
    confirm(client, world.township, first)
    after_first = grids()
    events = AuditEvent.objects.count()

    again = preview(client, world.township, csv_file(GOOD_CSV))
    client.post(import_url(world.township), {"confirm": first.context["digest"]})  # a double submit

    assert "将新建 0 个网格；3 个已存在" in again.content.decode()
    assert again.context["digest"] is None  # nothing to confirm
    assert grids() == after_first
    assert AuditEvent.objects.count() == events


def test_it_reads_an_xlsx_sheet_with_numeric_cells(client, world):
    client.force_login(world.county_admin)
    data = xlsx_bytes(
        [["村（社区）代码", "网格编号", "网格名称"], [371502103202, 5, "后屯五网格"], [None, None, None]]
    )
    upload = SimpleUploadedFile("grids.xlsx", data)

    confirm(client, world.county, preview(client, world.county, upload))

    assert ("371502103202-5", "后屯五网格") in grids()


def test_it_reads_a_gbk_csv_as_excel_saves_it(client, world):
    client.force_login(world.county_admin)

    shown = preview(client, world.county, csv_file(GOOD_CSV, encoding="gb18030"))

    assert len(shown.context["result"]["created"]) == 3


def test_it_prefers_the_full_column_name_to_a_short_one(client, world):
    client.force_login(world.county_admin)
    sheet = "编号,社区代码,网格编号,网格名称 \n1,371502103202,06,后屯六网格\n"

    shown = preview(client, world.county, csv_file(sheet))

    assert [(r["row"], r["local_code"]) for r in shown.context["result"]["created"]] == [(2, "06")]


def test_it_names_a_missing_column(client, world):
    client.force_login(world.county_admin)

    response = preview(client, world.county, csv_file("村代码,名称\n371502103201,第九网格\n"))

    assert "缺少列：网格编号" in response.content.decode()


def test_it_refuses_rows_outside_the_node_of_the_page(client, world):
    client.force_login(world.county_admin)

    response = preview(client, world.village, csv_file(GOOD_CSV))

    assert {e["row"] for e in response.context["result"]["errors"]} == {3, 4}


def test_it_refuses_a_confirmation_whose_preview_was_not_made(client, world):
    client.force_login(world.township_admin)
    preview(client, world.township, csv_file(GOOD_CSV))
    before = grids()

    response = client.post(import_url(world.township), {"confirm": "not-the-digest"})

    assert response.status_code == 302 and grids() == before


# The command -------------------------------------------------------------------------------------


def test_it_imports_from_the_command_line_with_json_output(world, tmp_path):
    path = tmp_path / "grids.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    out = io.StringIO()

    call_command("import_grids", str(path), "--dry-run", "--json", "--user", "township_admin", stdout=out)
    assert json.loads(out.getvalue())["dry_run"] is True
    assert ("371502103201-09", "第九网格") not in grids()

    out = io.StringIO()
    call_command("import_grids", str(path), "--json", "--user", "township_admin", stdout=out)
    result = json.loads(out.getvalue())
    assert len(result["created"]) == 3 and result["errors"] == []
    assert ("371502103201-09", "第九网格") in grids()

    after_first, out = grids(), io.StringIO()
    call_command("import_grids", str(path), "--user", "township_admin", stdout=out)
    assert "已新建 0 个网格，3 个已存在未改动" in out.getvalue()
    assert grids() == after_first


def test_it_fails_on_the_command_line_for_bad_rows_and_writes_nothing(world, tmp_path):
    path = tmp_path / "grids.csv"
    path.write_text(
        "村（社区）代码,网格编号,网格名称\n371502103201,11,十一\n371502103201,?,坏\n", encoding="utf-8"
    )
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_grids", str(path), "--user", "township_admin", stdout=out)

    assert "第3行 网格编号：网格编号应为1至8位数字或字母" in out.getvalue()
    assert ("371502103201-11", "十一") not in grids()


def test_it_refuses_the_command_to_a_user_who_may_not_draw_grids(world, tmp_path):
    path = tmp_path / "grids.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")

    with pytest.raises(CommandError, match="只有县、乡镇（街道）管理员可以划分网格"):
        call_command("import_grids", str(path), "--user", "grid07_worker")
