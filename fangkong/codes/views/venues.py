"""Staff pages of venues (场所): the list with today's check-ins, a new venue, one venue with its recent
check-ins, edit, deactivate, and the printable posters (one venue as PDF or PNG, a node's venues in one
PDF). Everything is reached through venue_queries, scoped by the venue's node (404 for not yours)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.grid import scoping
from fangkong.lib.errors import RuleError
from fangkong.registry import queries as registry_queries
from fangkong.registry.forms import add_rule_errors

from .. import posters, venue_actions, venue_queries
from ..venue_forms import PostersForm, VenueFilterForm, VenueForm


def is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def posted(request):
    return request.POST if request.method == "POST" else None


def venue_nodes(user):
    return registry_queries.writable_nodes(user, venue_actions.VENUE_LEVELS)


def file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def venue_list(request):
    nodes = registry_queries.filter_nodes(request.user, request.GET.get("node_code", ""))
    filters = VenueFilterForm(request.GET, nodes=nodes)
    today = timezone.localdate()
    venues = venue_queries.search_venues(request.user, day=today, **filters.values())
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "filters": filters,
        "page": Paginator(venues, settings.PAGE_SIZE).get_page(request.GET.get("page")),
        "query": params.urlencode(),
        "today": today,
        "can_create": venue_nodes(request.user).exists(),
        "posters_form": PostersForm(nodes=nodes),
    }
    template = "codes/venue_list.html" + ("#results" if is_htmx(request) else "")
    return render(request, template, context)


def venue_create(request):
    nodes = venue_nodes(request.user)
    if not nodes.exists():
        raise PermissionDenied(_("您在任何辖区都没有登记场所的权限"))
    form = VenueForm(posted(request), nodes=nodes)
    if form.is_valid():
        try:
            venue = venue_actions.create_venue(actor=request.user, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已登记场所，可打印场所码张贴"))
            return redirect("venue_detail", pk=venue.pk)
    return render(request, "codes/venue_form.html", {"form": form, "venue": None})


def venue_detail(request, pk):
    venue = venue_queries.access_venue(request.user, pk)
    today = timezone.localdate()
    context = {
        "venue": venue,
        "today_count": venue_queries.count_on_day(venue, today),
        "dwell_minutes": venue_queries.dwell_minutes(venue, today),
        "retention_days": venue_queries.retention_days(venue.node, today),
        "checkins": venue_queries.recent_checkins(venue),
        "can_write": scoping.can(request.user, scoping.WRITE, venue.node),
        "url": posters.checkin_url(venue),
    }
    return render(request, "codes/venue_detail.html", context)


def venue_edit(request, pk):
    venue = venue_queries.access_venue(request.user, pk, write=True)
    initial = {f: getattr(venue, f) for f in ("name", "kind", "address", "contact_name", "contact_phone")}
    initial.update(node=venue.node_id, dwell_minutes=venue.dwell_minutes)
    form = VenueForm(posted(request), nodes=venue_nodes(request.user), initial=initial)
    if form.is_valid():
        try:
            venue_actions.update_venue(actor=request.user, venue=venue, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("venue_detail", pk=venue.pk)
    return render(request, "codes/venue_form.html", {"form": form, "venue": venue})


@require_POST
def venue_set_active(request, pk):
    venue = venue_queries.access_venue(request.user, pk, write=True)
    active = request.POST.get("active") == "1"
    try:
        venue_actions.set_venue_active(actor=request.user, venue=venue, active=active, request=request)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已启用该场所码") if active else _("已停用该场所码，扫码将不再登记"))
    return redirect("venue_detail", pk=venue.pk)


def venue_poster_pdf(request, pk):
    venue = venue_queries.access_venue(request.user, pk)
    return file_response(posters.poster_pdf(venue), "application/pdf", f"场所码-{venue.name}.pdf")


def venue_poster_png(request, pk):
    venue = venue_queries.access_venue(request.user, pk)
    return file_response(posters.poster_png(venue), "image/png", f"场所码-{venue.name}.png")


def venue_posters(request):
    """Every active venue under a node, one poster a page, to print in one go."""
    node = scoping.access_jurisdiction(request.user, request.GET.get("node_code", ""))
    venues = list(venue_queries.venues_under(request.user, node))
    if not venues:
        messages.error(request, _("{node}没有启用中的场所").format(node=node.name))
        return redirect("venue_list")
    return file_response(posters.posters_pdf(venues), "application/pdf", f"场所码-{node.name}.pdf")


urlpatterns = [
    path("venues/", venue_list, name="venue_list"),
    path("venues/new/", venue_create, name="venue_create"),
    path("venues/posters/", venue_posters, name="venue_posters"),
    path("venues/<int:pk>/", venue_detail, name="venue_detail"),
    path("venues/<int:pk>/edit/", venue_edit, name="venue_edit"),
    path("venues/<int:pk>/active/", venue_set_active, name="venue_set_active"),
    path("venues/<int:pk>/poster.pdf", venue_poster_pdf, name="venue_poster_pdf"),
    path("venues/<int:pk>/poster.png", venue_poster_png, name="venue_poster_png"),
]
