"""Pages of early warning: the signals of a node (each series charted with its EARS bound, the alerts, a
button that runs the detection now), R_t with its credible band, and the fever clinics' daily entry.
Parse, access, one action, render. The charts are inline SVG drawn from numbers computed here."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.grid import scoping
from fangkong.grid.models import Level
from fangkong.lib.dates import parse_date
from fangkong.lib.errors import RuleError
from fangkong.lib.pages import posted
from fangkong.registry.forms import add_rule_errors

from . import actions, boundaries, forms, ledgers, queries, risk, rules, series

WIDTH, HEIGHT, PAD = 640, 170, 24


def area_and_day(request, *, default_yesterday: bool = True):
    """The node (?node=code or ?node_code=, else the user's first) and the day (?day=, else yesterday)."""
    code = request.GET.get("node") or request.GET.get("node_code", "")
    if code:
        node = scoping.access_jurisdiction(request.user, code)
    else:
        tops = scoping.nodes_with(request.user)
        if not tops:
            raise PermissionDenied(_("您没有可查看的辖区"))
        node = tops[0]
    fallback = timezone.localdate() - dt.timedelta(days=1 if default_yesterday else 0)
    try:
        day = parse_date(request.GET["day"]) if request.GET.get("day") else fallback
    except ValueError:
        day = fallback
    return node, day


def _scale(values, top):
    top = top or 1.0
    n = len(values)

    def x(i):
        return PAD + (WIDTH - 2 * PAD) * (i / max(1, n - 1))

    def y(v):
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * (v / top)

    return x, y


def _polyline(points) -> list[str]:
    """Lines broken where a value is missing: a list of "x,y x,y …" strings."""
    parts, current = [], []
    for point in points:
        if point is None:
            if len(current) > 1:
                parts.append(" ".join(current))
            current = []
        else:
            current.append(f"{point[0]:.1f},{point[1]:.1f}")
    if len(current) > 1:
        parts.append(" ".join(current))
    return parts


def series_svg(rows: list[dict]) -> dict:
    values = [r["value"] for r in rows]
    uppers = [r["upper"] for r in rows]
    top = max([v for v in values if v is not None] + [u for u in uppers if u is not None] + [1])
    x, y = _scale(rows, top * 1.1)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "top": top,
        "baseline": HEIGHT - PAD,
        "values": _polyline([(x(i), y(v)) if v is not None else None for i, v in enumerate(values)]),
        "bounds": _polyline([(x(i), y(u)) if u is not None else None for i, u in enumerate(uppers)]),
        "alarms": [{"x": x(i), "y": y(r["value"]), "row": r} for i, r in enumerate(rows) if r["alarm"]],
        "missing": [x(i) for i, v in enumerate(values) if v is None],
        "first": rows[0]["day"] if rows else None,
        "last": rows[-1]["day"] if rows else None,
    }


def rt_svg(rows: list[dict]) -> dict:
    shown = [r for r in rows if r["mean"] is not None]
    top = max([r["q975"] for r in shown] + [2.0])
    x, y = _scale(rows, top * 1.05)
    upper = [(x(i), y(r["q975"])) for i, r in enumerate(rows) if r["mean"] is not None]
    lower = [(x(i), y(r["q025"])) for i, r in enumerate(rows) if r["mean"] is not None]
    band = " ".join(f"{px:.1f},{py:.1f}" for px, py in upper + lower[::-1]) if upper else ""
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "top": top,
        "baseline": HEIGHT - PAD,
        "one": y(1.0),
        "band": band,
        "mean": _polyline(
            [(x(i), y(r["mean"])) if r["mean"] is not None else None for i, r in enumerate(rows)]
        ),
    }


def signal_list(request):
    node, day = area_and_day(request)
    method = request.GET.get("method") if request.GET.get("method") in rules.METHODS else rules.C1
    charts = []
    for code in series.SOURCES:
        data = queries.chart(node, code, day, method=method)
        if all(r["value"] is None for r in data["rows"]):
            continue
        data["svg"] = series_svg(data["rows"])
        data["today"] = data["rows"][-1]
        charts.append(data)
    alerts = queries.alerts_visible_to(request.user).filter(node__path__startswith=node.path)[:50]
    return render(
        request,
        "surveillance/signal_list.html",
        {
            "node": node,
            "day": day,
            "method": method,
            "methods": rules.METHODS,
            "charts": charts,
            "alerts": alerts,
            "alarming": queries.signals_alarming(node, day),
            "can_run": scoping.can(request.user, scoping.WRITE, node),
        },
    )


@require_POST
def signal_run(request):
    node, day = area_and_day(request)
    if not scoping.can(request.user, scoping.WRITE, node):
        raise PermissionDenied(_("您不能在该辖区运行预警"))
    counts = actions.run_detection(actor=request.user, day=day, request=request)
    messages.success(
        request,
        _("已计算%(day)s的预警：监测序列%(series)d条，超上限%(alarms)d条，新增预警%(alerts)d条")
        % {"day": day.isoformat(), **counts},
    )
    return redirect(reverse("signal_list") + "?" + urlencode({"node": node.code, "day": day.isoformat()}))


