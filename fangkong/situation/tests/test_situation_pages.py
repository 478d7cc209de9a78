"""The situation report pages: the document in the browser with every figure marked and linked, the text
people write, the audited downloads, and who may see what."""

import html
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from fangkong.audit.models import Action, AuditEvent
from fangkong.conftest import PASSWORD
from fangkong.reporting import indicators
from fangkong.situation import compose, pdf
from fangkong.situation.tests.situation_fixtures import (
    END_OF_D,
    D,
    town_fixture,  # noqa: F401 (the fixture "town")
)

AS_OF = "2020-01-29T00:00"  # what the browser's picker sends for 截至1月28日24时
FIGURE = re.compile(
    r'<a class="sr-fig" (?:href="([^"]*)"|tabindex="0") data-code="(\w+)" data-value="([^"]*)"'
)


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def page(user, node, **params):
    return client_for(user).get(reverse("situation_node", args=[node.code]), {"as_of": AS_OF, **params})


def test_it_marks_every_figure_with_its_indicator_and_links_the_records(world, town):
    response = page(world.township_admin, world.township)
    assert response.status_code == 200
    content = response.content.decode()
    assert "梁水镇关于新冠肺炎疫情防控工作开展情况的报告" in content
    expected = indicators.compute(world.township, D, now=END_OF_D)
    figures = FIGURE.findall(content)
    assert len(figures) >= 20
    for _href, code, value in figures:
        if code != "screened_by_origin":
            assert value == str(expected[code]), code
    links = {code: html.unescape(href) for href, code, _ in figures}
    assert links["screened_total"] == f"{reverse('keyperson_list')}?node_code={world.township.code}"
    assert links["active_home_quarantine"] == (
        f"{reverse('keyperson_list')}?kind=home_quarantine&status=active&node_code={world.township.code}"
    )
    assert links["registered_people"] == f"{reverse('person_list')}?node_code={world.township.code}"
    assert links["symptomatic_new"] == reverse("alert_list")
    assert 'data-label="累计排查重点人员"' in content  # the tooltip names the indicator
    # The links lead to the records: the township's key persons list shows them.
    listed = client_for(world.township_admin).get(links["active_home_quarantine"]).content.decode()
    assert "张*" in listed or "张伟" in listed


def test_it_shows_the_fragment_to_htmx_and_the_page_otherwise(world, town):
    client = client_for(world.township_admin)
    url = reverse("situation_home")
    fragment = client.get(url, {"node": world.village.code, "as_of": AS_OF}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content and b'id="situation"' in fragment.content
    assert "前屯村委会关于新冠肺炎疫情防控工作开展情况的报告" in fragment.content.decode()
    assert (
        fragment["HX-Push-Url"]
        == f"{reverse('situation_node', args=[world.village.code])}?as_of=2020-01-29T00%3A00"
    )
    whole = client.get(url)  # no node asked: the user's own
    assert b"<html" in whole.content and "梁水镇关于" in whole.content.decode()


def test_it_shows_a_moment_it_cannot_read_and_the_future_as_errors(world, town):
    response = page(world.township_admin, world.township, as_of="2099-01-01T12:00")
    assert response.status_code == 200
    assert "截至时间不能晚于现在" in response.content.decode()
    assert b"situation-document" not in response.content


def test_it_keeps_the_text_people_write_and_shows_it_in_the_document(world, town):
    client = client_for(world.township_admin)
    url = reverse("situation_notes", args=[world.township.code]) + f"?as_of={AS_OF}"
    response = client.post(
        url, {"issuer": "梁水镇防控办", "problems": "一是物资紧缺。", "next_steps": "二是加强排查。"}
    )
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"{reverse('situation_node', args=[world.township.code])}?as_of=2020-01-29T00%3A00"
    )
    content = client.get(response["Location"]).content.decode()
    assert "五、存在问题" in content and "一是物资紧缺。" in content and "梁水镇防控办" in content
    # Someone else saved meanwhile: the stale form is refused with a reason, nothing lost silently.
    stale = client.post(
        url, {"issuer": "", "problems": "旧稿", "next_steps": "", "seen": "2020-01-01T00:00:00+00:00"}
    )
    assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()
    assert compose.notes_for(world.township).problems == "一是物资紧缺。"


