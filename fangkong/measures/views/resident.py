"""Public pages for residents, reached by a signed link or its QR code, with no account (marked with
login_not_required; what the token allows is described in measures/selfreport.py). They show the masked
name only, and they answer a forged or altered link with the same 404 as a link to nothing."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.lib.errors import RuleError
from fangkong.lib.pages import posted
from fangkong.measures import actions, selfreport
from fangkong.measures.forms.followups import SelfReportForm
from fangkong.registry.forms import add_rule_errors

FORM = "measures/selfreport_form.html"
REFUSED = "measures/selfreport_refused.html"
DONE = "measures/selfreport_done.html"


INVALID_LINK = _("链接无效，可能复制不完整或已被改动。请联系您的包保人员重新获取。")
RELEASED = _("已解除管控，无需再上报。")


@login_not_required
def selfreport_page(request, token):
    """体温自报: temperature and symptoms for the current slot. Every report is a reading of its own, also
    after the person's own or a caretaker's reading in the same slot: none of them is replaced."""
    measure = selfreport.measure_for_token(token)
    if measure is None:
        return render(request, REFUSED, {"message": INVALID_LINK}, status=404)
    if not measure.is_active:
        return render(request, REFUSED, {"message": RELEASED}, status=410)
    now = timezone.now()
    existing = selfreport.reading_in_slot(measure, now)
    by_staff = existing if existing and not existing.self_reported else None
    context = {
        "measure": measure,
        "existing": existing,
        "by_staff": by_staff,
        "slot": selfreport.slot_label(now),
    }
    form = SelfReportForm(posted(request))
    if form.is_valid():
        try:
            follow_up = actions.record_follow_up(
                actor=None,
                measure=measure,
                taken_at=now,
                self_reported=True,
                request=request,
                **form.cleaned_data,
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            return render(request, DONE, {**context, "follow_up": follow_up})
    return render(request, FORM, {**context, "form": form})


urlpatterns = [path("f/<str:token>/", selfreport_page, name="selfreport")]
