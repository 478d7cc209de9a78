"""Health-code pages: the resident's code page (identify once per phone, family members, the QR refreshed
by polling, appeals) and the staff pages (risk areas, a person's code, manual colours, the appeals queue,
the rule table)."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.audit.models import AuditEvent
from fangkong.conftest import PASSWORD
from fangkong.healthcodes import actions as healthcode_actions
from fangkong.healthcodes import identity, tokens
from fangkong.healthcodes import rules as code_rules
from fangkong.healthcodes.colours import colour_of
from fangkong.healthcodes.forms import CodeRulesForm
from fangkong.healthcodes.identity import identity_for_person
from fangkong.healthcodes.models import Appeal, ManualColour, RiskArea
from fangkong.lib.errors import RuleError
from fangkong.lib.idcard import make
from fangkong.measures import actions as measure_actions
from fangkong.policy.models import Policy, Reason
from fangkong.policy.queries import preset_values

CODE = "/r/code/"
ADD = "/r/code/add/"


def details(person, **changes) -> dict:
    return {"name": person.name, "id_number": person.id_number, "phone": person.phone, **changes}


@pytest.fixture
def phone(people):
    """A phone on which 张伟 identified."""
    client = Client()
    client.get(CODE)
    response = client.post(ADD, details(people["zhang"]))
    assert response.status_code == 302
    return client


def staff(user) -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


# ── the resident's page ───────────────────────────────────────────────────────────────────────────────────


def test_it_asks_a_new_phone_to_identify_once(people):
    client = Client()
    page = client.get(CODE)
    assert page.status_code == 200 and "首次使用请填写本人信息" in page.content.decode()
    response = client.post(ADD, details(people["zhang"], id_number=people["zhang"].id_number.lower()))
    assert response.status_code == 302 and response["Location"].startswith(CODE)
    page = client.get(CODE).content.decode()
    assert "张*" in page and "绿码" in page and "<svg" in page
    assert "张伟" not in page and people["zhang"].id_number not in page


def test_it_shows_the_colour_reasons_and_green_day(world, people, phone):
    arrived = timezone.localdate() - dt.timedelta(days=2)
    measure_actions.record_screening(
        actor=world.county_admin, person=people["zhang"], reason=Reason.ARRIVAL_HIGH, arrived_on=arrived
    )
    page = phone.get(CODE).content.decode()
    green_on = arrived + dt.timedelta(days=15)
    assert "红码" in page and "高风险区来返" in page
    assert f"预计 {green_on.month}月{green_on.day}日 转为绿码" in page


def test_it_refreshes_the_code_by_polling_a_fragment(phone, settings):
    settings.CODE_TOKEN_SECONDS = 60
    page = phone.get(CODE).content.decode()
    assert 'hx-trigger="every 30s"' in page
    fragment = phone.get(CODE, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="rc-code"') and "<html" not in fragment
    assert "<svg" in fragment and "张*" in fragment


def test_it_opens_the_verification_url_of_a_valid_token_only(people, phone, monkeypatch):
    zhang = identity_for_person(people["zhang"])
    page = Client().get(reverse("resident_code_check", args=[tokens.make_token(zhang)]))
    assert page.status_code == 200 and "张*" in page.content.decode() and "绿码" in page.content.decode()
    altered = Client().get(reverse("resident_code_check", args=[tokens.make_token(zhang) + "0"]))
    assert altered.status_code == 404 and "已被改动" in altered.content.decode()
    real = tokens.signing.time.time
    with monkeypatch.context() as m:
        m.setattr(tokens.signing.time, "time", lambda: real() - 3600)
        old = tokens.make_token(zhang)
    expired = Client().get(reverse("resident_code_check", args=[old]))
    assert expired.status_code == 410 and "张*" not in expired.content.decode()


def test_it_remembers_family_members_and_switches_between_them(people, phone):
    li = people["li"]
    assert "添加家人" in phone.get(ADD).content.decode()
    response = phone.post(ADD, details(li))
    li_identity = identity.Identity.objects.get(person=li)
    assert response["Location"] == f"{CODE}?who={li_identity.pk}"
    assert "李**" in phone.get(response["Location"]).content.decode()
    page = phone.get(CODE).content.decode()  # the phone's owner stays first
    assert re.search(r'class="rc-name">张\*<', page) and "李**" in page
    phone.post("/r/code/forget/", {"who": li_identity.pk})
    assert "李**" not in phone.get(CODE).content.decode()


def test_it_ignores_a_tampered_device_cookie(people, phone):
    wang = identity_for_person(people["wang"])
    value = phone.cookies[identity.COOKIE].value
    device, _, rest = value.partition(":")
    phone.cookies[identity.COOKIE] = value.replace(rest.split(":")[0], str(wang.pk), 1)
    page = phone.get(CODE).content.decode()
    assert "王*" not in page and "首次使用请填写本人信息" in page


def test_it_refuses_a_name_that_does_not_match_and_locks_out_after_five_failures(people):
    client = Client()
    client.get(CODE)
    zhang = people["zhang"]
    for _ in range(identity.MAX_FAILURES_PER_DEVICE):
        page = client.post(ADD, details(zhang, name="张三")).content.decode()
        assert "姓名与身份证号不符" in page
    page = client.post(ADD, details(zhang)).content.decode()
    assert "尝试次数过多" in page
    assert "首次使用请填写本人信息" in client.get(CODE).content.decode()


def test_it_shows_field_reasons_for_a_bad_id_number_or_phone(people):
    page = Client().post(ADD, details(people["zhang"], id_number="37150219900307123X", phone="12345"))
    text = page.content.decode()
    assert "校验位错误" in text and "手机号码应为以1开头的11位数字" in text


def test_it_sends_an_appeal_to_the_queue_of_the_persons_node(world, people, phone):
    response = phone.post("/r/code/appeal/", {"text": "我已解除隔离"})
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.node == world.grid07 and appeal.colour == "green" and appeal.status == Appeal.Status.OPEN
    assert "申诉已提交" in phone.get(CODE).content.decode()
    again = phone.post("/r/code/appeal/", {"text": "再次申诉"})
    assert again.status_code == 422 and "已有一条申诉正在处理" in again.content.decode()
    for user, sees in (
        (world.county_admin, True),
        (world.grid07_worker, True),
        (world.grid08_worker, False),
        (world.outsider, False),
    ):
        assert ("我已解除隔离" in staff(user).get("/codes/appeals/").content.decode()) is sees, user


# ── staff pages ───────────────────────────────────────────────────────────────────────────────────────────


def test_it_lets_a_county_admin_declare_and_end_a_risk_area(world):
    admin = staff(world.county_admin)
    form = admin.get("/codes/risk-areas/new/").content.decode()
    assert "后屯村委会" in form
    response = admin.post(
        "/codes/risk-areas/new/",
        {"level": "high", "division_code": "420102", "name": "武汉市江岸区", "starts_on": "2022年3月1日"},
    )
    assert response.status_code == 302
    area = RiskArea.objects.get()
    assert (area.declared_by, area.starts_on) == (world.county, dt.date(2022, 3, 1))
    listed = staff(world.grid08_worker).get("/codes/risk-areas/").content.decode()
    assert "武汉市江岸区" in listed and "解除</button>" not in listed  # public notice, ended by admins only
    ended = admin.post(f"/codes/risk-areas/{area.pk}/end/", {"ends_on": "2022-03-20"}, follow=True)
    assert "已解除：武汉市江岸区" in ended.content.decode()
    area.refresh_from_db()
    assert area.ends_on == dt.date(2022, 3, 20)
    assert "武汉市江岸区" not in admin.get("/codes/risk-areas/").content.decode()
    assert "武汉市江岸区" in admin.get("/codes/risk-areas/?ended=1").content.decode()


def test_it_refuses_risk_areas_to_township_admins_and_workers(world):
    assert staff(world.township_admin).get("/codes/risk-areas/new/").status_code == 403
    assert staff(world.grid07_worker).post("/codes/risk-areas/new/", {"level": "high"}).status_code == 403
    area = healthcode_actions.create_risk_area(
        actor=world.county_admin,
        declared_by=world.county,
        level="medium",
        node=world.other_village,
        starts_on=dt.date(2022, 3, 1),
    )
    assert staff(world.township_admin).post(f"/codes/risk-areas/{area.pk}/end/").status_code == 404
    area.refresh_from_db()
    assert area.ends_on is None


def test_it_shows_a_persons_code_with_14_days_to_staff_of_the_area(world, people):
    zhang = people["zhang"]
    measure_actions.record_screening(
        actor=world.county_admin, person=zhang, reason=Reason.ARRIVAL_HIGH, arrived_on=timezone.localdate()
    )
    page = staff(world.grid07_viewer).get(f"/codes/people/{zhang.pk}/code/")
    text = page.content.decode()
    assert page.status_code == 200 and "红码" in text and "高风险区来返" in text
    assert text.count('class="hc ') >= 14 and "人工赋码</button>" not in text
    assert staff(world.grid08_worker).get(f"/codes/people/{zhang.pk}/code/").status_code == 404


def test_it_lets_an_admin_set_and_revoke_a_manual_colour_audited(world, people):
    zhang = people["zhang"]
    admin = staff(world.county_admin)
    expires = timezone.localdate() + dt.timedelta(days=3)
    response = admin.post(
        f"/codes/people/{zhang.pk}/code/manual/",
        {"colour": "yellow", "reason": "密接待排查", "expires_on": expires.isoformat()},
    )
    assert response.status_code == 302
    manual = ManualColour.objects.get()
    assert manual.set_by == world.county_admin and manual.node == world.grid07
    assert colour_of(identity_for_person(zhang)).colour == "yellow"
    assert AuditEvent.objects.filter(target_type="ManualColour", actor=world.county_admin).count() == 1
    assert "人工赋黄码：密接待排查" in admin.get(f"/codes/people/{zhang.pk}/code/").content.decode()
    admin.post(f"/codes/manual-colours/{manual.pk}/revoke/")
    assert colour_of(identity_for_person(zhang)).colour == "green"
    assert AuditEvent.objects.filter(target_type="ManualColour").count() == 2


def test_it_refuses_a_manual_colour_without_permission_or_reason(world, people):
    zhang = people["zhang"]
    url = f"/codes/people/{zhang.pk}/code/manual/"
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert (
        staff(world.grid07_worker)
        .post(url, {"colour": "red", "reason": "x", "expires_on": future})
        .status_code
        == 403
    )
    assert (
        staff(world.grid08_worker)
        .post(url, {"colour": "red", "reason": "x", "expires_on": future})
        .status_code
        == 404
    )
    page = staff(world.county_admin).post(url, {"colour": "red", "reason": "", "expires_on": ""})
    assert page.status_code == 422 and "原因不能为空" in page.content.decode()
    assert not ManualColour.objects.exists()


def test_it_upholds_an_appeal_by_revoking_the_manual_colour(world, people, phone):
    zhang = people["zhang"]
    manual = healthcode_actions.set_manual_colour(
        actor=world.county_admin,
        person=zhang,
        colour="red",
        reason="误判",
        expires_at=timezone.now() + dt.timedelta(days=2),
    )
    phone.post("/r/code/appeal/", {"text": "我没有去过风险区"})
    appeal = Appeal.objects.get()
    assert appeal.colour == "red"
    worker = staff(world.grid07_worker)
    assert "我没有去过风险区" in worker.get(f"/codes/appeals/{appeal.pk}/").content.decode()
    assert (
        worker.post(f"/codes/appeals/{appeal.pk}/", {"decision": "uphold", "response": "好"}).status_code
        == 403
    )
    admin = staff(world.county_admin)
    page = admin.post(f"/codes/appeals/{appeal.pk}/", {"decision": "reject", "response": ""})
    assert "处理意见不能为空" in page.content.decode()
    admin.post(f"/codes/appeals/{appeal.pk}/", {"decision": "uphold", "response": "经核实为误判，已撤销"})
    appeal.refresh_from_db()
    manual.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD and appeal.handled_by == world.county_admin
    assert manual.revoked_at is not None
    assert "绿码" in phone.get(CODE).content.decode()


def test_it_rejects_an_appeal_with_a_response(world, people, phone):
    phone.post("/r/code/appeal/", {"text": "不服"})
    appeal = Appeal.objects.get()
    staff(world.county_admin).post(
        f"/codes/appeals/{appeal.pk}/", {"decision": "reject", "response": "记录无误"}
    )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.response) == (Appeal.Status.REJECTED, "记录无误")
    assert "记录无误" not in staff(world.county_admin).get("/codes/appeals/").content.decode()  # open only
    assert "不服" in staff(world.county_admin).get("/codes/appeals/?status=rejected").content.decode()


def test_it_shows_and_edits_the_rule_table(world):
    admin = staff(world.county_admin)
    page = admin.get("/codes/rules/").content.decode()
    assert "浙江健康码规则（2020年，简化）" in page and "14天内从高风险区抵达" in page
    form = admin.get(f"/codes/rules/{world.county.code}/edit/").content.decode()
    assert 'name="arrival_high__days"' in form
    blank = CodeRulesForm(table=code_rules.rule_table(preset_values("2020")))
    data = {
        n: ("on" if f.initial is True else f.initial)
        for n, f in blank.fields.items()
        if f.initial is not None and f.initial is not False
    }
    data.update({"effective_from": timezone.localdate().isoformat(), "note": "县指挥部通知"})
    data["arrival_high__days"] = "7"
    del data["arrival_medium__on"]
    response = admin.post(f"/codes/rules/{world.county.code}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    table = Policy.objects.get(node=world.county).values["health_code"]["rules"]
    assert table["arrival_high"]["days"] == 7 and table["arrival_medium"]["on"] is False
    assert table["symptoms"]["colour"] == "yellow" and table["contact"]["colour"] == "red"
    assert staff(world.grid07_worker).get(f"/codes/rules/{world.county.code}/edit/").status_code == 404
    assert staff(world.township_admin).get(f"/codes/rules/{world.township.code}/edit/").status_code == 200


# ── identify (the shared contract) and where an appeal goes ──────────────────────────────────────────────


def test_it_identifies_idempotently_and_links_the_registry_person(people):
    zhang = people["zhang"]
    first = identity.identify(id_number=zhang.id_number, name="张伟", phone="138 1234 5678")
    again = identity.identify(id_number=zhang.id_number.lower(), name=" 张伟 ", phone="+8613812345678")
    assert first == again and first.person == zhang and first.phone == "13812345678"
    with pytest.raises(RuleError) as stranger:  # a number the registry does not have for him
        identity.identify(id_number=zhang.id_number, name="张伟", phone="13900000000")
    assert "手机号与登记的不符" in stranger.value.errors["phone"]


def test_it_explains_each_bad_field_of_an_identification(people):
    with pytest.raises(RuleError) as refused:
        identity.identify(id_number="12345", name="", phone="abc")
    assert set(refused.value.errors) == {"id_number", "name", "phone"}
    assert "18位" in refused.value.errors["id_number"]
    with pytest.raises(RuleError) as wrong_name:
        identity.identify(id_number=people["zhang"].id_number, name="张三", phone="13812345678")
    assert "姓名与身份证号不符" in wrong_name.value.errors["name"]


def test_it_keeps_the_first_name_given_for_a_visitor(world):
    number = make("420102", dt.date(1980, 1, 1), 11)
    visitor = identity.identify(id_number=number, name="赵强", phone="13700001111")
    assert visitor.person is None
    with pytest.raises(RuleError):
        identity.identify(id_number=number, name="赵四", phone="13700001111")


def test_it_sends_a_visitors_appeal_to_the_county_of_their_id_or_to_county_admins(world):
    local = identity.identify(
        id_number=make("371502", dt.date(1980, 1, 1), 11), name="钱一", phone="13700001111"
    )
    away = identity.identify(
        id_number=make("420102", dt.date(1980, 1, 1), 13), name="孙二", phone="13700002222"
    )
    assert healthcode_actions.submit_appeal(identity=local, text="甲").node == world.county
    assert healthcode_actions.submit_appeal(identity=away, text="乙").node is None
    county = staff(world.county_admin).get("/codes/appeals/").content.decode()
    township = staff(world.township_admin).get("/codes/appeals/").content.decode()
    assert "钱*" in county and "孙*" in county
    assert "钱*" not in township and "孙*" not in township
