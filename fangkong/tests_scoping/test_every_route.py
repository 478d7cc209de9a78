"""Every URL and every API operation is either scoped to the user's area or deliberately public.

The test walks the URL resolver and the OpenAPI schema. Each route must appear in ROUTES with the
arguments that point at grid 07's records (or in PUBLIC with a reason); a new route that is in neither
fails the test until someone says how it is scoped. Then the grid-08 worker and an account with no area
ask for each of grid 07's records with GET and POST, and must get a refusal or a page that shows
nothing of grid 07.

ROUTES, PUBLIC, API_IDS and the records of grid 07 (the `grid07` fixture) are made of each app's part, in
apps/<app>.py: a new app adds its entries there.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fangkong.conftest import PASSWORD

from .apps import API_IDS, PUBLIC, ROUTES

# Things only grid 07's records contain: seeing any of them outside grid 07 is a leak.
GRID07_MARKERS = ["张伟", "李秀英", "前屯村七组12号", "第七网格", "13812345678"]


def site_routes():
    """(name, callback) of every named page route, the API's operations excepted (walked below)."""

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern):
                yield namespace, p

    return [(ns, p) for ns, p in walk(get_resolver().url_patterns)]


def test_it_knows_how_every_route_is_scoped():
    unknown = []
    for namespace, pattern in site_routes():
        if namespace == "api" and pattern.name not in ("openapi-view", "api-root"):
            continue  # API operations: test_it_scopes_every_api_operation
        if pattern.name is None:
            unknown.append(str(pattern.pattern))
        elif pattern.name in PUBLIC:
            assert getattr(pattern.callback, "login_required", True) is False, (
                f"{pattern.name} should be public"
            )
        elif pattern.name not in ROUTES:
            unknown.append(pattern.name)
        else:
            assert getattr(pattern.callback, "login_required", True) is not False, (
                f"{pattern.name} skips the login but is not in PUBLIC"
            )
    assert not unknown, f"routes with no scoping entry in this test: {unknown}"


def leaks(content: bytes) -> list[str]:
    text = content.decode(errors="replace")
    return [marker for marker in GRID07_MARKERS if marker in text]


def url_of(name, world, records):
    kwargs, query = ROUTES[name](world, records)
    namespace = "api:" if name in ("openapi-view", "api-root") else ""
    return reverse(namespace + name, kwargs=kwargs) + (f"?{query}" if query else "")


@pytest.mark.parametrize("persona", ["grid08_worker", "outsider"])
def test_it_shows_nothing_of_grid_07_outside_it(world, grid07, persona):
    client = Client()
    client.login(username=getattr(world, persona).username, password=PASSWORD)
    failures = []
    for name in ROUTES:
        if name == "logout":
            continue
        url = url_of(name, world, grid07)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {url}: {response.status_code}")
            elif response.status_code in (200, 201) and leaks(response.content):
                failures.append(f"{method.upper()} {url}: shows {leaks(response.content)}")
            elif (
                response.status_code in (301, 302)
                and method == "post"
                and "login" not in response["Location"]
            ):
                failures.append(f"POST {url}: accepted (redirect to {response['Location']})")
    assert not failures, "\n".join(failures)


def test_it_asks_a_stranger_to_log_in_everywhere(world, grid07):
    client = Client()
    for name in ROUTES:
        url = url_of(name, world, grid07)
        response = client.get(url)
        assert response.status_code in (302, 401), (
            f"GET {url} answered {response.status_code} without a login"
        )
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login")), url


def test_it_still_shows_grid_07_to_its_own_worker(world, grid07):
    """The walk above could pass by refusing everyone: the grid-07 worker sees their records."""
    client = Client()
    client.login(username=world.grid07_worker.username, password=PASSWORD)
    for name in (
        "person_list",
        "person_detail",
        "household_detail",
        "measure_detail",
        "worklist",
        "alert_list",
        "case_detail",
        "inspection_detail",
        "order_list",
        "task_list",
        "duty_roster",
        "school_detail",
        "class_check",
        "absence_list",
    ):
        response = client.get(url_of(name, world, grid07))
        assert response.status_code == 200, name
        assert leaks(response.content), f"{name} shows none of grid 07's records to its own worker"


def api_operations(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield path, method


@pytest.mark.parametrize("persona", ["grid08_worker", "outsider"])
def test_it_scopes_every_api_operation(world, grid07, persona):
    user = getattr(world, persona)
    client = Client()
    client.force_login(user)
    failures, seen = [], 0
    for path, method in api_operations(Client()):
        concrete = re.sub(r"\{(\w+)\}", lambda m: str(API_IDS[m.group(1)](world, grid07)), path)
        anonymous = getattr(Client(), method)(
            concrete, content_type="application/json", data={} if method != "get" else None
        )
        if anonymous.status_code != 401:
            failures.append(f"{method.upper()} {concrete} without login: {anonymous.status_code}")
        response = getattr(client, method)(
            concrete, data={} if method != "get" else None, content_type="application/json"
        )
        seen += 1
        if response.status_code >= 500 or (response.status_code < 300 and leaks(response.content)):
            failures.append(f"{method.upper()} {concrete}: {response.status_code} {leaks(response.content)}")
    assert seen >= 10
    assert not failures, "\n".join(failures)
