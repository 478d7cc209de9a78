"""Which policy is in force for a node on a day: the nearest ancestor-or-self with a policy effective
then, newest first at that node; with none anywhere, the installation default preset."""

import copy
import datetime as dt
from dataclasses import dataclass

from fangkong.grid.models import Jurisdiction
from fangkong.policy.models import Policy
from fangkong.policy.presets import DEFAULT_PRESET, PRESETS


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
