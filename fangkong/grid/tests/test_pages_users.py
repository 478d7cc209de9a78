"""Accounts: an admin lists, creates and manages the accounts of their area, and nothing else."""

import pytest
from django.contrib.auth import get_user_model

from fangkong.audit.models import Action, AuditEvent
from fangkong.conftest import PASSWORD, make_user
from fangkong.grid.models import Membership, Role

NEW_PASSWORD = "willow-lantern-harbour-7"


def usernames_listed(html: str) -> set[str]:
    return {
        name
        for name in (
            "county_admin",
            "township_admin",
            "grid07_worker",
            "grid07_viewer",
            "grid08_worker",
            "outsider",
            "both",
        )
        if f">{name}</a>" in html
    }


def test_it_lists_the_accounts_of_the_admins_area_only(client, world):
    client.force_login(world.township_admin)

    html = client.get("/users/").content.decode()

    assert usernames_listed(html) == {"township_admin", "grid07_worker", "grid07_viewer", "grid08_worker"}
    assert "第七网格 · 网格员" in html


def test_it_shows_a_membership_outside_the_area_only_as_other_area(client, world):
    stranger = make_user("stranger")
    both = make_user("both", world.grid08, Role.GRID_WORKER)
    Membership.objects.create(user=both, node=world.county, role=Role.VIEWER)
    client.force_login(world.township_admin)

    listing = client.get("/users/").content.decode()
    detail = client.get(f"/users/{both.pk}/").content.decode()

    assert "both" in usernames_listed(listing) and "其他辖区" in listing
    assert "其他辖区" in detail and "东昌府区" not in detail
    assert client.get(f"/users/{stranger.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["grid07_worker", "grid07_viewer", "grid08_worker", "outsider"])
def test_it_hides_account_pages_from_non_admins(client, world, persona):
    client.force_login(getattr(world, persona))

    assert client.get("/users/").status_code == 404
    assert client.get("/users/new/").status_code == 404
    assert client.get(f"/users/{world.grid07_worker.pk}/").status_code == 404
    assert client.post(f"/users/{world.grid07_worker.pk}/active/", {"active": "0"}).status_code == 404
    assert get_user_model().objects.get(pk=world.grid07_worker.pk).is_active


def test_it_answers_404_for_an_account_above_the_admins_area(client, world):
    client.force_login(world.township_admin)

    assert client.get(f"/users/{world.county_admin.pk}/").status_code == 404
    assert (
        client.post(
            f"/users/{world.county_admin.pk}/password/", {"password": NEW_PASSWORD, "password2": NEW_PASSWORD}
        ).status_code
        == 404
    )


def test_it_creates_an_account_at_a_node_of_the_area(client, world):
    client.force_login(world.township_admin)
    form = {
        "username": "village_doc",
        "full_name": "村医",
        "node": world.other_village.code,
        "role": Role.VILLAGE_STAFF,
        "password": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }

    response = client.post("/users/new/", form)

    user = get_user_model().objects.get(username="village_doc")
    assert response.status_code == 302 and response["Location"] == f"/users/{user.pk}/"
    assert list(user.memberships.values_list("node__code", "role")) == [
        (world.other_village.code, "village_staff")
    ]
    assert AuditEvent.objects.filter(action=Action.USER_CHANGE, target_id=str(user.pk)).exists()


def test_it_offers_only_nodes_of_the_area_and_refuses_others(client, world):
    client.force_login(world.township_admin)

    page = client.get("/users/new/").content.decode()
    response = client.post(
        "/users/new/",
        {
            "username": "sneaky",
            "full_name": "x",
            "node": world.county.code,
            "role": Role.ADMIN,
            "password": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert f'value="{world.township.code}"' in page and f'value="{world.county.code}"' not in page
    assert response.status_code == 200 and "辖区" in response.content.decode()
    assert not get_user_model().objects.filter(username="sneaky").exists()


def test_it_shows_form_errors_in_chinese(client, world):
    client.force_login(world.township_admin)

    response = client.post(
        "/users/new/",
        {
            "username": "x",
            "full_name": "",
            "node": world.grid07.code,
            "role": Role.TOWNSHIP_STAFF,
            "password": "123",
            "password2": "1234",
        },
    )

    html = response.content.decode()
    assert "两次输入的密码不一致" in html and "这个字段是必填项" in html
    assert not get_user_model().objects.filter(username="x").exists()


def test_it_adds_and_removes_a_membership(client, world):
    client.force_login(world.township_admin)
    worker = world.grid07_worker

    client.post(f"/users/{worker.pk}/memberships/", {"node": world.grid08.code, "role": Role.GRID_WORKER})
    added = Membership.objects.get(user=worker, node=world.grid08)
    response = client.post(f"/users/{worker.pk}/memberships/{added.pk}/remove/")

    assert response.status_code == 302
    assert list(Membership.objects.filter(user=worker).values_list("node__code", flat=True)) == [
        world.grid07.code
    ]
    changes = AuditEvent.objects.filter(action=Action.USER_CHANGE, target_id=str(worker.pk))
    assert sorted(e.detail["change"] for e in changes) == ["membership", "remove_membership"]


def test_it_refuses_a_role_that_does_not_fit_the_level(client, world):
    client.force_login(world.township_admin)

    response = client.post(
        f"/users/{world.grid07_worker.pk}/memberships/",
        {"node": world.grid08.code, "role": Role.TOWNSHIP_STAFF},
    )

    assert "不能设在网格一级" in response.content.decode()
    assert not Membership.objects.filter(user=world.grid07_worker, node=world.grid08).exists()


def test_it_deactivates_and_reactivates_an_account(client, world):
    client.force_login(world.township_admin)
    url = f"/users/{world.grid08_worker.pk}/active/"

    client.post(url, {"active": "0"})
    assert not get_user_model().objects.get(pk=world.grid08_worker.pk).is_active
    assert client.login(username="grid08_worker", password=PASSWORD) is False
    client.force_login(world.township_admin)
    client.post(url, {"active": "1"})
    assert get_user_model().objects.get(pk=world.grid08_worker.pk).is_active


def test_it_resets_a_password(client, world):
    client.force_login(world.township_admin)

    response = client.post(
        f"/users/{world.grid07_viewer.pk}/password/", {"password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert get_user_model().objects.get(pk=world.grid07_viewer.pk).check_password(NEW_PASSWORD)


def test_it_shows_the_password_rules_when_a_reset_is_refused(client, world):
    client.force_login(world.township_admin)

    response = client.post(
        f"/users/{world.grid07_viewer.pk}/password/", {"password": "12345", "password2": "12345"}
    )

    assert response.status_code == 200 and "密码只包含数字" in response.content.decode()
    assert get_user_model().objects.get(pk=world.grid07_viewer.pk).check_password(PASSWORD)


def test_it_offers_accounts_and_audit_in_the_navigation_by_capability(client, world):
    client.force_login(world.county_admin)
    county = client.get("/").content.decode()
    client.force_login(world.township_admin)
    township = client.get("/").content.decode()
    client.force_login(world.grid07_worker)
    worker = client.get("/").content.decode()

    assert 'href="/users/"' in county and 'href="/audit/"' in county
    assert (
        'href="/users/"' in township and 'href="/audit/"' not in township
    )  # the audit log is a county matter
    assert 'href="/users/"' not in worker and 'href="/audit/"' not in worker


@pytest.mark.parametrize("extra", [0, 5])
def test_it_lists_accounts_in_a_fixed_number_of_queries(client, world, extra, django_assert_num_queries):
    for n in range(extra):
        make_user(f"extra{n}", world.grid07 if n % 2 else world.grid08, Role.GRID_WORKER)
    client.force_login(world.township_admin)

    # session, user, memberships (scoping), count, page of users, their memberships
    with django_assert_num_queries(7):
        response = client.get("/users/")

    assert response.content.decode().count(" · 网格员") == 2 + extra  # grid07_worker, grid08_worker
