"""Check-ins on a resident's phone, through the test client as a phone would: the first scan identifies,
the phone remembers, the second scan is one tap, family members are checked in from the same phone, a
scan repeated within minutes is one check-in, and check-out closes only this phone's people's visits."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.healthcodes.identity import COOKIE, identify
from fangkong.healthcodes.models import Colour
from fangkong.lib.errors import RuleError
from fangkong.measures import actions as measure_actions
from fangkong.policy.models import Kind, Reason
from fangkong.venues import actions as checkin_actions
from fangkong.venues import actions as venue_actions
from fangkong.venues.models import CheckIn


def details(person) -> dict:
    return {"action": "identify", "name": person.name, "id_number": person.id_number, "phone": person.phone}


def page(venue) -> str:
    return reverse("venue_checkin", args=[venue.code])


def test_it_identifies_on_the_first_scan_and_remembers_the_phone_on_the_second(people, venues):
    phone = Client()
    first = phone.get(page(venues["shop"]))
    assert first.status_code == 200
    assert "前屯便民超市" in first.content.decode() and "首次使用" in first.content.decode()

    done = phone.post(page(venues["shop"]), details(people["zhang"]))
    text = done.content.decode()
    assert done.status_code == 200 and COOKIE in done.cookies
    assert "张*" in text and "绿码" in text and 'class="ci-code green single"' in text
    assert "张伟" not in text and people["zhang"].id_number not in text
    checkin = CheckIn.objects.get()
    assert (checkin.venue, checkin.identity.person, checkin.source) == (
        venues["shop"],
        people["zhang"],
        "phone",
    )
    assert checkin.scanned_by is None and checkin.colour_shown == Colour.GREEN
    assert abs(checkin.at - timezone.now()) < dt.timedelta(minutes=1)

    second = phone.get(page(venues["clinic"]))
    assert "首次使用" not in second.content.decode()
    assert second.context["people"] == [checkin.identity]
    phone.post(page(venues["clinic"]), {"action": "checkin", "who": [checkin.identity.pk]})
    assert CheckIn.objects.filter(identity=checkin.identity).count() == 2


def test_it_counts_a_scan_repeated_within_minutes_as_one_check_in(people, venues):
    phone = Client()
    phone.post(page(venues["shop"]), details(people["zhang"]))
    me = CheckIn.objects.get().identity
    again = phone.post(page(venues["shop"]), {"action": "checkin", "who": [me.pk]})
    assert "几分钟内重复扫码只记一次" in again.content.decode()
    assert CheckIn.objects.count() == 1

    start = timezone.now()
    checkin_actions.check_in(actor=None, venue=venues["clinic"], people=[me], at=start)
    checkin_actions.check_in(
        actor=None, venue=venues["clinic"], people=[me], at=start + dt.timedelta(minutes=4)
    )
    assert CheckIn.objects.filter(venue=venues["clinic"]).count() == 1
    checkin_actions.check_in(
        actor=None, venue=venues["clinic"], people=[me], at=start + dt.timedelta(minutes=6)
    )
    assert CheckIn.objects.filter(venue=venues["clinic"]).count() == 2


def test_it_checks_in_family_members_from_the_same_phone(people, venues):
    phone = Client()
    phone.post(page(venues["shop"]), details(people["zhang"]))
    added = phone.post(page(venues["shop"]), details(people["li"]))  # 为家人登记
    assert "李*" in added.content.decode() and "由 张* 代为登记" in added.content.decode()
    zhang, li = (
        identify(id_number=p.id_number, name=p.name, phone=p.phone) for p in (people["zhang"], people["li"])
    )
    assert CheckIn.objects.get(identity=li).scanned_by == zhang

    # Next venue: both are on the phone, the owner first (and ticked), the family member after.
    form = phone.get(page(venues["clinic"]))
    assert form.context["people"] == [zhang, li]
    done = phone.post(page(venues["clinic"]), {"action": "checkin", "who": [zhang.pk, li.pk]})
    assert done.content.decode().count('class="ci-code green"') == 2
    at_clinic = CheckIn.objects.filter(venue=venues["clinic"])
    assert {(c.identity, c.scanned_by) for c in at_clinic} == {(zhang, None), (li, zhang)}
    assert len({c.at for c in at_clinic}) == 1

    # The owner typing their details again in the family form does not push them down the list.
    phone.post(page(venues["clinic"]), details(people["zhang"]))
    assert phone.get(page(venues["shop"])).context["people"] == [zhang, li]


def test_it_shows_each_persons_colour_for_the_door_keeper(world, people, venues):
    zhang = people["zhang"]
    screening = measure_actions.record_screening(
        actor=world.county_admin,
        person=zhang,
        reason=Reason.CLOSE_CONTACT,
        screened_on=timezone.localdate(),
        reference_date=timezone.localdate() - dt.timedelta(days=1),
    )
    measure_actions.start_measure(
        actor=world.county_admin,
        person=zhang,
        kind=Kind.HOME_QUARANTINE,
        screening=screening,
        started_at=timezone.now() - dt.timedelta(hours=1),
    )
    phone = Client()
    phone.post(page(venues["shop"]), details(people["li"]))
    done = phone.post(page(venues["shop"]), details(zhang))
    text = done.content.decode()
    assert 'class="ci-code red single"' in text and "红码" in text
    assert CheckIn.objects.get(identity__person=zhang).colour_shown == Colour.RED
    # The reasons are there for the door keeper, in Chinese.
    assert "居家隔离" in text


def test_it_checks_out_only_this_phones_people_at_this_venue(people, venues):
    mine, theirs = Client(), Client()
    mine.post(page(venues["shop"]), details(people["zhang"]))
    theirs.post(page(venues["shop"]), details(people["wang"]))
    my_visit = CheckIn.objects.get(identity__person=people["zhang"])
    their_visit = CheckIn.objects.get(identity__person=people["wang"])

    out = reverse("venue_checkout", args=[venues["shop"].code])
    assert mine.post(out, {"checkin": [their_visit.pk]}).status_code == 404
    wrong_venue = reverse("venue_checkout", args=[venues["clinic"].code])
    assert mine.post(wrong_venue, {"checkin": [my_visit.pk]}).status_code == 404
    left = mine.post(out, {"checkin": [my_visit.pk, their_visit.pk]})
    assert left.status_code == 200 and "离开" in left.content.decode()
    my_visit.refresh_from_db()
    their_visit.refresh_from_db()
    assert my_visit.checked_out_at is not None and their_visit.checked_out_at is None
    first_time = my_visit.checked_out_at
    mine.post(out, {"checkin": [my_visit.pk]})
    my_visit.refresh_from_db()
    assert my_visit.checked_out_at == first_time  # leaving twice keeps the first time


def test_it_tells_a_resident_what_is_wrong_and_records_nothing(people, venues):
    phone = Client()
    number = people["zhang"].id_number
    altered = number[:-1] + ("1" if number[-1] != "1" else "2")
    wrong = phone.post(
        page(venues["shop"]), {"action": "identify", "name": "张伟", "id_number": altered, "phone": "138"}
    )
    text = wrong.content.decode()
    assert wrong.status_code == 200 and "校验位错误" in text and "手机号码应为以1开头的11位数字" in text
    assert not CheckIn.objects.exists()
    assert phone.get(page(venues["shop"])).context["people"] == []  # nobody remembered
    not_mine = phone.post(page(venues["shop"]), {**details(people["zhang"]), "name": "张三"})
    assert "姓名与身份证号不符" in not_mine.content.decode()
    assert not CheckIn.objects.exists()


def test_it_answers_an_unknown_or_closed_venue_code_the_same_way(world, venues):
    phone = Client()
    unknown = phone.get(reverse("venue_checkin", args=["no-such-code"]))
    venue_actions.set_venue_active(actor=world.county_admin, venue=venues["shop"], active=False)
    closed = phone.get(page(venues["shop"]))
    assert unknown.status_code == closed.status_code == 404
    assert unknown.context["message"] == closed.context["message"]
    assert "该场所码无效或已停用" in closed.content.decode()


def test_it_refuses_a_check_in_for_too_many_people_at_once(venues):
    family = [identify(id_number=n, name="赵敏", phone="13700001111") for n in ["11010519491231002X"]]
    with pytest.raises(RuleError):
        checkin_actions.check_in(actor=None, venue=venues["shop"], people=family * 11)
    with pytest.raises(RuleError):
        checkin_actions.check_in(actor=None, venue=venues["shop"], people=[])
