"""Testing: 张伟 in the cold-chain key group; a tube of grid 07 with 李秀英 awaiting her result, in a round
over grid 07; another with 张伟 was invalid: a re-test is asked of him (and nothing pending holds up the
release of his measure)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fangkong.imports.tests.sheets import workbook
from fangkong.testing import actions as testing_actions

from ..values import upload


def key_groups(w, r) -> dict:
    return {
        "key_group_member": testing_actions.add_to_key_group(
            actor=w.county_admin, person=r["zhang"], group="cold_chain"
        )
    }


def records(w, r) -> dict:
    admin = w.county_admin
    testing_point = testing_actions.create_point(actor=admin, node=w.grid07, name="第七网格采样点")
    testing_round = testing_actions.create_round(
        actor=admin, node=w.grid07, name="第七网格全员核酸", starts_on=timezone.localdate()
    )
    tube = testing_actions.open_sample(
        actor=admin,
        tube_code="G07-0001",
        kind="pool",
        capacity=5,
        node=w.grid07,
        point=testing_point,
        round=testing_round,
    )
    testing_member = testing_actions.add_member(actor=admin, sample=tube, person=r["li"])
    invalid = testing_actions.open_sample(
        actor=admin, tube_code="G07-0002", kind="single", capacity=1, node=w.grid07
    )
    testing_actions.add_member(actor=admin, sample=invalid, person=r["zhang"])
    testing_actions.record_result(actor=admin, sample=invalid, result="invalid")
    return {"tube": tube, "testing_member": testing_member, "testing_round": testing_round}


ROUTES = {
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
}

BODIES = {
    "sample_start": lambda w, r: {
        "tube_code": "G07-0003",
        "kind": "pool",
        "capacity": 5,
        "node": w.grid07.code,
    },
    "sample_add": lambda w, r: {"person": r["zhang"].pk},
    "sample_result": lambda w, r: {"result": "negative"},
    "results_import": lambda w, r: {
        "file": SimpleUploadedFile(
            "结果.xlsx", workbook([["G07-0001", "阴性"]], header=["试管编码", "检测结果"])
        )
    },
    "round_list": lambda w, r: {"name": "第七网格第二轮", "node": w.grid07.code, "starts_on": "2022-04-10"},
    "point_list": lambda w, r: {"name": "第七网格二号采样点", "node": w.grid07.code},
    "key_group_list": lambda w, r: {"person": r["li"].pk, "q": "", "group": "port"},
    "imports_key_groups": lambda w, r: {
        "node": w.grid07.code,
        "file": upload(["姓名", "身份证号", "重点人群"], [r["li"].name, r["li"].id_number, "口岸"]),
    },
}

PREVIEWS = {
    "imports_key_groups": "确认导入",
}

API_IDS = {
    "sample_id": lambda w, r: r["tube"].pk,
    "round_id": lambda w, r: r["testing_round"].pk,
}

API_BODIES = {
    ("post", "/api/v1/testing/samples"): lambda w, r: {
        "tube_code": "G07-0004",
        "kind": "pool",
        "capacity": 5,
    },
    ("post", "/api/v1/testing/samples/{sample_id}/members"): lambda w, r: {"id_number": r["zhang"].id_number},
    ("post", "/api/v1/testing/samples/{sample_id}/result"): lambda w, r: {"result": "negative"},
    ("post", "/api/v1/testing/sampling/batch"): lambda w, r: {
        "tubes": [
            {
                "tube_code": "G07-0005",
                "kind": "single",
                "sampled_at": timezone.localtime().isoformat(),
                "people": [r["li"].id_number],
            }
        ]
    },
    ("post", "/api/v1/testing/results"): lambda w, r: {
        "results": [{"tube_code": "G07-0001", "result": "negative"}]
    },
    ("post", "/api/v1/testing/key-groups"): lambda w, r: {"person": r["zhang"].pk, "group": "cold_chain"},
    ("post", "/api/v1/testing/rounds"): lambda w, r: {"starts_on": "2022-04-10", "name": "第七网格第二轮"},
}
