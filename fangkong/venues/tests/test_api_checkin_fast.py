"""POST /api/v1/checkins with a kiosk token: the common scan is written by one statement
(checkin_actions.write_common_scan); every other scan writes nothing there and goes the ORM way, which
answers as it always did (status, Chinese reasons, identity updated or linked). The fast path answers with
the same JSON as the ORM path and records the token's use."""

import datetime as dt
import time

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from fangkong.grid.actions import issue_api_token, revoke_api_token, set_user_active
from fangkong.grid.api_auth import UncheckedToken
from fangkong.healthcodes.colours import colour_of
from fangkong.healthcodes.identity import identify
from fangkong.healthcodes.models import Colour, Identity
from fangkong.lib.idcard import make
from fangkong.measures import actions as measure_actions
from fangkong.policy.models import Kind
from fangkong.registry import actions as registry_actions
from fangkong.venues import actions as checkin_actions
from fangkong.venues import actions as venue_actions
from fangkong.venues import sql as checkin_sql
from fangkong.venues.models import CheckIn
from fangkong.venues.schemas import CheckInIn

NAME_MISMATCH = "姓名与身份证号不符，请核对；如有疑问请联系所在社区（村）"


@pytest.fixture
def zhang(people) -> Identity:
    """Zhang Wei, identified once on his phone: his identity is linked to his registry person."""
    p = people["zhang"]
    return identify(id_number=p.id_number, name=p.name, phone=p.phone)


def body(identity, venue, client_id: str, **changes) -> dict:
    return {
        "client_id": client_id,
        "venue_code": venue.code,
        "id_number": identity.id_number,
        "name": identity.name,
        "phone": identity.phone,
        **changes,
    }


def post(raw: str, payload: dict):
    kiosk = Client(headers={"Authorization": f"Bearer {raw}"})
    return kiosk.post("/api/v1/checkins", payload, content_type="application/json")


def not_common(raw: str, payload: dict) -> None:
    """The fast path declines the scan and writes nothing."""
    before = CheckIn.objects.count()
    item = CheckInIn.model_validate(payload).item()
    assert checkin_actions.write_common_scan(token=UncheckedToken(raw), item=item) is None
    assert CheckIn.objects.count() == before


def local(text: str) -> dt.datetime:
    assert text.endswith("+08:00"), text
    return dt.datetime.fromisoformat(text)


# ── the common case ────────────────────────────────────────────────────────────────────────────────────


def test_it_writes_a_known_residents_scan_in_one_statement(zhang, venues, token, statement):
    answer = post(token, body(zhang, venues["shop"], "k-1"))
    assert answer.status_code == 201, answer.content
    assert set(statement) == {"k-1"}
    checkin = CheckIn.objects.get()
    assert (checkin.identity_id, checkin.venue_id, checkin.source, checkin.client_id) == (
        zhang.pk,
        venues["shop"].pk,
        "kiosk",
        "k-1",
    )
    assert checkin.scanned_by is None and checkin.checked_out_at is None
    assert checkin.colour_shown == Colour.GREEN == colour_of(zhang, at=checkin.at).colour
    assert answer.json()["id"] == checkin.pk


def test_it_takes_the_fast_path_for_details_typed_as_identify_reads_them(world, venues, token, statement):
    """Spaces in the name, a lower-case x, a phone with a +86 prefix: the same resident to identify, and to
    the statement."""
    number = next(n for n in (make("371502", dt.date(1975, 4, 9), s) for s in range(1, 999)) if n[-1] == "X")
    me = identify(id_number=number, name="周文", phone="13811112222")
    typed = body(
        me, venues["shop"], "k-typed", id_number=number.lower(), name=" 周 文 ", phone="+86 138-1111-2222"
    )
    answer = post(token, typed)
    assert answer.status_code == 201, answer.content
    assert "k-typed" in statement
    assert CheckIn.objects.get().identity_id == me.pk and Identity.objects.count() == 1


# ── what falls back to the ORM way, and how it is answered ─────────────────────────────────────────────


