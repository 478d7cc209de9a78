"""Real-name purchases: a registered fever-medicine buyer becomes a task at their community, an
unregistered one is on the pharmacy township's list, re-importing a register makes no second task."""

import datetime as dt

import pytest
from django.utils import timezone

from fangkong.lib.errors import RuleError
from fangkong.markets import actions, ledgers, queries
from fangkong.markets.models import FeverFollowUp, Purchase, TaskStatus
from fangkong.policy.models import Policy
from fangkong.policy.presets import DEFAULT_PRESET
from fangkong.policy.queries import preset_values

from .conftest import STRANGER_ID, buy, csv


def test_registered_fever_buyer_goes_to_their_community(world, people, pharmacy):
    wang = people["wang"]  # lives in grid 08; the pharmacy is in grid 07
    at = timezone.now() - dt.timedelta(hours=2)
    purchase = buy(world, pharmacy, id_number=wang.id_number, name="王芳", at=at)
    task = FeverFollowUp.objects.get(purchase=purchase)
    assert task.person == wang
    assert task.node == world.grid08
    assert task.due_at == at + dt.timedelta(hours=24)  # the policy's default (unverified)
    assert task.status == TaskStatus.OPEN
    # Grid 08 (her community) sees it; grid 07 (the pharmacy's) does not, and the pharmacy's purchase is
    # not on anyone's list of unregistered buyers.
    assert list(queries.followups_visible_to(world.grid08_worker)) == [task]
    assert not queries.followups_visible_to(world.grid07_worker).exists()
    assert not queries.unregistered_fever_buyers(world.township_admin).exists()
    actions.complete_followup(actor=world.grid08_worker, followup=task, outcome="已电话联系，体温正常")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.done_at is not None
    with pytest.raises(RuleError):
        actions.complete_followup(actor=world.grid08_worker, followup=task, outcome="再来一次")


def test_grid07_worker_cannot_close_a_grid08_task(world, people, pharmacy):
    purchase = buy(world, pharmacy, id_number=people["wang"].id_number)
    with pytest.raises(RuleError):
        actions.complete_followup(actor=world.grid07_worker, followup=purchase.followup, outcome="x")


def test_unregistered_buyer_is_on_the_pharmacy_townships_list(world, people, pharmacy, other_township):
    purchase = buy(world, pharmacy, id_number=STRANGER_ID, name="赵六")
    assert purchase.person is None
    assert not FeverFollowUp.objects.exists()
    assert list(queries.unregistered_fever_buyers(world.township_admin)) == [purchase]
    assert not queries.unregistered_fever_buyers(other_township["admin"]).exists()
    actions.mark_found(actor=world.township_admin, purchase=purchase, note="外地务工人员，已电话联系")
    assert not queries.unregistered_fever_buyers(world.township_admin).exists()


def test_other_classes_make_no_task_and_are_not_listed(world, people, pharmacy):
    buy(world, pharmacy, id_number=people["wang"].id_number, drug_class="cough", drug="复方甘草片")
    buy(world, pharmacy, id_number=STRANGER_ID, drug_class="antibiotic", drug="阿莫西林")
    assert not FeverFollowUp.objects.exists()
    assert not queries.unregistered_fever_buyers(world.county_admin).exists()


def test_registered_later_is_matched_once(world, people, pharmacy):
    from fangkong.registry import actions as registry_actions

    purchase = buy(world, pharmacy, id_number=STRANGER_ID, name="赵六")
    registry_actions.register_person(
        actor=world.grid08_worker,
        node=world.grid08,
        household=people["h08"],
        name="赵六",
        relation="other",
        id_number=STRANGER_ID,
    )
    made = actions.match_registered(
        actor=world.township_admin, purchases=queries.unregistered_fever_buyers(world.township_admin)
    )
    assert made == 1
    purchase.refresh_from_db()
    assert purchase.followup.node == world.grid08
    assert actions.match_registered(actor=world.township_admin, purchases=Purchase.objects.all()) == 0
    assert FeverFollowUp.objects.count() == 1


