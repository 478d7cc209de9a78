"""The public donations list (捐赠物资公示): opened without an account by the signed link the staff page
gives, for that node's subtree only; donors named only where they agreed to public thanks, and nothing
of the handlers, receivers, notes or documents."""

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.supplies import actions, queries


def _donate(world, store, item, quantity, donor, public, on, **extra):
    return actions.receive(
        actor=world.county_admin,
        store=store,
        item=item,
        quantity=quantity,
        on=on,
        source="donated",
        donor=donor,
        donor_public=public,
        **extra,
    )


def test_the_public_list_thanks_who_agreed_and_shows_nothing_personal(world, supplies):
    day = timezone.localdate() - dt.timedelta(days=3)
    _donate(
        world,
        supplies.village,
        supplies.masks,
        500,
        "聊城某某商贸有限公司",
        True,
        day,
        note="联系人王某13900001111",
    )
    _donate(world, supplies.village, supplies.suits, 20, "李某某", False, day, handler="经手人赵某")
    _donate(
        world, supplies.reserve, supplies.n95, 100, "县外企业", True, day
    )  # the county's, not the village's
    staff = Client()
    staff.force_login(world.county_admin)
    page = staff.get(reverse("donation_list"), {"node": world.village.code})
    url = page.context["public_url"]
    assert url and queries.donations_node(url.rstrip("/").rsplit("/", 1)[1]) == world.village
    public = Client().get(url)  # no login
    assert public.status_code == 200
    body = public.content.decode()
    assert "聊城某某商贸有限公司" in body and "医用外科口罩" in body and "500" in body
    assert "爱心人士（未署名）" in body and "医用防护服 XL" in body
    for private in ("李某某", "13900001111", "经手人赵某", "县外企业", "前屯村物资点"):
        assert private not in body, private
    assert "共接收捐赠 2 批次" in body
    # Recount from the rows: the public list holds every donation of the subtree, once.
    rows = queries.public_donations(world.village)
    assert sorted((r.item, r.quantity, r.donor) for r in rows) == [
        ("医用外科口罩", 500, "聊城某某商贸有限公司"),
        ("医用防护服 XL", 20, ""),
    ]


def test_a_made_up_or_altered_link_finds_nothing(world, supplies):
    token = queries.donations_token(world.village)
    assert Client().get(reverse("public_donations", args=[token[:-2] + "xx"])).status_code == 404
    assert Client().get(reverse("public_donations", args=[world.village.code])).status_code == 404


def test_only_a_writer_of_the_node_is_given_the_link(world, supplies):
    viewer = Client()
    viewer.force_login(world.grid07_viewer)
    page = viewer.get(reverse("donation_list"), {"node": world.grid07.code})
    assert page.status_code == 200 and page.context["public_url"] is None
