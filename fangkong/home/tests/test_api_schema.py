"""The whole API against its published OpenAPI schema, with schemathesis: for generated requests
(valid and invalid), no 500, every status code and body as the schema says. Generated ids and codes
are mixed with real ones from the test world so that the happy paths run too. It runs as two personas,
each with an API token: the county admin, who sees and may change everything, and the grid-08 worker,
to whom nothing about grid 07's people may ever appear in a response. Bounded and derandomized (the
same examples every run), so that it belongs in the normal test run."""

import datetime as dt

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.utils import timezone
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
from fangkong.grid.tests.openapi_check import wsgi_requests_inside_the_test_transaction  # noqa: F401 (a fixture)
from fangkong.lib.idcard import make
from fangkong.measures import actions as measure_actions
from fangkong.measures import queries as measure_queries
from fangkong.measures.models import Alert, Measure
from fangkong.policy.models import Kind, Reason
from fangkong.registry import actions as registry_actions
from fangkong.registry import queries
from fangkong.registry.models import Household, Person
from fangkong.reporting import actions as daily_actions
from fangkong.reporting import queries as daily_queries
from fangkong.reporting.models import ReportingUnit

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
GRID07_SECRETS = ("张伟", "李秀英", "前屯村七组12号", "13812345678", "13987654321")

PERSONAS = ["county_admin", "grid08_worker"]  # the accounts the requests are made as
MAX_EXAMPLES = 20  # per operation and persona: the run stays well under a minute per database

valid_id_numbers = st.builds(
    make,
    st.sampled_from(["371502", "110105", "440524"]),
    st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)),
    st.integers(0, 999),
)

# The persona of the running test, with its token and the real values the hooks mix in. The hooks are
# called while hypothesis draws an example, inside the test, after the fixture below has filled this.
_current: dict = {}


def _real(model_values: list, own_values: list) -> st.SearchStrategy:
    """Any real value, or one from the persona's own area (the ones that can succeed)."""
    return st.one_of(*(st.sampled_from(values) for values in (model_values, own_values) if values))


def _ids(model, own) -> st.SearchStrategy:
    return _real(list(model.objects.values_list("pk", flat=True)), list(own.values_list("pk", flat=True)))


def _known(user) -> dict[str, st.SearchStrategy]:
    nodes = _real(
        list(Jurisdiction.objects.values_list("code", flat=True)),
        list(scoping.visible_jurisdictions(user).values_list("code", flat=True)),
    )
    persons = _ids(Person, queries.persons_visible_to(user))
    households = _ids(Household, queries.households_visible_to(user))
    today = timezone.localdate()
    return {
        "code": nodes,
        "node": nodes,
        "parent": nodes,
        "to_node": nodes,
        "person_id": persons,
        "household_id": households,
        "household": households,
        "measure_id": _ids(Measure, measure_queries.measures_visible_to(user)),
        "alert_id": _ids(Alert, measure_queries.alerts_visible_to(user)),
        "reporting_unit_id": _ids(ReportingUnit, daily_queries.units_visible_to(user)),
        "day": st.sampled_from([today.isoformat(), (today - dt.timedelta(days=1)).isoformat()]),
        "version": st.sampled_from([1, 2, 3]),
        "id_number": valid_id_numbers,
        "phone": st.sampled_from(["", "13800001111", "0635-8123456"]),
    }


def _with_known_values(values):
    """Each generated value, or as often a real one, so that requests also find rows and succeed."""
    if not isinstance(values, dict):
        return st.just(values)
    known = _current["known"]
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


def _under_measure(world, person, *, fever: bool) -> None:
    """A person in home quarantine since yesterday, with a follow-up (a fever raises an alert)."""
    admin = world.county_admin
    screening = measure_actions.record_screening(
        actor=admin, person=person, reason=Reason.ARRIVAL, screened_on=timezone.localdate()
    )
    measure = measure_actions.start_measure(
        actor=admin,
        person=person,
        kind=Kind.HOME_QUARANTINE,
        screening=screening,
        started_at=timezone.now() - dt.timedelta(days=1),
    )
    measure_actions.record_follow_up(
        actor=admin,
        measure=measure,
        temperature="38.5" if fever else "36.5",
        taken_at=timezone.now() - dt.timedelta(hours=20),
    )


@pytest.fixture
def records(world, people):
    """Key persons, alerts and reporting units in grid 07 and in grid 08, for the happy paths."""
    _under_measure(world, people["zhang"], fever=True)
    _under_measure(world, people["wang"], fever=True)
    week_ago = timezone.localdate() - dt.timedelta(days=7)
    daily_actions.add_village_reporting_units(
        actor=world.county_admin, node=world.township, active_from=week_ago
    )
    shop = registry_actions.create_unit(
        actor=world.county_admin, node=world.grid08, name="八组超市", kind="enterprise"
    )
    daily_actions.add_reporting_unit(actor=world.county_admin, unit=shop, active_from=week_ago)


@pytest.fixture(params=PERSONAS)
def persona(request, world, people, records):
    user = getattr(world, request.param)
    _, raw = issue_api_token(actor=user, name="schemathesis")
    _current.update(name=request.param, token=raw, known=_known(user))
    yield _current
    _current.clear()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_it_answers_every_request_as_its_schema_says(
    case,
    persona,
    wsgi_requests_inside_the_test_transaction,  # noqa: F811 (the fixture imported above)
):
    response = case.call_and_validate(headers={"Authorization": f"Bearer {persona['token']}"}, checks=CHECKS)
    if persona["name"] == "grid08_worker":
        assert not any(secret in response.text for secret in GRID07_SECRETS), response.text


def test_no_two_api_bodies_share_a_name():
    """The OpenAPI document names each body by its class: two classes of one name in two apps' schemas.py
    would make one operation describe the other's body."""
    import importlib
    from importlib.util import find_spec

    from django.apps import apps
    from pydantic import BaseModel

    seen = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.schemas"
        if not config.name.startswith("fangkong.") or find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == name:
                seen.setdefault(value.__name__, set()).add(name)
    assert len(seen) > 50
    assert {body: modules for body, modules in seen.items() if len(modules) > 1} == {}
