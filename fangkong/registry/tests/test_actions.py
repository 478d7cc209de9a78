"""Writes to the registry (registry/actions.py): normalisation, scope, history, optimistic edits, audit."""

import datetime as dt

import pytest

from fangkong.audit.models import Action, AuditEvent
from fangkong.lib.errors import RuleError, StaleEdit
from fangkong.lib.idcard import make
from fangkong.registry import actions
from fangkong.registry.models import DocumentType, Person, Residence, Verification

ZHAO_ID = make("371502", dt.date(1988, 8, 8), 135)  # a man born 1988-08-08


def refused(call, **kwargs) -> RuleError:
    with pytest.raises(RuleError) as exc:
        call(**kwargs)
    return exc.value


def audit_of(person, action: str):
    return AuditEvent.objects.filter(action=action, target_type="Person", target_id=str(person.pk))


def register(world, **overrides) -> Person:
    kwargs = {
        "actor": world.grid07_worker,
        "node": world.grid07,
        "name": "赵强",
        "id_number": ZHAO_ID,
    } | overrides
    return actions.register_person(**kwargs)


def edit(person, **overrides) -> Person:
    kwargs = {
        "person": person,
        "version": person.version,
        "name": person.name,
        "id_number": person.id_number,
        "document_type": person.document_type,
        "phone": person.phone,
        "household": person.household,
        "relation": person.relation,
    } | overrides
    return actions.update_person(**kwargs)


# Registering ---------------------------------------------------------------------------------------


def test_it_registers_a_person_with_the_id_number_as_people_type_it(world):
    typed = " ".join(ZHAO_ID[:-1]).translate({ord("0") + i: ord("０") + i for i in range(10)})
    typed += ZHAO_ID[-1].lower()
    person = register(world, id_number=typed, name=" 赵 强 ", phone="+86 139-0000-1111")
    assert person.id_number == ZHAO_ID
    assert (person.sex, person.birth_date) == ("male", dt.date(1988, 8, 8))  # from the ID, not typed
    assert (person.name, person.name_pinyin, person.name_initials) == ("赵强", "zhaoqiang", "zq")
    assert (person.phone, person.phone_last4, person.id_last4) == ("13900001111", "1111", ZHAO_ID[-4:])
    assert person.masked_id_number == ZHAO_ID[:6] + "********" + ZHAO_ID[-4:]


def test_it_ignores_a_sex_and_birth_date_that_disagree_with_the_id(world):
    person = register(world, sex="female", birth_date=dt.date(2000, 1, 1))
    assert (person.sex, person.birth_date) == ("male", dt.date(1988, 8, 8))


def test_it_opens_a_residence_and_writes_an_audit_row(world):
    person = register(world)
    residence = Residence.objects.get(person=person)
    assert (residence.node, residence.ended_at, residence.recorded_by) == (
        world.grid07,
        None,
        world.grid07_worker,
    )
    row = audit_of(person, Action.CREATE).get()
    assert (row.actor, row.node_path) == (world.grid07_worker, world.grid07.path)
    assert ZHAO_ID not in str(row.detail) + row.target_label  # the audit log does not copy the number


def test_it_names_each_invalid_field(world):
    error = refused(register, world=world, name="", id_number=ZHAO_ID[:-1] + "0", phone="12345")
    assert set(error.errors) == {"name", "id_number", "phone"}
    assert error.errors["id_number"] == "身份证号校验位错误，请核对号码"
    assert not Person.objects.exists()


def test_it_asks_for_the_sex_when_the_document_is_not_a_resident_id(world):
    error = refused(register, world=world, document_type=DocumentType.PASSPORT, id_number="E12345678")
    assert error.errors == {"sex": "请选择性别"}
    person = register(world, document_type=DocumentType.PASSPORT, id_number="e 12345678", sex="female")
    assert (person.id_number, person.sex, person.birth_date) == ("E12345678", "female", None)


def test_it_refuses_a_duplicate_id_even_from_outside_the_actors_area_without_saying_where(world, people):
    wang = people["wang"]  # registered in grid 08, which the grid-07 worker cannot see
    typed = wang.id_number[:-1] + wang.id_number[-1].lower()
    error = refused(register, world=world, id_number=typed, name="王芳")
    assert error.code == "duplicate"
    message = str(error)
    for secret in ("08", "第八网格", "八组", "王", wang.household.address, world.grid08_worker.username):
        assert secret not in message
    assert Person.objects.filter(id_number=wang.id_number).count() == 1


