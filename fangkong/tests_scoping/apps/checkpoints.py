"""Checkpoints: grid 07's, 张伟 passing it with a fever, grid 07's worker on a shift there."""

import datetime as dt

from django.utils import timezone

from fangkong.checkpoints import actions as checkpoint_actions
from fangkong.healthcodes.identity import identity_for_person


def records(w, r) -> dict:
    admin = w.county_admin
    checkpoint = checkpoint_actions.create_checkpoint(
        actor=admin, node=w.grid07, name="第七网格卡口", kind="gate"
    )
    checkpoint_actions.record_passage(
        actor=admin,
        checkpoint=checkpoint,
        direction="in",
        identity=identity_for_person(r["zhang"]),
        temperature="38.5",
        outcome="fever_clinic",
    )
    shift = checkpoint_actions.assign_shift(
        actor=admin,
        checkpoint=checkpoint,
        user=w.grid07_worker,
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(hours=2),
    )
    return {"checkpoint": checkpoint, "shift": shift}


ROUTES = {
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
}

BODIES = {
    "checkpoint_shift_add": lambda w, r: {"user": w.grid07_viewer.pk},
}

API_IDS = {
    "checkpoint_id": lambda w, r: r["checkpoint"].pk,
}

API_BODIES = {
    # 张伟 is under home quarantine (red): he is turned back, not let through.
    ("post", "/api/v1/checkpoints/{checkpoint_id}/passages"): lambda w, r: {"outcome": "turned_back"},
}
