"""Pages of disinfection: compliance of an area (rolled up by the nodes below) with the worklist of
missed rounds, places, the phone entry of one disinfection, the record with its Excel, and the import."""

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.grid import scoping
from fangkong.grid.models import Level
from fangkong.imports.pages import ledger_import_urls, target_among
from fangkong.imports.writing import XLSX_CONTENT_TYPE
from fangkong.lib.errors import RuleError
from fangkong.lib.pages import posted
from fangkong.registry.forms import add_rule_errors
from fangkong.registry.queries import writable_nodes
from fangkong.supplies.views import area_and_day

from . import actions, forms, ledgers, queries

PLACE_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GRID)


def disinfection_home(request):
    node, day = area_and_day(request)
    places = [p for p in queries.subtree_places(node) if scoping.can(request.user, scoping.VIEW, p.node)]
    rows = queries.place_days(places, day, day)
    today = timezone.localdate()
    context = {
        "node": node,
        "day": day,
        "total": queries.tally(rows),
        "rolled": queries.rolled_up(node, rows),
        "worklist": queries.worklist(places, min(day, today)),
        "places": places,
        "can_create": writable_nodes(request.user, PLACE_LEVELS).exists(),
    }
    return render(request, "disinfection/home.html", context)


def place_create(request):
    nodes = writable_nodes(request.user, PLACE_LEVELS)
    if not nodes.exists():
        raise PermissionDenied(_("您在任何辖区都没有登记消杀场所的权限"))
    form = forms.PlaceForm(posted(request), nodes=nodes)
    if form.is_valid():
        try:
            place = actions.create_place(actor=request.user, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已登记消杀场所"))
            return redirect("place_detail", pk=place.pk)
    return render(request, "disinfection/place_create.html", {"form": form})


def place_detail(request, pk):
    place = queries.access_place(request.user, pk)
    today = timezone.localdate()
    days = queries.place_days([place], today - dt.timedelta(days=6), today)
    context = {
        "place": place,
        "days": list(reversed(days)),
        "total": queries.tally(days),
        "entries": place.entries.order_by("-started_at")[:50],
        "may_write": scoping.can(request.user, scoping.WRITE, place.node),
    }
    return render(request, "disinfection/place_detail.html", context)


def _initial(request, place) -> dict:
    """Now, and what was used last time here: on a phone the usual round is one tap."""
    now = timezone.localtime().replace(second=0, microsecond=0)
    initial = {
        "started_at": now - dt.timedelta(minutes=30),
        "ended_at": now,
        "done_by": request.user.first_name or request.user.get_username(),
        "method": "spray",
        "agent": _("含氯消毒剂"),
        "concentration": "500 mg/L",
        "contact_minutes": 30,
    }
    last = queries.last_entry(place)
    if last is not None:
        for name in (
            "target",
            "area_m2",
            "agent",
            "concentration",
            "method",
            "contact_minutes",
            "checked_by",
        ):
            initial[name] = getattr(last, name)
    return initial


def entry_create(request, pk):
    place = queries.access_place(request.user, pk, write=True)
    form = forms.EntryForm(posted(request), initial=_initial(request, place))
    if form.is_valid():
        try:
            actions.record_entry(actor=request.user, place=place, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已登记消杀：{place}").format(place=place.name))
            return redirect("place_detail", pk=place.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "disinfection/entry_form.html", {"place": place, "form": form}, status=status)


def entry_list(request):
    node, day = area_and_day(request)
    rows = queries.entries_visible_to(request.user).filter(place__node__path__startswith=node.path)
    if request.GET.get("day"):
        start = dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_current_timezone())
        rows = rows.filter(started_at__gte=start, started_at__lt=start + dt.timedelta(days=1))
    return render(
        request, "disinfection/entry_list.html", {"node": node, "rows": rows[:300], "count": rows.count()}
    )


def place_export(request, pk):
    place = queries.access_place(request.user, pk)
    filename, content = ledgers.export_entries(actor=request.user, place=place, request=request)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


urlpatterns = [
    path("", disinfection_home, name="disinfection_home"),
    path("places/new/", place_create, name="place_create"),
    path("places/<int:pk>/", place_detail, name="place_detail"),
    path("places/<int:pk>/entry/", entry_create, name="entry_create"),
    path("places/<int:pk>/record.xlsx", place_export, name="place_export"),
    path("entries/", entry_list, name="entry_list"),
]
urlpatterns += ledger_import_urls(
    name="disinfection",
    title=ledgers.LEDGER,
    importer=ledgers.import_entries,
    hint=gettext_lazy(
        "列：日期、起止时间（或开始时间、结束时间）、区域/对象、消毒剂、浓度、方式、作用时间、消毒人员、复核人。"
    ),
    target=target_among(
        kwarg="place",
        label=gettext_lazy("场所"),
        visible=queries.places_visible_to,
        access=queries.access_place,
    ),
    prefix="import/",
    upload_name="disinfection_import",
)