def test_it_registers_only_where_the_actor_may_write(world):
    for actor, node in (
        (world.grid07_worker, world.grid08),
        (world.grid07_viewer, world.grid07),
        (world.outsider, world.grid07),
    ):
        assert refused(register, world=world, actor=actor, node=node).code == "forbidden"
    assert set(refused(register, world=world, actor=world.county_admin, node=world.township).errors) == {
        "node"
    }
    assert not Person.objects.filter(id_number=ZHAO_ID).exists()
    assert not AuditEvent.objects.filter(action=Action.CREATE, target_type="Person").exists()


def test_it_refuses_a_household_of_another_grid(world, people):
    error = refused(register, world=world, actor=world.county_admin, household=people["h08"])
    assert error.errors == {"household": "所选户不在该网格"}


# Editing -------------------------------------------------------------------------------------------


def test_it_updates_a_person_and_records_which_fields_changed(world, people):
    zhang = people["zhang"]
    version = zhang.version
    updated = edit(zhang, actor=world.grid07_worker, phone="13700001111", occupation="教师")
    assert (updated.phone, updated.occupation, updated.version) == ("13700001111", "教师", version + 1)
    row = audit_of(zhang, Action.UPDATE).get()
    assert row.detail["changed"] == ["phone"]
    assert "13700001111" not in str(row.detail)


def test_it_refuses_a_stale_edit_and_changes_nothing(world, people):
    zhang = people["zhang"]
    seen_version = zhang.version
    edit(zhang, actor=world.grid07_worker, occupation="农民")  # someone else saves first
    with pytest.raises(StaleEdit) as exc:
        edit(zhang, actor=world.township_admin, version=seen_version, name="张大伟", phone="13700001111")
    assert exc.value.code == "conflict"
    assert "刷新" in str(exc.value)
    zhang.refresh_from_db()
    assert (zhang.name, zhang.phone, zhang.occupation) == ("张伟", "13812345678", "农民")
    assert zhang.version == seen_version + 1
    assert audit_of(zhang, Action.UPDATE).count() == 1  # only the edit that won


def test_it_refuses_an_edit_to_an_id_registered_for_someone_else(world, people):
    error = refused(
        edit, person=people["zhang"], actor=world.county_admin, id_number=people["wang"].id_number
    )
    assert error.code == "duplicate"


def test_it_lets_only_writers_in_the_persons_area_edit(world, people):
    for actor in (world.grid07_viewer, world.grid08_worker, world.outsider):
        assert refused(edit, person=people["zhang"], actor=actor, name="改名").code == "forbidden"
    people["zhang"].refresh_from_db()
    assert people["zhang"].name == "张伟"


def test_it_updates_the_household_of_the_current_residence(world, people):
    zhang = people["zhang"]
    edit(zhang, actor=world.grid07_worker, household=None)
    assert Residence.objects.get(person=zhang, ended_at=None).household is None


# Moving --------------------------------------------------------------------------------------------


def test_it_moves_a_person_and_keeps_where_they_lived(world, people):
    zhang = people["zhang"]
    moved = actions.move_person(
        actor=world.township_admin, person=zhang, to_node=world.grid08, household=people["h08"], reason="投亲"
    )
    assert (moved.node, moved.household) == (world.grid08, people["h08"])
    before, after = Residence.objects.filter(person=zhang).order_by("started_at", "id")
    assert (before.node, before.household) == (world.grid07, people["h07"])
    assert before.ended_at is not None and before.ended_at == after.started_at
    assert (after.node, after.household, after.ended_at, after.reason) == (
        world.grid08,
        people["h08"],
        None,
        "投亲",
    )
    row = audit_of(zhang, Action.MOVE).get()
    assert (row.node_path, row.detail["from_path"]) == (world.grid08.path, world.grid07.path)
    # Now grid 08 sees them and grid 07 does not.
    from fangkong.registry.queries import persons_visible_to

    assert zhang in persons_visible_to(world.grid08_worker)
    assert zhang not in persons_visible_to(world.grid07_worker)


def test_it_needs_write_at_both_ends_of_a_move(world, people):
    zhang = people["zhang"]
    assert (
        refused(actions.move_person, actor=world.grid07_worker, person=zhang, to_node=world.grid08).code
        == "forbidden"
    )
    assert (
        refused(actions.move_person, actor=world.grid08_worker, person=zhang, to_node=world.grid08).code
        == "forbidden"
    )
    zhang.refresh_from_db()
    assert zhang.node == world.grid07
    assert Residence.objects.filter(person=zhang).count() == 1
    assert not audit_of(zhang, Action.MOVE).exists()