@require_POST
def signal_alert_resolve(request, pk):
    alert = queries.access_alert(request.user, pk, write=True)
    try:
        actions.resolve_alert(
            actor=request.user, alert=alert, resolution=request.POST.get("resolution", ""), request=request
        )
    except RuleError as error:
        messages.error(request, str(error))
    return redirect(
        reverse("signal_list") + "?" + urlencode({"node": alert.node.code, "day": alert.day.isoformat()})
    )


def rt_page(request):
    node, day = area_and_day(request)
    data = queries.reproduction(node, day)
    rows = data["rows"][-90:]
    return render(
        request,
        "surveillance/rt.html",
        {
            "node": node,
            "day": day,
            "data": data,
            "rows": rows,
            "table": list(reversed(rows)),
            "svg": rt_svg(rows) if rows else None,
            "min_cases": rules.MIN_CASES,
        },
    )


def clinic_visits_entry(request):
    """The day's visits of every clinic of the area, one number each (a phone or a desk)."""
    node, day = area_and_day(request, default_yesterday=False)
    clinics = list(
        queries.clinics_visible_to(request.user).filter(node__path__startswith=node.path, active=True)
    )
    entered = dict(
        queries.visits_visible_to(request.user)
        .filter(clinic__in=clinics, day=day)
        .values_list("clinic_id", "visits")
    )
    errors = {}
    if request.method == "POST":
        if request.POST.get("new_clinic", "").strip():
            try:
                actions.add_clinic(
                    actor=request.user, node=node, name=request.POST["new_clinic"], request=request
                )
                messages.success(request, _("已添加发热门诊"))
            except RuleError as error:
                errors["new_clinic"] = str(error)
        saved = 0
        for clinic in clinics:
            raw = request.POST.get(f"visits_{clinic.pk}", "").strip()
            if raw == "":
                continue  # not reported: left empty, never 0
            try:
                value = int(raw)
                if value < 0:
                    raise ValueError
            except ValueError:
                errors[clinic.pk] = _("就诊人次应为不小于0的整数")
                continue
            try:
                actions.record_visits(
                    actor=request.user, clinic=clinic, day=day, visits=value, request=request
                )
                saved += 1
            except RuleError as error:
                errors[clinic.pk] = str(error)
        if not errors:
            if saved:
                messages.success(request, _("已保存%(n)d个发热门诊的就诊人次") % {"n": saved})
            return redirect(
                reverse("clinic_visits_entry") + "?" + urlencode({"node": node.code, "day": day.isoformat()})
            )
    rows = [
        {
            "clinic": c,
            "value": request.POST.get(f"visits_{c.pk}", "") if errors else entered.get(c.pk, ""),
            "error": errors.get(c.pk, ""),
        }
        for c in clinics
    ]
    return render(
        request,
        "surveillance/clinic_visits.html",
        {
            "node": node,
            "day": day,
            "rows": rows,
            "new_clinic_error": errors.get("new_clinic", ""),
            "can_write": scoping.can(request.user, scoping.WRITE, node),
        },
    )


