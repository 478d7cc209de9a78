"""Every registry page, asked for by someone outside the area: 404 for grid-07 objects, nothing from
grid 07 in lists or search, no registration form for those who may register nowhere."""

import pytest

from fangkong.audit.models import Action, AuditEvent
from fangkong.registry.models import Person, Verification

GRID07_NAMES = ("张伟", "李秀英", "前屯村七组12号")


def grid07_urls(people) -> list[tuple[str, str]]:
    zhang, h07 = people["zhang"].pk, people["h07"].pk
    return [
        ("get", f"/households/{h07}/"),
        ("get", f"/households/{h07}/edit/"),
        ("post", f"/households/{h07}/edit/"),
        ("get", f"/persons/new/?household={h07}"),
        ("get", f"/persons/{zhang}/"),
        ("get", f"/persons/{zhang}/edit/"),
        ("post", f"/persons/{zhang}/edit/"),
        ("get", f"/persons/{zhang}/move/"),
        ("post", f"/persons/{zhang}/move/"),
        ("post", f"/persons/{zhang}/reveal/"),
        ("post", f"/persons/{zhang}/verify/"),
    ]


@pytest.mark.parametrize("persona", ["grid08_worker", "outsider"])
def test_it_answers_404_for_every_grid07_url(client, world, people, persona):
    client.force_login(getattr(world, persona))
    for method, url in grid07_urls(people):
        response = getattr(client, method)(url, {"method": "in_person"} if url.endswith("verify/") else {})
        assert response.status_code == 404, (method, url)
    zhang = Person.objects.get(pk=people["zhang"].pk)
    assert zhang.verification == Verification.NONE
    assert not AuditEvent.objects.filter(action__in=[Action.VIEW_PERSON, Action.REVEAL]).exists()


def test_it_answers_404_for_ids_that_do_not_exist(client, world):
    client.force_login(world.county_admin)
    assert client.get("/persons/999999/").status_code == 404
    assert client.get("/households/999999/").status_code == 404


@pytest.mark.parametrize("persona", ["grid08_worker", "outsider"])
def test_it_never_lists_grid07_records_outside_grid07(client, world, people, persona):
    client.force_login(getattr(world, persona))
    pages = [client.get("/persons/"), client.get("/households/")]
    # The results fragment only: the search box itself repeats what was typed.
    searches = ("zw", "zhangwei", "张伟", "5678", "1230")
    pages += [client.post("/persons/", {"text": text}, headers={"HX-Request": "true"}) for text in searches]
    for page in pages:
        assert page.status_code == 200
        for name in GRID07_NAMES:
            assert name not in page.content.decode()
    searched = client.get("/persons/", {"text": "zw"})
    assert list(searched.context["page"]) == []


def test_it_refuses_a_filter_on_a_node_outside_the_area(client, world, people):
    client.force_login(world.grid08_worker)
    response = client.get("/persons/", {"node_code": world.grid07.code})
    assert response.context["filters"].errors["node_code"]
    assert "张伟" not in response.content.decode()


def test_it_sends_the_login_page_to_anonymous_users(client, world, people):
    response = client.get(f"/persons/{people['zhang'].pk}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["grid07_viewer", "outsider"])
def test_it_offers_no_registration_to_those_who_may_not_write(client, world, persona):
    client.force_login(getattr(world, persona))
    for url in ("/households/new/", "/persons/new/", "/units/new/"):
        assert client.get(url).status_code == 403, url
    assert "登记人员" not in client.get("/persons/").content.decode()
