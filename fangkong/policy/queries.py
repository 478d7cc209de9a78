"""Reads of policy. `policy_for` says which policy is in force for a node on a day: the nearest
ancestor-or-self with a policy effective then, newest first at that node; with none anywhere, the
installation default preset. Every app reads policy through it; the rest serves the policy pages."""

import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Self

from django.db.models import Q, QuerySet

from fangkong.grid.models import Jurisdiction

from .models import Kind, Policy, Reason
from .presets import (
    COMMAND,
    DEFAULT_PRESET,
    DISINFECTION,
    INSPECTIONS,
    MARKETS,
    PRESETS,
    SCHOOLS,
    SUPPLIES,
    SURVEILLANCE,
    TRACING,
    VACCINATION,
)


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


def policy_for(node: Jurisdiction, day: dt.date, *, pinned: Policy | None = None) -> PolicyInForce:
    """The policy in force for the node on the day (one query). `pinned`: the policy a record was
    planned under (a measure's), which stays in force for that record whatever was set since."""
    if pinned is not None:
        return PolicyInForce(values=pinned.values, policy=pinned)
    return PoliciesInForce.for_paths([node.path], day).in_force(node.path, day)


class PoliciesInForce:
    """The policies in force for many nodes and days from one query, for pages and exports that would
    otherwise ask `policy_for` once per row; `policy_for` is this for one node. Values are shared between
    the nodes they are in force for: read them, do not change them."""

    def __init__(self, where: Q, until: dt.date):
        self._by_path: dict[str, list[Policy]] = defaultdict(list)
        rows = Policy.objects.filter(where, effective_from__lte=until).select_related("node")
        for policy in rows.order_by("-effective_from"):
            self._by_path[policy.node.path].append(policy)
        self._cache: dict[tuple[str, dt.date], PolicyInForce] = {}
        self._default: PolicyInForce | None = None

    @classmethod
    def for_subtree(cls, node: Jurisdiction | None, until: dt.date) -> Self:
        """For nodes at or below `node` (None: every node), on days up to `until`."""
        if node is None:
            return cls(Q(), until)
        ancestors = node.path.strip("/").split("/")
        return cls(Q(node__path__startswith=node.path) | Q(node__code__in=ancestors), until)

    @classmethod
    def for_paths(cls, paths: Iterable[str], until: dt.date) -> Self:
        """For the nodes of these paths, on days up to `until`."""
        codes = {code for path in paths for code in path.strip("/").split("/")}
        return cls(Q(node__code__in=codes), until)

    def in_force(self, path: str, day: dt.date) -> PolicyInForce:
        key = (path, day)
        if key not in self._cache:
            self._cache[key] = self._resolve(path, day)
        return self._cache[key]

    def values(self, path: str, day: dt.date) -> dict:
        return self.in_force(path, day).values

    def _resolve(self, path: str, day: dt.date) -> PolicyInForce:
        # Deepest node first, then the newest policy of that node that is in force on the day.
        parts = path.strip("/").split("/")
        for depth in range(len(parts), 0, -1):
            for policy in self._by_path.get("/".join(parts[:depth]) + "/", ()):
                if policy.effective_from <= day:
                    return PolicyInForce(values=policy.values, policy=policy)
        if self._default is None:
            self._default = PolicyInForce(values=preset_values(DEFAULT_PRESET), policy=None)
        return self._default


def tracing_values(values: dict) -> dict:
    """The policy's "tracing" section (look-back days, §12 clock hours, secondary contacts, cluster days).
    A policy saved before the section existed, or missing a key, falls back to its preset's values."""
    preset = PRESETS.get(values.get("preset", DEFAULT_PRESET), {})
    return {**TRACING, **preset.get("tracing", {}), **(values.get("tracing") or {})}


def vaccination_values(values: dict) -> dict:
    """The policy's "vaccination" section: the product table (DOMAIN.md §13). A policy saved before the
    section existed falls back to its preset's, then to the default table; a policy's products replace
    the default ones product by product."""
    preset = PRESETS.get(values.get("preset", DEFAULT_PRESET), {})
    merged = {**VACCINATION, **preset.get("vaccination", {}), **(values.get("vaccination") or {})}
    products = {**VACCINATION["products"], **(merged.get("products") or {})}
    return {**merged, "products": products}


def supplies_values(values: dict) -> dict:
    """The policy's "supplies" section (days of use behind days of supply, near-expiry warning days)."""
    preset = PRESETS.get(values.get("preset", DEFAULT_PRESET), {})
    return {**SUPPLIES, **preset.get("supplies", {}), **(values.get("supplies") or {})}


def disinfection_values(values: dict) -> dict:
    """The policy's "disinfection" section: place type → {"times": n, "every_days": k}."""
    preset = PRESETS.get(values.get("preset", DEFAULT_PRESET), {})
    return {**DISINFECTION, **preset.get("disinfection", {}), **(values.get("disinfection") or {})}


def inspections_values(values: dict) -> dict:
    """The policy's "inspections" section (rectification days, escalation step), defaults filled in."""
    return {**INSPECTIONS, **(values.get("inspections") or {})}


def markets_values(values: dict) -> dict:
    """The policy's "markets" section (hours to follow up a fever-medicine buyer), defaults filled in."""
    return {**MARKETS, **(values.get("markets") or {})}


def command_values(values: dict) -> dict:
    """The policy's "command" section (when the 24-hour duty shift starts, its hours), defaults filled in."""
    return {**COMMAND, **(values.get("command") or {})}


def schools_values(values: dict) -> dict:
    """The policy's "schools" section (the class symptom threshold: pupils within days; the days of
    monitoring before opening), defaults filled in; "unverified" stays true for the defaults."""
    preset = PRESETS.get(values.get("preset", DEFAULT_PRESET), {})
    return {**SCHOOLS, **preset.get("schools", {}), **(values.get("schools") or {})}


def surveillance_values(values: dict) -> dict:
    """The policy's "surveillance" section (serial interval, α per EARS method), defaults filled in."""
    merged = {**SURVEILLANCE, **(values.get("surveillance") or {})}
    return {**merged, "alpha": {**SURVEILLANCE["alpha"], **(merged.get("alpha") or {})}}


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
        "tracing": tracing_values(values),
        "tracing_unverified": "tracing" in unverified,
        "surveillance": surveillance_values(values),
        "vaccines": list(vaccination_values(values)["products"].values()),
        "schools": schools_values(values),
    }
