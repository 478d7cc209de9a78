"""Clusters (聚集性疫情) and the chain graph over the cases under a node."""

import datetime as dt

import pytest

from fangkong.tracing import actions, queries
from fangkong.tracing.models import Candidate

from .conftest import at_time, use_preset

pytestmark = pytest.mark.django_db


def test_it_finds_a_household_cluster(world, cases_world):
    cw = cases_world
    actions.report_case(
        actor=world.county_admin,
        node=world.grid07,
        kind="confirmed",
        person=cw.li,
        diagnosed_at=at_time(cw.day, 22),
    )
    [cluster] = queries.clusters_in(world.county)
    assert (cluster.unit, cluster.size) == ("household", 2)
    assert cluster.label == "前屯村七组12号"


def test_it_finds_a_venue_cluster_from_co_presence(world, cases_world):
    cw = cases_world
    actions.report_case(
        actor=world.county_admin,
        node=world.grid08,
        kind="confirmed",
        person=cw.wang,
        diagnosed_at=at_time(cw.day, 23),
    )
    actions.search_contacts(actor=world.county_admin, case=cw.case)
    [cluster] = queries.clusters_in(world.county)
    assert (cluster.unit, cluster.label, cluster.size) == ("venue", "前屯农家饭庄", 2)
    assert queries.clusters_in(world.other_village) == []


def test_it_leaves_cases_more_than_fourteen_days_apart_apart(world, cases_world):
    cw = cases_world
    actions.report_case(
        actor=world.county_admin,
        node=world.grid07,
        kind="confirmed",
        person=cw.li,
        diagnosed_at=at_time(cw.day - dt.timedelta(days=20), 9),
    )
    assert queries.clusters_in(world.county) == []


def test_it_draws_the_chain_with_contacts_and_masked_names(world, cases_world):
    cw = cases_world
    use_preset(world, "2021")
    second = actions.report_case(
        actor=world.county_admin,
        node=world.grid07,
        kind="confirmed",
        person=cw.li,
        diagnosed_at=at_time(cw.day, 22),
    )
    actions.update_case(actor=world.county_admin, case=second, version=1, infected_by=cw.case)
    actions.search_contacts(actor=world.county_admin, case=cw.case)
    wang = Candidate.objects.get(case=cw.case, person=cw.wang)
    actions.decide(actor=world.county_admin, candidates=[wang], decision="close")
    graph = queries.chain_in(world.county)
    names = {n["id"]: n for n in graph.nodes}
    assert names[f"case-{cw.case.pk}"]["label"] == "张*"
    assert names[f"contact-{wang.pk}"] == {"id": f"contact-{wang.pk}", "name": "王*", "category": 1}
    assert {
        "source": f"case-{cw.case.pk}",
        "target": f"case-{second.pk}",
        "kind": "infected_by",
    } in graph.edges
    assert {"source": f"case-{cw.case.pk}", "target": f"contact-{wang.pk}", "kind": "venue"} in graph.edges
