"""The rectification deadline and escalation rules at the edges of their windows."""

import datetime as dt

from fangkong.inspections import rules

SH = rules.SHANGHAI
DEADLINE = dt.date(2022, 3, 10)


def at(y, m, d, h=0, mi=0, s=0, us=0):
    return dt.datetime(y, m, d, h, mi, s, us, tzinfo=SH)


def test_it_gives_the_policy_days_from_the_order_day():
    assert rules.deadline_for(dt.date(2022, 3, 7), 3) == DEADLINE
    assert rules.deadline_for(dt.date(2022, 3, 10), 0) == DEADLINE


def test_it_is_not_overdue_until_the_deadline_day_ends():
    assert not rules.is_overdue(DEADLINE, at(2022, 3, 10, 23, 59, 59, 999999))
    assert rules.is_overdue(DEADLINE, at(2022, 3, 11))
    assert rules.due_end(DEADLINE) == at(2022, 3, 11)


def test_it_reads_the_deadline_in_shanghai_time():
    # 16:00 UTC on the 10th is 00:00 on the 11th in Shanghai: overdue; 15:59 UTC is not.
    assert rules.is_overdue(DEADLINE, dt.datetime(2022, 3, 10, 16, tzinfo=dt.UTC))
    assert not rules.is_overdue(DEADLINE, dt.datetime(2022, 3, 10, 15, 59, tzinfo=dt.UTC))


def test_it_counts_days_left():
    assert rules.days_left(DEADLINE, at(2022, 3, 10, 23)) == 1
    assert rules.days_left(DEADLINE, at(2022, 3, 8, 9)) == 3
    assert rules.days_left(DEADLINE, at(2022, 3, 11, 0)) == 0


def test_it_steps_up_once_overdue_and_again_every_n_days():
    assert rules.escalation_steps(DEADLINE, at(2022, 3, 10, 23, 59), 3) == 0
    assert rules.escalation_steps(DEADLINE, at(2022, 3, 11), 3) == 1
    assert rules.escalation_steps(DEADLINE, at(2022, 3, 13, 23, 59), 3) == 1
    assert rules.escalation_steps(DEADLINE, at(2022, 3, 14), 3) == 2
    assert rules.escalation_steps(DEADLINE, at(2022, 3, 17), 3) == 3
    assert rules.escalation_steps(DEADLINE, at(2022, 4, 30), 0) == 1  # no further steps


def test_it_caps_the_escalation_at_the_top_of_the_chain():
    chain = ["grid", "village", "township", "county"]
    assert rules.escalation_target(chain, 0) is None
    assert rules.escalation_target(chain, 1) == "village"
    assert rules.escalation_target(chain, 3) == "county"
    assert rules.escalation_target(chain, 9) == "county"
    assert rules.escalation_target(["county"], 2) is None


def test_it_asks_every_item_answered_and_a_failed_one_explained():
    assert rules.check_results([]) == {"results": "检查结果不能为空：至少一项"}
    errors = rules.check_results(
        [
            {"text": "口罩", "passed": True},
            {"text": "消毒", "passed": None},
            {"text": "通风", "passed": False, "note": "  "},
            {"text": "测温", "passed": False, "note": "未测温"},
        ]
    )
    assert set(errors) == {"results.1", "results.2"}
    assert "通风" in errors["results.2"]
