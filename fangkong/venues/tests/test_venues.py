"""Venues: created, edited and deactivated by staff of their node only; an unguessable code; the dwell
time from the policy when the venue has none; the list scoped to the user's area with today's counts."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.audit.models import Action, AuditEvent
from fangkong.conftest import PASSWORD
from fangkong.healthcodes.identity import identify
from fangkong.lib.errors import RuleError
from fangkong.policy import actions as policy_actions
from fangkong.venues import actions as checkin_actions
from fangkong.venues import actions as venue_actions
from fangkong.venues import queries as venue_queries
from fangkong.venues.models import Venue, VenueKind


def client_for(user) -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


def shop(world, node=None, name="前屯便民超市", **fields):
    return venue_actions.create_venue(
        actor=world.county_admin,
        node=node or world.grid07,
        name=name,
        kind=fields.pop("kind", VenueKind.SHOP),
        **fields,
    )


def visitor(number: str = "11010519491231002X", name: str = "赵敏"):
    return identify(id_number=number, name=name, phone="13700001111")


def test_it_gives_each_venue_an_unguessable_code_and_audits_its_creation(world):
    first = shop(world)
    second = shop(world, name="前屯卫生室", kind=VenueKind.CLINIC, contact_phone="0635-8123456")
    assert len(first.code) == 16 and first.code != second.code
    assert not first.code.isdigit()
    assert second.contact_phone == "06358123456"
    event = AuditEvent.objects.get(action=Action.CREATE, target_type="Venue", target_id=str(first.pk))
    assert event.node_path == world.grid07.path and event.actor == world.county_admin


def test_it_lets_only_staff_of_the_node_create_or_change_a_venue(world):
    with pytest.raises(RuleError) as refused:
        venue_actions.create_venue(actor=world.grid08_worker, node=world.grid07, name="超市", kind="shop")
    assert refused.value.code == "forbidden"
    with pytest.raises(RuleError):
        venue_actions.create_venue(actor=world.grid07_viewer, node=world.grid07, name="超市", kind="shop")
    venue = venue_actions.create_venue(actor=world.grid07_worker, node=world.grid07, name="超市", kind="shop")
    with pytest.raises(RuleError) as moved:
        venue_actions.update_venue(
            actor=world.grid07_worker, venue=venue, node=world.grid08, name="超市", kind="shop"
        )
    assert moved.value.errors == {"node": "无权将场所移至该辖区"}
    with pytest.raises(RuleError):
        venue_actions.set_venue_active(actor=world.grid08_worker, venue=venue, active=False)
    assert Venue.objects.get(pk=venue.pk).active


def test_it_says_everything_that_is_wrong_at_once(world):
    with pytest.raises(RuleError) as wrong:
        venue_actions.create_venue(
            actor=world.county_admin,
            node=world.grid07,
            name="  ",
            kind="casino",
            contact_phone="12345",
            dwell_minutes=0,
        )
    assert set(wrong.value.errors) == {"name", "kind", "contact_phone", "dwell_minutes"}
    assert "联系电话" in wrong.value.errors["contact_phone"]
    with pytest.raises(RuleError) as at_city:
        venue_actions.create_venue(
            actor=world.county_admin, node=world.county.parent, name="超市", kind="shop"
        )
    assert at_city.value.code == "forbidden"  # the city is outside the county admin's area


def test_it_refuses_a_second_active_venue_of_the_same_name_on_a_node(world):
    first = shop(world)
    with pytest.raises(RuleError) as same:
        shop(world)
    assert same.value.errors == {"name": "该辖区已有同名场所"}
    shop(world, node=world.grid08)  # another node may have one
    venue_actions.set_venue_active(actor=world.county_admin, venue=first, active=False)
    shop(world)  # the closed one no longer holds the name
    with pytest.raises(RuleError):
        venue_actions.set_venue_active(actor=world.county_admin, venue=first, active=True)


def test_it_keeps_the_code_when_a_venue_is_edited(world):
    venue = shop(world)
    code = venue.code
    venue_actions.update_venue(
        actor=world.county_admin,
        venue=venue,
        node=world.village,
        name="前屯综合超市",
        kind=VenueKind.MARKET,
        address="前屯村东口",
    )
    venue.refresh_from_db()
    assert (venue.code, venue.name, venue.node, venue.kind) == (code, "前屯综合超市", world.village, "market")
    event = AuditEvent.objects.filter(action=Action.UPDATE, target_id=str(venue.pk)).latest("id")
    assert set(event.detail["changed"]) == {"name", "kind", "node", "address"}


def test_it_takes_the_dwell_time_from_the_policy_unless_the_venue_has_one(world):
    restaurant = shop(world, name="前屯饭店", kind=VenueKind.RESTAURANT)
    own = shop(world, name="前屯小学", kind=VenueKind.SCHOOL, dwell_minutes=480)
    assert venue_queries.dwell_minutes(restaurant) == 30  # DOMAIN.md §5 default
    assert venue_queries.dwell_minutes(own) == 480
    policy_actions.set_policy(
        actor=world.county_admin,
        node=world.county,
        effective_from=timezone.localdate(),
        preset="2021",
        overrides={"venue_dwell_minutes": {"restaurant": 90}},
    )
    assert venue_queries.dwell_minutes(restaurant) == 90
    assert venue_queries.dwell_minutes(own) == 480
    market = shop(world, name="前屯集市", kind=VenueKind.MARKET)
    assert venue_queries.dwell_minutes(market) == 30  # a kind the policy left out


def test_it_lists_the_users_venues_with_todays_check_ins(world, django_assert_max_num_queries):
    venues = [shop(world, name=f"前屯商店{i}") for i in range(3)]
    other = shop(world, node=world.grid08, name="后街菜店")
    now = timezone.now()
    checkin_actions.check_in(actor=None, venue=venues[0], people=[visitor()], at=now)
    checkin_actions.check_in(
        actor=None, venue=venues[0], people=[visitor("440524188001010014", "钱七")], at=now
    )
    checkin_actions.check_in(actor=None, venue=venues[0], people=[visitor()], at=now - dt.timedelta(days=2))
    checkin_actions.check_in(actor=None, venue=other, people=[visitor()], at=now)

    client = client_for(world.grid07_worker)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("venue_list"))
    listed = list(page.context["page"])
    assert [v.name for v in listed] == ["前屯商店0", "前屯商店1", "前屯商店2"]
    assert [v.checkins_on_day for v in listed] == [2, 0, 0]
    assert "后街菜店" not in page.content.decode()

    for i in range(3, 20):
        shop(world, name=f"前屯商店{i}")
    with django_assert_max_num_queries(8):  # the same queries for 20 venues as for 3
        client.get(reverse("venue_list"))
    assert (
        client_for(world.grid08_worker).get(reverse("venue_detail", args=[venues[0].pk])).status_code == 404
    )


def test_it_creates_edits_and_deactivates_a_venue_from_its_pages(world):
    client = client_for(world.grid07_worker)
    answer = client.post(
        reverse("venue_create"),
        {"name": "前屯药店", "kind": "clinic", "node": world.grid07.pk, "dwell_minutes": ""},
    )
    venue = Venue.objects.get(name="前屯药店")
    assert answer.status_code == 302 and answer["Location"] == reverse("venue_detail", args=[venue.pk])
    page = client.get(answer["Location"])
    assert "按政策默认值（30 分钟）" in page.content.decode()
    assert f"/r/v/{venue.code}/" in page.content.decode()

    wrong = client.post(
        reverse("venue_edit", args=[venue.pk]), {"name": "", "kind": "clinic", "node": world.grid07.pk}
    )
    assert "场所名称不能为空" in wrong.content.decode()
    client.post(
        reverse("venue_edit", args=[venue.pk]),
        {"name": "前屯大药房", "kind": "clinic", "node": world.grid07.pk, "dwell_minutes": "20"},
    )
    venue.refresh_from_db()
    assert (venue.name, venue.dwell_minutes) == ("前屯大药房", 20)

    client.post(reverse("venue_set_active", args=[venue.pk]), {"active": "0"})
    venue.refresh_from_db()
    assert not venue.active
    assert Client().get(reverse("venue_checkin", args=[venue.code])).status_code == 404


def test_it_refuses_the_venue_pages_to_a_viewer_and_to_other_grids(world):
    venue = shop(world)
    viewer = client_for(world.grid07_viewer)
    assert viewer.get(reverse("venue_detail", args=[venue.pk])).status_code == 200
    assert viewer.get(reverse("venue_edit", args=[venue.pk])).status_code == 404
    assert viewer.get(reverse("venue_create")).status_code == 403
    assert viewer.post(reverse("venue_set_active", args=[venue.pk]), {"active": "0"}).status_code == 404
    assert Venue.objects.get(pk=venue.pk).active
