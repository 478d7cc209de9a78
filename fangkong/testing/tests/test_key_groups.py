"""Key groups (重点人群, DOMAIN.md §13): the members page with each member's frequency, last test, next
due day and lateness (recounted here from the samples taken), adding and removing a person, and the
member list imported through imports/ (messy, all or nothing, idempotent)."""

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.audit.models import AuditEvent
from fangkong.imports.tests.sheets import workbook
from fangkong.measures.rules import SHANGHAI
from fangkong.policy.actions import set_policy
from fangkong.testing import actions, ledgers, queries, rules
from fangkong.testing.models import KeyGroupMember


def login(user):
    client = Client()
    client.force_login(user)
    return client


def _today():
    return timezone.localdate()


def _day(moment):
    return moment.astimezone(SHANGHAI).date()


def test_it_reads_the_group_of_a_ledger_cell():
    labels = {"cold_chain": "冷链从业人员", "delivery": "快递外卖人员", "market": "农贸市场从业人员"}
    assert rules.key_group_of("冷链从业人员", labels) == "cold_chain"
    assert rules.key_group_of(" 快递员 ", labels) == "delivery"
    assert rules.key_group_of("外卖骑手", labels) == "delivery"
    assert rules.key_group_of("医护", labels) == "medical"
    assert rules.key_group_of("market", labels) == "market"
    assert rules.key_group_of("冷链市场", labels) is None  # two groups fit: ask
    assert rules.key_group_of("", labels) is None


