"""Accounts, grids, API tokens and the audit log's page: grid 07's worker's API token and post."""

from fangkong.grid.actions import issue_api_token
from fangkong.grid.models import Membership, Role

from ..values import upload


def records(w, r) -> dict:
    token, _ = issue_api_token(actor=w.grid07_worker, name="七网格终端")
    return {"token": token, "membership": Membership.objects.get(user=w.grid07_worker)}


PUBLIC = {
    "login": "the login page",
    "favicon": "the site's icon: a redirect to a static file",
}

ROUTES = {
    "logout": lambda w, r: ({}, ""),
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
    "audit_log": lambda w, r: ({}, ""),
}

BODIES = {
    "user_membership_add": lambda w, r: {"role": Role.GRID_WORKER},
    "user_create": lambda w, r: {"role": Role.GRID_WORKER},
    "grid_import": lambda w, r: {
        "file": upload(["村（社区）代码", "网格编号", "网格名称"], [w.village.code, "09", "第九网格"])
    },
}

PREVIEWS = {
    "grid_import": "第九网格",
}

API_IDS = {
    "code": lambda w, r: w.grid07.code,
}
