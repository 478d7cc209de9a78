"""The household pages: list with member counts, register, detail, edit with optimistic locking."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.audit.models import Action, AuditEvent
from fangkong.registry import actions
from fangkong.registry.models import Household


def html(response) -> str:
    return response.content.decode()


def form_data(response, **changes) -> dict:
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    return {**{name: "" if value is None else value for name, value in data.items()}, **changes}


def test_it_lists_households_with_their_member_counts(client, world, people):
    client.force_login(world.township_admin)

    response = client.get("/households/")

    counts = {h.address: h.member_count for h in response.context["page"]}
    assert counts == {"前屯村七组12号": 2, "前屯村八组3号": 1}
    assert "前屯村七组12号" in html(response)


def test_it_lists_house_numbers_in_the_order_people_count(client, world):
    for address in ["前屯村1组101号", "前屯村10组1号", "前屯村1组2号", "前屯村2组3号"]:
        actions.create_household(
            actor=world.grid07_worker, node=world.grid07, address=address, dwelling_type="owned"
        )
    client.force_login(world.grid07_worker)
    moved = Household.objects.get(address="前屯村1组101号")
    form = client.get(f"/households/{moved.pk}/edit/")
    client.post(f"/households/{moved.pk}/edit/", form_data(form, address="前屯村1组11号"))

    listed = [h.address for h in client.get("/households/").context["page"]]

    assert listed == ["前屯村1组2号", "前屯村1组11号", "前屯村2组3号", "前屯村10组1号"]


def test_it_searches_households_by_address_and_node(client, world, people):
    client.force_login(world.township_admin)
    by_address = client.get("/households/", {"text": "八组"})
    assert [h.address for h in by_address.context["page"]] == ["前屯村八组3号"]
    by_node = client.get("/households/", {"node_code": world.grid07.code}, headers={"HX-Request": "true"})
    assert [h.address for h in by_node.context["page"]] == ["前屯村七组12号"]
    assert "<html" not in html(by_node)


def test_it_registers_a_household_on_the_workers_grid(client, world):
    client.force_login(world.grid07_worker)
    page = client.get("/households/new/")
    assert page.context["form"]["node"].value() == world.grid07.pk  # the only choice is preselected
    assert "第八网格" not in html(page)

    response = client.post("/households/new/", form_data(page, address="前屯村七组5号", notes="独居老人"))

    household = Household.objects.get(address="前屯村七组5号")
    assert response["Location"] == f"/households/{household.pk}/"
    assert (household.node, household.notes) == (world.grid07, "独居老人")
    assert AuditEvent.objects.filter(action=Action.CREATE, target_type="Household").count() == 1


def test_it_refuses_an_empty_address_and_a_node_outside_the_area(client, world):
    client.force_login(world.grid07_worker)

    empty = client.post(
        "/households/new/", {"node": world.grid07.pk, "address": "", "dwelling_type": "owned"}
    )
    elsewhere = client.post(
        "/households/new/", {"node": world.grid08.pk, "address": "前屯村八组9号", "dwelling_type": "owned"}
    )

    assert "地址不能为空" in empty.context["form"].errors["address"]
    assert "地址不能为空" in html(empty)
    assert elsewhere.context["form"].errors["node"]
    assert 'value="前屯村八组9号"' in html(elsewhere)
    assert not Household.objects.exists()


def test_it_shows_the_members_masked(client, world, people):
    client.force_login(world.grid07_viewer)

    response = client.get(f"/households/{people['h07'].pk}/")

    assert {p.name for p in response.context["members"]} == {"张伟", "李秀英"}
    for person in (people["zhang"], people["li"]):
        assert person.id_number not in html(response)
        assert person.phone not in html(response)
        assert person.masked_id_number in html(response)
    assert "登记本户人员" not in html(response)  # a viewer may not register


def test_it_refuses_the_second_of_two_concurrent_edits_and_keeps_its_input(client, world, people):
    h07 = people["h07"]
    client.force_login(world.grid07_worker)
    first = form_data(client.get(f"/households/{h07.pk}/edit/"), address="前屯村七组12号之一")
    second = form_data(client.get(f"/households/{h07.pk}/edit/"), notes="有一位行动不便的老人")

    assert client.post(f"/households/{h07.pk}/edit/", first).status_code == 302
    response = client.post(f"/households/{h07.pk}/edit/", second)

    assert response.status_code == 200
    assert "已被他人修改" in html(response)
    assert "有一位行动不便的老人" in html(response)
    h07.refresh_from_db()
    assert (h07.address, h07.notes, h07.version) == ("前屯村七组12号之一", "", 2)


def test_it_lets_a_viewer_not_edit(client, world, people):
    client.force_login(world.grid07_viewer)
    assert client.get(f"/households/{people['h07'].pk}/edit/").status_code == 404
    assert client.get("/households/new/").status_code == 403


def test_it_lists_households_in_a_constant_number_of_queries(client, world):
    def add(count, start):
        for n in range(start, start + count):
            household = actions.create_household(
                actor=world.grid07_worker, node=world.grid07, address=f"七组{n}号", dwelling_type="owned"
            )
            actions.register_person(
                actor=world.grid07_worker,
                node=world.grid07,
                household=household,
                name="孙丽",
                id_number=f"E{n:08d}",
                document_type="passport",
                sex="female",
            )

    client.force_login(world.grid07_worker)
    add(5, 0)
    client.get("/households/")
    with CaptureQueriesContext(connection) as five:
        assert len(client.get("/households/").context["page"]) == 5
    add(35, 5)
    with CaptureQueriesContext(connection) as forty:
        page = client.get("/households/").context["page"]
    assert len(page) == 40 and {h.member_count for h in page} == {1}
    assert len(forty) == len(five)


def test_it_writes_one_audit_row_per_view_of_a_household(client, world, people):
    household = people["zhang"].household
    client.force_login(world.grid07_viewer)
    client.get(f"/households/{household.pk}/")
    client.get(f"/households/{household.pk}/")
    rows = AuditEvent.objects.filter(
        action=Action.VIEW_PERSON, target_type="Household", target_id=str(household.pk)
    ).order_by("id")
    assert rows.count() == 2
    assert (rows[0].actor, rows[0].node_path) == (world.grid07_viewer, household.node.path)
    assert rows[0].detail == {"page": "household", "members": 2}
    client.force_login(world.grid08_worker)
    assert client.get(f"/households/{household.pk}/").status_code == 404
    assert rows.count() == 2
