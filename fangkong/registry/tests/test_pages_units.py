"""The unit pages: list and register (schools, enterprises … attached to a node)."""

from fangkong.audit.models import Action, AuditEvent
from fangkong.registry.models import Unit


def html(response) -> str:
    return response.content.decode()


def unit_form(node, **fields) -> dict:
    return {
        "kind": "school",
        "node": node.pk,
        "name": "前屯小学",
        "address": "前屯村东首",
        "contact_name": "刘校长",
        "contact_phone": "0635-8123456",
        **fields,
    }


def test_it_registers_a_unit_and_lists_it_in_its_area_only(client, world):
    client.force_login(world.grid07_worker)

    response = client.post("/units/new/", unit_form(world.grid07))

    assert response["Location"] == "/units/"
    unit = Unit.objects.get(name="前屯小学")
    assert (unit.node, unit.kind, unit.contact_phone) == (world.grid07, "school", "06358123456")
    assert AuditEvent.objects.filter(action=Action.CREATE, target_type="Unit").count() == 1
    listed = client.get("/units/")
    assert list(listed.context["page"]) == [unit]
    assert "06358123456" not in html(listed)  # the contact phone is masked too
    client.force_login(world.grid08_worker)
    assert "前屯小学" not in html(client.get("/units/"))


def test_it_lets_a_township_admin_attach_a_unit_to_the_township(client, world):
    client.force_login(world.township_admin)

    client.post("/units/new/", unit_form(world.township, kind="market", name="梁水镇农贸市场"))

    assert Unit.objects.get(name="梁水镇农贸市场").node == world.township
    assert [u.name for u in client.get("/units/", {"kind": "market"}).context["page"]] == ["梁水镇农贸市场"]
    assert list(client.get("/units/", {"kind": "school"}).context["page"]) == []


def test_it_shows_bad_input_next_to_the_field_and_creates_nothing(client, world):
    client.force_login(world.grid07_worker)

    bad_phone = client.post("/units/new/", unit_form(world.grid07, contact_phone="12345"))
    no_name = client.post("/units/new/", unit_form(world.grid07, name=""))
    no_kind = client.post("/units/new/", unit_form(world.grid07, kind=""))

    assert bad_phone.context["form"].errors["contact_phone"] == ["手机号码应为以1开头的11位数字，现为5位"]
    assert 'value="前屯小学"' in html(bad_phone)
    assert no_name.context["form"].errors["name"] == ["名称不能为空"]
    assert no_kind.context["form"].errors["kind"] == ["请选择类型"]
    assert not Unit.objects.exists()


def test_it_refuses_a_second_unit_of_the_same_name_in_a_node(client, world):
    client.force_login(world.grid07_worker)
    client.post("/units/new/", unit_form(world.grid07))

    response = client.post("/units/new/", unit_form(world.grid07))

    assert response.context["form"].errors["name"] == ["该辖区已有同名单位"]
    assert Unit.objects.count() == 1
