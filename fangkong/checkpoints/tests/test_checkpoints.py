"""Checkpoints: passages with every outcome, fevers (screening, fever list, threshold from the policy),
vehicles without anyone scanned, red codes, duty shifts, what a verification shows inside and outside
one's area, the 卡口登记表 export, scoping (grid 08 sees nothing of grid 07's checkpoints) and the
phone page."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fangkong.audit.models import Action, AuditEvent
from fangkong.checkpoints import actions, queries
from fangkong.checkpoints.ledgers import HEADERS, export_passages
from fangkong.checkpoints.models import CheckpointKind, Direction, Outcome, Passage
from fangkong.conftest import PASSWORD
from fangkong.healthcodes.colours import colour_of
from fangkong.healthcodes.identity import identity_for_person
from fangkong.healthcodes.models import Colour
from fangkong.healthcodes.tokens import make_token
from fangkong.lib.errors import RuleError
from fangkong.lib.idcard import make
from fangkong.measures import actions as measure_actions
from fangkong.measures.models import Screening
from fangkong.policy import actions as policy_actions
from fangkong.policy.models import Kind, Reason


@pytest.fixture
def gate(world):
    """The village gate of 前屯村, run by the township."""
    return actions.create_checkpoint(
        actor=world.township_admin, node=world.village, name="前屯村南口", kind=CheckpointKind.GATE
    )


@pytest.fixture
def grid07_gate(world):
    return actions.create_checkpoint(
        actor=world.grid07_worker, node=world.grid07, name="第七网格小区门", kind=CheckpointKind.GATE
    )


def passage(actor, checkpoint, **fields):
    fields.setdefault("direction", Direction.IN)
    return actions.record_passage(actor=actor, checkpoint=checkpoint, **fields)


def on_shift(world, checkpoint, user, *, hours=(-1, 3)):
    now = timezone.now()
    return actions.assign_shift(
        actor=world.township_admin,
        checkpoint=checkpoint,
        user=user,
        starts_at=now + dt.timedelta(hours=hours[0]),
        ends_at=now + dt.timedelta(hours=hours[1]),
    )


def red(world, person):
    """Home quarantine makes the code red."""
    screening = measure_actions.record_screening(
        actor=world.county_admin, person=person, reason=Reason.CLOSE_CONTACT
    )
    measure_actions.start_measure(
        actor=world.county_admin, person=person, kind=Kind.HOME_QUARANTINE, screening=screening
    )


# Passages --------------------------------------------------------------------------------------------


def test_it_records_a_passage_with_each_outcome(world, people, gate):
    zhang = identity_for_person(people["zhang"])
    for outcome in Outcome.values:
        done = passage(
            world.township_admin,
            gate,
            identity=zhang,
            temperature="36.5",
            outcome=outcome,
            origin="聊城市区",
            destination="前屯村",
            purpose="返家",
        )
        assert done.created
        stored = Passage.objects.get(pk=done.passage.pk)
        assert (stored.outcome, stored.temperature, stored.fever) == (outcome, Decimal("36.5"), False)
        assert stored.colour_seen == Colour.GREEN
        assert stored.recorded_by == world.township_admin
    assert Passage.objects.filter(checkpoint=gate).count() == len(Outcome.values)
    assert AuditEvent.objects.filter(action=Action.CREATE, target_type="Passage").count() == len(
        Outcome.values
    )


def test_it_marks_a_fever_at_the_threshold_and_screens_a_registered_person(world, people, gate):
    zhang = identity_for_person(people["zhang"])
    normal = passage(world.township_admin, gate, identity=zhang, temperature="37.2")
    assert not normal.passage.fever and normal.screening is None

    fever = passage(
        world.township_admin,
        gate,
        identity=zhang,
        temperature="37.3",  # ≥ 37.3 is a fever: inclusive
        outcome=Outcome.FEVER_CLINIC,
        origin="武汉",
    )
    assert fever.passage.fever
    screening = Screening.objects.get(person=people["zhang"], reason=Reason.FEVER)
    assert fever.screening == screening and fever.passage.screening == screening
    assert "前屯村南口测温37.3℃" in screening.notes and screening.origin_text == "武汉"
    # The colour turns yellow after the fever, not before it: the passage saw green.
    assert fever.passage.colour_seen == Colour.GREEN
    assert colour_of(zhang).colour == Colour.YELLOW


def test_it_does_not_let_a_fever_simply_pass(world, people, gate):
    zhang = identity_for_person(people["zhang"])
    with pytest.raises(RuleError) as refused:
        passage(world.township_admin, gate, identity=zhang, temperature="38.0", outcome=Outcome.PASS)
    assert "发热" in refused.value.errors["outcome"]
    assert not Passage.objects.exists()
    assert not Screening.objects.exists()


def test_it_takes_the_fever_threshold_from_the_policy_in_force(world, people, gate):
    policy_actions.set_policy(
        actor=world.county_admin,
        node=world.township,
        effective_from=timezone.localdate() - dt.timedelta(days=1),
        preset="2020",
        overrides={"fever_threshold": "37.5"},
    )
    zhang = identity_for_person(people["zhang"])
    assert not passage(world.township_admin, gate, identity=zhang, temperature="37.4").passage.fever
    assert passage(
        world.township_admin, gate, identity=zhang, temperature="37.5", outcome=Outcome.HANDED_OVER
    ).passage.fever


def test_it_lists_a_fever_of_someone_from_elsewhere_for_their_home_area_to_screen(world, people):
    """The grid-08 worker may not screen 张伟 of grid 07: the fever is listed for both areas instead."""
    gate08 = actions.create_checkpoint(
        actor=world.grid08_worker, node=world.grid08, name="第八网格路口", kind=CheckpointKind.ROAD
    )
    zhang = identity_for_person(people["zhang"])
    done = passage(
        world.grid08_worker, gate08, identity=zhang, temperature="38.4", outcome=Outcome.HANDED_OVER
    )
    assert done.passage.fever and done.screening is None
    assert not Screening.objects.exists()
    since = timezone.now() - dt.timedelta(hours=1)

    [home] = queries.fever_rows(world.grid07_worker, since=since)
    assert home["name"] == "张伟" and home["can_screen"]
    [there] = queries.fever_rows(world.grid08_worker, since=since)
    assert there["name"] == "张*" and there["person"] is None and not there["can_screen"]
    assert queries.fever_rows(world.outsider, since=since) == []
    assert [r["passage"] for r in queries.fever_rows(world.township_admin, since=since)] == [done.passage]


def test_it_refuses_a_red_code_to_pass_but_records_turning_back(world, people, gate):
    red(world, people["zhang"])
    zhang = identity_for_person(people["zhang"])
    with pytest.raises(RuleError) as refused:
        passage(world.township_admin, gate, identity=zhang, temperature="36.5", outcome=Outcome.PASS)
    assert "红码" in refused.value.errors["outcome"]
    done = passage(
        world.township_admin, gate, identity=zhang, temperature="36.5", outcome=Outcome.TURNED_BACK
    )
    assert done.passage.colour_seen == Colour.RED


def test_it_registers_a_vehicle_without_anyone_scanned(world, gate):
    done = passage(
        world.township_admin,
        gate,
        plate="鲁p 12345",
        passengers=3,
        origin="河北省石家庄市",
        direction=Direction.IN,
        outcome=Outcome.TURNED_BACK,
    )
    stored = Passage.objects.get(pk=done.passage.pk)
    assert stored.identity is None and stored.plate == "鲁P12345" and stored.passengers == 3
    assert stored.origin == "河北省石家庄市" and stored.colour_seen == ""
    assert passage(world.township_admin, gate, plate="鲁PD12345").passage.plate == "鲁PD12345"  # new energy


@pytest.mark.parametrize(
    "fields, field",
    [
        ({}, "__all__"),  # nobody and no vehicle
        ({"plate": "ABC123"}, "plate"),
        ({"plate": "鲁P12345", "passengers": 120}, "passengers"),
        ({"plate": "鲁P12345", "temperature": "45"}, "temperature"),
        ({"plate": "鲁P12345", "direction": "sideways"}, "direction"),
        ({"plate": "鲁P12345", "at": timezone.now() + dt.timedelta(hours=2)}, "at"),
        ({"plate": "鲁P12345", "at": timezone.now() - dt.timedelta(days=30)}, "at"),
    ],
)
def test_it_says_what_is_wrong_with_a_passage(world, gate, fields, field):
    with pytest.raises(RuleError) as refused:
        passage(world.township_admin, gate, **fields)
    assert field in refused.value.errors
    assert not Passage.objects.exists()


def test_it_records_an_upload_once_per_client_id(world, gate):
    first = passage(world.township_admin, gate, plate="鲁P12345", client_id="dev1-0001")
    again = passage(world.township_admin, gate, plate="鲁P99999", client_id="dev1-0001")
    assert first.created and not again.created
    assert again.passage.pk == first.passage.pk and again.passage.plate == "鲁P12345"
    assert Passage.objects.count() == 1
    other = actions.create_checkpoint(
        actor=world.township_admin, node=world.village, name="前屯村北口", kind=CheckpointKind.GATE
    )
    with pytest.raises(RuleError) as refused:
        passage(world.township_admin, other, plate="鲁P12345", client_id="dev1-0001")
    assert refused.value.code == "duplicate"


# Shifts and who may record ---------------------------------------------------------------------------


def test_it_lets_a_worker_on_duty_record_at_a_gate_outside_their_area_only_during_the_shift(world, gate):
    worker = world.grid07_worker
    with pytest.raises(Http404):
        actions.access_checkpoint(worker, gate.pk, record=True)
    assert actions.current_shift(worker) is None
    shift = on_shift(world, gate, worker)
    assert actions.current_shift(worker) == shift
    assert actions.access_checkpoint(worker, gate.pk, record=True) == gate
    assert passage(worker, gate, plate="鲁P12345").created

    actions.remove_shift(actor=world.township_admin, shift=shift)  # ends it now
    assert actions.current_shift(worker) is None
    with pytest.raises(Http404):
        actions.access_checkpoint(worker, gate.pk)
    with pytest.raises(RuleError) as refused:
        passage(worker, gate, plate="鲁P12346")
    assert refused.value.code == "forbidden"


def test_it_refuses_overlapping_shifts_and_staff_from_elsewhere(world, gate):
    on_shift(world, gate, world.grid07_worker, hours=(1, 9))
    with pytest.raises(RuleError) as clash:
        on_shift(world, gate, world.grid07_worker, hours=(8, 12))
    assert "重叠" in clash.value.errors["starts_at"]
    with pytest.raises(RuleError) as stranger:
        on_shift(world, gate, world.outsider)
    assert "user" in stranger.value.errors
    with pytest.raises(RuleError) as long:
        on_shift(world, gate, world.grid08_worker, hours=(0, 30))
    assert "24" in long.value.errors["ends_at"]
    with pytest.raises(RuleError) as forbidden:
        actions.assign_shift(
            actor=world.grid08_worker,
            checkpoint=gate,
            user=world.grid08_worker,
            starts_at=timezone.now(),
            ends_at=timezone.now() + dt.timedelta(hours=2),
        )
    assert forbidden.value.code == "forbidden"


def test_it_hides_grid_07_checkpoints_from_grid_08(world, grid07_gate):
    assert list(actions.checkpoints_visible_to(world.grid07_viewer)) == [grid07_gate]
    assert list(actions.checkpoints_visible_to(world.township_admin)) == [grid07_gate]
    for user in (world.grid08_worker, world.outsider):
        assert not actions.checkpoints_visible_to(user).exists()
        with pytest.raises(Http404):
            actions.access_checkpoint(user, grid07_gate.pk)
    with pytest.raises(Http404):
        actions.access_checkpoint(world.grid07_viewer, grid07_gate.pk, record=True)  # a viewer only sees
    with pytest.raises(RuleError):
        passage(world.grid08_worker, grid07_gate, plate="鲁P12345")
    with pytest.raises(RuleError):
        actions.create_checkpoint(
            actor=world.grid08_worker, node=world.grid07, name="越界卡口", kind=CheckpointKind.ROAD
        )


# Verification ---------------------------------------------------------------------------------------


def test_it_shows_the_name_and_reasons_only_inside_the_verifiers_area(world, people, gate):
    red(world, people["zhang"])
    zhang_id = people["zhang"].id_number
    on_shift(world, gate, world.grid08_worker)
    outside = actions.sight_id_number(actor=world.grid08_worker, checkpoint=gate, id_number=zhang_id)
    assert outside.colour == Colour.RED and not outside.in_area
    assert outside.name == "张*" and outside.reasons == [] and outside.green_on is None
    inside = actions.sight_id_number(actor=world.township_admin, checkpoint=gate, id_number=zhang_id)
    assert inside.name == "张伟" and inside.reasons and inside.colour == Colour.RED
    assert AuditEvent.objects.filter(action=Action.VIEW_PERSON, target_type="Identity").count() == 2


def test_it_identifies_a_visitor_by_typed_id_number_with_name_and_phone(world, gate):
    number = make("110105", dt.date(1988, 8, 8), 17)
    with pytest.raises(RuleError) as missing:
        actions.sight_id_number(actor=world.township_admin, checkpoint=gate, id_number=number)
    assert "姓名" in missing.value.errors["name"]
    with pytest.raises(RuleError) as bad:
        actions.sight_id_number(actor=world.township_admin, checkpoint=gate, id_number="12345")
    assert "18位" in bad.value.errors["id_number"]
    seen = actions.sight_id_number(
        actor=world.township_admin, checkpoint=gate, id_number=number, name="赵敏", phone="13900001111"
    )
    assert seen.colour == Colour.GREEN and seen.name == "赵*"  # not a resident of the area
    identity = actions.read_subject(actor=world.township_admin, checkpoint=gate, subject=seen.subject)
    assert identity.id_number == number


def test_it_binds_a_verification_to_its_checkpoint_and_verifier(world, people, gate):
    seen = actions.sight_id_number(
        actor=world.township_admin, checkpoint=gate, id_number=people["zhang"].id_number
    )
    other = actions.create_checkpoint(
        actor=world.township_admin, node=world.village, name="前屯村北口", kind=CheckpointKind.GATE
    )
    with pytest.raises(RuleError):
        actions.read_subject(actor=world.township_admin, checkpoint=other, subject=seen.subject)
    with pytest.raises(RuleError):
        actions.read_subject(actor=world.county_admin, checkpoint=gate, subject=seen.subject)
    with pytest.raises(RuleError):
        actions.read_subject(actor=world.township_admin, checkpoint=gate, subject=seen.subject + "x")


# The ledger -----------------------------------------------------------------------------------------


def test_it_exports_the_days_ledger_masked_and_audited(world, people, gate):
    zhang = identity_for_person(people["zhang"])
    passage(world.township_admin, gate, identity=zhang, temperature="36.6", origin="聊城")
    passage(world.township_admin, gate, plate="鲁P12345", passengers=2, outcome=Outcome.TURNED_BACK)
    name, content = export_passages(actor=world.township_admin, checkpoint=gate, day=timezone.localdate())
    assert name.startswith("卡口登记表_前屯村南口_") and name.endswith(".xlsx")
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "前屯村南口卡口登记表"
    assert "共2条（登记人员1人次，车辆1辆）" in rows[1][0]
    assert rows[2] == HEADERS
    person_row, vehicle_row = rows[3], rows[4]
    assert person_row[HEADERS.index("姓名")] == "张*"
    assert person_row[HEADERS.index("身份证号")] == zhang.masked_id_number
    assert person_row[HEADERS.index("体温")] == 36.6
    assert person_row[HEADERS.index("健康码颜色")] == "绿码"
    assert vehicle_row[HEADERS.index("车牌号")] == "鲁P12345"
    assert vehicle_row[HEADERS.index("处置结果")] == "劝返"
    assert AuditEvent.objects.filter(action=Action.EXPORT, target_type="Checkpoint").count() == 1

    _, full = export_passages(
        actor=world.township_admin, checkpoint=gate, day=timezone.localdate(), full=True
    )
    full_row = list(load_workbook(io.BytesIO(full)).active.iter_rows(values_only=True))[3]
    assert full_row[HEADERS.index("身份证号")] == people["zhang"].id_number
    on_shift(world, gate, world.grid07_viewer)
    with pytest.raises(RuleError):  # on duty, but may not reveal at the village
        export_passages(actor=world.grid07_viewer, checkpoint=gate, day=timezone.localdate(), full=True)


# Pages ----------------------------------------------------------------------------------------------


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_it_verifies_a_typed_id_and_records_the_passage_from_the_phone_page(world, people, gate):
    on_shift(world, gate, world.grid07_worker)
    client = client_for(world.grid07_worker)
    listed = client.get(reverse("checkpoint_list"))
    assert "您正在" in listed.content.decode() and "前屯村南口" in listed.content.decode()
    page = client.get(reverse("checkpoint_scan", args=[gate.pk]))
    assert page.status_code == 200 and "jsQR" in page.content.decode()

    seen = client.post(
        reverse("checkpoint_verify", args=[gate.pk]),
        {"id_number": people["zhang"].id_number},
        headers={"HX-Request": "true"},
    )
    html = seen.content.decode()
    assert "绿码" in html and "张伟" in html and "<html" not in html  # a fragment, with the name: grid 07
    subject = seen.context["sighting"].subject
    done = client.post(
        reverse("passage_create", args=[gate.pk]),
        {"subject": subject, "direction": "in", "temperature": "36.7", "outcome": "pass", "origin": "聊城"},
        headers={"HX-Request": "true"},
    )
    assert "已登记" in done.content.decode() and 'hx-swap-oob="true"' in done.content.decode()
    stored = Passage.objects.get()
    assert stored.identity.person == people["zhang"] and stored.recorded_by == world.grid07_worker

    vehicle = client.post(
        reverse("passage_create", args=[gate.pk]),
        {"direction": "out", "plate": "鲁P54321", "passengers": "2", "outcome": "pass"},
    )
    assert vehicle.status_code == 200 and Passage.objects.filter(plate="鲁P54321", identity=None).exists()
    listing = client.get(reverse("passage_list", args=[gate.pk]))
    assert "鲁P54321" in listing.content.decode() and "张*" in listing.content.decode()


def test_it_shows_the_reasons_for_a_refused_passage_on_the_phone_page(world, people, gate):
    client = client_for(world.township_admin)
    seen = client.post(reverse("checkpoint_verify", args=[gate.pk]), {"id_number": people["zhang"].id_number})
    response = client.post(
        reverse("passage_create", args=[gate.pk]),
        {
            "subject": seen.context["sighting"].subject,
            "direction": "in",
            "temperature": "39.1",
            "outcome": "pass",
        },
    )
    html = response.content.decode()
    assert "不能直接放行" in html
    assert 'id="cp-colour"' in html and "绿码" in html  # the colour stays in view while the form is fixed
    assert not Passage.objects.exists()


def test_it_plans_shifts_and_exports_from_the_checkpoint_page(world, gate):
    client = client_for(world.township_admin)
    start = timezone.localtime() + dt.timedelta(hours=1)
    response = client.post(
        reverse("checkpoint_shift_add", args=[gate.pk]),
        {
            "user": world.grid07_worker.pk,
            "starts_at": start.strftime("%Y-%m-%d %H:%M"),
            "ends_at": (start + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M"),
        },
    )
    assert response.status_code == 302
    assert gate.shifts.get().user == world.grid07_worker
    detail = client.get(reverse("checkpoint_detail", args=[gate.pk])).content.decode()
    assert "七网格员" in detail
    export = client.get(reverse("passage_export", args=[gate.pk]), {"day": "2022年3月1日"})
    assert export.status_code == 200 and "attachment" in export["Content-Disposition"]
    assert client.get(reverse("checkpoint_fevers")).status_code == 200


def test_it_answers_404_for_a_checkpoint_of_grid_07_to_grid_08(world, grid07_gate):
    client = client_for(world.grid08_worker)
    for name in ("checkpoint_detail", "checkpoint_scan", "passage_list", "passage_export"):
        assert client.get(reverse(name, args=[grid07_gate.pk])).status_code == 404, name
    assert "第七网格小区门" not in client.get(reverse("checkpoint_list")).content.decode()


def test_it_verifies_a_scanned_code_and_refuses_an_altered_one(world, people, gate):
    zhang = identity_for_person(people["zhang"])
    token = make_token(zhang)
    seen = actions.sight_token(actor=world.township_admin, checkpoint=gate, token=f"http://x/r/c/?t={token}")
    assert seen.identity == zhang and seen.colour == Colour.GREEN and seen.name == "张伟"
    assert actions.read_subject(actor=world.township_admin, checkpoint=gate, subject=seen.subject) == zhang
    with pytest.raises(RuleError) as altered:
        actions.sight_token(
            actor=world.township_admin, checkpoint=gate, token=token[:-1] + ("A" if token[-1] != "A" else "B")
        )
    assert "健康码无效" in altered.value.errors["token"]


def test_it_lists_passages_and_checkpoints_in_queries_that_do_not_grow_with_the_rows(world, people, gate):
    client = client_for(world.township_admin)
    zhang, li = identity_for_person(people["zhang"]), identity_for_person(people["li"])

    def queries_for(name, *args):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name, args=args)).status_code == 200
        return len(captured)

    passage(world.township_admin, gate, identity=zhang, temperature="36.5")
    few = (
        queries_for("passage_list", gate.pk),
        queries_for("checkpoint_list"),
        queries_for("checkpoint_fevers"),
    )
    for n in range(6):
        passage(world.township_admin, gate, identity=li, temperature="38.0", outcome=Outcome.FEVER_CLINIC)
        passage(world.township_admin, gate, plate=f"鲁P1234{n}")
    actions.create_checkpoint(
        actor=world.township_admin, node=world.grid08, name="第八网格路口", kind=CheckpointKind.ROAD
    )
    many = (
        queries_for("passage_list", gate.pk),
        queries_for("checkpoint_list"),
        queries_for("checkpoint_fevers"),
    )
    assert many == few
