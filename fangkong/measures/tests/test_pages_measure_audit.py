"""The measure page shows a person's data: every view of it is in the audit log (one row per view, as
the person's own page), and it links to the person and back to the key-person list."""

from fangkong.audit.models import Action, AuditEvent
from fangkong.measures.tests.test_pages_keypersons import under_measure  # noqa: F401 — fixture


def views_of(person):
    return AuditEvent.objects.filter(
        action=Action.VIEW_PERSON, target_type="Person", target_id=str(person.pk)
    )


def test_it_writes_one_audit_row_per_view_of_the_measure_page(client, world, people, under_measure):  # noqa: F811
    client.force_login(world.grid07_viewer)
    url = f"/measures/{under_measure.pk}/"
    client.get(url)
    client.get(url)
    rows = list(views_of(people["zhang"]).order_by("id"))
    assert len(rows) == 2
    assert rows[0].actor == world.grid07_viewer
    assert rows[0].node_path == under_measure.node.path
    assert rows[0].detail == {"page": "measure", "measure": under_measure.pk}


def test_it_writes_nothing_for_someone_outside_the_area(client, world, people, under_measure):  # noqa: F811
    client.force_login(world.grid08_worker)
    assert client.get(f"/measures/{under_measure.pk}/").status_code == 404
    assert not views_of(people["zhang"]).exists()


def test_it_links_to_the_person_and_back_to_the_key_person_list(client, world, people, under_measure):  # noqa: F811
    client.force_login(world.grid07_worker)
    page = client.get(f"/measures/{under_measure.pk}/").content.decode()
    assert f'href="/persons/{people["zhang"].pk}/"' in page
    assert 'href="/measures/"' in page


def test_it_links_the_temperature_ledger_for_readers_too(client, world, people, under_measure):  # noqa: F811
    client.force_login(world.grid07_viewer)
    page = client.get(f"/measures/{under_measure.pk}/").content.decode()
    link = f'href="/imports/exports/temperature/{under_measure.pk}/"'
    assert link in page
    ledger = client.get(f"/imports/exports/temperature/{under_measure.pk}/")
    assert ledger.status_code == 200 and ledger["Content-Type"].startswith("application/vnd.openxmlformats")
