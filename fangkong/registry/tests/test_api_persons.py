"""/api/v1/persons: scoped lists, search and details; masked numbers; audited views and reveals;
registration, edits, moves and verification through the actions; bad input answered with reasons."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fangkong.audit.models import Action, AuditEvent
from fangkong.grid.actions import issue_api_token
from fangkong.lib.dates import age_on, today_in_shanghai
from fangkong.lib.idcard import make
from fangkong.registry import actions
from fangkong.registry.models import Person

NEW_ID = make("371502", dt.date(2001, 8, 9), 135)  # a man born 2001-08-09


class JsonClient(Client):
    def post(self, path, data=None, **extra):
        return super().post(path, data, content_type="application/json", **extra)

    def put(self, path, data=None, **extra):
        return super().put(path, data, content_type="application/json", **extra)


def api_as(user) -> JsonClient:
    _, raw = issue_api_token(actor=user, name="测试")
    return JsonClient(headers={"authorization": f"Bearer {raw}"})


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(item["name"] for item in response.json()["items"])


def new_person(world, **fields) -> dict:
    return {
        "node": world.grid07.code,
        "name": "赵磊",
        "id_number": NEW_ID,
        "phone": "138 0000 1111",
        **fields,
    }


# Reading


def test_it_lists_only_persons_inside_the_users_area(people, world):
    assert names(api_as(world.grid07_worker).get("/api/v1/persons")) == ["张伟", "李秀英"]
    assert names(api_as(world.grid08_worker).get("/api/v1/persons")) == ["王芳"]
    assert names(api_as(world.county_admin).get("/api/v1/persons")) == ["张伟", "李秀英", "王芳"]


def test_it_lists_nothing_for_an_account_without_an_area(people, world):
    client = Client()
    client.force_login(world.outsider)
    assert client.get("/api/v1/persons").json() == {"count": 0, "items": []}
    assert client.get("/api/v1/persons", {"q": "zw"}).json()["count"] == 0


def test_it_masks_id_and_phone_numbers_in_lists_and_details(people, world):
    zhang = people["zhang"]
    client = api_as(world.grid07_worker)
    for response in (client.get("/api/v1/persons"), client.get(f"/api/v1/persons/{zhang.pk}")):
        assert zhang.id_number not in response.content.decode()
        assert zhang.phone not in response.content.decode()
    detail = client.get(f"/api/v1/persons/{zhang.pk}").json()
    assert detail["masked_id_number"] == f"371502********{zhang.id_number[-4:]}"
    assert detail["masked_phone"] == "138****5678"
    assert detail["sex"] == "male"
    assert "birth_date" not in detail  # with the masked ID it would give the whole number back
    assert detail["age"] == age_on(dt.date(1990, 3, 7), today_in_shanghai())
    assert detail["node"] == world.grid07.code
    assert detail["household"] == people["h07"].pk
    assert detail["verification"] == "none"
    assert detail["version"] == 1


@pytest.mark.parametrize("text", ["zw", "zhangwei", "张", "张伟"])
def test_it_searches_by_name_pinyin_and_initials(people, world, text):
    assert names(api_as(world.grid07_worker).get("/api/v1/persons", {"q": text})) == ["张伟"]


def test_it_never_finds_a_person_outside_the_area(people, world):
    wang = people["wang"]
    client = api_as(world.grid07_worker)
    for text in ("王芳", "wf", wang.id_number[-4:], wang.phone[-4:], wang.id_number):
        assert names(client.post("/api/v1/persons/search", {"q": text})) == []
    grid08 = api_as(world.grid08_worker)
    assert names(grid08.post("/api/v1/persons/search", {"q": wang.id_number[-4:]})) == ["王芳"]


def test_it_filters_by_node_sex_and_verification(people, world):
    actions.verify_person(actor=world.grid07_worker, person=people["li"], method="by_phone")
    client = api_as(world.township_admin)
    assert names(client.get("/api/v1/persons", {"node": world.grid08.code})) == ["王芳"]
    assert names(client.get("/api/v1/persons", {"sex": "female"})) == ["李秀英", "王芳"]
    assert names(client.get("/api/v1/persons", {"verification": "by_phone"})) == ["李秀英"]
    assert api_as(world.grid08_worker).get("/api/v1/persons", {"node": world.grid07.code}).status_code == 404
    response = client.get("/api/v1/persons", {"sex": "unknown"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"sex"}


def test_it_lists_persons_in_a_fixed_number_of_queries(people, world):
    client = api_as(world.county_admin)
    client.get("/api/v1/persons")  # the token's first use records it: not a cost of the list
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/persons").status_code == 200
    for number in range(10):
        actions.register_person(
            actor=world.grid07_worker,
            node=world.grid07,
            household=people["h07"],
            name=f"张{'一二三四五六七八九十'[number]}",
            id_number=make("371502", dt.date(2000, 1, number + 1), 11 + 2 * number),
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/persons").json()["count"] == 13
    assert len(many) == len(few)


def test_it_records_each_person_detail_view_in_the_audit_log(people, world):
    zhang = people["zhang"]
    assert api_as(world.grid07_viewer).get(f"/api/v1/persons/{zhang.pk}").status_code == 200
    event = AuditEvent.objects.get(action=Action.VIEW_PERSON)
    assert event.actor == world.grid07_viewer
    assert event.target_id == str(zhang.pk)


def test_it_answers_404_for_a_person_outside_the_area_and_records_no_view(people, world):
    client = api_as(world.grid08_worker)
    assert client.get(f"/api/v1/persons/{people['zhang'].pk}").status_code == 404
    assert client.get("/api/v1/persons/987654").status_code == 404
    assert not AuditEvent.objects.filter(action=Action.VIEW_PERSON).exists()


# Revealing


def test_it_reveals_full_numbers_to_a_worker_and_audits_it(people, world):
    zhang = people["zhang"]
    response = api_as(world.grid07_worker).post(f"/api/v1/persons/{zhang.pk}/reveal")
    assert response.status_code == 200
    assert response.json() == {
        "id_number": zhang.id_number,
        "phone": "13812345678",
        "birth_date": "1990-03-07",
    }
    assert AuditEvent.objects.filter(action=Action.REVEAL, target_id=str(zhang.pk)).count() == 1


def test_it_refuses_to_reveal_to_a_viewer_or_outside_the_area(people, world):
    zhang = people["zhang"]
    refused = api_as(world.grid07_viewer).post(f"/api/v1/persons/{zhang.pk}/reveal")
    assert refused.status_code == 403
    assert zhang.id_number not in refused.content.decode()
    assert api_as(world.grid08_worker).post(f"/api/v1/persons/{zhang.pk}/reveal").status_code == 404
    assert not AuditEvent.objects.filter(action=Action.REVEAL).exists()


# Registering


def test_it_registers_a_person_with_sex_and_birth_date_from_the_id(people, world):
    response = api_as(world.grid07_worker).post(
        "/api/v1/persons", new_person(world, household=people["h07"].pk, relation="child")
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sex"] == "male"
    assert Person.objects.get(pk=body["id"]).birth_date == dt.date(2001, 8, 9)
    assert body["masked_phone"] == "138****1111"
    assert body["household"] == people["h07"].pk
    assert Person.objects.get(pk=body["id"]).phone == "13800001111"


def test_it_takes_a_birth_date_written_the_chinese_way_for_a_passport(world):
    response = api_as(world.grid07_worker).post(
        "/api/v1/persons",
        new_person(
            world, document_type="passport", id_number="E12345678", sex="female", birth_date="1990年3月7日"
        ),
    )
    assert response.status_code == 201, response.content
    assert Person.objects.get(pk=response.json()["id"]).birth_date == dt.date(1990, 3, 7)


ID_15 = "371502900307123"


@pytest.mark.parametrize(
    "changes, errors",
    [
        (
            {"id_number": NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")},
            {"id_number": "身份证号校验位错误，请核对号码"},
        ),
        ({"id_number": ID_15}, {"id_number": "15位身份证号已停止使用，请填写18位身份证号"}),
        ({"id_number": "12345"}, {"id_number": "身份证号应为18位，现为5位"}),
        ({"name": 123}, {"name": "应为文字"}),
        ({"name": "  "}, {"name": "姓名不能为空"}),
        ({"phone": "1380000111"}, {"phone": "手机号码应为以1开头的11位数字，现为10位"}),
        ({"household": "第一户"}, {"household": "应为整数"}),
        ({"household": 987654}, {"household": "户不存在"}),
        ({"relation": "cousin"}, {"relation": None}),
        ({"node": "371502103201-08"}, {"node": "辖区不存在"}),
        ({"document_type": "passport", "id_number": "E1"}, {"sex": "请选择性别"}),
        (
            {"document_type": "passport", "id_number": "E1", "sex": "male", "birth_date": "1990年2月30日"},
            {"birth_date": "日期1990年2月30日不存在"},
        ),
        ({"birth_date": "去年"}, {"birth_date": "日期格式不正确，如 2022-03-01 或 2022年3月1日"}),
        ({"notes": "x" * 301}, {"notes": "不能超过300个字符"}),
        ({"unit": 2**70}, {"unit": f"不能大于{2**63 - 1}"}),
    ],
)
def test_it_refuses_bad_persons_with_chinese_field_reasons(people, world, changes, errors):
    response = api_as(world.grid07_worker).post("/api/v1/persons", new_person(world, **changes))
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == set(errors)
    assert all(reason is None or body["errors"][field] == reason for field, reason in errors.items())
    assert Person.objects.count() == 3


def test_it_names_every_missing_field(world):
    response = api_as(world.grid07_worker).post("/api/v1/persons", {})
    assert response.status_code == 422
    assert response.json()["errors"] == {"node": "必填项", "name": "必填项", "id_number": "必填项"}


def test_it_refuses_a_household_of_another_grid(people, world):
    response = api_as(world.township_admin).post(
        "/api/v1/persons", new_person(world, household=people["h08"].pk)
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"household": "所选户不在该网格"}


def test_it_answers_409_for_an_id_number_already_registered_elsewhere(people, world):
    response = api_as(world.grid07_worker).post(
        "/api/v1/persons", new_person(world, id_number=people["wang"].id_number)
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate"
    assert "id_number" in body["errors"]
    assert world.grid08.name not in response.content.decode()


def test_it_refuses_registration_by_a_viewer_with_403(world):
    response = api_as(world.grid07_viewer).post("/api/v1/persons", new_person(world))
    assert response.status_code == 403
    assert not Person.objects.exists()


# Editing


def test_it_updates_a_person_and_keeps_numbers_left_out(people, world):
    zhang = people["zhang"]
    response = api_as(world.grid07_worker).put(
        f"/api/v1/persons/{zhang.pk}",
        {
            "version": 1,
            "name": "张 伟",
            "household": people["h07"].pk,
            "relation": "head",
            "occupation": "农民",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    zhang.refresh_from_db()
    assert (zhang.name, zhang.occupation, zhang.phone) == ("张伟", "农民", "13812345678")
    assert zhang.id_number == make("371502", dt.date(1990, 3, 7), 123)


def test_it_clears_the_phone_when_sent_empty(people, world):
    li = people["li"]
    response = api_as(world.grid07_worker).put(
        f"/api/v1/persons/{li.pk}",
        {"version": 1, "name": "李秀英", "phone": "", "household": people["h07"].pk},
    )
    assert response.status_code == 200
    assert response.json()["masked_phone"] == ""


def test_it_refuses_a_stale_edit_with_409(people, world):
    zhang = people["zhang"]
    client = api_as(world.grid07_worker)
    assert client.put(f"/api/v1/persons/{zhang.pk}", {"version": 1, "name": "张伟"}).status_code == 200
    stale = client.put(f"/api/v1/persons/{zhang.pk}", {"version": 1, "name": "张卫"})
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    zhang.refresh_from_db()
    assert zhang.name == "张伟"


def test_it_answers_404_to_edits_outside_the_area_and_403_to_a_viewer(people, world):
    zhang = people["zhang"]
    body = {"version": 1, "name": "改名"}
    assert api_as(world.grid08_worker).put(f"/api/v1/persons/{zhang.pk}", body).status_code == 404
    assert api_as(world.grid07_viewer).put(f"/api/v1/persons/{zhang.pk}", body).status_code == 403
    zhang.refresh_from_db()
    assert zhang.name == "张伟"


# Moving and verifying


def test_it_moves_a_person_between_grids_for_someone_who_holds_both(people, world):
    wang = people["wang"]
    response = api_as(world.township_admin).post(
        f"/api/v1/persons/{wang.pk}/move",
        {"to_node": world.grid07.code, "household": people["h07"].pk, "reason": "投亲"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["node"] == world.grid07.code
    assert names(api_as(world.grid07_worker).get("/api/v1/persons")) == ["张伟", "李秀英", "王芳"]
    assert names(api_as(world.grid08_worker).get("/api/v1/persons")) == []


def test_it_refuses_a_move_into_a_node_the_user_cannot_see(people, world):
    zhang = people["zhang"]
    response = api_as(world.grid07_worker).post(
        f"/api/v1/persons/{zhang.pk}/move", {"to_node": world.grid08.code}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"to_node": "辖区不存在"}
    response = api_as(world.grid08_worker).post(
        f"/api/v1/persons/{zhang.pk}/move", {"to_node": world.grid08.code}
    )
    assert response.status_code == 404
    zhang.refresh_from_db()
    assert zhang.node == world.grid07


def test_it_verifies_a_person(people, world):
    li = people["li"]
    response = api_as(world.grid07_worker).post(f"/api/v1/persons/{li.pk}/verify", {"method": "in_person"})
    assert response.status_code == 200
    body = response.json()
    assert body["verification"] == "in_person"
    assert body["verified_at"].endswith("+08:00")


@pytest.mark.parametrize("user, status", [("grid07_viewer", 403), ("grid08_worker", 404)])
def test_it_refuses_verification_by_others(people, world, user, status):
    response = api_as(getattr(world, user)).post(
        f"/api/v1/persons/{people['li'].pk}/verify", {"method": "in_person"}
    )
    assert response.status_code == status
    assert Person.objects.get(pk=people["li"].pk).verification == "none"


def test_it_wants_a_known_verification_method(people, world):
    response = api_as(world.grid07_worker).post(
        f"/api/v1/persons/{people['li'].pk}/verify", {"method": "guess"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"method": "取值应为 'in_person'、'by_phone'"}