def test_the_page_lists_frequency_last_test_next_due_and_lateness(world, people, ten, sample_tube):
    zhang, li, wang = people["zhang"], people["li"], people["wang"]
    today = _today()
    set_policy(
        actor=world.county_admin,
        node=world.county,
        effective_from=today - dt.timedelta(days=60),
        preset="2021",
        overrides={"testing": {"key_group_days": {"cold_chain": 3, "delivery": 7}}},
    )
    since = today - dt.timedelta(days=30)
    for person, group in (
        (zhang, "cold_chain"),
        (li, "delivery"),
        (wang, "cold_chain"),
        (ten[2], "delivery"),
    ):
        actions.add_to_key_group(actor=world.county_admin, person=person, group=group, since=since)
    z_at = timezone.now() - dt.timedelta(days=5)
    l_at = timezone.now() - dt.timedelta(days=2)
    sample_tube("KG1", [zhang], kind="single", at=z_at)
    sample_tube("KG2", [li], kind="single", at=l_at)
    # Recount: next due = last test + the group's days (the policy's), or the joining day when never tested.
    expected = {
        zhang.pk: (3, _day(z_at), _day(z_at) + dt.timedelta(days=3)),
        li.pk: (7, _day(l_at), _day(l_at) + dt.timedelta(days=7)),
        ten[2].pk: (7, None, since),
    }
    rows = queries.key_group_members(world.grid07_worker, today=today)
    got = {r.member.person_id: (r.every, r.last_tested, r.due_on) for r in rows}
    assert got == expected  # 王芳 is grid 08's: not seen by grid 07
    states = {r.member.person_id: (r.state, r.overdue_days) for r in rows}
    assert states[zhang.pk] == ("overdue", (today - expected[zhang.pk][2]).days)
    assert states[li.pk] == ("upcoming", 0)
    assert states[ten[2].pk] == ("overdue", 30)
    assert [r.member.person_id for r in rows][:2] == [ten[2].pk, zhang.pk]  # the latest overdue first
    client = login(world.grid07_worker)
    page = client.get(reverse("key_group_list"), {"group": "cold_chain"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "张伟" in body and "李秀英" not in body and "王芳" not in body
    assert "每 3 天" in body and expected[zhang.pk][2].isoformat() in body
    assert "共 1 人，逾期未检 1 人" in body
    assert people["zhang"].id_number not in body  # masked
    # The overdue key-group tests are in the tests worklist too.
    plan = queries.schedule(world.grid07_worker, today=today)
    assert {(r.person.pk, r.state) for r in plan.rows} == {(zhang.pk, "overdue"), (ten[2].pk, "overdue")}


def test_the_page_answers_in_a_fixed_number_of_queries(world, ten, django_assert_max_num_queries):
    for person in ten:
        actions.add_to_key_group(actor=world.county_admin, person=person, group="market")
    client = login(world.county_admin)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("key_group_list")).status_code == 200


def test_a_person_is_added_by_id_number_and_removed(world, people):
    zhang = people["zhang"]
    client = login(world.grid07_worker)
    url = reverse("key_group_list")
    response = client.post(url, {"q": zhang.id_number, "group": "medical"})
    assert response.status_code == 302
    member = KeyGroupMember.objects.get(person=zhang, group="medical", active=True)
    assert member.since == _today()
    assert AuditEvent.objects.filter(target_type="KeyGroupMember", target_id=str(member.pk)).count() == 1
    assert client.post(url, {"q": "没有此人", "group": "medical"}).status_code == 422
    # Grid 08 sees nothing of grid 07: the same answer as a missing row.
    assert login(world.grid08_worker).post(reverse("key_group_remove", args=[member.pk])).status_code == 404
    assert login(world.grid07_viewer).post(reverse("key_group_remove", args=[member.pk])).status_code == 404
    assert client.post(reverse("key_group_remove", args=[member.pk])).status_code == 302
    member.refresh_from_db()
    assert not member.active
    assert queries.key_group_members(world.grid07_worker, today=_today()) == []
    # Added again, the same membership comes back.
    client.post(url, {"q": zhang.id_number, "group": "medical"})
    assert KeyGroupMember.objects.filter(person=zhang).count() == 1
    assert KeyGroupMember.objects.get(person=zhang).active


HEADER = ["序号", "姓名", "身份证号码", "人员类别", "工作单位", "纳入时间"]


def test_a_member_list_imports_all_or_nothing_and_once(world, people, ten):
    zhang, li = people["zhang"], people["li"]
    rows = [
        [1, "张伟", zhang.id_number, "冷链从业人员", "东昌冷库", "2022/5/6"],
        [None] * 6,
        [2, "李秀英", li.id_number, "外卖骑手", "", None],
        [3, ten[3].name, ten[3].id_number, "医护", "县医院", "2022-05-07"],
    ]
    data = workbook(rows, header=HEADER, title_rows=[["前屯村重点人群名单"]], merges=["A1:F1"])
    args = {"actor": world.grid07_worker, "node": world.grid07, "filename": "名单.xlsx"}
    dry = ledgers.import_key_group_members(data=data, dry_run=True, **args)
    assert (dry.rows, dry.created, dry.rejected, dry.written) == (3, 3, [], False)
    assert KeyGroupMember.objects.count() == 0
    result = ledgers.import_key_group_members(data=data, **args)
    assert result.written and result.created == 3
    got = {(m.person_id, m.group, m.since) for m in KeyGroupMember.objects.all()}
    assert got == {
        (zhang.pk, "cold_chain", dt.date(2022, 5, 6)),
        (li.pk, "delivery", _today()),
        (ten[3].pk, "medical", dt.date(2022, 5, 7)),
    }
    again = ledgers.import_key_group_members(data=data, **args)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    actions.remove_from_key_group(actor=world.county_admin, member=KeyGroupMember.objects.get(person=li))
    back = ledgers.import_key_group_members(data=data, **args)
    assert (back.created, back.updated, back.unchanged) == (0, 1, 2)
    assert KeyGroupMember.objects.get(person=li).active


def test_a_bad_member_list_names_row_column_and_reason_and_writes_nothing(world, people, ten):
    zhang, wang = people["zhang"], people["wang"]
    rows = [
        [1, "张伟", zhang.id_number, "冷链", "", ""],  # right, but the sheet has errors: not written
        [2, "张三", ten[4].id_number, "口岸", "", ""],  # name and ID disagree
        [3, "王芳", wang.id_number, "口岸", "", ""],  # grid 08: not under grid 07
        [4, "某某", "371502199001011234", "口岸", "", ""],  # bad check digit
        [5, ten[5].name, ten[5].id_number, "保安", "", ""],  # no such group
        [6, ten[6].name, ten[6].id_number, "口岸", "", "2099-01-01"],  # joining in the future
        [7, "张伟", zhang.id_number, "冷链从业人员", "", ""],  # the same person and group twice
    ]
    data = workbook(rows, header=HEADER)
    result = ledgers.import_key_group_members(
        actor=world.grid07_worker, node=world.grid07, data=data, filename="名单.xlsx"
    )
    reasons = {(p.row, p.column): p.reason for p in result.rejected}
    assert set(reasons) == {
        (3, "姓名"),
        (4, "身份证号码"),
        (5, "身份证号码"),
        (6, "人员类别"),
        (7, "纳入时间"),
        (8, "身份证号码"),
    }
    assert "不一致" in reasons[(3, "姓名")] and "未登记" in reasons[(4, "身份证号码")]
    assert reasons[(8, "身份证号码")] == "与第2行重复"
    assert not result.written and KeyGroupMember.objects.count() == 0


def test_the_import_pages_preview_then_confirm(world, people):
    zhang = people["zhang"]
    client = login(world.grid07_worker)
    data = workbook([[1, "张伟", zhang.id_number, "农贸市场", "", ""]], header=HEADER)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("名单.xlsx", data)
    response = client.post(reverse("imports_key_groups"), {"node": world.grid07.code, "file": upload})
    assert response.status_code == 302
    preview = client.get(response.url)
    assert preview.status_code == 200 and KeyGroupMember.objects.count() == 0
    token = response.url.rstrip("/").rsplit("/", 1)[1]
    assert login(world.grid08_worker).get(response.url).status_code == 404  # not theirs
    client.post(reverse("imports_key_groups_confirm", args=[token]))
    assert KeyGroupMember.objects.get().group == "market"


def test_the_policy_form_offers_every_key_group():
    from fangkong.policy.forms import KEY_GROUPS
    from fangkong.testing.models import KeyGroup

    assert {code: str(label) for code, label in KEY_GROUPS.items()} == dict(KeyGroup.choices)


def test_the_testing_home_counts_overdue_key_group_members(world, people):
    actions.add_to_key_group(
        actor=world.county_admin, person=people["zhang"], group="port", since=_today() - dt.timedelta(days=2)
    )
    actions.add_to_key_group(actor=world.county_admin, person=people["wang"], group="port")  # due today
    page = login(world.county_admin).get(reverse("testing_home"))
    assert page.context["key_group_overdue"] == 1
