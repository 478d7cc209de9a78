"""Reads of policy. `policy_for` says which policy is in force for a node on a day: the nearest
ancestor-or-self with a policy effective then, newest first at that node; with none anywhere, the
installation default preset. Every app reads policy through it; the rest serves the policy pages."""

import copy
import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from fangkong.grid.models import Jurisdiction

from .models import Kind, Policy, Reason
from .presets import DEFAULT_PRESET, PRESETS


@dataclass(frozen=True)
class PolicyInForce:
    values: dict
    policy: Policy | None  # None: the installation default preset, no row behind it

    @property
    def label(self) -> str:
        preset = PRESETS[self.values.get("preset", DEFAULT_PRESET)]["label"]
        if self.policy is None:
            return f"默认预设：{preset}"
        return f"{self.policy.node.name} {self.policy.effective_from:%Y-%m-%d}起执行（基于{preset}）"


def preset_values(code: str) -> dict:
    values = copy.deepcopy(PRESETS[code])
    values["preset"] = code
    return values


def policy_for(node: Jurisdiction, day: dt.date) -> PolicyInForce:
    codes = node.path.strip("/").split("/")
    candidates = list(
        Policy.objects.filter(node__code__in=codes, effective_from__lte=day)
        .select_related("node")
        .order_by("-effective_from")
    )
    # Deepest node first (its path is longest), then the newest policy of that node.
    candidates.sort(key=lambda p: (len(p.node.path), p.effective_from), reverse=True)
    if candidates:
        return PolicyInForce(values=candidates[0].values, policy=candidates[0])
    return PolicyInForce(values=preset_values(DEFAULT_PRESET), policy=None)


# The policy pages ----------------------------------------------------------------------------------


def policy_history(node: Jurisdiction) -> QuerySet[Policy]:
    """The policies of the node and of the nodes above it, newest first: what it inherits or overrides."""
    codes = node.path.strip("/").split("/")
    return (
        Policy.objects.filter(node__code__in=codes)
        .select_related("node", "created_by")
        .order_by("-effective_from", "-node__path")
    )


def policy_table(values: dict) -> dict:
    """A policy's values as the policy page shows them; entries the preset could not verify are marked."""
    unverified = set(values.get("unverified", []))
    regimes = [
        {
            "reason": label,
            "steps": [(Kind(kind).label, days) for kind, days in values.get("regimes", {}).get(code, [])],
            "unverified": code in unverified,
        }
        for code, label in Reason.choices
    ]
    tests = [
        {"kind": Kind(kind).label, "days": "、".join(str(day) for day in days)}
        for kind, days in values.get("tests", {}).items()
    ]
    return {
        "preset": PRESETS.get(values.get("preset", DEFAULT_PRESET), PRESETS[DEFAULT_PRESET])["label"],
        "fever_threshold": values.get("fever_threshold"),
        "release_tests": values.get("release_tests", 0),
        "regimes": regimes,
        "tests": tests,
        "tests_unverified": "tests" in unverified,
    }
