"""Correcting a recorded dose: edited or voided with a reason, audited with what changed, and the
person's completion read again (expected values worked out by hand from §13: two doses of an
inactivated vaccine complete its series, one dose of Ad5 does)."""

import pytest
from django.test import Client
from django.urls import reverse

from fangkong.audit.models import AuditEvent
from fangkong.lib.errors import RuleError
from fangkong.vaccination import actions
from fangkong.vaccination.models import Dose
from fangkong.vaccination.tests.conftest import days_ago


def _two_doses(world, person, site):
    first, _ = actions.record_dose(
        actor=world.county_admin, person=person, site=site, product="bibp", given_on=days_ago(60)
    )
    second, _ = actions.record_dose(
        actor=world.county_admin, person=person, site=site, product="bibp", given_on=days_ago(30)
    )
    return first, second


def _flags(person):
    return [(d.dose_number, d.reaches_first, d.reaches_full) for d in Dose.objects.filter(person=person)]


def test_a_corrected_dose_is_audited_and_completion_follows(world, people, site):
    zhang = people["zhang"]
    first, second = _two_doses(world, zhang, site)
    assert _flags(zhang) == [(1, True, False), (2, False, True)]
    # The first dose was in fact Ad5 (one dose completes it): full from the first dose on.
    actions.correct_dose(actor=world.county_admin, dose=first, product="ad5", lot="A1", reason="录错疫苗")
    first.refresh_from_db()
    assert (first.product, first.kind, first.lot) == ("ad5", "adenovirus", "A1")
    assert Dose.objects.get(pk=first.pk).reaches_full
    assert not Dose.objects.get(pk=second.pk).reaches_full
    event = AuditEvent.objects.filter(target_type="Dose", target_id=str(first.pk)).order_by("-id").first()
    assert event.detail["correction"] == "录错疫苗"
    assert event.detail["changed"]["product"] == ["bibp", "ad5"]
    assert event.detail["changed"]["lot"] == ["", "A1"]


def test_a_voided_dose_goes_and_the_history_is_read_again(world, people, site):
    zhang = people["zhang"]
    first, second = _two_doses(world, zhang, site)
    pk = first.pk
    actions.void_dose(actor=world.county_admin, dose=first, reason="登错人")
    assert list(Dose.objects.filter(person=zhang)) == [second]
    second.refresh_from_db()
    assert second.reaches_first and not second.reaches_full
    event = AuditEvent.objects.filter(target_type="Dose", target_id=str(pk)).order_by("-id").first()
    assert event.detail["voided"] == "登错人" and event.detail["dose"]["product"] == "bibp"


def test_a_correction_needs_a_reason_a_change_a_free_day_and_the_site(world, people, site):
    zhang = people["zhang"]
    first, second = _two_doses(world, zhang, site)
    with pytest.raises(RuleError) as exc:
        actions.correct_dose(actor=world.county_admin, dose=first, lot="X", reason=" ")
    assert "reason" in exc.value.errors
    with pytest.raises(RuleError):  # nothing changes
        actions.correct_dose(actor=world.county_admin, dose=first, product="bibp", reason="核对")
    with pytest.raises(RuleError) as exc:  # the day of the other dose
        actions.correct_dose(actor=world.county_admin, dose=first, given_on=second.given_on, reason="核对")
    assert "given_on" in exc.value.errors
    with pytest.raises(RuleError):  # a grid worker cannot change a township site's record
        actions.correct_dose(actor=world.grid07_worker, dose=first, lot="X", reason="核对")
    with pytest.raises(RuleError):
        actions.void_dose(actor=world.grid07_worker, dose=first, reason="核对")
    assert Dose.objects.count() == 2


def test_the_correction_page(world, people, site):
    zhang = people["zhang"]
    first, second = _two_doses(world, zhang, site)
    admin = Client()
    admin.force_login(world.county_admin)
    url = reverse("vaccination_dose_correct", args=[second.pk])
    assert admin.get(url).status_code == 200
    outsider = Client()
    outsider.force_login(world.grid08_worker)
    assert outsider.get(url).status_code == 404
    assert (
        outsider.post(reverse("vaccination_dose_void", args=[second.pk]), {"reason": "x"}).status_code == 404
    )
    data = {
        "site": site.pk,
        "product": "bibp",
        "given_on": days_ago(25).isoformat(),
        "dose_number": 2,
        "lot": "",
        "reason": "日期录错",
    }
    assert admin.post(url, {**data, "reason": ""}).status_code == 422
    response = admin.post(url, data)
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.given_on == days_ago(25) and second.reaches_full
    response = admin.post(reverse("vaccination_dose_void", args=[second.pk]), {"reason": "未实际接种"})
    assert response.status_code == 302
    assert list(Dose.objects.filter(person=zhang)) == [first]
    assert "更正" in admin.get(reverse("vaccination_entry"), {"person": zhang.pk}).content.decode()