def test_follow_up_hours_are_policy(world, people, pharmacy):
    values = preset_values(DEFAULT_PRESET) | {"markets": {"fever_followup_hours": 6}}
    Policy.objects.create(
        node=world.county, effective_from=dt.date(2020, 1, 1), preset=DEFAULT_PRESET, values=values
    )
    at = timezone.now() - dt.timedelta(hours=1)
    purchase = buy(world, pharmacy, id_number=people["zhang"].id_number, at=at)
    assert purchase.followup.due_at == at + dt.timedelta(hours=6)


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("id_number", {"id_number": "37150219900307123"}),
        ("phone", {"phone": "12345"}),
        ("drug_class", {"drug_class": "vitamin"}),
        ("quantity", {"quantity": 0}),
        ("purchased_at", {"at": timezone.now() + dt.timedelta(hours=2)}),
    ],
)
def test_counter_refuses_what_cannot_be(world, people, pharmacy, field, kwargs):
    kwargs.setdefault("id_number", STRANGER_ID)
    with pytest.raises(RuleError) as refused:
        buy(world, pharmacy, **kwargs)
    assert field in refused.value.errors
    assert not Purchase.objects.exists()


def test_only_the_pharmacys_area_may_register(world, people, pharmacy):
    with pytest.raises(RuleError):
        buy(world, pharmacy, id_number=STRANGER_ID, actor=world.grid08_worker)


REGISTER = [
    ["序号", "购药时间", "姓名", "身份证号码", "手机号码", "药品名称", "类别", "数量", "症状"],
]


def _register(people, day):
    return csv(
        *REGISTER,
        [
            1,
            f"{day:%Y-%m-%d} 09:15",
            "王芳",
            people["wang"].id_number,
            "15066668888",
            "布洛芬",
            "退烧药",
            1,
            "发热",
        ],
        [2, f"{day:%Y-%m-%d} 10:40", "赵六", STRANGER_ID, "", "对乙酰氨基酚片", "退热", 2, ""],
        [3, f"{day:%Y年%m月%d日}", "张伟", people["zhang"].id_number, "", "复方甘草片", "止咳", 1, ""],
    )


def test_import_register_then_again(world, people, pharmacy):
    day = timezone.localdate() - dt.timedelta(days=1)
    data = _register(people, day)
    result = ledgers.import_purchases(
        actor=world.county_admin, pharmacy=pharmacy, data=data, filename="r.csv"
    )
    assert not result.rejected, result.rejected
    assert (result.created, result.unchanged) == (3, 0)
    assert Purchase.objects.count() == 3
    task = FeverFollowUp.objects.get()
    assert task.person == people["wang"] and task.node == world.grid08
    assert list(
        queries.unregistered_fever_buyers(world.township_admin).values_list("buyer_name", flat=True)
    ) == ["赵六"]
    zhang = Purchase.objects.get(buyer_name="张伟")
    assert timezone.localtime(zhang.purchased_at).hour == 12  # the day alone: midday
    again = ledgers.import_purchases(actor=world.county_admin, pharmacy=pharmacy, data=data, filename="r.csv")
    assert (again.created, again.unchanged) == (0, 3)
    assert Purchase.objects.count() == 3
    assert FeverFollowUp.objects.count() == 1


def test_import_is_all_or_nothing_with_row_column_reason(world, people, pharmacy):
    day = timezone.localdate() - dt.timedelta(days=1)
    data = csv(
        *REGISTER,
        [1, f"{day:%Y-%m-%d} 09:15", "王芳", people["wang"].id_number, "", "布洛芬", "退热", 1, ""],
        [2, f"{day:%Y-%m-%d} 10:40", "赵六", "510101198001021239", "", "对乙酰氨基酚片", "维生素", 1, ""],
    )
    result = ledgers.import_purchases(
        actor=world.county_admin, pharmacy=pharmacy, data=data, filename="r.csv"
    )
    reasons = {(p.row, p.column) for p in result.rejected}
    assert (3, "身份证号码") in reasons
    assert (3, "类别") in reasons
    assert not result.written
    assert not Purchase.objects.exists() and not FeverFollowUp.objects.exists()


def test_dry_run_writes_nothing(world, people, pharmacy):
    data = _register(people, timezone.localdate() - dt.timedelta(days=1))
    result = ledgers.import_purchases(
        actor=world.county_admin, pharmacy=pharmacy, data=data, filename="r.csv", dry_run=True
    )
    assert not result.rejected and not result.written
    assert [row["registered"] for row in result.plan] == [True, False, True]
    assert not Purchase.objects.exists()


def test_export_register_is_masked(world, people, pharmacy):
    import io

    from openpyxl import load_workbook

    buy(world, pharmacy, id_number=people["wang"].id_number, name="王芳", phone="15066668888")
    _name, content = ledgers.export_purchases(
        actor=world.county_admin, pharmacy=pharmacy, purchases=Purchase.objects.all()
    )
    cells = [c for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True) for c in row]
    assert people["wang"].id_number not in cells and "15066668888" not in cells
    assert "王*" in cells and "150****8888" in cells
