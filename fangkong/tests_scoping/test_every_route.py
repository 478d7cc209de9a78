"""Every URL and every API operation is either scoped to the user's area or deliberately public.

The test walks the URL resolver and the OpenAPI schema. Each route must appear in ROUTES with the
arguments that point at grid 07's records (or in PUBLIC with a reason); a new route that is in neither
fails the test until someone says how it is scoped. Then the grid-08 worker and an account with no area
ask for each of grid 07's records with GET and POST, and must get a refusal or a page that shows
nothing of grid 07.
"""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from fangkong.checkpoints import actions as checkpoint_actions
from fangkong.coldchain import actions as coldchain_actions
from fangkong.command import actions as command_actions
from fangkong.command import rules as command_rules
from fangkong.conftest import PASSWORD
from fangkong.disinfection import actions as disinfection_actions
from fangkong.grid.actions import issue_api_token
from fangkong.grid.models import Membership
from fangkong.healthcodes import actions as healthcode_actions
from fangkong.healthcodes.identity import identity_for_person
from fangkong.imports import uploads
from fangkong.inspections import actions as inspection_actions
from fangkong.markets import actions as market_actions
from fangkong.markets.models import FeverFollowUp, Purchase
from fangkong.measures import actions as measure_actions
from fangkong.measures.actions import add_rooms, create_site
from fangkong.policy.models import Kind, Reason
from fangkong.registry import actions as registry_actions
from fangkong.reporting import actions as daily_actions
from fangkong.reporting import reminders
from fangkong.schools import actions as school_actions
from fangkong.schools.rules import SYMPTOMATIC, Mark
from fangkong.supplies import actions as supply_actions
from fangkong.surveillance import actions as surveillance_actions
from fangkong.surveillance.models import SignalAlert
from fangkong.testing import actions as testing_actions
from fangkong.tracing import actions as tracing_actions
from fangkong.vaccination import actions as vaccination_actions
from fangkong.venues import actions as checkin_actions
from fangkong.venues import actions as venue_actions

# Things only grid 07's records contain: seeing any of them outside grid 07 is a leak.
GRID07_MARKERS = ["张伟", "李秀英", "前屯村七组12号", "第七网格", "13812345678"]

# Routes that answer without a login, and why.
PUBLIC = {
    "login": "the login page",
    "favicon": "the site's icon: a redirect to a static file",
    "selfreport": "a resident's follow-up page, reached by a signed link; the token is the access check",
    "set_language": "switching the language before logging in",
    "openapi-json": "the API schema: no data",
    "venue_checkin": "a venue poster's QR code: the random venue code opens that venue's check-in only",
    "venue_checkout": "leaving a venue: only check-ins of the people this phone's signed cookie remembers",
    "resident_code": "a resident's own code: only the people this phone's signed cookie remembers",
    "resident_code_add": "identifying on a phone (name, ID number, phone), with an attempt limit",
    "resident_code_forget": "removing someone from this phone's signed cookie",
    "resident_code_appeal": "an appeal by a person this phone's signed cookie remembers",
    "resident_code_check": "a code's QR opened by any camera: colour and masked name while the token is valid",
    "public_donations": "the published donations list of the node a signed link names: date, item, quantity, "
    "area, and the donor only where they agreed to public thanks",
}


