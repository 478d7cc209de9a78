"""A revoked token is refused on every read operation of the API, whichever app's router serves it."""

from django.test import Client
from django.utils import timezone

from fangkong.checkpoints import actions as checkpoint_actions
from fangkong.checkpoints.models import CheckpointKind
from fangkong.coldchain import actions as coldchain_actions
from fangkong.command import actions as command_actions
from fangkong.disinfection import actions as disinfection_actions
from fangkong.grid import actions as grid_actions
from fangkong.inspections import actions as inspection_actions
from fangkong.markets import actions as market_actions
from fangkong.measures import actions as measure_actions
from fangkong.policy.models import Reason
from fangkong.registry import actions as registry_actions
from fangkong.schools import actions as school_actions
from fangkong.supplies import actions as supply_actions
from fangkong.testing import actions as testing_actions
from fangkong.tracing import actions as tracing_actions


def read_endpoints(world, people) -> list[str]:
    """Every GET operation of the API, with ids from grid 07 filled in."""
    gate = checkpoint_actions.create_checkpoint(
        actor=world.grid07_worker, node=world.grid07, name="第七网格小区门", kind=CheckpointKind.GATE
    )
    # 张伟 is a key person too (GET /keypersons/{person_id}).
    measure_actions.record_screening(
        actor=world.grid07_worker,
        person=people["zhang"],
        reason=Reason.ARRIVAL,
        screened_on=timezone.localdate(),
    )
    # And a case (GET /cases/{case_id}, its entries and candidates).
    case = tracing_actions.report_case(
        actor=world.grid07_worker,
        node=world.grid07,
        kind="suspected",
        person=people["zhang"],
        diagnosed_at=timezone.now(),
    )
    # And a tube of grid 07 in a mass-testing round (GET /testing/samples/{sample_id}, /testing/rounds/…).
    round_ = testing_actions.create_round(
        actor=world.grid07_worker, node=world.grid07, name="第七网格全员核酸", starts_on=timezone.localdate()
    )
    tube = testing_actions.open_sample(
        actor=world.grid07_worker, tube_code="T07", kind="single", capacity=1, node=world.grid07, round=round_
    )
    # And an inspection with its order, and a task (GET /inspections/{inspection_id}, /rectifications/…).
    shop = registry_actions.create_unit(
        actor=world.grid07_worker, node=world.grid07, name="七组超市", kind="market"
    )
    inspection = inspection_actions.record_inspection(
        actor=world.grid07_worker,
        target=shop,
        inspected_at=timezone.now(),
        inspectors="七网格员",
        owner="店长",
        results=[{"text": "口罩", "passed": False, "note": "未戴口罩"}],
    )
    task = command_actions.create_task(
        actor=world.grid07_worker, node=world.grid07, title="排查", owner="七网格员", deadline=timezone.now()
    )
    # And a school with a class checked this morning, a pharmacy, and a cold store with a lot and a sample.
    admin, today = world.county_admin, timezone.localdate()
    school = school_actions.create_school(actor=admin, node=world.grid07, name="七组小学", stage="primary")
    school_class = school_actions.create_class(actor=admin, school=school, grade="一年级", name="1班")
    school_actions.add_member(actor=admin, school=school, school_class=school_class, name="学生")
    school_actions.submit_check(actor=admin, school_class=school_class, day=today, slot="morning", marks=[])
    pharmacy = market_actions.create_pharmacy(
        actor=admin, node=world.grid07, name="七组药房", licence_no="鲁AA0700009"
    )
    cold_store = coldchain_actions.create_store(
        actor=admin, node=world.grid07, name="七组冷库", enterprise="七组冻品店", manager="库长"
    )
    lot = coldchain_actions.register_lot(
        actor=admin,
        store=cold_store,
        product="冻虾",
        origin_country="厄瓜多尔",
        quantity=10,
        number="T07LOT",
        received_on=today,
    )
    cold_sample = coldchain_actions.record_sample(
        actor=admin, store=cold_store, kind="goods", code="T07-COLD", sampled_on=today, lot=lot
    )
    ids = {
        "school_id": school.pk,
        "class_id": school_class.pk,
        "day": today.isoformat(),
        "slot": "morning",
        "pharmacy_id": pharmacy.pk,
        "cold_store_id": cold_store.pk,
        "lot_id": lot.pk,
        "cold_sample_id": cold_sample.pk,
        "sample_id": tube.pk,
        "round_id": round_.pk,
        "case_id": case.pk,
        "inspection_id": inspection.pk,
        "order_id": inspection.results.get().rectification.pk,
        "task_id": task.pk,
        "code": world.grid07.code,
        "household_id": people["h07"].pk,
        "person_id": people["zhang"].pk,
        "checkpoint_id": gate.pk,
        "store_id": supply_actions.create_store(
            actor=world.county_admin, node=world.grid07, name="七网格物资点", kind="village"
        ).pk,
        "place_id": disinfection_actions.create_place(
            actor=world.county_admin, node=world.grid07, name="七网格公厕", kind="public_toilet"
        ).pk,
    }
    required = {"node": world.grid07.code, "day": timezone.localdate().isoformat()}  # required query values
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    urls = []
    for path, operations in paths.items():
        if "get" in operations:
            names = [
                p["name"]
                for p in operations["get"].get("parameters", [])
                if p["in"] == "query" and p.get("required")
            ]
            query = "&".join(f"{name}={required[name]}" for name in names)
            urls.append(path.format_map(ids) + (f"?{query}" if query else ""))
    return urls


def test_it_refuses_a_revoked_token_on_every_read_endpoint(world, people):
    token, raw = grid_actions.issue_api_token(actor=world.grid07_worker, name="平板")
    client = Client(headers={"authorization": f"Bearer {raw}"})
    urls = read_endpoints(world, people)
    assert len(urls) >= 8
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)
    grid_actions.revoke_api_token(actor=world.grid07_worker, token=token)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json() == {"code": "unauthenticated", "message": "请先登录或提供有效令牌"}
