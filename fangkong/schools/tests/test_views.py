"""The pages as the teacher, the bureau and the township use them."""

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.conftest import PASSWORD
from fangkong.schools import actions
from fangkong.schools.models import Check

TODAY = None


def _client(user):
    c = Client()
    c.login(username=user.username, password=PASSWORD)
    return c


def test_a_teacher_marks_two_absent_and_one_symptomatic(teacher, klass, pupils):
    c = _client(teacher)
    url = reverse("class_check", args=[klass.pk])
    day = timezone.localdate().isoformat()
    page = c.get(f"{url}?day={day}&slot=morning")
    assert page.status_code == 200 and page.content.decode().count('name="s_') == 45 * 4
    data = {
        "day": day,
        "slot": "morning",
        f"s_{pupils[0].pk}": "absent_illness",
        f"y_{pupils[0].pk}": "fever",
        f"s_{pupils[1].pk}": "absent_other",
        f"s_{pupils[2].pk}": "symptomatic",
        f"y_{pupils[2].pk}": "cough",
        f"t_{pupils[2].pk}": "37.9",
        f"s_{pupils[3].pk}": "",  # present: the radio's default
    }
    response = c.post(url, data, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "应到45人，实到43人，因病缺勤1人，有症状1人" in text
    check = Check.objects.get()
    assert (check.present, check.absent_illness, check.absent_other, check.symptomatic) == (43, 1, 1, 1)
    # Submitting the same again changes nothing; a second teacher's stale form is refused.
    stale = {**data, "version": "1", f"s_{pupils[5].pk}": "absent_other"}
    c.post(url, {**data, "version": "1"})
    assert Check.objects.get().version == 1
    c.post(url, {**data, "version": "1", f"s_{pupils[4].pk}": "absent_other"})
    assert Check.objects.get().version == 2
    refused = c.post(url, stale)
    assert refused.status_code == 400 and "已被他人修改" in refused.content.decode()


def test_a_zero_report_from_the_page(teacher, klass, pupils):
    c = _client(teacher)
    url = reverse("class_check", args=[klass.pk])
    response = c.post(url, {"day": timezone.localdate().isoformat(), "slot": "noon"}, follow=True)
    assert "零报告" in response.content.decode()
    assert Check.objects.get().zero_report


def test_the_bureau_sees_the_completeness_table(world, bureau, school, teacher, klass, pupils):
    actions.submit_check(actor=teacher, school_class=klass, day=timezone.localdate(), slot="morning")
    page = _client(bureau.officer).get(reverse("schools_home"))
    text = page.content.decode()
    assert page.status_code == 200 and "东昌府区" in text and "前屯小学" in text and "梁水镇" in text
    assert "已报1次，其中零报告1次" in text
    for name in ("school_detail", "school_pre_opening", "roster_import"):
        assert _client(bureau.officer).get(reverse(name, args=[school.pk])).status_code == 200
    assert _client(world.township_admin).get(reverse("schools_home")).status_code == 200
    assert _client(world.grid08_worker).get(reverse("school_detail", args=[school.pk])).status_code == 404


def test_pre_opening_completeness(world, school, teacher, klass, pupils):
    opening = timezone.localdate() + dt.timedelta(days=1)
    actions.update_school(actor=teacher, school=school, opening_date=opening)
    for n in range(1, 15):
        actions.record_pre_opening(
            actor=teacher, member=pupils[0], day=opening - dt.timedelta(days=n), temperature="36.5"
        )
    actions.record_pre_opening(
        actor=teacher, member=pupils[1], day=opening - dt.timedelta(days=1), temperature="36.6"
    )
    page = _client(teacher).get(reverse("school_pre_opening", args=[school.pk]))
    assert "45人中1人已完成14天监测" in page.content.decode()


def test_absences_page_and_edit(teacher, klass, pupils):
    from fangkong.schools.rules import ABSENT_ILLNESS, Mark

    day = timezone.localdate() - dt.timedelta(days=2)
    actions.submit_check(
        actor=teacher, school_class=klass, day=day, slot="morning", marks=[Mark(pupils[0].pk, ABSENT_ILLNESS)]
    )
    c = _client(teacher)
    assert "学生01" in c.get(reverse("absence_list")).content.decode()
    absence = pupils[0].absences.get()
    response = c.post(
        reverse("absence_edit", args=[absence.pk]),
        {"reason": "发热", "returned_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    assert "学生01" in c.get(reverse("absence_list") + "?overdue=1").content.decode()


def test_the_completeness_rows_escape_the_school_name(world, bureau):
    actions.create_school(actor=bureau.officer, node=world.village, name="<b>前屯</b>小学", stage="primary")
    text = _client(bureau.officer).get(reverse("schools_home")).content.decode()
    assert "&lt;b&gt;前屯&lt;/b&gt;小学" in text and "<b>前屯</b>" not in text
