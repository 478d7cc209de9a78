"""The whole API against its published OpenAPI schema, with schemathesis: for generated requests
(valid and invalid), no 500, every status code and body as the schema says. Generated ids and codes
are mixed with real ones from the test world so that the happy paths run too. Run as the grid-08
worker, nothing about grid 07's people may ever appear in a response."""

import datetime as dt

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from fangkong.grid import scoping
from fangkong.grid.actions import issue_api_token
from fangkong.grid.models import Jurisdiction
from fangkong.lib.idcard import make
from fangkong.registry import queries
from fangkong.registry.models import Household, Person

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
GRID07_SECRETS = ("张伟", "李秀英", "前屯村七组12号", "13812345678", "13987654321")


FUZZER = "grid08_worker"  # the persona the requests are made as

valid_id_numbers = st.builds(
    make,
    st.sampled_from(["371502", "110105", "440524"]),
    st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)),
    st.integers(0, 999),
)


def _real(model_values: list, own_values: list) -> st.SearchStrategy:
    """Any real value, or one from the persona's own area (the ones that can succeed)."""
    return st.one_of(*(st.sampled_from(values) for values in (model_values, own_values) if values))


def _known() -> dict[str, st.SearchStrategy]:
    user = get_user_model().objects.get(username=FUZZER)
    nodes = _real(
        list(Jurisdiction.objects.values_list("code", flat=True)),
        list(scoping.visible_jurisdictions(user).values_list("code", flat=True)),
    )
    persons = _real(
        list(Person.objects.values_list("pk", flat=True)),
        list(queries.persons_visible_to(user).values_list("pk", flat=True)),
    )
    households = _real(
        list(Household.objects.values_list("pk", flat=True)),
        list(queries.households_visible_to(user).values_list("pk", flat=True)),
    )
    return {
        "code": nodes,
        "node": nodes,
        "parent": nodes,
        "to_node": nodes,
        "person_id": persons,
        "household_id": households,
        "household": households,
        "version": st.sampled_from([1, 2, 3]),
        "id_number": valid_id_numbers,
        "phone": st.sampled_from(["", "13800001111", "0635-8123456"]),
    }


def _with_known_values(values):
    """Each generated value, or as often a real one, so that requests also find rows and succeed."""
    if not isinstance(values, dict):
        return st.just(values)
    known = _known()
    return st.fixed_dictionaries(
        {
            name: st.one_of(st.just(value), known[name]) if name in known else st.just(value)
            for name, value in values.items()
        }
    )


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    return _with_known_values(path_parameters)


@schema.hook
def flatmap_query(context, query):
    return _with_known_values(query)


@schema.hook
def flatmap_body(context, body):
    return _with_known_values(body)


@pytest.fixture
def wsgi_requests_inside_the_test_transaction():
    """Django's WSGI handler closes old database connections around each request, which would end the
    test's transaction and lose the world built in it; Django's test client switches this off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzzer_token(people, world):
    _, raw = issue_api_token(actor=getattr(world, FUZZER), name="schemathesis")
    return raw


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_it_answers_every_request_as_its_schema_says(
    case, fuzzer_token, wsgi_requests_inside_the_test_transaction
):
    response = case.call_and_validate(headers={"Authorization": f"Bearer {fuzzer_token}"}, checks=CHECKS)
    assert not any(secret in response.text for secret in GRID07_SECRETS), response.text
