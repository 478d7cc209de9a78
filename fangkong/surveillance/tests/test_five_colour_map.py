"""The five-colour map drawn on the county's township boundaries: the county admin uploads them (a township
admin, a grid worker and an outsider may not), a new upload replaces the last with its summary in the audit,
and the page colours each township's path as the tree-map colours its cell; without boundaries the
tree-map alone."""

import datetime as dt
import json
import re

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from fangkong.audit.models import AuditEvent
from fangkong.conftest import PASSWORD, make_node
from fangkong.grid.models import Level
from fangkong.lib.errors import RuleError
from fangkong.surveillance import actions
from fangkong.surveillance.models import TownshipBoundaries
from fangkong.tracing.actions.cases import report_case

URL = "/surveillance/five-colour/boundaries/"
YELLOW, GREEN = "#fee08b", "#1a9850"


def login(user) -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


def square(lon, lat, size=0.1):
    return [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]


def geojson(*codes) -> bytes:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"adcode": code},
                    "geometry": {"type": "Polygon", "coordinates": [square(115.8 + 0.1 * i, 36.4)]},
                }
                for i, code in enumerate(codes)
            ],
        }
    ).encode()


def upload(data: bytes, name="乡镇.geojson"):
    return SimpleUploadedFile(name, data, content_type="application/geo+json")


@pytest.fixture
def townships(world):
    """梁水镇 (the world's, with grid 07), 斗虎屯镇 and 湖西街道 (no boundary in the file)."""
    return {
        "liangshui": world.township,
        "douhutun": make_node("371502102", "斗虎屯镇", Level.TOWNSHIP, world.county),
        "huxi": make_node("371502001", "湖西街道", Level.TOWNSHIP, world.county),
    }


def paths(html: str) -> dict[str, dict]:
    page = lxml.html.fromstring(html)
    return {p.get("data-code"): p for p in page.xpath('//figure[@id="five-colour-map"]//path')}


def test_it_draws_one_path_per_township_in_its_colour(world, people, townships):
    actions.upload_boundaries(
        actor=world.county_admin, county=world.county, data=geojson("371502103", "371502102")
    )
    report_case(
        actor=world.county_admin,
        node=world.grid07,
        kind="confirmed",
        diagnosed_at=timezone.now() - dt.timedelta(hours=1),
        person=people["zhang"],
    )
    html = (
        login(world.county_admin).get(f"/surveillance/five-colour/?node={world.county.code}").content.decode()
    )
    shown = paths(html)
    assert set(shown) == {"371502103", "371502102"}
    # 梁水镇: one case within 7 days → yellow (as its tree-map cell); 斗虎屯镇: none → green
    assert shown["371502103"].get("fill") == YELLOW and shown["371502103"].get("data-colour") == "yellow"
    assert shown["371502102"].get("fill") == GREEN
    assert shown["371502103"].get("fill-rule") == "evenodd"
    title = shown["371502103"].findtext("title")
    assert title.startswith("梁水镇 · 黄：累计 1 · 7天新增 1") and "7天新增1≥1" in title
    page = lxml.html.fromstring(html)
    cell = page.xpath('//div[@id="five-colour"]/div[strong="梁水镇"]')[0]
    assert cell.get("data-colour") == "yellow"  # the tree-map stays below
    assert "湖西街道" in page.xpath('string(//p[@id="five-colour-no-boundary"])')
    assert "无边界数据" in page.xpath('string(//p[@id="five-colour-no-boundary"])')
    svg = page.xpath("//svg")[0]
    width, height = (float(v) for v in svg.get("viewbox").split()[2:])
    for path in shown.values():
        for x, y in re.findall(r"([\d.]+),([\d.]+)", path.get("d")):
            assert 0 <= float(x) <= width and 0 <= float(y) <= height


def test_without_boundaries_it_is_the_tree_map(world, townships):
    client = login(world.county_admin)
    html = client.get(f"/surveillance/five-colour/?node={world.county.code}").content.decode()
    page = lxml.html.fromstring(html)
    assert not page.xpath("//svg") and not page.xpath('//*[@id="five-colour-no-boundary"]')
    assert len(page.xpath('//div[@id="five-colour"]/div')) == 3
    assert page.xpath(f'//a[@href="{URL}?node={world.county.code}"]')  # the admin is offered the upload
    township = login(world.township_admin).get(f"/surveillance/five-colour/?node={world.township.code}")
    assert URL not in township.content.decode()