@pytest.fixture
def grid07(world, people, settings, tmp_path):
    """Records of grid 07 of every kind a route can point at."""
    zhang = people["zhang"]
    admin = world.county_admin
    screening = measure_actions.record_screening(
        actor=admin,
        person=zhang,
        reason=Reason.ARRIVAL,
        screened_on=dt.date(2020, 1, 28),
        arrived_on=dt.date(2020, 1, 27),
    )
    started = timezone.now() - dt.timedelta(days=2)
    measure = measure_actions.start_measure(
        actor=admin, person=zhang, kind=Kind.HOME_QUARANTINE, screening=screening, started_at=started
    )
    measure_actions.assign_caretaker(
        actor=admin, measure=measure, user=world.grid07_worker, role="grid_worker"
    )
    follow_up = measure_actions.record_follow_up(
        actor=admin, measure=measure, temperature="38.1", taken_at=started + dt.timedelta(hours=1)
    )
    site = create_site(actor=admin, node=world.village, name="第七网格隔离点", address="前屯村七组12号")
    add_rooms(actor=admin, site=site, first=101, last=102, capacity=1)
    token, _ = issue_api_token(actor=world.grid07_worker, name="七网格终端")
    settings.VAR_DIR = tmp_path
    upload = uploads.save_upload(
        user=world.grid07_worker, node_code=world.grid07.code, filename="l.xlsx", data=b"x"
    )
    checkpoint = checkpoint_actions.create_checkpoint(
        actor=admin, node=world.grid07, name="第七网格卡口", kind="gate"
    )
    checkpoint_actions.record_passage(
        actor=admin,
        checkpoint=checkpoint,
        direction="in",
        identity=identity_for_person(zhang),
        temperature="38.5",
        outcome="fever_clinic",
    )
    shift = checkpoint_actions.assign_shift(
        actor=admin,
        checkpoint=checkpoint,
        user=world.grid07_worker,
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(hours=2),
    )
    venue = venue_actions.create_venue(actor=admin, node=world.grid07, name="第七网格便民超市", kind="shop")
    checkin_actions.check_in(actor=None, venue=venue, people=[identity_for_person(zhang)])
    risk_area = healthcode_actions.create_risk_area(
        actor=admin,
        declared_by=world.county,
        level="high",
        division_code="420102",
        name="武汉市江岸区",
        starts_on=timezone.localdate(),
    )
    manual = healthcode_actions.set_manual_colour(
        actor=admin,
        person=zhang,
        colour="yellow",
        reason="第七网格核查",
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    appeal = healthcode_actions.submit_appeal(
        identity=identity_for_person(zhang), text="张伟申诉：前屯村七组12号"
    )
    # Daily reports: a kindergarten of grid 07 owes one; it sent 28 January's and missed the next two.
    kindergarten = registry_actions.create_unit(
        actor=admin, node=world.grid07, name="第七网格幼儿园", kind="school"
    )
    reporting_unit = daily_actions.add_reporting_unit(
        actor=admin, unit=kindergarten, active_from=dt.date(2020, 1, 27)
    )
    daily_actions.submit_report(
        actor=world.grid07_worker,
        reporting_unit=reporting_unit,
        day=dt.date(2020, 1, 28),
        activities={"meetings": 1},
        note="前屯村七组12号门口消杀",
    )
    reminders.send_report_reminders(
        now=dt.datetime(2020, 1, 31, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    )
    # A case in grid 07 with an entry of its trajectory and its household member as a candidate.
    case = tracing_actions.report_case(
        actor=admin,
        node=world.grid07,
        kind="confirmed",
        person=zhang,
        diagnosed_at=timezone.now() - dt.timedelta(hours=1),
        hospital="第七网格卫生室",
    )
    entry = tracing_actions.add_entry(
        actor=admin,
        case=case,
        kind="home",
        starts_at=timezone.now() - dt.timedelta(hours=20),
        place="前屯村七组12号",
    )
    tracing_actions.search_contacts(actor=admin, case=case)
    vaccination_site = vaccination_actions.create_site(actor=admin, node=world.grid07, name="第七网格接种点")
    dose, _created = vaccination_actions.record_dose(
        actor=admin, person=zhang, site=vaccination_site, product="ad5", given_on=timezone.localdate()
    )
    key_group_member = testing_actions.add_to_key_group(actor=admin, person=zhang, group="cold_chain")
    vaccination_actions.record_deferral(
        actor=admin, person=people["li"], kind="postponed", reason="第七网格发热"
    )
    # A tube of grid 07 with 李秀英 awaiting her result, in a round over grid 07; another with 张伟 was
    # invalid: a re-test is asked of him (and nothing pending holds up the release of his measure).
    testing_point = testing_actions.create_point(actor=admin, node=world.grid07, name="第七网格采样点")
    testing_round = testing_actions.create_round(
        actor=admin, node=world.grid07, name="第七网格全员核酸", starts_on=timezone.localdate()
    )
    tube = testing_actions.open_sample(
        actor=admin,
        tube_code="G07-0001",
        kind="pool",
        capacity=5,
        node=world.grid07,
        point=testing_point,
        round=testing_round,
    )
    testing_member = testing_actions.add_member(actor=admin, sample=tube, person=people["li"])
    invalid = testing_actions.open_sample(
        actor=admin, tube_code="G07-0002", kind="single", capacity=1, node=world.grid07
    )
    testing_actions.add_member(actor=admin, sample=invalid, person=zhang)
    testing_actions.record_result(actor=admin, sample=invalid, result="invalid")
    # Supplies and disinfection of grid 07: a store holding masks (and the village's, to transfer to), a
    # place with one entry.
    supply_item = supply_actions.create_item(actor=admin, name="医用外科口罩", unit="只", threshold=10)
    store = supply_actions.create_store(actor=admin, node=world.grid07, name="第七网格物资点", kind="village")
    supply_actions.create_store(actor=admin, node=world.village, name="前屯村物资点", kind="village")
    supply_actions.receive(
        actor=admin,
        store=store,
        item=supply_item,
        quantity=100,
        on=timezone.localdate(),
        source="donated",
        donor="第七网格爱心人士",
    )
    place = disinfection_actions.create_place(
        actor=admin, node=world.grid07, name="第七网格公厕", kind="public_toilet"
    )
    # Uploads of grid 07's worker for its store and its place (the supplies and disinfection imports).
    store_upload = uploads.save_upload(
        user=world.grid07_worker, node_code=str(store.pk), filename="l.xlsx", data=b"x"
    )
    place_upload = uploads.save_upload(
        user=world.grid07_worker, node_code=str(place.pk), filename="l.xlsx", data=b"x"
    )
    disinfection_actions.record_entry(
        actor=admin,
        place=place,
        started_at=timezone.now() - dt.timedelta(hours=2),
        ended_at=timezone.now() - dt.timedelta(hours=1),
        agent="84消毒液",
        method="spray",
        done_by="张伟",
    )
    # Inspections of the kindergarten (a failed item and its order, a closure), a checklist of grid 07,
    # and grid 07's command: a group, a task and a duty shift.
    checklist = inspection_actions.create_template(
        actor=admin, node=world.grid07, name="第七网格检查表", items=["第七网格测温点"]
    )
    inspection = inspection_actions.record_inspection(
        actor=admin,
        target=kindergarten,
        template=checklist,
        inspected_at=timezone.now() - dt.timedelta(hours=2),
        inspectors="第七网格督查员",
        results=[{"text": "第七网格测温点", "passed": False, "note": "第七网格未测温"}],
        owner="第七网格园长",
    )
    closure = inspection_actions.close_object(
        actor=admin, target=venue, reason="第七网格停业整顿", closed_at=timezone.now() - dt.timedelta(hours=2)
    )
    group = command_actions.create_group(actor=admin, node=world.grid07, name="第七网格工作组")
    task = command_actions.create_task(
        actor=admin, node=world.grid07, title="第七网格消杀", owner="第七网格员", deadline=timezone.now()
    )
    duty = command_actions.schedule_shift(
        actor=admin,
        node=world.grid07,
        # Yesterday's shift, over by now: its log takes entries of 24 hours ago and it may be handed over.
        day=command_rules.shift_day(timezone.now(), dt.time(8, 30)) - dt.timedelta(days=1),
        leader="第七网格组长",
        officers="第七网格员",
    )
    # A school of grid 07 with 张伟 on its roster: five pupils with fever at today's check raise its alert,
    # and 张伟 absent for illness yesterday opened an absence.
    school = school_actions.create_school(
        actor=admin, node=world.grid07, name="第七网格小学", stage="primary"
    )
    school_class = school_actions.create_class(actor=admin, school=school, grade="一年级", name="1班")
    # Its teacher's account, and the county's education bureau with one officer (the accounts pages).
    school_teacher = school_actions.create_school_user(
        actor=admin,
        username="teacher07",
        full_name="王老师",
        password=PASSWORD,
        school=school,
    )
    bureau = school_actions.create_bureau(actor=admin, county=world.county, name="东昌府区教育局")
    bureau_officer = school_actions.create_school_user(
        actor=admin,
        username="edu_officer07",
        full_name="教育局干部",
        password=PASSWORD,
        bureau=bureau,
    )
    pupils = [
        school_actions.add_member(
            actor=admin, school=school, school_class=school_class, name="张伟", id_number=zhang.id_number
        ),
        *[
            school_actions.add_member(actor=admin, school=school, school_class=school_class, name=f"学生{n}")
            for n in range(4)
        ],
    ]
    school_actions.submit_check(
        actor=admin,
        school_class=school_class,
        day=timezone.localdate() - dt.timedelta(days=1),
        slot="morning",
        marks=[Mark(pupils[0].pk, "absent_illness", ("fever",))],
    )
    school_check = school_actions.submit_check(
        actor=admin,
        school_class=school_class,
        day=timezone.localdate(),
        slot="morning",
        marks=[Mark(p.pk, SYMPTOMATIC, ("fever",)) for p in pupils],
    )
    pharmacy = market_actions.create_pharmacy(
        actor=admin, node=world.grid07, name="第七网格药店", licence_no="鲁AA0700001"
    )
    purchase = market_actions.record_purchase(
        actor=admin,
        pharmacy=pharmacy,
        buyer_name="张伟",
        id_number=zhang.id_number,
        phone="13812345678",
        drug="布洛芬",
        drug_class="fever",
    )
    # 李秀英 bought fever medicine before she was registered: on the township's list, matched later.
    early = market_actions.record_purchase(
        actor=admin,
        pharmacy=pharmacy,
        buyer_name="李秀英",
        id_number=people["li"].id_number,
        drug="对乙酰氨基酚片",
        drug_class="fever",
    )
    FeverFollowUp.objects.filter(purchase=early).delete()
    Purchase.objects.filter(pk=early.pk).update(person=None)
    # The cold chain of grid 07: a cold store with a worker, a lot and a positive sample that sealed it.
    cold_store = coldchain_actions.create_store(
        actor=admin,
        node=world.grid07,
        name="第七网格冻品冷库",
        enterprise="第七网格冻品店",
        manager="第七网格库长",
    )
    coldchain_actions.add_worker(actor=admin, store=cold_store, person=zhang, since=timezone.localdate())
    lot = coldchain_actions.register_lot(
        actor=admin,
        store=cold_store,
        product="第七网格冻虾",
        origin_country="厄瓜多尔",
        quantity=10,
        number="G07LOT",
        received_on=timezone.localdate(),
    )
    cold_sample = coldchain_actions.record_sample(
        actor=admin, store=cold_store, kind="goods", code="G07-COLD", sampled_on=timezone.localdate(), lot=lot
    )
    coldchain_actions.record_result(actor=admin, sample=cold_sample, result="positive")
    # A second store, and a second lot of the first, not sealed: the walk's bodies document and move it there.
    cold_store2 = coldchain_actions.create_store(
        actor=admin,
        node=world.grid07,
        name="第七网格冷库二",
        enterprise="第七网格冻品二店",
        manager="第七网格库长",
    )
    open_lot = coldchain_actions.register_lot(
        actor=admin,
        store=cold_store,
        product="第七网格冻鱼",
        origin_country="挪威",
        quantity=20,
        number="G07LOT2",
        received_on=timezone.localdate(),
    )
    for kind in ("inspection", "disinfection", "nat_report", "trace_info"):  # all four: it may be released
        coldchain_actions.record_document(
            actor=admin, lot=open_lot, kind=kind, number=f"G07-{kind}", issued_on=timezone.localdate()
        )
    clinic = surveillance_actions.add_clinic(actor=admin, node=world.grid07, name="第七网格发热哨点")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for i, visits in enumerate([2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 30]):
        surveillance_actions.record_visits(
            actor=admin, clinic=clinic, day=yesterday - dt.timedelta(days=11 - i), visits=visits
        )
    surveillance_actions.run_detection(day=yesterday)
    signal_alert = SignalAlert.objects.get(node=world.grid07, day=yesterday)
    return {
        "school": school,
        "school_class": school_class,
        "school_absence": pupils[0].absences.get(),
        "school_alert": school_check.alerts[0],
        "school_teacher": school_teacher,
        "bureau": bureau,
        "bureau_officer": bureau_officer,
        "cold_store": cold_store,
        "lot": lot,
        "cold_sample": cold_sample,
        "open_lot": open_lot,
        "cold_store2": cold_store2,
        "vaccination_site": vaccination_site,
        **people,
        "tube": tube,
        "testing_member": testing_member,
        "dose": dose,
        "key_group_member": key_group_member,
        "testing_round": testing_round,
        "store": store,
        "supply_item": supply_item,
        "place": place,
        "case": case,
        "entry": entry,
        "candidate": case.candidates.get(),
        "reporting_unit": reporting_unit,
        "reminder": world.grid07_worker.reminders.first(),
        "risk_area": risk_area,
        "manual": manual,
        "appeal": appeal,
        "venue": venue,
        "checkpoint": checkpoint,
        "shift": shift,
        "measure": measure,
        "alert": follow_up.alert,
        "site": site,
        "token": token,
        "upload": upload,
        "store_upload": store_upload,
        "place_upload": place_upload,
        "membership": Membership.objects.get(user=world.grid07_worker),
        "kindergarten": kindergarten,
        "checklist": checklist,
        "inspection": inspection,
        "order": inspection.results.get().rectification,
        "closure": closure,
        "group": group,
        "task": task,
        "duty": duty,
        "pharmacy": pharmacy,
        "purchase": purchase,
        "followup": purchase.followup,
        "unregistered": early,
        "signal_alert": signal_alert,
        "fever_clinic": clinic,
    }


# How to point each route at grid 07: (kwargs, query string).
ROUTES = {
    "home": lambda w, r: ({}, ""),
    "logout": lambda w, r: ({}, ""),
    "tree": lambda w, r: ({}, ""),
    "tree_node": lambda w, r: ({"code": w.grid07.code}, ""),
    "grid_create": lambda w, r: ({"village_code": w.village.code}, ""),
    "grid_import": lambda w, r: ({"code": w.village.code}, ""),
    "user_list": lambda w, r: ({}, ""),
    "user_create": lambda w, r: ({}, ""),
    "user_detail": lambda w, r: ({"pk": w.grid07_worker.pk}, ""),
    "user_membership_add": lambda w, r: ({"pk": w.grid07_worker.pk}, ""),
    "user_membership_remove": lambda w, r: (
        {"pk": w.grid07_worker.pk, "membership_id": r["membership"].pk},
        "",
    ),
    "user_set_active": lambda w, r: ({"pk": w.grid07_worker.pk}, ""),
    "user_password": lambda w, r: ({"pk": w.grid07_worker.pk}, ""),
    "token_list": lambda w, r: ({}, ""),
    "token_revoke": lambda w, r: ({"pk": r["token"].pk}, ""),
    "household_list": lambda w, r: ({}, ""),
    "household_create": lambda w, r: ({}, ""),
    "household_detail": lambda w, r: ({"pk": r["h07"].pk}, ""),
    "household_edit": lambda w, r: ({"pk": r["h07"].pk}, ""),
    "person_list": lambda w, r: ({}, "q=zw"),
    "person_create": lambda w, r: ({}, f"household={r['h07'].pk}"),
    "person_detail": lambda w, r: ({"pk": r["zhang"].pk}, ""),
    "person_reveal": lambda w, r: ({"pk": r["zhang"].pk}, ""),
    "person_edit": lambda w, r: ({"pk": r["zhang"].pk}, ""),
    "person_move": lambda w, r: ({"pk": r["zhang"].pk}, ""),
    "person_verify": lambda w, r: ({"pk": r["zhang"].pk}, ""),
    "unit_list": lambda w, r: ({}, ""),
    "unit_create": lambda w, r: ({}, ""),
    "audit_log": lambda w, r: ({}, ""),
    "keyperson_list": lambda w, r: ({}, ""),
    "screening_create": lambda w, r: ({}, f"person={r['zhang'].pk}"),
    "measure_start": lambda w, r: ({}, f"person={r['zhang'].pk}"),
    "measure_detail": lambda w, r: ({"pk": r["measure"].pk}, ""),
    "measure_release": lambda w, r: ({"pk": r["measure"].pk}, ""),
    "measure_transfer": lambda w, r: ({"pk": r["measure"].pk}, ""),
    "measure_caretaker_add": lambda w, r: ({"pk": r["measure"].pk}, ""),
    "measure_test_add": lambda w, r: ({"pk": r["measure"].pk}, ""),
    "site_list": lambda w, r: ({}, ""),
    "site_create": lambda w, r: ({}, ""),
    "site_detail": lambda w, r: ({"pk": r["site"].pk}, ""),
    "site_rooms_add": lambda w, r: ({"pk": r["site"].pk}, ""),
    "policy_view": lambda w, r: ({}, ""),
    "policy_edit": lambda w, r: ({"code": w.grid07.code}, ""),
    "worklist": lambda w, r: ({}, ""),
    "worklist_card": lambda w, r: ({"pk": r["measure"].pk}, ""),
    "followup_create": lambda w, r: ({"pk": r["measure"].pk}, ""),
    "selfreport_link": lambda w, r: ({"pk": r["measure"].pk}, ""),
    "alert_list": lambda w, r: ({}, ""),
    "alert_transfer": lambda w, r: ({"pk": r["alert"].pk}, ""),
    "alert_resolve": lambda w, r: ({"pk": r["alert"].pk}, ""),
    "township_overview": lambda w, r: ({}, ""),
    "imports_returnees": lambda w, r: ({}, ""),
    "imports_returnees_preview": lambda w, r: ({"token": r["upload"].token}, ""),
    "imports_returnees_confirm": lambda w, r: ({"token": r["upload"].token}, ""),
    "imports_returnees_rejected": lambda w, r: ({"token": r["upload"].token}, ""),
    "export_returnees": lambda w, r: ({}, f"node={w.grid07.code}&full=1"),
    "export_temperature": lambda w, r: ({"measure_id": r["measure"].pk}, ""),
    "checkpoint_list": lambda w, r: ({}, ""),
    "checkpoint_create": lambda w, r: ({}, ""),
    "checkpoint_fevers": lambda w, r: ({}, ""),
    "checkpoint_detail": lambda w, r: ({"pk": r["checkpoint"].pk}, ""),
    "checkpoint_set_active": lambda w, r: ({"pk": r["checkpoint"].pk}, ""),
    "checkpoint_shift_add": lambda w, r: ({"pk": r["checkpoint"].pk}, ""),
    "checkpoint_shift_remove": lambda w, r: ({"pk": r["shift"].pk}, ""),
    "checkpoint_scan": lambda w, r: ({"pk": r["checkpoint"].pk}, ""),
    "checkpoint_verify": lambda w, r: ({"pk": r["checkpoint"].pk}, ""),
    "passage_list": lambda w, r: ({"pk": r["checkpoint"].pk}, ""),
    "passage_create": lambda w, r: ({"pk": r["checkpoint"].pk}, ""),
    "passage_export": lambda w, r: ({"pk": r["checkpoint"].pk}, ""),
    "venue_list": lambda w, r: ({}, ""),
    "venue_create": lambda w, r: ({}, ""),
    "venue_posters": lambda w, r: ({}, f"node_code={w.grid07.code}"),
    "venue_detail": lambda w, r: ({"pk": r["venue"].pk}, ""),
    "venue_edit": lambda w, r: ({"pk": r["venue"].pk}, ""),
    "venue_set_active": lambda w, r: ({"pk": r["venue"].pk}, ""),
    "venue_poster_pdf": lambda w, r: ({"pk": r["venue"].pk}, ""),
    "venue_poster_png": lambda w, r: ({"pk": r["venue"].pk}, ""),
    "checkin_list": lambda w, r: ({}, ""),
    "testing_home": lambda w, r: ({}, ""),
    "sample_start": lambda w, r: ({}, ""),
    "sample_list": lambda w, r: ({}, ""),
    "sample_detail": lambda w, r: ({"pk": r["tube"].pk}, ""),
    "sample_add": lambda w, r: ({"pk": r["tube"].pk}, "q=zw"),
    "sample_result": lambda w, r: ({"pk": r["tube"].pk}, ""),
    "sample_member_remove": lambda w, r: ({"pk": r["testing_member"].pk}, ""),
    "results_import": lambda w, r: ({}, ""),
    "retest_list": lambda w, r: ({}, f"node={w.grid07.code}"),
    "test_schedule": lambda w, r: ({}, f"node={w.grid07.code}"),
    "round_list": lambda w, r: ({}, ""),
    "round_detail": lambda w, r: ({"pk": r["testing_round"].pk}, f"node={w.grid07.code}"),
    "round_unsampled": lambda w, r: ({"pk": r["testing_round"].pk}, f"node={w.grid07.code}"),
    "point_list": lambda w, r: ({}, ""),
    "key_group_list": lambda w, r: ({}, ""),
    "key_group_remove": lambda w, r: ({"pk": r["key_group_member"].pk}, ""),
    "imports_key_groups": lambda w, r: ({}, ""),
    "imports_key_groups_preview": lambda w, r: ({"token": r["upload"].token}, ""),
    "imports_key_groups_confirm": lambda w, r: ({"token": r["upload"].token}, ""),
    "imports_key_groups_rejected": lambda w, r: ({"token": r["upload"].token}, ""),
    "openapi-view": lambda w, r: ({}, ""),
    "api-root": lambda w, r: ({}, ""),
    "daily_list": lambda w, r: ({}, "date=2020-01-28"),
    "daily_report": lambda w, r: ({"pk": r["reporting_unit"].pk, "day": "2020-01-28"}, ""),
    "daily_zero": lambda w, r: ({"pk": r["reporting_unit"].pk, "day": "2020-01-29"}, ""),
    "completeness": lambda w, r: ({"code": w.grid07.code}, "date=2020-01-28"),
    "reporting_units": lambda w, r: ({"code": w.grid07.code}, ""),
    "reporting_units_villages": lambda w, r: ({"code": w.village.code}, ""),
    "reporting_unit_remove": lambda w, r: ({"pk": r["reporting_unit"].pk}, ""),
    "daily_export": lambda w, r: ({"code": w.grid07.code}, "date_from=2020-01-28&date_to=2020-01-30"),
    "reminder_list": lambda w, r: ({}, ""),
    "reminder_read": lambda w, r: ({"pk": r["reminder"].pk}, ""),
    "dashboard": lambda w, r: ({}, ""),
    "dashboard_node": lambda w, r: ({"code": w.grid07.code}, ""),
    "situation_home": lambda w, r: ({}, f"node={w.grid07.code}"),
    "situation_node": lambda w, r: ({"code": w.grid07.code}, ""),
    "situation_notes": lambda w, r: ({"code": w.grid07.code}, ""),
    "situation_download": lambda w, r: ({"code": w.grid07.code, "fmt": "json"}, ""),
    "riskarea_list": lambda w, r: ({}, ""),
    "riskarea_create": lambda w, r: ({}, ""),
    "riskarea_end": lambda w, r: ({"pk": r["risk_area"].pk}, ""),
    "healthcode_person": lambda w, r: ({"pk": r["zhang"].pk}, ""),
    "manual_colour_set": lambda w, r: ({"pk": r["zhang"].pk}, ""),
    "manual_colour_revoke": lambda w, r: ({"pk": r["manual"].pk}, ""),
    "appeal_list": lambda w, r: ({}, ""),
    "appeal_detail": lambda w, r: ({"pk": r["appeal"].pk}, ""),
    "code_rules": lambda w, r: ({}, ""),
    "code_rules_edit": lambda w, r: ({"code": w.grid07.code}, ""),
    "case_list": lambda w, r: ({}, ""),
    "case_create": lambda w, r: ({}, f"person={r['zhang'].pk}"),
    "case_detail": lambda w, r: ({"pk": r["case"].pk}, ""),
    "case_edit": lambda w, r: ({"pk": r["case"].pk}, ""),
    "case_event_add": lambda w, r: ({"pk": r["case"].pk}, ""),
    "case_investigation": lambda w, r: ({"pk": r["case"].pk}, ""),
    "case_entry_add": lambda w, r: ({"pk": r["case"].pk}, ""),
    "case_entry_remove": lambda w, r: ({"pk": r["case"].pk, "entry_id": r["entry"].pk}, ""),
    "case_contact_name": lambda w, r: ({"pk": r["case"].pk}, ""),
    "case_search": lambda w, r: ({"pk": r["case"].pk}, ""),
    "case_decide": lambda w, r: ({"pk": r["case"].pk}, ""),
    "case_report": lambda w, r: ({"pk": r["case"].pk}, "full=1"),
    "case_handover": lambda w, r: ({"pk": r["case"].pk}, "full=1"),
    "candidate_secondary": lambda w, r: ({"pk": r["candidate"].pk}, ""),
    "contact_worklist": lambda w, r: ({}, ""),
    "cluster_list": lambda w, r: ({}, f"node={w.grid07.code}"),
    "case_chain": lambda w, r: ({}, f"node={w.grid07.code}"),
    "vaccination_entry": lambda w, r: ({}, f"person={r['zhang'].pk}"),
    "vaccination_sites": lambda w, r: ({}, ""),
    "vaccination_site_export": lambda w, r: ({"pk": r["vaccination_site"].pk}, "full=1"),
    "vaccination_deferral_add": lambda w, r: ({"pk": r["li"].pk}, ""),
    "vaccination_dose_correct": lambda w, r: ({"pk": r["dose"].pk}, ""),
    "vaccination_dose_void": lambda w, r: ({"pk": r["dose"].pk}, ""),
    "vaccination_coverage": lambda w, r: ({}, f"node={w.grid07.code}"),
    "vaccination_unvaccinated": lambda w, r: ({}, f"node={w.grid07.code}"),
    "vaccination_import": lambda w, r: ({}, ""),
    "vaccination_import_preview": lambda w, r: (
        {"site_id": r["vaccination_site"].pk, "token": r["upload"].token},
        "",
    ),
    "vaccination_import_confirm": lambda w, r: (
        {"site_id": r["vaccination_site"].pk, "token": r["upload"].token},
        "",
    ),
    "vaccination_import_rejected": lambda w, r: (
        {"site_id": r["vaccination_site"].pk, "token": r["upload"].token},
        "",
    ),
    "coldchain_home": lambda w, r: ({}, f"node={w.grid07.code}"),
    "coldstore_board": lambda w, r: ({}, f"node={w.grid07.code}"),
    "coldstore_create": lambda w, r: ({}, ""),
    "coldstore_detail": lambda w, r: ({"pk": r["cold_store"].pk}, ""),
    "lot_create": lambda w, r: ({"pk": r["cold_store"].pk}, ""),
    "coldworker_add": lambda w, r: ({"pk": r["cold_store"].pk}, ""),
    "lot_detail": lambda w, r: ({"pk": r["lot"].pk}, ""),
    "lot_document": lambda w, r: ({"pk": r["lot"].pk}, ""),
    "lot_release": lambda w, r: ({"pk": r["lot"].pk}, ""),
    "lot_disinfect": lambda w, r: ({"pk": r["lot"].pk}, ""),
    "lot_move": lambda w, r: ({"pk": r["lot"].pk}, ""),
    "lot_trace": lambda w, r: ({"pk": r["lot"].pk}, ""),
    "coldsample_list": lambda w, r: ({}, f"node={w.grid07.code}"),
    "coldsample_create": lambda w, r: ({}, ""),
    "coldsample_detail": lambda w, r: ({"pk": r["cold_sample"].pk}, ""),
    "coldsample_trace": lambda w, r: ({"pk": r["cold_sample"].pk}, ""),
    "coldchain_export_lots": lambda w, r: ({}, f"node={w.grid07.code}"),
    "coldchain_export_movements": lambda w, r: ({}, f"node={w.grid07.code}"),
    "coldchain_import": lambda w, r: ({}, ""),
    "supplies_home": lambda w, r: ({}, f"node={w.grid07.code}"),
    "store_create": lambda w, r: ({}, ""),
    "store_detail": lambda w, r: ({"pk": r["store"].pk}, ""),
    "store_receive": lambda w, r: ({"pk": r["store"].pk}, ""),
    "store_issue": lambda w, r: ({"pk": r["store"].pk}, ""),
    "store_transfer": lambda w, r: ({"pk": r["store"].pk}, ""),
    "store_stocktake": lambda w, r: ({"pk": r["store"].pk}, ""),
    "store_export": lambda w, r: ({"pk": r["store"].pk}, ""),
    "movement_list": lambda w, r: ({}, ""),
    "donation_list": lambda w, r: ({}, f"node={w.grid07.code}"),
    "supply_item_list": lambda w, r: ({}, ""),
    "supplies_import": lambda w, r: ({}, ""),
    "disinfection_home": lambda w, r: ({}, f"node={w.grid07.code}"),
    "place_create": lambda w, r: ({}, ""),
    "place_detail": lambda w, r: ({"pk": r["place"].pk}, ""),
    "entry_create": lambda w, r: ({"pk": r["place"].pk}, ""),
    "place_export": lambda w, r: ({"pk": r["place"].pk}, ""),
    "entry_list": lambda w, r: ({}, f"node={w.grid07.code}"),
    "disinfection_import": lambda w, r: ({}, ""),
    "inspection_list": lambda w, r: ({}, ""),
    "export_inspections": lambda w, r: ({}, f"node={w.grid07.code}"),
    "inspection_pick": lambda w, r: ({}, ""),
    "inspection_create": lambda w, r: ({}, f"unit={r['kindergarten'].pk}"),
    "inspection_detail": lambda w, r: ({"pk": r["inspection"].pk}, ""),
    "result_photo": lambda w, r: ({"pk": r["inspection"].results.get().pk}, ""),
    "order_list": lambda w, r: ({}, ""),
    "order_detail": lambda w, r: ({"pk": r["order"].pk}, ""),
    "reinspect": lambda w, r: ({}, f"unit={r['kindergarten'].pk}"),
    "closure_list": lambda w, r: ({}, ""),
    "closure_create": lambda w, r: ({}, f"unit={r['kindergarten'].pk}"),
    "closure_reopen": lambda w, r: ({"pk": r["closure"].pk}, ""),
    "template_list": lambda w, r: ({}, ""),
    "template_create": lambda w, r: ({}, ""),
    "template_detail": lambda w, r: ({"pk": r["checklist"].pk}, ""),
    "template_copy": lambda w, r: ({"pk": r["checklist"].pk}, ""),
    "imports_inspections": lambda w, r: ({}, ""),
    "imports_inspections_preview": lambda w, r: ({"token": r["upload"].token}, ""),
    "imports_inspections_confirm": lambda w, r: ({"token": r["upload"].token}, ""),
    "imports_inspections_rejected": lambda w, r: ({"token": r["upload"].token}, ""),
    "command_home": lambda w, r: ({}, ""),
    "schools_home": lambda w, r: ({}, f"node={w.grid07.code}"),
    "school_create": lambda w, r: ({}, ""),
    "school_detail": lambda w, r: ({"pk": r["school"].pk}, ""),
    "school_opening": lambda w, r: ({"pk": r["school"].pk}, ""),
    "school_pre_opening": lambda w, r: ({"pk": r["school"].pk}, ""),
    "roster_import": lambda w, r: ({"pk": r["school"].pk}, ""),
    "school_checks_export": lambda w, r: ({"pk": r["school"].pk}, ""),
    "class_check": lambda w, r: ({"pk": r["school_class"].pk}, ""),
    "absence_list": lambda w, r: ({}, ""),
    "absence_edit": lambda w, r: ({"pk": r["school_absence"].pk}, ""),
    "school_alert_resolve": lambda w, r: ({"pk": r["school_alert"].pk}, ""),
    "school_users": lambda w, r: ({"pk": r["school"].pk}, ""),
    "school_user_remove": lambda w, r: ({"pk": r["school"].pk, "user_id": r["school_teacher"].pk}, ""),
    "bureau_users": lambda w, r: ({"pk": r["bureau"].pk}, ""),
    "bureau_user_remove": lambda w, r: ({"pk": r["bureau"].pk, "user_id": r["bureau_officer"].pk}, ""),
    "export_duty": lambda w, r: ({}, f"node={w.grid07.code}"),
    "export_tasks": lambda w, r: ({}, f"node={w.grid07.code}"),
    "group_preset": lambda w, r: ({}, ""),
    "group_create": lambda w, r: ({}, ""),
    "group_detail": lambda w, r: ({"pk": r["group"].pk}, ""),
    "task_list": lambda w, r: ({}, ""),
    "task_create": lambda w, r: ({}, ""),
    "task_detail": lambda w, r: ({"pk": r["task"].pk}, ""),
    "duty_roster": lambda w, r: ({}, ""),
    "duty_shift": lambda w, r: ({"pk": r["duty"].pk}, ""),
    "imports_duty": lambda w, r: ({}, ""),
    "imports_duty_preview": lambda w, r: ({"token": r["upload"].token}, ""),
    "imports_duty_confirm": lambda w, r: ({"token": r["upload"].token}, ""),
    "imports_duty_rejected": lambda w, r: ({"token": r["upload"].token}, ""),
    "markets_home": lambda w, r: ({}, f"node={w.grid07.code}"),
    "weekly_export": lambda w, r: ({}, f"node={w.grid07.code}"),
    "pharmacy_list": lambda w, r: ({}, ""),
    "pharmacy_detail": lambda w, r: ({"pk": r["pharmacy"].pk}, ""),
    "purchase_new": lambda w, r: ({"pk": r["pharmacy"].pk}, ""),
    "weekly_new": lambda w, r: ({"pk": r["pharmacy"].pk}, ""),
    "pharmacy_export": lambda w, r: ({"pk": r["pharmacy"].pk}, ""),
    "fever_followup_list": lambda w, r: ({}, "state=all"),
    "fever_followup_done": lambda w, r: ({"pk": r["followup"].pk}, ""),
    "unregistered_buyer_list": lambda w, r: ({}, ""),
    "unregistered_buyer_match": lambda w, r: ({}, ""),
    "purchase_found": lambda w, r: ({"pk": r["unregistered"].pk}, ""),
    "gathering_list": lambda w, r: ({}, f"node={w.grid07.code}"),
    "markets_import": lambda w, r: ({}, ""),
    "signal_list": lambda w, r: ({}, f"node={w.grid07.code}"),
    "signal_run": lambda w, r: ({}, f"node={w.grid07.code}"),
    "signal_alert_resolve": lambda w, r: ({"pk": r["signal_alert"].pk}, ""),
    "surveillance_rt": lambda w, r: ({}, f"node={w.grid07.code}"),
    "clinic_visits_entry": lambda w, r: ({}, f"node={w.grid07.code}"),
    "clinic_visits_import": lambda w, r: ({}, f"node={w.grid07.code}"),
    "surveillance_risk": lambda w, r: ({}, f"node={w.grid07.code}"),
    "five_colour": lambda w, r: ({}, f"node={w.grid07.code}"),
    "imports_supplies_preview": lambda w, r: ({"token": r["store_upload"].token}, ""),
    "imports_supplies_confirm": lambda w, r: ({"token": r["store_upload"].token}, ""),
    "imports_supplies_rejected": lambda w, r: ({"token": r["store_upload"].token}, ""),
    "imports_disinfection_preview": lambda w, r: ({"token": r["place_upload"].token}, ""),
    "imports_disinfection_confirm": lambda w, r: ({"token": r["place_upload"].token}, ""),
    "imports_disinfection_rejected": lambda w, r: ({"token": r["place_upload"].token}, ""),
    "imports_tasks": lambda w, r: ({}, ""),
    "imports_tasks_preview": lambda w, r: ({"token": r["upload"].token}, ""),
    "imports_tasks_confirm": lambda w, r: ({"token": r["upload"].token}, ""),
    "imports_tasks_rejected": lambda w, r: ({"token": r["upload"].token}, ""),
}


def site_routes():
    """(name, callback) of every named page route, the API's operations excepted (walked below)."""

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern):
                yield namespace, p

    return [(ns, p) for ns, p in walk(get_resolver().url_patterns)]


def test_it_knows_how_every_route_is_scoped():
    unknown = []
    for namespace, pattern in site_routes():
        if namespace == "api" and pattern.name not in ("openapi-view", "api-root"):
            continue  # API operations: test_it_scopes_every_api_operation
        if pattern.name is None:
            unknown.append(str(pattern.pattern))
        elif pattern.name in PUBLIC:
            assert getattr(pattern.callback, "login_required", True) is False, (
                f"{pattern.name} should be public"
            )
        elif pattern.name not in ROUTES:
            unknown.append(pattern.name)
        else:
            assert getattr(pattern.callback, "login_required", True) is not False, (
                f"{pattern.name} skips the login but is not in PUBLIC"
            )
    assert not unknown, f"routes with no scoping entry in this test: {unknown}"


def leaks(content: bytes) -> list[str]:
    text = content.decode(errors="replace")
    return [marker for marker in GRID07_MARKERS if marker in text]


def url_of(name, world, records):
    kwargs, query = ROUTES[name](world, records)
    namespace = "api:" if name in ("openapi-view", "api-root") else ""
    return reverse(namespace + name, kwargs=kwargs) + (f"?{query}" if query else "")


@pytest.mark.parametrize("persona", ["grid08_worker", "outsider"])
def test_it_shows_nothing_of_grid_07_outside_it(world, grid07, persona):
    client = Client()
    client.login(username=getattr(world, persona).username, password=PASSWORD)
    failures = []
    for name in ROUTES:
        if name == "logout":
            continue
        url = url_of(name, world, grid07)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {url}: {response.status_code}")
            elif response.status_code in (200, 201) and leaks(response.content):
                failures.append(f"{method.upper()} {url}: shows {leaks(response.content)}")
            elif (
                response.status_code in (301, 302)
                and method == "post"
                and "login" not in response["Location"]
            ):
                failures.append(f"POST {url}: accepted (redirect to {response['Location']})")
    assert not failures, "\n".join(failures)


def test_it_asks_a_stranger_to_log_in_everywhere(world, grid07):
    client = Client()
    for name in ROUTES:
        url = url_of(name, world, grid07)
        response = client.get(url)
        assert response.status_code in (302, 401), (
            f"GET {url} answered {response.status_code} without a login"
        )
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login")), url


def test_it_still_shows_grid_07_to_its_own_worker(world, grid07):
    """The walk above could pass by refusing everyone: the grid-07 worker sees their records."""
    client = Client()
    client.login(username=world.grid07_worker.username, password=PASSWORD)
    for name in (
        "person_list",
        "person_detail",
        "household_detail",
        "measure_detail",
        "worklist",
        "alert_list",
        "case_detail",
        "inspection_detail",
        "order_list",
        "task_list",
        "duty_roster",
        "school_detail",
        "class_check",
        "absence_list",
    ):
        response = client.get(url_of(name, world, grid07))
        assert response.status_code == 200, name
        assert leaks(response.content), f"{name} shows none of grid 07's records to its own worker"


API_IDS = {
    "alert_id": lambda w, r: r["alert"].pk,
    "case_id": lambda w, r: r["case"].pk,
    "entry_id": lambda w, r: r["entry"].pk,
    "checkpoint_id": lambda w, r: r["checkpoint"].pk,
    "code": lambda w, r: w.grid07.code,
    "household_id": lambda w, r: r["h07"].pk,
    "measure_id": lambda w, r: r["measure"].pk,
    "person_id": lambda w, r: r["zhang"].pk,
    "reporting_unit_id": lambda w, r: r["reporting_unit"].pk,
    "sample_id": lambda w, r: r["tube"].pk,
    "round_id": lambda w, r: r["testing_round"].pk,
    "store_id": lambda w, r: r["store"].pk,
    "cold_store_id": lambda w, r: r["cold_store"].pk,
    "lot_id": lambda w, r: r["open_lot"].pk,
    "cold_sample_id": lambda w, r: r["cold_sample"].pk,
    "place_id": lambda w, r: r["place"].pk,
    "inspection_id": lambda w, r: r["inspection"].pk,
    "order_id": lambda w, r: r["order"].pk,
    "closure_id": lambda w, r: r["closure"].pk,
    "task_id": lambda w, r: r["task"].pk,
    "shift_id": lambda w, r: r["duty"].pk,
    "school_id": lambda w, r: r["school"].pk,
    "class_id": lambda w, r: r["school_class"].pk,
    "absence_id": lambda w, r: r["school_absence"].pk,
    "day": lambda w, r: timezone.localdate().isoformat(),
    "slot": lambda w, r: "morning",
    "pharmacy_id": lambda w, r: r["pharmacy"].pk,
    "followup_id": lambda w, r: r["followup"].pk,
}


def api_operations(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield path, method


@pytest.mark.parametrize("persona", ["grid08_worker", "outsider"])
def test_it_scopes_every_api_operation(world, grid07, persona):
    user = getattr(world, persona)
    client = Client()
    client.force_login(user)
    failures, seen = [], 0
    for path, method in api_operations(Client()):
        concrete = re.sub(r"\{(\w+)\}", lambda m: str(API_IDS[m.group(1)](world, grid07)), path)
        anonymous = getattr(Client(), method)(
            concrete, content_type="application/json", data={} if method != "get" else None
        )
        if anonymous.status_code != 401:
            failures.append(f"{method.upper()} {concrete} without login: {anonymous.status_code}")
        response = getattr(client, method)(
            concrete, data={} if method != "get" else None, content_type="application/json"
        )
        seen += 1
        if response.status_code >= 500 or (response.status_code < 300 and leaks(response.content)):
            failures.append(f"{method.upper()} {concrete}: {response.status_code} {leaks(response.content)}")
    assert seen >= 10
    assert not failures, "\n".join(failures)
