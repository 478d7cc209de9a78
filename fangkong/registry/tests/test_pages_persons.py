"""The person pages: register, find, view (masked, audited), reveal, edit, move, verify."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangkong.audit.models import Action, AuditEvent
from fangkong.lib.idcard import make
from fangkong.registry import actions
from fangkong.registry.models import Person, Residence, Verification

HTMX = {"HX-Request": "true"}
VALID_ID = make("371502", dt.date(1988, 8, 8), 202)
WRONG_CHECK_DIGIT = VALID_ID[:-1] + ("1" if VALID_ID[-1] == "0" else "0")


def html(response) -> str:
    return response.content.decode()


def form_data(response, **changes) -> dict:
    """What a browser would submit for the form on this page, with some fields changed."""
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    return {**data, **changes}


def register_form(world, **fields) -> dict:
    return {
        "node": world.grid07.pk,
        "household": "",
        "relation": "other",
        "name": "赵敏",
        "document_type": "resident_id",
        "id_number": VALID_ID,
        "phone": "13700001111",
        "occupation": "",
        "unit": "",
        "notes": "",
        **fields,
    }


def test_it_registers_a_household_and_a_person_then_finds_them(client, world):
    client.force_login(world.grid07_worker)
    response = client.post(
        "/households/new/", {"node": world.grid07.pk, "address": "前屯村七组1号", "dwelling_type": "owned"}
    )
    household = world.grid07.households.get(address="前屯村七组1号")
    assert response.status_code == 302
    id_number = make("371502", dt.date(1990, 3, 7), 123)
    page = client.get(f"/persons/new/?household={household.pk}")
    data = form_data(page, relation="head", name="张伟", id_number=id_number, phone="138 1234 5678")
    assert data["household"] == household.pk  # the household was prefilled

    response = client.post("/persons/new/", data)

    person = Person.objects.get(id_number=id_number)
    assert response["Location"] == f"/persons/{person.pk}/"
    assert (person.node, person.household, person.sex, person.birth_date, person.phone) == (
        world.grid07,
        household,
        "male",
        dt.date(1990, 3, 7),
        "13812345678",
    )
    for text in ["zhangwei", "zw", id_number[-4:], "5678", "张伟"]:
        found = client.post("/persons/", {"text": text})
        assert list(found.context["page"]) == [person], text
        assert "张伟" in html(found)
    assert list(client.get("/persons/", {"text": "lxy"}).context["page"]) == []


def test_it_shows_ids_and_phones_masked_in_list_and_detail(client, world, people):
    zhang = people["zhang"]
    client.force_login(world.grid07_worker)
    pages = [
        client.get("/persons/"),
        client.get(f"/persons/{zhang.pk}/"),
        client.get(f"/households/{zhang.household_id}/"),
    ]
    for page in pages:
        assert page.status_code == 200
        assert zhang.id_number not in html(page)
        assert zhang.phone not in html(page)
        assert zhang.masked_id_number in html(page)
        assert "138****5678" in html(page)
        assert "张伟" in html(page)  # staff inside their area see the full name
    assert "1990-03-07" not in html(pages[1])  # with the masked ID the birth date would give the number


def test_it_shows_no_full_number_on_the_edit_page(client, world, people):
    zhang = people["zhang"]
    client.force_login(world.grid07_worker)
    page = client.get(f"/persons/{zhang.pk}/edit/")
    assert zhang.id_number not in html(page)
    assert zhang.phone not in html(page)


def test_it_writes_an_audit_row_for_every_detail_view(client, world, people):
    zhang = people["zhang"]
    client.force_login(world.grid07_viewer)
    client.get(f"/persons/{zhang.pk}/")
    client.get(f"/persons/{zhang.pk}/")
    views = AuditEvent.objects.filter(action=Action.VIEW_PERSON, target_id=str(zhang.pk))
    assert views.count() == 2
    assert {event.actor for event in views} == {world.grid07_viewer}


def test_it_links_the_persons_health_code_for_readers_and_writers(client, world, people):
    zhang = people["zhang"]
    for persona in (world.grid07_viewer, world.grid07_worker):
        client.force_login(persona)
        page = html(client.get(f"/persons/{zhang.pk}/"))
        assert f'href="/codes/people/{zhang.pk}/code/"' in page
        assert client.get(f"/codes/people/{zhang.pk}/code/").status_code == 200


def test_it_reveals_full_numbers_to_a_worker_and_audits_it(client, world, people):
    zhang = people["zhang"]
    client.force_login(world.grid07_worker)
    assert "显示完整号码" in html(client.get(f"/persons/{zhang.pk}/"))

    response = client.post(f"/persons/{zhang.pk}/reveal/", headers=HTMX)

    assert response.status_code == 200
    assert "<html" not in html(response)  # the fragment only
    assert zhang.id_number in html(response)
    assert zhang.phone in html(response)
    assert "1990-03-07" in html(response)
    event = AuditEvent.objects.get(action=Action.REVEAL, target_id=str(zhang.pk))
    assert event.actor == world.grid07_worker


def test_it_refuses_to_reveal_to_a_viewer(client, world, people):
    zhang = people["zhang"]
    client.force_login(world.grid07_viewer)
    assert "显示完整号码" not in html(client.get(f"/persons/{zhang.pk}/"))

    response = client.post(f"/persons/{zhang.pk}/reveal/", headers=HTMX)

    assert response.status_code == 403
    assert "无权查看完整证件号码和电话" in html(response)
    assert zhang.id_number not in html(response)
    assert not AuditEvent.objects.filter(action=Action.REVEAL).exists()


def test_it_only_reveals_by_post(client, world, people):
    client.force_login(world.grid07_worker)
    assert client.get(f"/persons/{people['zhang'].pk}/reveal/").status_code == 405
    assert not AuditEvent.objects.filter(action=Action.REVEAL).exists()


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("id_number", WRONG_CHECK_DIGIT, "身份证号校验位错误"),
        ("id_number", "371502880808202", "15位身份证号已停止使用，请填写18位身份证号"),
        ("id_number", "", "证件号码不能为空"),
        ("phone", "1380013800", "手机号码应为以1开头的11位数字，现为10位"),
        ("phone", "138-0013-800a", "电话号码只能包含数字"),
        ("name", "", "姓名不能为空"),
        ("name", "   ", "姓名不能为空"),
    ],
)
def test_it_shows_bad_input_next_to_the_field_and_creates_nothing(client, world, field, value, reason):
    client.force_login(world.grid07_worker)
    data = register_form(world, **{field: value}, occupation="教师")

    response = client.post("/persons/new/", data)

    assert response.status_code == 200
    assert any(reason in error for error in response.context["form"].errors[field])
    assert reason in html(response)
    assert 'value="教师"' in html(response)  # what the user typed is kept
    assert not Person.objects.exists()


def test_it_refuses_an_id_number_already_registered(client, world, people):
    client.force_login(world.grid07_worker)
    data = register_form(world, id_number=people["zhang"].id_number.lower())

    response = client.post("/persons/new/", data)

    assert "该证件号码已登记" in " ".join(response.context["form"].errors["id_number"])
    assert Person.objects.filter(id_number=people["zhang"].id_number).count() == 1


def test_it_asks_sex_and_birth_date_only_for_other_documents(client, world):
    client.force_login(world.grid07_worker)
    assert 'name="sex"' not in html(client.get("/persons/new/"))

    fragment = client.get("/persons/new/", register_form(world, document_type="passport"), headers=HTMX)
    assert "<html" not in html(fragment)
    assert 'name="sex"' in html(fragment)
    assert 'name="birth_date"' in html(fragment)
    assert 'value="赵敏"' in html(fragment)  # redrawing the fields keeps what was typed

    data = register_form(world, document_type="passport", id_number="E12345678", sex="", birth_date="")
    response = client.post("/persons/new/", data)
    assert "请选择性别" in response.context["form"].errors["sex"]

    data.update(sex="female", birth_date="1980年5月4日")
    response = client.post("/persons/new/", data)
    person = Person.objects.get(id_number="E12345678")
    assert (person.document_type, person.sex, person.birth_date) == (
        "passport",
        "female",
        dt.date(1980, 5, 4),
    )
    assert 'value="1980-05-04"' in html(client.get(f"/persons/{person.pk}/edit/"))


def test_it_shows_times_in_shanghai(client, world, people):
    zhang = people["zhang"]
    # 16:30 UTC on 1 March is half past midnight on 2 March in Shanghai.
    Residence.objects.filter(person=zhang).update(started_at=dt.datetime(2022, 3, 1, 16, 30, tzinfo=dt.UTC))
    client.force_login(world.grid07_worker)
    assert "2022-03-02 00:30" in html(client.get(f"/persons/{zhang.pk}/"))


def test_it_refuses_the_second_of_two_concurrent_edits_and_keeps_its_input(client, world, people):
    zhang = people["zhang"]
    client.force_login(world.grid07_worker)
    first = form_data(client.get(f"/persons/{zhang.pk}/edit/"), occupation="农民")
    second = form_data(client.get(f"/persons/{zhang.pk}/edit/"), notes="二次修改的备注")

    assert client.post(f"/persons/{zhang.pk}/edit/", first).status_code == 302
    response = client.post(f"/persons/{zhang.pk}/edit/", second)

    assert response.status_code == 200
    assert "已被他人修改" in html(response)
    assert "二次修改的备注" in html(response)
    zhang.refresh_from_db()
    assert (zhang.occupation, zhang.notes, zhang.version) == ("农民", "", 2)
    # The numbers were left empty on the form: they keep their value.
    assert zhang.id_number == people["zhang"].id_number
    assert zhang.phone == "13812345678"


def test_it_edits_the_id_number_when_one_is_typed(client, world, people):
    zhang = people["zhang"]
    client.force_login(world.grid07_worker)
    new_number = make("371502", dt.date(1990, 3, 8), 123)
    data = form_data(client.get(f"/persons/{zhang.pk}/edit/"), id_number=new_number)

    assert client.post(f"/persons/{zhang.pk}/edit/", data).status_code == 302

    zhang.refresh_from_db()
    assert (zhang.id_number, zhang.birth_date) == (new_number, dt.date(1990, 3, 8))


def test_it_moves_a_person_and_keeps_the_residence_history(client, world, people):
    zhang, h08 = people["zhang"], people["h08"]
    client.force_login(world.township_admin)
    fragment = client.get(f"/persons/{zhang.pk}/move/", {"to_node": world.grid08.pk}, headers=HTMX)
    assert "前屯村八组3号" in html(fragment) and "前屯村七组12号" not in html(fragment)

    response = client.post(
        f"/persons/{zhang.pk}/move/", {"to_node": world.grid08.pk, "household": h08.pk, "reason": "投靠亲属"}
    )

    assert response.status_code == 302
    zhang.refresh_from_db()
    assert (zhang.node, zhang.household) == (world.grid08, h08)
    history = list(Residence.objects.filter(person=zhang).order_by("started_at"))
    assert [(r.node, r.ended_at is None) for r in history] == [(world.grid07, False), (world.grid08, True)]
    detail = html(client.get(f"/persons/{zhang.pk}/"))
    assert "第七网格" in detail and "第八网格" in detail and "投靠亲属" in detail
    client.force_login(world.grid07_worker)
    assert client.get(f"/persons/{zhang.pk}/").status_code == 404


def test_it_offers_a_grid_worker_no_move_outside_their_grid(client, world, people):
    zhang = people["zhang"]
    client.force_login(world.grid07_worker)
    page = client.get(f"/persons/{zhang.pk}/move/")
    assert "第八网格" not in html(page)

    response = client.post(f"/persons/{zhang.pk}/move/", {"to_node": world.grid08.pk, "reason": "x"})

    assert response.status_code == 200
    assert response.context["form"].errors["to_node"]
    zhang.refresh_from_db()
    assert zhang.node == world.grid07
    assert Residence.objects.filter(person=zhang).count() == 1


def test_it_records_a_verification(client, world, people):
    zhang = people["zhang"]
    client.force_login(world.grid07_worker)

    response = client.post(f"/persons/{zhang.pk}/verify/", {"method": "by_phone"}, headers=HTMX)

    assert response.status_code == 200
    assert "电话核查" in html(response) and "<html" not in html(response)
    zhang.refresh_from_db()
    assert (zhang.verification, zhang.verified_by) == (Verification.BY_PHONE, world.grid07_worker)
    assert client.post(f"/persons/{zhang.pk}/verify/", {"method": "in_person"}).status_code == 302
    zhang.refresh_from_db()
    assert zhang.verification == Verification.IN_PERSON
    filtered = client.get("/persons/", {"verification": "in_person"})
    assert list(filtered.context["page"]) == [zhang]


def test_it_refuses_verification_by_a_viewer(client, world, people):
    zhang = people["zhang"]
    client.force_login(world.grid07_viewer)

    response = client.post(f"/persons/{zhang.pk}/verify/", {"method": "in_person"}, headers=HTMX)

    assert response.status_code == 403
    assert "无权核查该人员" in html(response)
    zhang.refresh_from_db()
    assert zhang.verification == Verification.NONE


def test_it_searches_live_with_htmx_and_filters(client, world, people):
    client.force_login(world.township_admin)

    response = client.get("/persons/", {"text": "zw"}, headers=HTMX)

    assert "<html" not in html(response)
    assert "张伟" in html(response)
    assert "李秀英" not in html(response) and "王芳" not in html(response)
    women = client.get("/persons/", {"sex": "female"})
    assert {p.name for p in women.context["page"]} == {"李秀英", "王芳"}
    grid08 = client.get("/persons/", {"node_code": world.grid08.code})
    assert [p.name for p in grid08.context["page"]] == ["王芳"]


def test_it_pages_the_list(client, world, people, settings):
    settings.PAGE_SIZE = 2
    client.force_login(world.township_admin)
    first, second = client.get("/persons/", {"text": ""}), client.get("/persons/", {"page": 2})
    assert len(first.context["page"]) == 2 and len(second.context["page"]) == 1
    assert "page=2" in html(first)


def add_people(world, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        actions.register_person(
            actor=world.grid07_worker,
            node=world.grid07,
            name=f"测试{chr(0x4E00 + n)}",
            id_number=make("371502", dt.date(1980, 1, 1) + dt.timedelta(days=n), 100 + n),
            phone=f"1390000{n:04d}",
        )


def test_it_lists_persons_in_a_constant_number_of_queries(client, world):
    client.force_login(world.grid07_worker)
    add_people(world, 5)
    client.get("/persons/")  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as five:
        assert len(client.get("/persons/").context["page"]) == 5
    add_people(world, 35, start=5)
    with CaptureQueriesContext(connection) as forty:
        assert len(client.get("/persons/").context["page"]) == 40
    assert len(forty) == len(five)