def test_an_unknown_id_number_creates_the_identity(venues, token):
    number = make("420102", dt.date(1988, 8, 8), 35)
    payload = {
        "client_id": "k-new",
        "venue_code": venues["shop"].code,
        "id_number": number,
        "name": "钱多",
        "phone": "13566667777",
    }
    not_common(token, payload)
    answer = post(token, payload)
    assert answer.status_code == 201, answer.content
    created = Identity.objects.get(id_number=number)
    assert (created.name, created.phone, created.person_id) == ("钱多", "13566667777", None)
    checkin = CheckIn.objects.get(client_id="k-new")
    assert checkin.identity_id == created.pk and checkin.colour_shown == Colour.GREEN
    assert answer.json()["masked_name"] == "钱*" and answer.json()["colour"] == "green"


def test_a_name_that_differs_is_refused_with_the_reason(zhang, venues, token):
    payload = body(zhang, venues["shop"], "k-1", name="张三")
    not_common(token, payload)
    answer = post(token, payload)
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"name": NAME_MISMATCH}
    assert not CheckIn.objects.exists()
    zhang.refresh_from_db()
    assert zhang.name == "张伟"


def test_a_visitors_name_that_differs_is_refused_too(venues, token):
    visitor = identify(id_number=make("420102", dt.date(1980, 1, 1), 11), name="赵强", phone="13700001111")
    payload = body(visitor, venues["shop"], "k-1", name="赵刚")
    not_common(token, payload)
    answer = post(token, payload)
    assert answer.status_code == 422 and answer.json()["errors"] == {"name": NAME_MISMATCH}
    assert not CheckIn.objects.exists()


def test_a_new_phone_number_counts_once_the_community_registered_it(
    world, people, zhang, venues, token, statement
):
    payload = body(zhang, venues["shop"], "k-1", phone="139 0000 1111")
    not_common(token, payload)
    refused = post(token, payload)
    assert refused.status_code == 422 and "手机号与登记的不符" in refused.json()["errors"]["phone"]
    zhang.refresh_from_db()
    assert zhang.phone == "13812345678" and not CheckIn.objects.exists()
    person = people["zhang"]
    registry_actions.update_person(
        actor=world.grid07_worker,
        person=person,
        version=person.version,
        name=person.name,
        id_number=person.id_number,
        document_type=person.document_type,
        phone="13900001111",
        household=people["h07"],
        relation=person.relation,
    )
    answer = post(token, body(zhang, venues["shop"], "k-2", phone="139 0000 1111"))
    assert answer.status_code == 201, answer.content
    assert "k-2" not in statement
    zhang.refresh_from_db()
    assert zhang.phone == "13900001111"
    assert CheckIn.objects.get().identity_id == zhang.pk
    # Known again with the new number: the next scan is the common case.
    assert post(token, body(zhang, venues["stall"], "k-3")).status_code == 201
    assert "k-3" in statement


def test_an_identity_not_yet_linked_to_its_registry_person_is_linked(world, people, venues, token, statement):
    number = make("371502", dt.date(1995, 2, 2), 58)
    early = identify(id_number=number, name="孙丽", phone="13622223333")  # before the registry had her
    person = registry_actions.register_person(
        actor=world.grid07_worker,
        node=world.grid07,
        household=people["h07"],
        name="孙丽",
        relation="other",
        id_number=number,
        phone="13622223333",
    )
    early.refresh_from_db()
    assert early.person_id is None
    payload = body(early, venues["shop"], "k-1")
    not_common(token, payload)
    answer = post(token, payload)
    assert answer.status_code == 201, answer.content
    early.refresh_from_db()
    assert early.person_id == person.pk
    assert CheckIn.objects.get().identity_id == early.pk
    assert post(token, body(early, venues["stall"], "k-2")).status_code == 201
    assert "k-2" in statement  # linked now: the common case


