"""A teacher's morning check on a phone: a class of 45, all present by default; tap two pupils absent
(one for illness, with fever) and one with a cough and 37.9, submit, and see the counts of the check."""

import time

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from fangkong.conftest import PASSWORD
from fangkong.schools import actions
from fangkong.schools.models import Check

pytestmark = pytest.mark.browser


def test_a_teacher_submits_the_morning_check_of_45_on_a_phone(phone_page, world):
    admin = world.county_admin
    school = actions.create_school(actor=admin, node=world.village, name="前屯小学", stage="primary")
    klass = actions.create_class(actor=admin, school=school, grade="三年级", name="1班")
    for n in range(1, 46):
        actions.add_member(actor=admin, school=school, school_class=klass, name=f"学生{n:02d}")
    actions.create_school_user(
        actor=admin, username="teacher", full_name="王老师", password=PASSWORD, school=school
    )
    page = phone_page
    page.goto(reverse("login"))
    page.get_by_label("用户名").fill("teacher")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)

    started = time.perf_counter()
    page.goto(
        reverse("class_check", args=[klass.pk]) + f"?day={timezone.localdate().isoformat()}&slot=morning"
    )
    expect(page.locator(".roster > li")).to_have_count(45)

    def pupil(name):
        return page.locator(".roster > li").filter(has_text=name)

    first = pupil("学生03")
    first.locator("summary").click()
    first.get_by_label("因病缺勤").check()
    first.get_by_label("发热").check()
    second = pupil("学生17")
    second.locator("summary").click()
    second.get_by_label("其他缺勤").check()
    third = pupil("学生40")
    third.locator("summary").click()
    third.get_by_label("到校有症状").check()
    third.get_by_label("咳嗽").check()
    third.get_by_label("体温").fill("37.9")
    page.locator("#submit-check").click()

    result = page.locator("#check-result")
    expect(result).to_contain_text("应到45人，实到43人，因病缺勤1人，其他缺勤1人")
    expect(result).to_contain_text("有症状1人")
    expect(page.locator(".messages")).to_contain_text("已提交晨检")
    assert time.perf_counter() - started < 60
    check = Check.objects.get()
    assert (check.present, check.absent_illness, check.absent_other, check.symptomatic) == (43, 1, 1, 1)
    # The marked pupils stay open for an edit; everyone else is collapsed, present.
    expect(page.locator(".roster details[open]")).to_have_count(3)
