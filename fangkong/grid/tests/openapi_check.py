"""Check one answer of the API, made through Django's test client, against the published OpenAPI schema:
its status code is documented for the operation and its body matches that response's schema. And the
fixture that lets schemathesis call the WSGI app inside the test's transaction."""

import pytest
import requests
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from schemathesis.core.transport import Response

_schemas = {}


def _schema():
    if "api" not in _schemas:
        raw = Client().get("/api/v1/openapi.json").json()
        _schemas["api"] = schemathesis.openapi.from_dict(raw)
    return _schemas["api"]


def conforms(response, method: str, path: str) -> dict:
    """`path` as the schema writes it (/api/v1/alerts/{alert_id}/resolve). Returns the JSON body."""
    operation = _schema()[path][method.upper()]
    documented = operation.definition.raw["responses"]
    assert str(response.status_code) in documented, (
        f"{method.upper()} {path} answered {response.status_code}, documented: {sorted(documented)}"
    )
    prepared = requests.Request(method.upper(), "http://testserver" + path).prepare()
    wrapped = Response(
        status_code=response.status_code,
        headers={key: [value] for key, value in response.headers.items()},
        content=response.content,
        request=prepared,
        elapsed=0.0,
        verify=False,
    )
    operation.validate_response(wrapped)
    return response.json()


@pytest.fixture
def wsgi_requests_inside_the_test_transaction():
    """Django's WSGI handler closes old database connections around each request, which would end the
    test's transaction and lose the world built in it; Django's test client switches this off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