def test_a_township_admin_a_grid_worker_and_an_outsider_cannot_upload(world, townships):
    for user, node, status in (
        (world.township_admin, world.township, 403),  # sees the township, is no county admin
        (world.grid07_worker, world.grid07, 403),
        (world.outsider, world.county, 404),  # sees nothing
    ):
        client = login(user)
        assert client.get(f"{URL}?node={node.code}").status_code == status, user
        response = client.post(f"{URL}?node={node.code}", {"file": upload(geojson("371502103"))})
        assert response.status_code == status, user
    assert not TownshipBoundaries.objects.exists()
    with pytest.raises(RuleError):
        actions.upload_boundaries(actor=world.township_admin, county=world.county, data=geojson("371502103"))


def test_the_county_admin_uploads_and_a_second_upload_replaces_the_first(world, townships):
    client = login(world.county_admin)
    assert client.get(f"{URL}?node={world.county.code}").status_code == 200
    first = client.post(
        f"{URL}?node={world.county.code}",
        {"file": upload(geojson("371502103"), "v1.json"), "source": "县自然资源局"},
    )
    assert (
        first.status_code == 302
        and first["Location"] == f"/surveillance/five-colour/?node={world.county.code}"
    )
    stored = TownshipBoundaries.objects.get(county=world.county)
    assert (stored.features, stored.codes(), stored.source, stored.uploaded_by) == (
        1,
        ["371502103"],
        "县自然资源局",
        world.county_admin,
    )
    created = AuditEvent.objects.get(target_type="TownshipBoundaries", action="create")
    assert created.detail["codes"] == ["371502103"] and created.detail["before"] is None
    assert created.node_path == world.county.path and created.actor == world.county_admin

    second = client.post(
        f"{URL}?node={world.county.code}", {"file": upload(geojson("371502103", "371502102"), "v2.json")}
    )
    assert second.status_code == 302
    assert TownshipBoundaries.objects.count() == 1
    stored.refresh_from_db()
    assert (stored.features, stored.filename, stored.source) == (2, "v2.json", "")
    updated = AuditEvent.objects.get(target_type="TownshipBoundaries", action="update")
    assert updated.detail["codes"] == ["371502103", "371502102"]
    assert updated.detail["before"]["codes"] == ["371502103"]
    assert updated.detail["before"]["filename"] == "v1.json" and updated.detail["before"]["features"] == 1
    page = client.get(f"{URL}?node={world.county.code}").content.decode()
    assert "湖西街道（371502001）" in page  # the township the file left out


def test_a_bad_file_is_refused_on_the_form_and_keeps_the_last_one(world, townships):
    actions.upload_boundaries(actor=world.county_admin, county=world.county, data=geojson("371502103"))
    client = login(world.county_admin)
    response = client.post(
        f"{URL}?node={world.county.code}", {"file": upload(geojson("371502103", "371503001"))}
    )
    assert response.status_code == 200
    errors = lxml.html.fromstring(response.content.decode()).xpath('//p[@class="error"]/text()')
    assert errors == ["第2个要素（features[1]）：代码371503001不是本县（区）的乡镇"]
    assert TownshipBoundaries.objects.get().codes() == ["371502103"]
    assert AuditEvent.objects.filter(target_type="TownshipBoundaries").count() == 1


def test_the_upload_is_for_a_county(world, townships):
    with pytest.raises(RuleError):
        actions.upload_boundaries(
            actor=world.county_admin, county=world.township, data=geojson("371502103201")
        )


def test_the_map_in_english(world, townships, settings):
    actions.upload_boundaries(actor=world.county_admin, county=world.county, data=geojson("371502103"))
    client = login(world.county_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/surveillance/five-colour/?node={world.county.code}").content.decode()
    assert paths(html)["371502103"].findtext("title").startswith("梁水镇 · Green")
    assert "No boundary data" in html and "Update the township boundaries" in html
    assert "无边界数据" not in html
    upload_page = client.get(f"{URL}?node={world.county.code}").content.decode()
    assert (
        "Township boundaries file (GeoJSON)" in upload_page
        and "Current boundaries: 1 townships" in upload_page
    )
