"""Writes of policy: a policy for a subtree from a date. The action checks the actor's scope, runs in one
transaction and writes its audit row there."""

import copy
import datetime as dt

from django.db import transaction

from fangkong.audit.actions import record
from fangkong.audit.models import Action
from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.lib.errors import RuleError
from fangkong.lib.temperature import check_temperature

from .models import Policy
from .presets import PRESETS
from .queries import policy_for, preset_values


@transaction.atomic
def set_policy(
    *,
    actor,
    node: Jurisdiction,
    effective_from: dt.date,
    preset: str,
    overrides: dict | None = None,
    note: str = "",
    request=None,
) -> Policy:
    """A policy for a subtree from a date: a preset, optionally with edited values. Only admins.
    When the policy in force on that date is based on the same preset, its values are the starting
    point, so editing one section (periods, code rules, retention) keeps what others edited."""
    scoping.require(actor, scoping.MANAGE_USERS, node, "只有管理员可以设置防控政策")
    if preset not in PRESETS:
        raise RuleError({"preset": "预设不存在"})
    values = preset_values(preset)
    in_force = policy_for(node, effective_from).values
    if in_force.get("preset") == preset:
        values.update(copy.deepcopy(in_force))
    for key, value in (overrides or {}).items():
        if key not in values:
            raise RuleError({key: "不是可设置的政策参数"})
        values[key] = value
    try:
        check_temperature(values["fever_threshold"])
    except ValueError as exc:
        raise RuleError({"fever_threshold": str(exc)}) from None
    policy, _ = Policy.objects.update_or_create(
        node=node,
        effective_from=effective_from,
        defaults={"preset": preset, "values": values, "note": note, "created_by": actor},
    )
    record(
        actor=actor,
        action=Action.UPDATE,
        target=policy,
        node_path=node.path,
        request=request,
        change="policy",
        preset=preset,
    )
    return policy
