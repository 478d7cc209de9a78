"""Identifying a resident proves more than a name and an ID number found on a ledger: the phone number
registered for them must match (or, for a child or an elder with no phone, one of their household's), a
stranger's number never replaces it, and a wrong number counts against the attempt limit. The same on the
code page (the venue page and a kiosk: venues/tests/test_identify_at_venues.py)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from fangkong.healthcodes import identity
from fangkong.healthcodes.models import Identity
from fangkong.lib.errors import RuleError
from fangkong.lib.idcard import make
from fangkong.measures import actions as measure_actions
from fangkong.policy.models import Kind
from fangkong.registry import actions as registry_actions

CODE = "/r/code/"
ADD = "/r/code/add/"
STRANGER = "13900000000"
WRONG_PHONE = "手机号与登记的不符"


def details(person, **changes) -> dict:
    return {"name": person.name, "id_number": person.id_number, "phone": person.phone, **changes}


def quarantined(world, person):
    return measure_actions.start_measure(
        actor=world.grid07_worker,
        person=person,
        kind=Kind.HOME_QUARANTINE,
        started_at=timezone.now() - dt.timedelta(days=2),
    )


@pytest.fixture
def child(world, people):
    """A child of 张伟's household, registered with no phone of her own."""
    return registry_actions.register_person(
        actor=world.grid07_worker,
        node=world.grid07,
        household=people["h07"],
        name="张小雨",
        relation="child",
        id_number=make("371502", dt.date(2016, 6, 1), 22),
    )


def test_it_shows_a_stranger_with_name_and_id_number_nothing_of_the_persons_health(world, people):
    zhang = people["zhang"]
    quarantined(world, zhang)
    stranger = Client()
    stranger.get(CODE)
    page = stranger.post(ADD, details(zhang, phone=STRANGER)).content.decode()
    assert WRONG_PHONE in page
    code = stranger.get(CODE).content.decode()
    assert "首次使用请填写本人信息" in code
    assert "红码" not in code and "居家隔离" not in code and "<svg" not in code
    assert not Identity.objects.filter(phone=STRANGER).exists()


def test_it_never_lets_a_stranger_replace_the_registered_phone(world, people):
    zhang = people["zhang"]
    mine = identity.identify(id_number=zhang.id_number, name="张伟", phone=zhang.phone)
    with pytest.raises(RuleError) as refused:
        identity.identify(id_number=zhang.id_number, name="张伟", phone=STRANGER)
    assert WRONG_PHONE in refused.value.errors["phone"]
    mine.refresh_from_db()
    assert mine.phone == "13812345678"


def test_it_takes_the_phone_the_community_registered_after_a_change(world, people):
    zhang = people["zhang"]
    mine = identity.identify(id_number=zhang.id_number, name="张伟", phone=zhang.phone)
    registry_actions.update_person(
        actor=world.grid07_worker,
        person=zhang,
        version=zhang.version,
        name=zhang.name,
        id_number=zhang.id_number,
        document_type=zhang.document_type,
        phone=STRANGER,
        household=people["h07"],
        relation=zhang.relation,
    )
    assert identity.identify(id_number=zhang.id_number, name="张伟", phone=STRANGER) == mine
    mine.refresh_from_db()
    assert mine.phone == STRANGER
    with pytest.raises(RuleError):
        identity.identify(id_number=zhang.id_number, name="张伟", phone="13812345678")


def test_it_counts_wrong_phones_against_the_attempt_limit(people):
    client = Client()
    client.get(CODE)
    zhang = people["zhang"]
    for n in range(identity.MAX_FAILURES_PER_DEVICE):
        page = client.post(ADD, details(zhang, phone=f"1390000000{n}")).content.decode()
        assert WRONG_PHONE in page
    assert "尝试次数过多" in client.post(ADD, details(zhang)).content.decode()


def test_it_lets_a_household_member_identify_a_child_without_a_phone(people, child):
    kid = identity.identify(id_number=child.id_number, name="张小雨", phone=people["li"].phone)
    assert kid.person == child
    with pytest.raises(RuleError) as refused:
        identity.identify(id_number=child.id_number, name="张小雨", phone=STRANGER)
    assert WRONG_PHONE in refused.value.errors["phone"]


def test_it_sends_someone_with_no_phone_in_the_registry_to_their_community(world):
    alone = registry_actions.register_person(
        actor=world.grid07_worker,
        node=world.grid07,
        name="孙老汉",
        relation="head",
        id_number=make("371502", dt.date(1940, 2, 2), 31),
    )
    with pytest.raises(RuleError) as refused:
        identity.identify(id_number=alone.id_number, name="孙老汉", phone=STRANGER)
    assert "请联系所在社区（村）登记手机号" in refused.value.errors["phone"]
    assert not Identity.objects.filter(id_number=alone.id_number).exists()


def test_it_keeps_a_visitors_first_phone(world):
    number = make("420102", dt.date(1980, 1, 1), 11)
    visitor = identity.identify(id_number=number, name="赵强", phone="13700001111")
    with pytest.raises(RuleError) as refused:
        identity.identify(id_number=number, name="赵强", phone=STRANGER)
    assert WRONG_PHONE in refused.value.errors["phone"]
    visitor.refresh_from_db()
    assert visitor.phone == "13700001111"


def test_it_forgets_on_a_phone_someone_claimed_before_the_community_registered_them(world, people):
    number = make("371502", dt.date(1995, 2, 2), 58)
    stranger = Client()
    stranger.get(CODE)
    claimed = stranger.post(ADD, {"name": "孙丽", "id_number": number, "phone": STRANGER})
    assert claimed.status_code == 302  # nobody registered with that number yet: a visitor
    sun = registry_actions.register_person(
        actor=world.grid07_worker,
        node=world.grid07,
        household=people["h07"],
        name="孙丽",
        relation="other",
        id_number=number,
        phone="13622223333",
    )
    quarantined(world, sun)
    code = stranger.get(CODE).content.decode()
    assert "首次使用请填写本人信息" in code and "红码" not in code and "居家隔离" not in code
    assert (
        WRONG_PHONE
        in stranger.post(ADD, {"name": "孙丽", "id_number": number, "phone": STRANGER}).content.decode()
    )
    hers = Client()
    hers.get(CODE)
    assert hers.post(ADD, {"name": "孙丽", "id_number": number, "phone": "13622223333"}).status_code == 302
    assert "红码" in hers.get(CODE).content.decode()
    assert Identity.objects.get(id_number=number).person == sun
