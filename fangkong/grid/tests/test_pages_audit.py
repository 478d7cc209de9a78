"""The audit log page: county admins only, scoped to their county, filtered and paginated."""

import datetime as dt

import pytest
from django.test import Client

from fangkong.audit.models import Action, AuditEvent
from fangkong.conftest import PASSWORD, make_node, make_user
from fangkong.grid import actions as grid_actions
from fangkong.grid.models import Level, Role

UTC = dt.UTC


@pytest.fixture
def other_county(world):
    """A neighbouring county with its own admin and a grid drawn there."""
    county = make_node("371521", "阳谷县", Level.COUNTY, world.city)
    township = make_node("371521100", "博济桥街道", Level.TOWNSHIP, county)
    village = make_node("371521100001", "城东社区", Level.VILLAGE, township)
    admin = make_user("yanggu_admin", county, Role.ADMIN, "阳谷管理员")
    grid_actions.create_grid(actor=admin, village=village, local_code="01", name="城东一网格")
    return admin


def listed(client) -> str:
    response = client.get("/audit/")
    assert response.status_code == 200
    return response.content.decode()


def log_in(username: str, password: str = PASSWORD) -> None:
    Client().post("/login/", {"username": username, "password": password})


@pytest.mark.parametrize(
    "persona", ["township_admin", "grid07_worker", "grid07_viewer", "grid08_worker", "outsider"]
)
def test_it_is_404_for_everyone_without_the_audit_capability(client, world, persona):
    client.force_login(getattr(world, persona))

    assert client.get("/audit/").status_code == 404


def test_it_shows_a_county_admin_the_events_of_their_county_only(client, world, people, other_county):
    client.force_login(world.county_admin)

    html = listed(client)

    assert "第七网格" in html and "前屯村七组12号" in html
    assert "城东一网格" not in html and "yanggu_admin" not in html
    client.force_login(other_county)
    theirs = listed(client)
    assert "城东一网格" in theirs and "第七网格" not in theirs and "前屯村七组12号" not in theirs


def test_it_shows_logins_of_the_accounts_of_the_area(client, world, other_county):
    log_in("grid08_worker")
    log_in("yanggu_admin")
    log_in("grid07_worker", "wrong-password")
    log_in("yanggu_admin", "wrong-password")
    client.force_login(world.county_admin)

    events = {
        (e.action, e.actor.username if e.actor else e.detail.get("username"))
        for e in client.get("/audit/").context["page"]
    }

    assert (Action.LOGIN, "grid08_worker") in events
    assert (Action.LOGIN_FAILED, "grid07_worker") in events
    assert not {e for e in events if e[1] == "yanggu_admin"}


def test_it_shows_account_changes_that_have_no_place_to_the_admins_of_the_actor(client, world, other_county):
    grid_actions.set_user_active(actor=world.township_admin, user=world.grid08_worker, active=False)
    client.force_login(world.county_admin)

    ours = client.get("/audit/", {"action": Action.USER_CHANGE}).context["page"]
    client.force_login(other_county)
    theirs = client.get("/audit/", {"action": Action.USER_CHANGE}).context["page"]

    assert [(e.actor, e.target_label, e.detail["change"]) for e in ours] == [
        (world.township_admin, "grid08_worker", "deactivate")
    ]
    assert list(theirs) == []


def test_it_filters_by_action_and_actor(client, world, people):
    client.force_login(world.county_admin)

    found = client.get("/audit/", {"action": Action.CREATE, "actor": "GRID08_WORKER"}).context["page"]

    assert sorted((e.actor.username, e.action, e.target_type) for e in found) == [
        ("grid08_worker", "create", "Household"),
        ("grid08_worker", "create", "Person"),
    ]


def test_it_filters_by_dates_written_either_way_in_shanghai_time(client, world):
    event = AuditEvent.objects.create(action=Action.LOGIN, actor=world.grid07_worker, node_path="")
    # 16:30 UTC on 1 March is 00:30 on 2 March in Shanghai
    AuditEvent.objects.filter(pk=event.pk).update(at=dt.datetime(2022, 3, 1, 16, 30, tzinfo=UTC))
    client.force_login(world.county_admin)

    on_the_2nd = client.get("/audit/", {"date_from": "2022年3月2日", "date_to": "2022-03-02"})
    on_the_1st = client.get("/audit/", {"date_from": "2022-03-01", "date_to": "2022年3月1日"})

    assert [e.pk for e in on_the_2nd.context["page"]] == [event.pk]
    assert "2022-03-02 00:30" in on_the_2nd.content.decode()
    assert list(on_the_1st.context["page"]) == []


def test_it_explains_a_date_it_cannot_read(client, world):
    client.force_login(world.county_admin)

    log_in("grid07_worker")
    response = client.get("/audit/", {"date_from": "3月1日", "action": Action.LOGIN})

    assert "日期格式应为 2022-03-01 或 2022年3月1日" in response.content.decode()
    assert {e.action for e in response.context["page"]} == {Action.LOGIN}  # the other filters still apply


def test_it_pages_newest_first(client, world, people, settings):
    settings.PAGE_SIZE = 2
    client.force_login(world.county_admin)
    everything = list(AuditEvent.objects.order_by("-at", "-id").values_list("pk", flat=True))

    first = client.get("/audit/").context["page"]
    second = client.get("/audit/", {"page": 2}).context["page"]

    assert [e.pk for e in first] + [e.pk for e in second] == everything[:4]
    assert first.paginator.num_pages == (len(everything) + 1) // 2


@pytest.mark.parametrize("logins", [1, 6])
def test_it_lists_events_in_a_fixed_number_of_queries(client, world, logins, django_assert_num_queries):
    for _ in range(logins):
        log_in("grid07_worker")
    client.force_login(world.county_admin)

    # session, user, memberships (scoping), count, page of events with their actors, unread reminders (nav)
    with django_assert_num_queries(6):
        response = client.get("/audit/")

    assert response.content.decode().count("grid07_worker") >= logins