def test_an_inactive_venue_is_refused(world, zhang, venues, token):
    venue_actions.set_venue_active(actor=world.county_admin, venue=venues["shop"], active=False)
    payload = body(zhang, venues["shop"], "k-1")
    not_common(token, payload)
    answer = post(token, payload)
    assert answer.status_code == 422 and answer.json()["errors"] == {"venue_code": "该场所码已停用"}
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("where", ["other", "no such code"])
def test_a_venue_outside_the_accounts_area_is_refused_as_if_it_did_not_exist(zhang, venues, token, where):
    payload = body(zhang, venues["shop"], "k-1")
    payload["venue_code"] = venues[where].code if where in venues else "no-such-venue"
    not_common(token, payload)
    answer = post(token, payload)
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"venue_code": "场所码不存在或无权登记"}
    assert not CheckIn.objects.exists()


def test_a_viewers_token_may_not_write(world, zhang, venues):
    _, raw = issue_api_token(actor=world.grid07_viewer, name="只读")
    payload = body(zhang, venues["shop"], "k-1")
    not_common(raw, payload)
    answer = post(raw, payload)
    assert answer.status_code == 403
    assert answer.json()["errors"] == {"__all__": "该账号无权登记扫码记录"}
    assert not CheckIn.objects.exists()


def test_a_revoked_token_is_unauthenticated(world, zhang, venues, issued):
    record, raw = issued
    revoke_api_token(actor=world.grid07_worker, token=record)
    payload = body(zhang, venues["shop"], "k-1")
    not_common(raw, payload)
    assert post(raw, payload).status_code == 401
    assert not CheckIn.objects.exists()


def test_the_token_of_an_inactive_user_is_unauthenticated(world, zhang, venues, token):
    set_user_active(actor=world.county_admin, user=world.grid07_worker, active=False)
    payload = body(zhang, venues["shop"], "k-1")
    not_common(token, payload)
    assert post(token, payload).status_code == 401
    assert not CheckIn.objects.exists()


def test_an_unknown_token_is_unauthenticated(zhang, venues):
    payload = body(zhang, venues["shop"], "k-1")
    not_common("fk_not-a-token", payload)
    assert post("fk_not-a-token", payload).status_code == 401
    assert not CheckIn.objects.exists()


def test_a_second_scan_within_minutes_is_the_same_check_in(zhang, venues, token):
    first = post(token, body(zhang, venues["shop"], "k-1")).json()
    payload = body(zhang, venues["shop"], "k-2")
    not_common(token, payload)
    again = post(token, payload)
    assert again.status_code == 200
    assert again.json()["id"] == first["id"] and again.json()["duplicate"] is True
    assert CheckIn.objects.count() == 1


def test_the_same_client_id_again_answers_with_the_same_check_in(zhang, venues, token):
    first = post(token, body(zhang, venues["shop"], "k-1")).json()
    payload = body(zhang, venues["shop"], "k-1")
    not_common(token, payload)
    again = post(token, payload)
    assert again.status_code == 200
    assert again.json()["id"] == first["id"] and again.json()["duplicate"] is True
    assert CheckIn.objects.count() == 1


def test_a_client_id_used_for_another_scan_is_refused(people, zhang, venues, token):
    post(token, body(zhang, venues["shop"], "k-1"))
    li = identify(id_number=people["li"].id_number, name="李秀英", phone=people["li"].phone)
    payload = body(li, venues["shop"], "k-1")
    not_common(token, payload)
    answer = post(token, payload)
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"client_id": "该 client_id 已用于另一条扫码记录"}
    assert list(CheckIn.objects.values_list("identity_id", flat=True)) == [zhang.pk]


def test_a_scan_with_its_own_time_is_written_at_that_time(zhang, venues, token):
    when = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    payload = body(zhang, venues["shop"], "k-1", at=when.isoformat())
    not_common(token, payload)
    answer = post(token, payload)
    assert answer.status_code == 201, answer.content
    checkin = CheckIn.objects.get()
    assert checkin.at == when and local(answer.json()["at"]) == when
    assert checkin.colour_shown == colour_of(zhang, at=when).colour


def test_an_invalid_phone_number_is_refused_with_the_reason(zhang, venues, token):
    payload = body(zhang, venues["shop"], "k-1", phone="12")
    not_common(token, payload)
    answer = post(token, payload)
    assert answer.status_code == 422 and set(answer.json()["errors"]) == {"phone"}
    assert not CheckIn.objects.exists()


