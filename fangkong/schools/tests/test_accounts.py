"""Accounts of teachers and of the education bureau, made and removed from the pages by who manages users
at the school's node or the county."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from fangkong.audit.models import AuditEvent
from fangkong.lib.errors import RuleError
from fangkong.schools import actions, queries

NEW_PASSWORD = "Qiantun-teacher-77"


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _body(username="wang_t", **more):
    return {
        "username": username,
        "full_name": "王小红",
        "password": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **more,
    }


def test_the_county_admin_makes_a_teacher_who_logs_in_and_sees_the_school(world, school, klass):
    admin = _client(world.county_admin)
    detail = admin.get(reverse("school_detail", args=[school.pk]))
    url = reverse("school_users", args=[school.pk])
    assert url in detail.content.decode()
    response = admin.post(url, _body())
    assert response.status_code == 302
    teacher = get_user_model().objects.get(username="wang_t")
    assert teacher.first_name == "王小红" and list(school.staff.all()) == [teacher]
    assert "wang_t" in admin.get(url).content.decode()
    event = AuditEvent.objects.filter(actor=world.county_admin).latest("pk")
    assert event.node_path == school.node.path

    c = Client()
    assert c.login(username="wang_t", password=NEW_PASSWORD)
    page = c.get(reverse("school_detail", args=[school.pk]))
    assert page.status_code == 200 and school.name in page.content.decode()
    assert c.get(reverse("class_check", args=[klass.pk])).status_code == 200
    assert c.get(url).status_code == 404  # a teacher does not manage accounts


def test_a_generated_password_is_shown_once_and_works(world, school):
    response = _client(world.county_admin).post(
        reverse("school_users", args=[school.pk]),
        {"username": "li_t", "full_name": "李老师", "generate": "on"},
    )
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    password = response.context["generated"][1]
    assert password in response.content.decode()
    assert Client().login(username="li_t", password=password)


def test_who_may_not_manage_users_there_gets_404(world, school, bureau):
    for user in (world.grid07_worker, world.grid07_viewer, bureau.officer):
        c = _client(user)
        assert c.get(reverse("school_users", args=[school.pk])).status_code == 404
        assert c.post(reverse("school_users", args=[school.pk]), _body("x_t")).status_code == 404
        assert c.get(reverse("bureau_users", args=[bureau.pk])).status_code == 404
    assert not get_user_model().objects.filter(username="x_t").exists()
    assert (
        reverse("school_users", args=[school.pk])
        not in _client(world.grid07_worker).get(reverse("school_detail", args=[school.pk])).content.decode()
    )


def test_a_duplicate_username_is_told_on_the_form(world, school, teacher):
    response = _client(world.county_admin).post(
        reverse("school_users", args=[school.pk]), _body(teacher.username)
    )
    assert response.status_code == 200
    assert "用户名已被使用" in response.content.decode()
    assert list(school.staff.all()) == [teacher]


def test_mismatched_or_weak_passwords_are_refused(world, school):
    c = _client(world.county_admin)
    url = reverse("school_users", args=[school.pk])
    assert "两次输入的密码不一致" in c.post(url, _body(password2="other-pass-99")).content.decode()
    weak = c.post(url, _body(password="12345", password2="12345")).content.decode()
    assert "密码" in weak and not get_user_model().objects.filter(username="wang_t").exists()


def test_the_bureau_officers_are_made_from_the_completeness_page(world, school, bureau):
    admin = _client(world.county_admin)
    url = reverse("bureau_users", args=[bureau.pk])
    assert url in admin.get(reverse("schools_home"), {"node": world.county.code}).content.decode()
    assert admin.post(url, _body("edu2")).status_code == 302
    officer = get_user_model().objects.get(username="edu2")
    assert list(queries.schools_visible_to(officer)) == [school]


def test_removing_a_teacher_takes_the_school_away_with_an_audit_row(world, school, teacher):
    admin = _client(world.county_admin)
    url = reverse("school_user_remove", args=[school.pk, teacher.pk])
    assert _client(world.grid07_worker).post(url).status_code == 404
    assert admin.post(url).status_code == 302
    assert not school.staff.exists() and not queries.schools_visible_to(teacher).exists()
    event = AuditEvent.objects.latest("pk")
    assert event.actor == world.county_admin and event.detail.get("removed") == teacher.username
    assert admin.post(url).status_code == 404  # no longer staff


def test_removing_is_refused_in_chinese_to_who_may_not(world, school, teacher):
    with pytest.raises(RuleError, match="无权管理"):
        actions.remove_school_user(actor=world.grid07_worker, user=teacher, school=school)
    with pytest.raises(RuleError, match="不是本校教职工"):
        actions.remove_school_user(actor=world.county_admin, user=world.grid07_worker, school=school)
