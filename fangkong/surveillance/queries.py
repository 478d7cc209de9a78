"""Reads of early warning, scoped through grid.scoping."""

import datetime as dt

from django.db.models import QuerySet

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction, Level
from fangkong.policy.queries import policy_for, surveillance_values

from . import rules, series
from .models import ClinicVisits, FeverClinic, RiskDecision, Signal, SignalAlert, TownshipBoundaries


def clinics_visible_to(user) -> QuerySet[FeverClinic]:
    return scoping.visible_to(user, FeverClinic.objects.select_related("node"), path_field="node__path")


def access_clinic(user, pk, *, write: bool = False) -> FeverClinic:
    return scoping.access(
        user, FeverClinic.objects.select_related("node"), pk, path_field="node__path", write=write
    )


def visits_visible_to(user) -> QuerySet[ClinicVisits]:
    return scoping.visible_to(
        user, ClinicVisits.objects.select_related("clinic__node"), path_field="clinic__node__path"
    )


def alerts_visible_to(user) -> QuerySet[SignalAlert]:
    return scoping.visible_to(
        user, SignalAlert.objects.select_related("node", "parent"), path_field="node__path"
    )


def access_alert(user, pk, *, write: bool = False) -> SignalAlert:
    return scoping.access(
        user, SignalAlert.objects.select_related("node"), pk, path_field="node__path", write=write
    )


def alarming_series(node: Jurisdiction, day: dt.date, *, computed_before=None) -> QuerySet:
    """Series of the subtree (node × series) whose value on D is above an upper bound (any EARS method);
    with `computed_before`, as the runs made before that moment found them."""
    rows = Signal.objects.filter(node__path__startswith=node.path, day=day, alarm=True)
    if computed_before is not None:
        rows = rows.filter(computed_at__lt=computed_before)
    return rows.values("node", "series").distinct()


def signals_alarming(node: Jurisdiction, day: dt.date) -> int:
    return alarming_series(node, day).count()


def chart(node: Jurisdiction, code: str, end: dt.date, *, days: int = 60, method: str = rules.C1) -> dict:
    """The node's series over `days` days to `end` with each day's bound of `method` (computed here, from
    the records, not from the stored signals) for the page's chart."""
    start = end - dt.timedelta(days=days - 1 + 11)
    values = series.node_series(code, node, start, end)
    alpha = surveillance_values(policy_for(node, end).values)["alpha"].get(method)
    bounds = {b.index: b for b in rules.ears(values, method=method, alpha=alpha)}
    all_days = series.days(start, end)
    rows = []
    for i in range(11, len(all_days)):
        bound = bounds.get(i)
        rows.append(
            {
                "day": all_days[i],
                "value": values[i],
                "upper": bound.upper if bound else None,
                "alarm": bool(bound and bound.alarm),
            }
        )
    return {"code": code, "label": series.label(code), "method": method, "rows": rows}


def serial_interval(node: Jurisdiction, day: dt.date) -> dict:
    values = surveillance_values(policy_for(node, day).values)
    return {"mean": values["si_mean"], "sd": values["si_sd"], "distr": values["si_distr"] or None}


def reproduction(node: Jurisdiction, end: dt.date, *, days: int = 120) -> dict:
    """R_t of the node's subtree for the windows ending within `days` days to `end`, from new cases by day of
    diagnosis, imported ones marked (their source); the serial interval from policy."""
    start = end - dt.timedelta(days=days - 1)
    total = series.node_series("new_cases", node, start, end)
    imported = series.by_node("new_cases", start, end, nodes=[node], rows=series.imported_cases(start, end))[
        node.pk
    ]
    local = [(t or 0) - (i or 0) for t, i in zip(total, imported, strict=True)]
    si = serial_interval(node, end)
    if si["distr"]:
        estimates = rules.estimate_r(local, imported, si_distr=si["distr"])
    else:
        estimates = rules.estimate_r(local, imported, mean_si=si["mean"], std_si=si["sd"])
    all_days = series.days(start, end)
    rows = [
        {
            "start": all_days[e.t_start - 1],
            "end": all_days[e.t_end - 1],
            "cases": e.cases,
            "enough": e.enough,
            "mean": e.mean if e.enough else None,
            "sd": e.sd if e.enough else None,
            "q025": e.quantiles[0.025] if e.enough and e.quantiles else None,
            "median": e.median if e.enough else None,
            "q975": e.quantiles[0.975] if e.enough and e.quantiles else None,
        }
        for e in estimates
    ]
    return {
        "serial_interval": si,
        "days": all_days,
        "local": local,
        "imported": [i or 0 for i in imported],
        "rows": rows,
    }


def risk_decisions_visible_to(user) -> QuerySet[RiskDecision]:
    return scoping.visible_to(
        user, RiskDecision.objects.select_related("node", "decided_by"), path_field="node__path"
    )


def access_risk_decision(user, pk) -> RiskDecision:
    return scoping.access(
        user, RiskDecision.objects.select_related("node", "county"), pk, path_field="node__path"
    )


def five_colour_settings(node: Jurisdiction, day: dt.date) -> dict:
    return surveillance_values(policy_for(node, day).values).get("five_colour") or {}


def township_boundaries(user, county: Jurisdiction, *, geometry: bool = True) -> TownshipBoundaries | None:
    """The county's uploaded boundaries, for a user who may see the county (else None); without the
    geometry (only its drawing) for the map."""
    if not scoping.can(user, scoping.VIEW, county):
        return None
    rows = TownshipBoundaries.objects.select_related("uploaded_by").filter(county=county)
    return (rows if geometry else rows.defer("geojson")).first()


def townships_of(county: Jurisdiction) -> list[Jurisdiction]:
    """The nodes the county's five-colour map colours (its children), for a county the caller may see."""
    return list(Jurisdiction.objects.filter(parent=county).order_by("path"))


def may_upload_boundaries(user, county: Jurisdiction) -> bool:
    """Who may confirm the county's risk areas may upload its township boundaries (actions checks it too)."""
    return county.level == Level.COUNTY and scoping.can(user, scoping.MANAGE_USERS, county)
