"""Staff pages of venues (场所): the list with today's check-ins, a new venue, one venue with its recent
check-ins, edit, deactivate, and the printable posters (one venue as PDF or PNG, a node's venues in one
PDF). Everything is reached through queries.py, scoped by the venue's node (404 for not yours).

Staff page of check-ins: who scanned in at the venues of the user's area on a day, newest first,
with masked names (the tracing work that needs more goes through the person's own record).

The page a venue poster's QR code opens (/r/v/<code>/): public, no account (login_not_required).

A resident identifies once on the phone (name, ID number, phone; identity.py remembers them in a signed
cookie, with the attempt limit against guessing names); the next scan at any venue is one tap. The same
phone checks in family members (the elderly, children) who have no phone of their own: each one
identified on it is remembered, and the resident ticks who is here. The answer shows each person's
colour in a block large enough for the door keeper to see from a step away, with the venue and time.

What the page gives away: the venue code only opens this venue's page (not its check-ins); the phone
sees only the people it has identified, by masked name; check-out accepts only check-ins of those
people at this venue. A code that does not exist and a venue that was closed get the same page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.grid import scoping
from fangkong.healthcodes import identity
from fangkong.healthcodes.forms import IdentifyForm
from fangkong.lib.errors import RuleError
from fangkong.lib.pages import is_htmx, posted
from fangkong.registry import queries as registry_queries
from fangkong.registry.forms import add_rule_errors
from fangkong.venues import actions, posters, queries
from fangkong.venues.forms import CheckInFilterForm, PostersForm, VenueFilterForm, VenueForm
from fangkong.venues.models import CheckIn


def venue_nodes(user):
    return registry_queries.writable_nodes(user, actions.VENUE_LEVELS)


def file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def venue_list(request):
    nodes = registry_queries.filter_nodes(request.user, request.GET.get("node_code", ""))
    filters = VenueFilterForm(request.GET, nodes=nodes)
    today = timezone.localdate()
    venues = queries.search_venues(request.user, day=today, **filters.values())
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
    template = "venues/venue_list.html" + ("#results" if is_htmx(request) else "")
    return render(request, template, context)


def venue_create(request):
    nodes = venue_nodes(request.user)
    if not nodes.exists():
        raise PermissionDenied(_("您在任何辖区都没有登记场所的权限"))
    form = VenueForm(posted(request), nodes=nodes)
    if form.is_valid():
        try:
            venue = actions.create_venue(actor=request.user, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已登记场所，可打印场所码张贴"))
            return redirect("venue_detail", pk=venue.pk)
    return render(request, "venues/venue_form.html", {"form": form, "venue": None})


def venue_detail(request, pk):
    venue = queries.access_venue(request.user, pk)
    today = timezone.localdate()
    context = {
        "venue": venue,
        "today_count": queries.count_on_day(venue, today),
        "dwell_minutes": queries.dwell_minutes(venue, today),
        "retention_days": queries.retention_days(venue.node, today),
        "checkins": queries.recent_checkins(venue),
        "can_write": scoping.can(request.user, scoping.WRITE, venue.node),
        "url": posters.checkin_url(venue),
    }
    return render(request, "venues/venue_detail.html", context)


def venue_edit(request, pk):
    venue = queries.access_venue(request.user, pk, write=True)
    initial = {f: getattr(venue, f) for f in ("name", "kind", "address", "contact_name", "contact_phone")}
    initial.update(node=venue.node_id, dwell_minutes=venue.dwell_minutes)
    form = VenueForm(posted(request), nodes=venue_nodes(request.user), initial=initial)
    if form.is_valid():
        try:
            actions.update_venue(actor=request.user, venue=venue, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("venue_detail", pk=venue.pk)
    return render(request, "venues/venue_form.html", {"form": form, "venue": venue})


@require_POST
def venue_set_active(request, pk):
    venue = queries.access_venue(request.user, pk, write=True)
    active = request.POST.get("active") == "1"
    try:
        actions.set_venue_active(actor=request.user, venue=venue, active=active, request=request)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已启用该场所码") if active else _("已停用该场所码，扫码将不再登记"))
    return redirect("venue_detail", pk=venue.pk)


def venue_poster_pdf(request, pk):
    venue = queries.access_venue(request.user, pk)
    return file_response(posters.poster_pdf(venue), "application/pdf", f"场所码-{venue.name}.pdf")


def venue_poster_png(request, pk):
    venue = queries.access_venue(request.user, pk)
    return file_response(posters.poster_png(venue), "image/png", f"场所码-{venue.name}.png")


def venue_posters(request):
    """Every active venue under a node, one poster a page, to print in one go."""
    node = scoping.access_jurisdiction(request.user, request.GET.get("node_code", ""))
    venues = list(queries.venues_under(request.user, node))
    if not venues:
        messages.error(request, _("{node}没有启用中的场所").format(node=node.name))
        return redirect("venue_list")
    return file_response(posters.posters_pdf(venues), "application/pdf", f"场所码-{node.name}.pdf")


def checkin_list(request):
    filters = CheckInFilterForm(request.GET)
    day = (filters.is_valid() and filters.cleaned_data["day"]) or timezone.localdate()
    checkins = queries.checkins_on_day(request.user, day)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "filters": filters,
        "day": day,
        "page": Paginator(checkins, settings.PAGE_SIZE).get_page(request.GET.get("page")),
        "query": params.urlencode(),
    }
    return render(request, "venues/checkin_list.html", context)


PAGE = "venues/checkin_page.html"
DONE = "venues/checkin_done.html"
LEFT = "venues/checkin_left.html"
REFUSED = "venues/checkin_refused.html"

NO_VENUE = gettext_lazy("该场所码无效或已停用，请向场所工作人员确认。")


def refused(request):
    return render(request, REFUSED, {"message": NO_VENUE}, status=404)


def done(request, venue, recorded):
    # The time of this answer, not of an earlier scan it merged with: a door keeper reads it as "now".
    context = {"venue": venue, "recorded": recorded, "at": timezone.now()}
    return render(request, DONE, context)


def check_in_chosen(request, venue, people):
    """The tick boxes: check in the ticked people among those this phone remembers."""
    chosen = [p for p in people if str(p.pk) in request.POST.getlist("who")]
    try:
        recorded = actions.check_in(actor=None, venue=venue, people=chosen, scanned_by=people[0])
    except RuleError as exc:
        return render(
            request, PAGE, {"venue": venue, "people": people, "form": IdentifyForm(), "errors": exc}
        )
    return done(request, venue, recorded)


def identify_and_check_in(request, venue, people):
    """The form: identify someone new on this phone (the owner, or a family member) and check them in."""
    form = IdentifyForm(request.POST)
    if form.is_valid():
        try:
            person = identity.identify_from_request(request, **form.cleaned_data)
            owner = people[0] if people else person
            recorded = actions.check_in(actor=None, venue=venue, people=[person], scanned_by=owner)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            response = done(request, venue, recorded)
            # A family member joins after the phone's owner, who stays first (their code page opens on them).
            if person not in people:
                identity.remember_on_device(response, request, person, current=not people)
            return response
    return render(request, PAGE, {"venue": venue, "people": people, "form": form, "adding": True})


@login_not_required
def venue_checkin(request, code):
    venue = queries.venue_for_code(code)
    if venue is None:
        return refused(request)
    people = identity.identities_on_device(request)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "checkin" and people:
        return check_in_chosen(request, venue, people)
    if action == "identify":
        return identify_and_check_in(request, venue, people)
    response = render(request, PAGE, {"venue": venue, "people": people, "form": IdentifyForm()})
    identity.ensure_device(response, request)
    return response


@login_not_required
@require_POST
def venue_checkout(request, code):
    """登记离开: only check-ins at this venue of the people this phone remembers."""
    venue = queries.venue_for_code(code)
    if venue is None:
        return refused(request)
    people = identity.identities_on_device(request)
    ids = [i for i in request.POST.getlist("checkin") if i.isdigit()]
    checkins = list(
        CheckIn.objects.filter(pk__in=ids, venue=venue, identity__in=people).select_related("identity")
    )
    if not checkins:
        return refused(request)
    now = timezone.now()
    actions.check_out(checkins=checkins, at=now)
    for checkin in checkins:
        checkin.refresh_from_db(fields=["checked_out_at"])
    return render(request, LEFT, {"venue": venue, "checkins": checkins, "at": now})