# ── the same answer either way ─────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("records", ["none", "home quarantine"])
def test_the_fast_path_answers_as_the_orm_path_does(
    world, people, zhang, venues, token, statement, monkeypatch, records
):
    if records == "home quarantine":
        measure_actions.start_measure(
            actor=world.county_admin,
            person=people["zhang"],
            kind=Kind.HOME_QUARANTINE,
            started_at=timezone.now() - dt.timedelta(days=1),
        )
    payload = body(zhang, venues["shop"], "k-1")
    with transaction.atomic(), monkeypatch.context() as orm_only:
        orm_only.setattr(checkin_actions, "write_common_scan", lambda **kw: None)
        slow = post(token, payload)
        slow_at = CheckIn.objects.get().at
        transaction.set_rollback(True)
    assert not CheckIn.objects.exists() and not statement

    fast = post(token, payload)
    assert "k-1" in statement  # this one went the fast way
    checkin = CheckIn.objects.get()
    assert (slow.status_code, fast.status_code) == (201, 201)
    slow_body, fast_body = slow.json(), fast.json()
    assert set(fast_body) == set(slow_body)
    same = {k: v for k, v in slow_body.items() if k not in ("id", "at")}
    assert {k: fast_body[k] for k in same} == same
    assert fast_body["id"] == checkin.pk
    assert (fast_body["venue"], fast_body["masked_name"]) == ("前屯便民超市", "张*")
    colour = Colour(checkin.colour_shown)
    assert (fast_body["colour"], fast_body["colour_label"]) == (colour.value, str(colour.label))
    assert colour == (Colour.RED if records == "home quarantine" else Colour.GREEN)
    assert abs(local(slow_body["at"]) - slow_at) < dt.timedelta(milliseconds=1)
    assert abs(local(fast_body["at"]) - checkin.at) < dt.timedelta(milliseconds=1)


def test_the_fast_path_answers_with_the_stored_time_of_the_check_in(zhang, venues, token, monkeypatch):
    real = checkin_sql.insert_scans

    def busy(scans, **kwargs):  # a busy server: the answer leaves a little after the row was written
        written = real(scans, **kwargs)
        time.sleep(0.02)
        return written

    monkeypatch.setattr(checkin_sql, "insert_scans", busy)
    answer = post(token, body(zhang, venues["shop"], "k-1"))
    assert answer.status_code == 201
    assert abs(local(answer.json()["at"]) - CheckIn.objects.get().at) < dt.timedelta(milliseconds=1)


# ── the token's last use ───────────────────────────────────────────────────────────────────────────────


def test_a_fast_check_in_records_when_the_token_was_last_used(zhang, venues, issued, statement):
    record, raw = issued
    assert record.last_used_at is None
    before = timezone.now()
    assert post(raw, body(zhang, venues["shop"], "k-1")).status_code == 201
    assert "k-1" in statement
    record.refresh_from_db()
    assert record.last_used_at is not None and before <= record.last_used_at <= timezone.now()


def test_a_name_the_registry_has_corrected_is_refused_in_the_old_form_and_taken_in_the_new(
    world, people, zhang, venues, token, statement
):
    person = people["zhang"]
    registry_actions.update_person(
        actor=world.grid07_worker,
        person=person,
        version=person.version,
        name="张维",
        id_number=person.id_number,
        document_type=person.document_type,
        phone=person.phone,
        household=people["h07"],
        relation="head",
    )
    old = body(zhang, venues["shop"], "k-1")
    not_common(token, old)
    answer = post(token, old)
    assert answer.status_code == 422 and answer.json()["errors"] == {"name": NAME_MISMATCH}
    new = body(zhang, venues["shop"], "k-2", name="张维")
    not_common(token, new)
    assert post(token, new).status_code == 201
    zhang.refresh_from_db()
    assert zhang.name == "张维" and CheckIn.objects.get().identity_id == zhang.pk
    assert "k-2" not in statement
