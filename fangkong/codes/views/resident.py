"""A resident's own health code at /r/code/: public, no account (login_not_required); and the page a
code's QR opens when scanned with any phone camera.

The phone remembers who identified on it (identity.py: a signed cookie, an attempt limit against guessing
names). The page shows the colour large, the masked name, the reasons and the day it turns green, and a
QR of a verification URL holding a signed token (tokens.py) that expires after CODE_TOKEN_SECONDS; the
page fetches a fresh one by HTMX polling at half that interval, so the code on screen always has time
left for the door keeper to scan it, and a screenshot soon stops working. A family member (the elderly,
children) identified on the same phone is one tap away. An appeal against the colour goes to the queue
of the person's node.

What the pages give away: the phone sees only the people it identified, by masked name; the
verification URL shows the colour and masked name to whoever scans it while it is valid — what the
resident shows them anyway — and nothing once it has expired.
"""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.lib.errors import RuleError
from fangkong.registry.forms import add_rule_errors

from .. import healthcode_actions, identity, tokens
from ..colours import colour_of
from ..healthcode_forms import AppealForm
from ..venue_forms import IdentifyForm
from . import resident_checkin

PAGE = "codes/resident_code.html"
CHECK = "codes/resident_code_check.html"
QR_COLOURS = {"green": "#1b7f3b", "yellow": "#b38600", "red": "#c62828"}


def is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def chosen(request, people):
    """The person the page shows: ?who= among those the phone remembers, else the phone's owner."""
    who = request.GET.get("who") or request.POST.get("who")
    return next((p for p in people if str(p.pk) == who), people[0] if people else None)


def code_context(request, people, current, **extra) -> dict:
    result = colour_of(current)
    token = tokens.make_token(current)
    url = request.build_absolute_uri(reverse("resident_code_check", args=[token]))
    qr = segno.make(url, error="m").svg_inline(
        scale=4, border=2, dark=QR_COLOURS[result.colour], omitsize=True
    )
    return {
        "people": people,
        "current": current,
        "code": result,
        "qr": qr,
        "issued_at": timezone.now(),
        "refresh_seconds": max(5, settings.CODE_TOKEN_SECONDS // 2),
        "appeal_form": AppealForm(),
        **extra,
    }


@login_not_required
def resident_code(request):
    """健康码: the current person's code, or the identification form on a phone that knows nobody."""
    people = identity.identities_on_device(request)
    current = chosen(request, people)
    if current is None:
        response = render(request, PAGE, {"form": IdentifyForm()})
        identity.ensure_device(response, request)
        return response
    context = code_context(request, people, current)
    return render(request, f"{PAGE}#code" if is_htmx(request) else PAGE, context)


@login_not_required
def resident_code_add(request):
    """切换/添加家人: identify someone on this phone (the first one is the phone's owner)."""
    people = identity.identities_on_device(request)
    form = IdentifyForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            person = identity.identify_from_request(request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            response = redirect(f"{reverse('resident_code')}?who={person.pk}")
            identity.remember_on_device(response, request, person, current=not people)
            return response
    response = render(request, PAGE, {"form": form, "people": people, "adding": bool(people)})
    identity.ensure_device(response, request)
    return response


@login_not_required
@require_POST
def resident_code_forget(request):
    """Remove someone from this phone (a phone handed on, a relative who has their own now)."""
    people = identity.identities_on_device(request)
    person = chosen(request, people)
    response = redirect("resident_code")
    if person is not None:
        identity.forget_on_device(response, request, person.pk)
    return response


@login_not_required
@require_POST
def resident_code_appeal(request):
    """申诉: an objection to the colour, to the queue of the person's node."""
    people = identity.identities_on_device(request)
    current = chosen(request, people)
    if current is None:
        return redirect("resident_code")
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            healthcode_actions.submit_appeal(
                identity=current, text=form.cleaned_data["text"], request=request
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("申诉已提交，工作人员核实后会处理。"))
            return redirect(f"{reverse('resident_code')}?who={current.pk}")
    return render(request, PAGE, code_context(request, people, current, appeal_form=form), status=422)


@login_not_required
def resident_code_check(request, token):
    """What anyone scanning the code with a phone camera sees: the colour and masked name while the token
    is valid (staff verify at a checkpoint page or through the API, which show more to their own area)."""
    try:
        person = tokens.read_token(token)
    except tokens.InvalidToken as exc:
        return render(request, CHECK, {"refused": exc.message}, status=410 if exc.code == "expired" else 404)
    return render(request, CHECK, {"person": person, "code": colour_of(person), "at": timezone.now()})


urlpatterns = [
    path("code/", resident_code, name="resident_code"),
    path("code/add/", resident_code_add, name="resident_code_add"),
    path("code/forget/", resident_code_forget, name="resident_code_forget"),
    path("code/appeal/", resident_code_appeal, name="resident_code_appeal"),
    path("code/v/<str:token>/", resident_code_check, name="resident_code_check"),
]
urlpatterns += resident_checkin.urlpatterns
