"""Searching persons by ID or phone number keeps the number out of every address: the page POSTs it and
answers under an opaque token, a GET carrying it is refused, and the API takes it only in a body."""

import datetime as dt
import re

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client

from fangkong.grid.actions import issue_api_token
from fangkong.grid.tests.openapi_check import wsgi_requests_inside_the_test_transaction  # noqa: F401 (a fixture)
from fangkong.lib.idcard import make
from fangkong.registry import actions
from fangkong.registry.tests.test_pages_persons import add_people

HTMX = {"HX-Request": "true"}
URL_ATTRS = re.compile(r'(?:href|action|hx-get|hx-post|src)="([^"]*)"')


def urls_in(response) -> list[str]:
    found = URL_ATTRS.findall(response.content.decode())
    return found + [response.get("Location", ""), response.get("HX-Push-Url", "")]


def assert_nowhere(number: str, urls: list[str]) -> None:
    for url in urls:
        assert number not in url and number[-4:] not in url, url


@pytest.mark.parametrize("digits", ["full_id", "phone", "last4"])
def test_it_searches_by_number_without_putting_it_in_any_address(client, world, people, settings, digits):
    settings.PAGE_SIZE = 2
    add_people(world, 3)  # enough rows for a second page with the same phone ending
    zhang = people["zhang"]
    number = {"full_id": zhang.id_number, "phone": zhang.phone, "last4": zhang.phone[-4:]}[digits]
    client.force_login(world.county_admin)

    posted = client.post("/persons/", {"text": number})
    again = client.get(posted["HX-Push-Url"])

    for page in (posted, again):
        assert [p.name for p in page.context["page"]] == ["张伟"]
        assert_nowhere(number, urls_in(page))
    live = client.post("/persons/", {"text": number, "sex": "male"}, headers=HTMX)
    assert "<html" not in live.content.decode() and "张伟" in live.content.decode()
    assert_nowhere(number, urls_in(live))
    assert client.get(live["HX-Push-Url"]).context["page"][0] == zhang


def test_it_pages_a_search_by_number_through_its_token(client, world, settings):
    settings.PAGE_SIZE = 2
    for n in range(5):  # five phones ending in 2468
        actions.register_person(
            actor=world.grid07_worker,
            node=world.grid07,
            name=f"测试{chr(0x4E00 + n)}",
            id_number=make("371502", dt.date(1980, 1, 1) + dt.timedelta(days=n), 100 + n),
            phone=f"13{n}00002468",
        )
    client.force_login(world.county_admin)

    first = client.post("/persons/", {"text": "2468"})
    next_link = re.search(r'href="(\?[^"]*page=2)"', first.content.decode()).group(1)
    second = client.get(f"/persons/{next_link}")

    assert first.context["page"].paginator.count == 5
    assert len(second.context["page"]) == 2
    assert "2468" not in next_link


def test_it_keeps_searches_by_name_in_the_address(client, world, people):
    client.force_login(world.county_admin)
    posted = client.post("/persons/", {"text": "zw"}, headers=HTMX)
    assert posted["HX-Push-Url"] == "/persons/?text=zw"
    assert [p.name for p in client.get(posted["HX-Push-Url"]).context["page"]] == ["张伟"]


def test_it_refuses_a_number_in_the_address(client, world, people):
    client.force_login(world.county_admin)
    response = client.get("/persons/", {"text": people["zhang"].phone, "sex": "male"})
    assert response.status_code == 302 and response["Location"] == "/persons/?sex=male"
    shown = client.get(response["Location"]).content.decode()
    assert "号码不放在网址中" in shown


def test_it_keeps_a_token_to_its_own_session_and_lets_it_expire(client, world, people, settings):
    client.force_login(world.county_admin)
    location = client.post("/persons/", {"text": people["zhang"].phone})["HX-Push-Url"]
    other = Client()
    other.force_login(world.county_admin)
    assert other.get(location)["Location"] == "/persons/"
    settings.SEARCH_TOKEN_SECONDS = -1
    expired = client.get(client.post("/persons/", {"text": people["zhang"].phone})["HX-Push-Url"])
    assert expired.status_code == 302


# API

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def token_of(user) -> str:
    return issue_api_token(actor=user, name="测试")[1]


def call(operation, user, **parts):
    """One request through the WSGI app, validated against the published schema."""
    case = operation.Case(headers={"Authorization": f"Bearer {token_of(user)}"}, **parts)
    response = case.call()
    case.validate_response(response)
    return response


@pytest.mark.usefixtures("wsgi_requests_inside_the_test_transaction")
def test_it_finds_a_person_by_number_through_the_api_body(world, people):
    search = schema["/api/v1/persons/search"]["POST"]
    zhang = people["zhang"]
    for number in (zhang.id_number, zhang.phone, zhang.phone[-4:]):
        response = call(search, world.grid07_worker, body={"q": number})
        assert [item["name"] for item in response.json()["items"]] == ["张伟"]
    assert call(search, world.grid08_worker, body={"q": zhang.phone}).json()["count"] == 0


@pytest.mark.usefixtures("wsgi_requests_inside_the_test_transaction")
def test_it_refuses_a_number_in_the_api_query_string(world, people, caplog):
    listing = schema["/api/v1/persons"]["GET"]
    response = call(listing, world.grid07_worker, query={"q": people["zhang"].phone[-4:]})
    # Django logs the refusal (a 4xx) with the path only: no query string, no body.
    assert caplog.records and not [r for r in caplog.records if people["zhang"].phone[-4:] in r.getMessage()]
    assert response.status_code == 422
    assert "POST /api/v1/persons/search" in response.json()["errors"]["q"]
    assert call(listing, world.grid07_worker, query={"q": "zw"}).json()["count"] == 1
