"""The navigation offers each persona only pages that open for them: a link that answers 403 is a
dead end a newcomer trips on."""

import re

import pytest

from fangkong.conftest import PASSWORD

PERSONAS = ["county_admin", "township_admin", "grid07_worker", "grid07_viewer"]


def nav_links(client) -> list[str]:
    html = client.get("/").content.decode()
    nav = html[html.index('<nav class="mainnav">') : html.index("</nav>")]
    return re.findall(r'href="([^"]+)"', nav)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_links_only_pages_the_persona_may_open(client, world, persona):
    assert client.login(username=getattr(world, persona).username, password=PASSWORD)
    links = nav_links(client)
    assert len(links) > 10
    refused = [link for link in links if client.get(link).status_code == 403]
    assert refused == []


def test_it_offers_the_ledger_import_to_writers_only(client, world):
    client.login(username=world.grid07_viewer.username, password=PASSWORD)
    assert "/imports/returnees/" not in nav_links(client)
    client.login(username=world.grid07_worker.username, password=PASSWORD)
    assert "/imports/returnees/" in nav_links(client)
