"""The web import: upload → preview (nothing written) → confirm (written, without uploading again) →
result with the rejected rows to download. An upload is its uploader's alone."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from fangkong.imports import uploads
from fangkong.imports.tests.sheets import id_number, read_back, row, workbook
from fangkong.registry.models import Person

RECENT = timezone.localdate() - dt.timedelta(days=1)


def ledger() -> bytes:
    return workbook(
        [
            row(
                姓名="张三",
                身份证号=id_number(11),
                返回时间=f"{RECENT:%Y-%m-%d}",
                管控措施="居家隔离",
                联系电话="12",
            ),
            row(姓名="李四", 身份证号="371502199003071234"),
        ],
        title_rows=[["前屯村返乡人员登记表"]],
    )


def upload(client, world, data=None, name="返乡人员登记表.xlsx", node=None):
    file = SimpleUploadedFile(name, data or ledger())
    return client.post(reverse("imports_returnees"), {"node": (node or world.grid07).code, "file": file})


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    """Uploaded ledgers go to VAR_DIR/imports: a fresh directory per test."""
    settings.VAR_DIR = tmp_path
    return tmp_path / "imports"


@pytest.fixture
def worker(client, world):
    client.force_login(world.grid07_worker)
    return client


@pytest.mark.django_db
def test_it_previews_without_writing_then_writes_on_confirm(worker, world, uploads_in_tmp):
    response = upload(worker, world)
    assert response.status_code == 302
    preview = worker.get(response.url)
    page = preview.content.decode()
    assert "导入预览" in page and "确认导入" in page
    assert "第 4 行" in page and "校验位" in page  # the rejected row and its reason
    assert "未登记电话" in page  # a warning
    assert "新增人员、新增排查、新增措施：居家隔离医学观察" in page
    assert id_number(11) not in page  # masked in the preview
    assert Person.objects.count() == 0
    token = preview.context["upload"].token
    assert (uploads_in_tmp / f"{token}.data").exists()
    done = worker.post(reverse("imports_returnees_confirm", args=[token]), follow=True)  # no file this time
    assert done.context["done"] and done.context["summary"]["created"] == 1
    assert "导入结果" in done.content.decode()
    assert list(Person.objects.values_list("name", flat=True)) == ["张三"]
    # a second click shows the same result and imports nothing again
    worker.post(reverse("imports_returnees_confirm", args=[token]))
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_the_rejected_rows_download_as_a_workbook_with_reasons(worker, world):
    token = upload(worker, world).url.rstrip("/").rsplit("/", 1)[-1]
    response = worker.get(reverse("imports_returnees_rejected", args=[token]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = read_back(response.content)
    assert sheet[1][-1] == "错误原因"
    assert sheet[2][1] == "李四" and "校验位" in sheet[2][-1]


@pytest.mark.django_db
def test_an_upload_is_its_uploaders_alone(client, worker, world):
    token = upload(worker, world).url.rstrip("/").rsplit("/", 1)[-1]
    client.force_login(world.grid08_worker)
    for name in ("imports_returnees_preview", "imports_returnees_rejected"):
        assert client.get(reverse(name, args=[token])).status_code == 404
    assert client.post(reverse("imports_returnees_confirm", args=[token])).status_code == 404
    with pytest.raises(Http404):
        uploads.load_upload(world.grid07_worker, "../../../etc/passwd")
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_the_upload_offers_only_nodes_the_user_may_write(client, worker, world):
    response = upload(worker, world, node=world.grid08)
    assert response.status_code == 200 and response.context["form"].errors["node"]
    client.force_login(world.grid07_viewer)
    assert client.get(reverse("imports_returnees")).status_code == 403


@pytest.mark.django_db
def test_it_shows_a_clear_error_for_a_file_it_cannot_read(worker, world):
    response = upload(worker, world, data=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, name="old.xls")
    page = worker.get(response.url).content.decode()
    assert "另存为" in page and "确认导入" not in page
    response = upload(worker, world, data=b"a,b\n1,2\n", name="notes.txt")
    assert "请上传 .xlsx 或 .csv 文件" in response.content.decode()


@pytest.mark.django_db
def test_it_purges_uploads_after_a_few_days(worker, world, uploads_in_tmp):
    upload(worker, world)
    assert len(list(uploads_in_tmp.iterdir())) == 2
    assert uploads.purge_stale(now=timezone.now() + uploads.KEEP_FOR + dt.timedelta(hours=1)) == 2
    assert list(uploads_in_tmp.iterdir()) == []


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in (reverse("imports_returnees"), reverse("export_returnees")):
        assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_an_upload_is_parsed_once_whatever_the_reloads_confirm_and_download(
    worker, world, uploads_in_tmp, monkeypatch
):
    from fangkong.lib import workbook as workbook_module

    opened = []
    real = workbook_module.Book.__init__

    def counting(self, *args, **kwargs):
        opened.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(workbook_module.Book, "__init__", counting)
    token = upload(worker, world).url.rstrip("/").rsplit("/", 1)[-1]
    for _ in range(3):
        assert "第 4 行" in worker.get(reverse("imports_returnees_preview", args=[token])).content.decode()
    assert worker.get(reverse("imports_returnees_rejected", args=[token])).status_code == 200
    worker.post(reverse("imports_returnees_confirm", args=[token]))
    assert len(opened) == 1
    assert list(Person.objects.values_list("name", flat=True)) == ["张三"]
    assert oct(next(uploads_in_tmp.glob("*.table.json")).stat().st_mode & 0o777) == "0o600"


@pytest.mark.django_db
def test_a_file_that_cannot_be_read_is_tried_once_and_its_reason_kept(worker, world, monkeypatch):
    from fangkong.lib import workbook as workbook_module

    opened = []
    real = workbook_module.Book.__init__
    monkeypatch.setattr(
        workbook_module.Book, "__init__", lambda self, *a, **k: opened.append(1) or real(self, *a, **k)
    )
    response = upload(worker, world, data=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, name="old.xls")
    for _ in range(2):
        assert "另存为" in worker.get(response.url).content.decode()
    assert len(opened) == 1
