"""The page a venue poster's QR code opens (/r/v/<code>/): public, no account (login_not_required).

A resident identifies once on the phone (name, ID number, phone; identity.py remembers them in a signed
cookie, with the attempt limit against guessing names); the next scan at any venue is one tap. The same
phone checks in family members (the elderly, children) who have no phone of their own: each one
identified on it is remembered, and the resident ticks who is here. The answer shows each person's
colour in a block large enough for the door keeper to see from a step away, with the venue and time.

What the page gives away: the venue code only opens this venue's page (not its check-ins); the phone
sees only the people it has identified, by masked name; check-out accepts only check-ins of those
people at this venue. A code that does not exist and a venue that was closed get the same page.
"""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from fangkong.lib.errors import RuleError
from fangkong.registry.forms import add_rule_errors

from .. import checkin_actions, identity, venue_queries
from ..models import CheckIn
from ..venue_forms import IdentifyForm

PAGE = "codes/checkin_page.html"
DONE = "codes/checkin_done.html"
LEFT = "codes/checkin_left.html"
REFUSED = "codes/checkin_refused.html"

NO_VENUE = _("该场所码无效或已停用，请向场所工作人员确认。")


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
        recorded = checkin_actions.check_in(actor=None, venue=venue, people=chosen, scanned_by=people[0])
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
            recorded = checkin_actions.check_in(actor=None, venue=venue, people=[person], scanned_by=owner)
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
    venue = venue_queries.venue_for_code(code)
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
    venue = venue_queries.venue_for_code(code)
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
    checkin_actions.check_out(checkins=checkins, at=now)
    for checkin in checkins:
        checkin.refresh_from_db(fields=["checked_out_at"])
    return render(request, LEFT, {"venue": venue, "checkins": checkins, "at": now})


urlpatterns = [
    path("v/<str:code>/", venue_checkin, name="venue_checkin"),
    path("v/<str:code>/out/", venue_checkout, name="venue_checkout"),
]