def test_it_refuses_a_move_to_where_the_person_already_lives(world, people):
    zhang = people["zhang"]
    error = refused(
        actions.move_person,
        actor=world.grid07_worker,
        person=zhang,
        to_node=world.grid07,
        household=people["h07"],
    )
    assert error.errors == {"to_node": "迁入地与现住地相同"}


def test_it_refuses_a_move_into_a_household_of_another_grid(world, people):
    error = refused(
        actions.move_person,
        actor=world.county_admin,
        person=people["zhang"],
        to_node=world.grid07,
        household=people["h08"],
    )
    assert error.errors == {"household": "所选户不在该网格"}


# Verifying and revealing ---------------------------------------------------------------------------


def test_it_verifies_a_person_in_person(world, people):
    li = actions.verify_person(actor=world.grid07_worker, person=people["li"], method=Verification.IN_PERSON)
    assert (li.verification, li.verified_by) == (Verification.IN_PERSON, world.grid07_worker)
    assert li.verified_at is not None
    assert audit_of(li, Action.VERIFY).get().detail == {"method": "in_person"}


def test_it_refuses_to_verify_without_a_method_or_outside_the_area(world, people):
    assert set(
        refused(actions.verify_person, actor=world.grid07_worker, person=people["li"], method="none").errors
    ) == {"method"}
    assert (
        refused(
            actions.verify_person,
            actor=world.grid07_viewer,
            person=people["li"],
            method=Verification.BY_PHONE,
        ).code
        == "forbidden"
    )
    people["li"].refresh_from_db()
    assert people["li"].verification == Verification.NONE


def test_it_reveals_the_full_numbers_and_audits_it(world, people):
    zhang = people["zhang"]
    revealed = actions.reveal_person(actor=world.grid07_worker, person=zhang)
    assert revealed == {
        "id_number": zhang.id_number,
        "phone": "13812345678",
        "birth_date": dt.date(1990, 3, 7),
    }
    row = audit_of(zhang, Action.REVEAL).get()
    assert (row.actor, row.node_path) == (world.grid07_worker, world.grid07.path)


def test_it_refuses_to_reveal_to_a_viewer_or_another_grid_and_audits_nothing(world, people):
    for actor in (world.grid07_viewer, world.grid08_worker, world.outsider):
        assert refused(actions.reveal_person, actor=actor, person=people["zhang"]).code == "forbidden"
    assert not audit_of(people["zhang"], Action.REVEAL).exists()


def test_it_records_who_looked_at_a_person(world, people):
    actions.record_person_view(actor=world.grid07_viewer, person=people["li"])
    row = audit_of(people["li"], Action.VIEW_PERSON).get()
    assert (row.actor, row.node_path) == (world.grid07_viewer, world.grid07.path)


# Households ----------------------------------------------------------------------------------------


def test_it_creates_and_updates_a_household_with_a_version(world, people):
    h07 = people["h07"]
    created = AuditEvent.objects.get(action=Action.CREATE, target_type="Household", target_id=str(h07.pk))
    assert (created.actor, created.node_path) == (world.grid07_worker, world.grid07.path)
    updated = actions.update_household(
        actor=world.grid07_worker,
        household=h07,
        version=h07.version,
        address="前屯村七组12号院",
        dwelling_type="rented",
    )
    assert (updated.address, updated.version) == ("前屯村七组12号院", 2)
    with pytest.raises(StaleEdit):
        actions.update_household(
            actor=world.grid07_worker, household=h07, version=1, address="旧地址", dwelling_type="owned"
        )
    h07.refresh_from_db()
    assert h07.address == "前屯村七组12号院"
    assert AuditEvent.objects.filter(action=Action.UPDATE, target_type="Household").count() == 1


def test_it_refuses_a_household_without_an_address_or_outside_the_area(world):
    assert refused(
        actions.create_household,
        actor=world.grid07_worker,
        node=world.grid07,
        address=" ",
        dwelling_type="owned",
    ).errors == {"address": "地址不能为空"}
    assert (
        refused(
            actions.create_household,
            actor=world.grid07_worker,
            node=world.grid08,
            address="八组1号",
            dwelling_type="owned",
        ).code
        == "forbidden"
    )
