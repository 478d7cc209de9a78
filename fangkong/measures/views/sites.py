"""Pages of quarantine sites: occupancy at a glance, a new site, one site's rooms with who is in them,
rooms added in bulk."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.grid import scoping
from fangkong.lib.errors import RuleError
from fangkong.lib.pages import posted
from fangkong.measures import actions, queries
from fangkong.measures.forms import sites as forms
from fangkong.registry import queries as registry_queries
from fangkong.registry.forms import add_rule_errors
from fangkong.registry.models import UnitKind


def site_nodes(user):
    return registry_queries.writable_nodes(user, actions.SITE_LEVELS)


def site_context(request, site, **forms_given) -> dict:
    rooms = queries.rooms_with_occupants(site)
    can_write = scoping.can(request.user, scoping.WRITE, site.node)
    context = {
        "site": site,
        "rooms": rooms,
        "counts": queries.site_counts(rooms),
        "can_write": can_write,
    }
    if can_write:
        context["rooms_form"] = forms.RoomsForm(initial={"capacity": 1})
    return {**context, **forms_given}


def site_list(request):
    sites = queries.site_occupancy(request.user)
    context = {
        "sites": sites,
        "totals": queries.site_totals(sites),
        "can_create": site_nodes(request.user).exists(),
    }
    return render(request, "measures/site_list.html", context)


def site_create(request):
    nodes = site_nodes(request.user)
    if not nodes.exists():
        raise PermissionDenied(_("您在任何辖区都没有设立隔离点的权限"))
    units = registry_queries.units_visible_to(request.user).filter(kind=UnitKind.HOTEL)
    form = forms.SiteForm(posted(request), nodes=nodes, units=units)
    if form.is_valid():
        try:
            site = actions.create_site(actor=request.user, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已设立隔离点，请添加房间"))
            return redirect("site_detail", pk=site.pk)
    return render(request, "measures/site_create.html", {"form": form})


def site_detail(request, pk):
    site = queries.access_site(request.user, pk)
    return render(request, "measures/site_detail.html", site_context(request, site))


@require_POST
def site_rooms_add(request, pk):
    site = queries.access_site(request.user, pk, write=True)
    form = forms.RoomsForm(request.POST)
    if form.is_valid():
        try:
            counts = actions.add_rooms(actor=request.user, site=site, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            text = _("已添加{created}间房间").format(**counts)
            if counts["existing"]:
                text += _("，{existing}间已存在未改动").format(**counts)
            messages.success(request, text)
            return redirect("site_detail", pk=site.pk)
    return render(request, "measures/site_detail.html", site_context(request, site, rooms_form=form))


urlpatterns = [
    path("sites/", site_list, name="site_list"),
    path("sites/new/", site_create, name="site_create"),
    path("sites/<int:pk>/", site_detail, name="site_detail"),
    path("sites/<int:pk>/rooms/", site_rooms_add, name="site_rooms_add"),
]
