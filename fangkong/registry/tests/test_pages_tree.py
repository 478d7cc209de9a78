"""The tree: a node's breadcrumb, its children with counts, HTMX expand, and 404 outside one's area."""

import pytest

from fangkong.conftest import make_node, make_user
from fangkong.grid import actions as grid_actions
from fangkong.grid.models import Level
from fangkong.registry import actions as registry_actions


def url(node) -> str:
    return f"/tree/{node.code}/"


def test_it_lists_the_children_of_a_village_with_households_and_persons(client, world, people):
    client.force_login(world.township_admin)

    html = client.get(url(world.village)).content.decode()

    assert "第七网格" in html and "第八网格" in html
    assert "1 户 · 2 人" in html  # grid 07: h07 with 张伟 and 李秀英
    assert "1 户 · 1 人" in html  # grid 08: h08 with 王芳


def test_it_counts_a_whole_subtree_under_each_child(client, world, people):
    client.force_login(world.county_admin)

    html = client.get(url(world.township)).content.decode()

    assert "前屯村委会" in html and "后屯村委会" in html
    assert "2 户 · 3 人" in html  # 前屯村委会: both grids
    assert "0 户 · 0 人" in html  # 后屯村委会


def test_it_links_only_the_ancestors_the_user_may_see(client, world):
    client.force_login(world.township_admin)

    html = client.get(url(world.village)).content.decode()
    crumbs = html.split('<nav class="breadcrumb">', 1)[1].split("</nav>", 1)[0]

    assert "东昌府区" in crumbs and 'href="/tree/371502/"' not in crumbs
    assert "聊城市" in crumbs and 'href="/tree/3715/"' not in crumbs
    assert f'href="{url(world.township)}"' in crumbs


def test_it_answers_404_for_a_node_outside_the_users_area(client, world, people):
    client.force_login(world.grid08_worker)

    assert client.get(url(world.grid07)).status_code == 404
    assert client.get(url(world.village)).status_code == 404
    assert client.get("/tree/no-such-code/").status_code == 404
    assert client.get(url(world.grid08)).status_code == 200


def test_it_shows_nothing_to_an_account_without_membership(client, world, people):
    client.force_login(world.outsider)

    root = client.get("/tree/").content.decode()

    assert "您的账号尚未分配辖区，请联系管理员" in root
    assert "东昌府区" not in root
    for node in (world.county, world.township, world.village, world.grid07):
        assert client.get(url(node)).status_code == 404


def test_it_starts_the_tree_at_the_users_own_nodes(client, world, people):
    client.force_login(world.grid07_worker)

    html = client.get("/tree/").content.decode()

    assert "第七网格" in html and "1 户 · 2 人" in html
    assert "第八网格" not in html and "前屯村委会" not in html


def test_it_expands_a_child_in_place_for_htmx(client, world, people):
    client.force_login(world.township_admin)

    page = client.get(url(world.township)).content.decode()
    fragment = client.get(url(world.village), headers={"HX-Request": "true"}).content.decode()

    assert f'hx-get="{url(world.village)}"' in page
    assert "<html" not in fragment and "breadcrumb" not in fragment
    assert "第七网格" in fragment and "1 户 · 2 人" in fragment


def test_it_shows_the_grid_tools_only_to_grid_managers(client, world):
    client.force_login(world.township_admin)
    assert f'href="/tree/{world.village.code}/grids/new/"' in client.get(url(world.village)).content.decode()

    client.force_login(make_user("township_viewer", world.township, "viewer", "镇查看"))
    html = client.get(url(world.village)).content.decode()
    assert "grids/new/" not in html and "grids/import/" not in html


@pytest.mark.parametrize("villages", [1, 6])
def test_it_counts_children_in_one_query_whatever_their_number(
    client, world, villages, django_assert_num_queries
):
    for n in range(villages):
        village = make_node(f"3715021032{50 + n}", f"新村{n}", Level.VILLAGE, world.township)
        grid = grid_actions.create_grid(actor=world.county_admin, village=village, local_code="01", name="一")
        household = registry_actions.create_household(
            actor=world.county_admin, node=grid, address=f"新村{n}号", dwelling_type="owned"
        )
        assert household.pk
    client.force_login(world.county_admin)

    # session, user, memberships, node, children (with counts), ancestors, 3 for the subtree counts
    with django_assert_num_queries(10):
        response = client.get(url(world.township))

    assert response.content.decode().count("1 户 · 0 人") == villages