def test_it_shows_the_text_but_no_form_to_a_viewer_and_refuses_their_post(world, town):
    response = page(world.grid07_viewer, world.grid07)
    assert response.status_code == 200
    assert reverse("situation_notes", args=[world.grid07.code]) not in response.content.decode()
    post = client_for(world.grid07_viewer).post(
        reverse("situation_notes", args=[world.grid07.code]), {"problems": "x"}
    )
    assert post.status_code == 404


def test_it_downloads_the_report_and_audits_every_download(world, town):
    client = client_for(world.grid07_worker)
    for fmt, content_type in (("docx", "wordprocessingml"), ("json", "application/json")):
        response = client.get(reverse("situation_download", args=[world.grid07.code, fmt]), {"as_of": AS_OF})
        assert response.status_code == 200
        assert content_type in response["Content-Type"]
        assert (
            "attachment" in response["Content-Disposition"]
            and "filename*=utf-8''" in response["Content-Disposition"]
        )
    payload = json.loads(response.content)
    assert payload["node"] == world.grid07.code and payload["as_of_text"] == "截至2020年1月28日24时"
    assert payload["indicators"] == json.loads(json.dumps(indicators.compute(world.grid07, D, now=END_OF_D)))
    events = AuditEvent.objects.filter(action=Action.EXPORT).order_by("id")
    assert [(e.actor, e.node_path, e.detail["format"]) for e in events] == [
        (world.grid07_worker, world.grid07.path, "docx"),
        (world.grid07_worker, world.grid07.path, "json"),
    ]


def test_it_offers_the_pdf_only_when_libreoffice_is_installed(world, town, monkeypatch):
    pdf_url = reverse("situation_download", args=[world.grid07.code, "pdf"])
    monkeypatch.setattr(pdf, "converter", lambda: None)
    assert pdf_url not in page(world.grid07_worker, world.grid07).content.decode()
    refused = client_for(world.grid07_worker).get(pdf_url, {"as_of": AS_OF})
    assert refused.status_code == 302  # back to the page, which says why
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()
    monkeypatch.setattr(pdf, "converter", lambda: "/usr/bin/soffice")
    assert pdf_url in page(world.grid07_worker, world.grid07).content.decode()


@pytest.mark.parametrize("target", ["grid07", "township"])
def test_it_refuses_grid_08_the_report_of_grid_07_and_of_the_township(world, town, target):
    client = client_for(world.grid08_worker)
    node = getattr(world, target)
    assert client.get(reverse("situation_node", args=[node.code]), {"as_of": AS_OF}).status_code == 404
    assert client.get(reverse("situation_home"), {"node": node.code}).status_code == 404
    for fmt in ("docx", "json", "pdf"):
        response = client.get(reverse("situation_download", args=[node.code, fmt]), {"as_of": AS_OF})
        assert response.status_code == 404
    notes = client.post(reverse("situation_notes", args=[node.code]), {"problems": "篡改"})
    assert notes.status_code == 404
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()
    assert compose.notes_for(node) is None
    own = client.get(reverse("situation_home"), {"as_of": AS_OF}).content.decode()
    assert "第八网格关于" in own and "张伟" not in own and "梁水镇关于" not in own


def test_it_shows_an_account_without_an_area_nothing(world):
    assert client_for(world.outsider).get(reverse("situation_home")).status_code == 404


def test_it_builds_the_page_in_a_fixed_number_of_queries(world, town, django_assert_max_num_queries):
    client = client_for(world.county_admin)
    client.get(reverse("situation_node", args=[world.county.code]), {"as_of": AS_OF})  # warm the session
    # 18: session, memberships, indicators, notes, nodes; 3 for the cases paragraph (reporting/cases.py: cases,
    # contacts, the policy that sets the investigation clock); 1 for every indicator that counts rows
    # (`indicators.count`: new screenings, tests, inspections, orders, closures, tasks, purchases, market
    # inspections, low stock, near expiry, signals, quarantine sites), counted in one statement; and one
    # query each for the rest: the testing round, near expiry's policy, the day's movements, the places to
    # disinfect, vaccination, schools, the cold chain, fever buyers, the gatherings (one source), the
    # market orders and the inspections' new orders. 35 in all.
    with django_assert_max_num_queries(35):
        response = client.get(reverse("situation_node", args=[world.county.code]), {"as_of": AS_OF})
    assert response.status_code == 200