def clinic_visits_import(request):
    node, _day = area_and_day(request, default_yesterday=False)
    form = forms.ImportForm(posted(request), request.FILES or None)
    result = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = ledgers.import_visits(
                actor=request.user,
                node=node,
                data=upload.read(),
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
                request=request,
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            if result.written and not result.rejected:
                messages.success(
                    request,
                    _("已导入：新记%(c)d条，更新%(u)d条，未变%(n)d条")
                    % {"c": result.created, "u": result.updated, "n": result.unchanged},
                )
    return render(
        request, "surveillance/clinic_visits_import.html", {"node": node, "form": form, "result": result}
    )


COLOUR_HEX = {
    "red": "#d73027",
    "orange": "#fc8d59",
    "yellow": "#fee08b",
    "blue": "#91bfdb",
    "green": "#1a9850",
}
COLOUR_LABELS = {
    "red": gettext_lazy("红"),
    "orange": gettext_lazy("橙"),
    "yellow": gettext_lazy("黄"),
    "blue": gettext_lazy("蓝"),
    "green": gettext_lazy("绿"),
}


def _county_of(node):
    """The county the page is about: the node itself, or its county ancestor."""
    if node.level == Level.COUNTY:
        return node
    return node.ancestors().filter(level=Level.COUNTY).first() or node


def risk_page(request):
    node, day = area_and_day(request, default_yesterday=False)
    county = _county_of(node)
    if not scoping.can(request.user, scoping.VIEW, county):
        county = node
    rule = request.GET.get("preset") or risk.default_rule(county, day) or "2022-06"
    if rule not in rules.RISK_PRESETS:
        rule = "2022-06"
    if request.method == "POST":
        try:
            if "decision" in request.POST:
                decision = queries.access_risk_decision(request.user, request.POST["decision"])
                actions.decide_risk(
                    actor=request.user,
                    decision=decision,
                    level=request.POST.get("level", ""),
                    note=request.POST.get("note", ""),
                    request=request,
                )
                messages.success(request, _("已确认风险区"))
            else:
                if not scoping.can(request.user, scoping.WRITE, county):
                    raise PermissionDenied(_("您不能为该县划定风险区"))
                actions.propose_risk_areas(
                    actor=request.user, county=county, day=day, rule=rule, request=request
                )
                messages.success(request, _("已按规则计算风险区"))
        except RuleError as error:
            messages.error(request, str(error))
        return redirect(
            reverse("surveillance_risk")
            + "?"
            + urlencode({"node": county.code, "day": day.isoformat(), "preset": rule})
        )
    decisions = queries.risk_decisions_visible_to(request.user).filter(county=county, day=day, preset=rule)
    return render(
        request,
        "surveillance/risk.html",
        {
            "node": county,
            "day": day,
            "rule": rule,
            "rules": [(code, rules.RISK_PRESET_LABELS[code]) for code in rules.RISK_PRESETS],
            "decisions": decisions,
            "can_decide": scoping.can(request.user, scoping.MANAGE_USERS, county),
            "can_run": scoping.can(request.user, scoping.WRITE, county),
        },
    )


def five_colour_svg(rows: list[dict], stored) -> dict | None:
    """The map of the townships that have a boundary (drawn at upload, boundaries.svg_map), each shape with
    its row (colour and figures); the rows without one under "missing". None without boundaries."""
    if stored is None:
        return None
    by_code = {row["node"].code: row for row in rows}
    drawn = {**stored.drawing, "shapes": []}
    for shape in stored.drawing.get("shapes", []):
        if shape["code"] in by_code:  # a township since moved out of the county is not drawn
            drawn["shapes"].append({**shape, "row": by_code[shape["code"]]})
    shown = {shape["code"] for shape in drawn["shapes"]}
    drawn["missing"] = [row for row in rows if row["node"].code not in shown]
    drawn["stored"] = stored
    return drawn


def five_colour_page(request):
    node, day = area_and_day(request, default_yesterday=False)
    county = _county_of(node)
    if not scoping.can(request.user, scoping.VIEW, county):
        county = node
    rows = risk.five_colour_map(county, day)
    for row in rows:
        row["hex"] = COLOUR_HEX[row["colour"]]
        row["label"] = COLOUR_LABELS[row["colour"]]
    thresholds = {**rules.FIVE_COLOUR_DEFAULTS, **(queries.five_colour_settings(county, day) or {})}
    return render(
        request,
        "surveillance/five_colour.html",
        {
            "node": county,
            "day": day,
            "rows": rows,
            "map": five_colour_svg(rows, queries.township_boundaries(request.user, county, geometry=False)),
            "thresholds": thresholds,
            "colours": COLOUR_HEX,
            "legend": [(COLOUR_HEX[c], COLOUR_LABELS[c]) for c in rules.FIVE_COLOURS],
            "can_upload": queries.may_upload_boundaries(request.user, county),
        },
    )


def five_colour_boundaries(request):
    """The county admin uploads the townships' boundaries (GeoJSON) the five-colour map is drawn on."""
    node, _day = area_and_day(request, default_yesterday=False)
    county = _county_of(node)
    if not queries.may_upload_boundaries(request.user, county):
        raise PermissionDenied(_("只有县级管理员可以上传乡镇边界"))
    form = forms.BoundariesForm(posted(request), request.FILES or None)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            stored = actions.upload_boundaries(
                actor=request.user,
                county=county,
                data=upload.read(boundaries.MAX_BYTES + 1),
                filename=upload.name,
                source=form.cleaned_data["source"],
                request=request,
            )
        except boundaries.BoundaryError as error:
            for problem in error.problems:
                form.add_error("file", problem)
        except RuleError as error:
            add_rule_errors(form, error)
        else:
            messages.success(request, _("已保存%(n)d个乡镇的边界") % {"n": stored.features})
            return redirect(reverse("five_colour") + "?" + urlencode({"node": county.code}))
    stored = queries.township_boundaries(request.user, county)
    townships = queries.townships_of(county)
    covered = set(stored.codes()) if stored else set()
    return render(
        request,
        "surveillance/five_colour_boundaries.html",
        {
            "node": county,
            "form": form,
            "stored": stored,
            "missing": [t for t in townships if t.code not in covered],
            "max_mb": boundaries.MAX_BYTES // 1024 // 1024,
        },
    )


urlpatterns = [
    path("", signal_list, name="signal_list"),
    path("run/", signal_run, name="signal_run"),
    path("alerts/<int:pk>/resolve/", signal_alert_resolve, name="signal_alert_resolve"),
    path("rt/", rt_page, name="surveillance_rt"),
    path("clinics/", clinic_visits_entry, name="clinic_visits_entry"),
    path("clinics/import/", clinic_visits_import, name="clinic_visits_import"),
    path("risk/", risk_page, name="surveillance_risk"),
    path("five-colour/", five_colour_page, name="five_colour"),
    path("five-colour/boundaries/", five_colour_boundaries, name="five_colour_boundaries"),
]
