"""Pages of key persons: the list, screening, starting a measure, and one measure with its caretakers,
tests, follow-ups, alerts, release and transfer. Each view parses, finds what it needs through the
scoped queries (404 for "missing" and "not yours" alike), calls one action and renders."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.grid import scoping
from fangkong.lib.errors import RuleError
from fangkong.lib.pages import is_htmx, posted, render_page
from fangkong.measures import actions, queries, rules
from fangkong.measures.forms import keypersons as forms
from fangkong.measures.models import Measure
from fangkong.policy.models import Kind
from fangkong.policy.queries import policy_for
from fangkong.registry import queries as registry_queries
from fangkong.registry import searches
from fangkong.registry.forms import add_rule_errors
from fangkong.registry.queries import holds_number

DETAIL = "measures/measure_detail.html"

# Helpers -------------------------------------------------------------------------------------------------


def now_to_the_minute() -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0)


def measure_context(request, measure: Measure, **forms_given) -> dict:
    """Everything the measure page shows; forms passed in (bound, with errors) replace the blank ones."""
    now = timezone.now()
    user = request.user
    start_day = measure.started_at.astimezone(rules.SHANGHAI).date()
    values = policy_for(measure.node, start_day, pinned=measure.policy).values
    can_write = scoping.can(user, scoping.WRITE, measure.node)
    caretakers = list(queries.caretakers_of(measure))
    context = {
        "measure": measure,
        "person": measure.person,
        "screening": measure.screening,
        "day": queries.measure_day(measure, now),
        "last_day": measure.planned_end
        and (measure.planned_end - dt.timedelta(days=1)).astimezone(rules.SHANGHAI),
        "previous": Measure.objects.filter(transferred_to=measure).first(),
        "caretakers": caretakers,
        "caretakers_short": len(caretakers) < 2,
        "tests": queries.tests_of(measure),
        "test_days": queries.test_days(measure, values),
        "grid": queries.follow_up_grid(measure, now=now),
        "alerts": queries.alerts_of(measure),
        "blockers": actions.release_status(measure, now=now) if measure.is_active else [],
        "can_write": can_write,
    }
    if can_write:
        context["test_form"] = forms.TestResultForm(initial={"sampled_at": now_to_the_minute()})
    if can_write and measure.is_active:
        may_override = scoping.can(user, scoping.MANAGE_USERS, measure.node)
        version = {"version": measure.version}
        context["caretaker_form"] = forms.CaretakerForm(user=user, measure=measure)
        context["release_form"] = forms.ReleaseForm(initial=version, may_override=may_override)
        context["transfer_form"] = forms.TransferForm(initial=version, user=user)
    return {**context, **forms_given}


def screen(request, person, form) -> tuple:
    """Record the screening and, when asked, start the measure: both or neither."""
    data = form.cleaned_data
    with transaction.atomic():
        screening = actions.record_screening(
            actor=request.user,
            person=person,
            reason=data["reason"],
            screened_on=data["screened_on"],
            request=request,
            **form.screening_fields(),
        )
        if not data["kind"] or data["kind"] == Kind.CENTRAL_QUARANTINE:
            return screening, None
        measure = actions.start_measure(
            actor=request.user, person=person, kind=data["kind"], screening=screening, request=request
        )
    return screening, measure


def after_screening(person, screening, measure, kind: str):
    if measure is not None:
        return redirect("measure_detail", pk=measure.pk)
    if kind == Kind.CENTRAL_QUARANTINE:  # the room is chosen on the next page
        query = urlencode({"person": person.pk, "screening": screening.pk, "kind": kind})
        return redirect(f"{reverse('measure_start')}?{query}")
    return redirect("keyperson_list")


# Pages ---------------------------------------------------------------------------------------------------


KEYPERSON_SEARCH_FIELDS = ("text", "kind", "status", "reason", "node_code")


def keyperson_list(request):
    """Searched like the person list: a number typed in the box stays out of addresses (searches.py)."""
    found = searches.read(request, KEYPERSON_SEARCH_FIELDS, url_name="keyperson_list")
    if isinstance(found, HttpResponse):
        return found
    data, query = found
    nodes = registry_queries.filter_nodes(request.user, data.get("node_code", ""))
    filters = forms.KeypersonFilterForm(data, nodes=nodes)
    people = queries.search_keypersons(request.user, **filters.values())
    page = Paginator(people, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    queries.label_keypersons(page)
    context = {"filters": filters, "page": page, "query": query}
    response = render_page(request, "measures/keyperson_list.html", context, fragment="results")
    return searches.answer(request, response, url_name="keyperson_list", query=query)


def screening_pick(request):
    """/measures/screenings/new/ without ?person: find the person first. The search POSTs (it may hold
    an ID or phone number) and has no pages, so the address stays as it is."""
    if holds_number(request.GET.get("text", "")):
        return redirect("screening_create")
    text = request.POST.get("text", "") if request.method == "POST" else request.GET.get("text", "")
    context = {
        "search": forms.PersonSearchForm({"text": text}),
        "found": queries.persons_to_screen(request.user, text),
        "text": text,
        # A name typed in the search goes on to the register form; never a number (it would sit in the URL).
        "name_to_register": "" if any(ch.isdigit() for ch in text) else text.strip(),
    }
    return render_page(request, "measures/screening_create.html", context, fragment="found")


def screening_create(request):
    if not request.GET.get("person"):
        return screening_pick(request)
    person = registry_queries.access_person(request.user, request.GET["person"], write=True)
    initial = request.GET.dict() if is_htmx(request) else {"screened_on": timezone.localdate()}
    form = forms.ScreeningForm(posted(request), user=request.user, person=person, initial=initial)
    if form.is_valid():
        try:
            screening, measure = screen(request, person, form)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已登记排查"))
            return after_screening(person, screening, measure, form.cleaned_data["kind"])
    preview = queries.plan_preview(
        node=person.node,
        kind=form.peek("kind"),
        reason=form.peek("reason"),
        reference_date=form.preview_reference,
        started_at=timezone.now(),
    )
    context = {"form": form, "person": person, "preview": preview}
    return render_page(request, "measures/screening_create.html", context, fragment="fields")


def measure_start(request):
    person = registry_queries.access_person(request.user, request.GET.get("person"), write=True)
    screening = queries.screening_of(request.user, person, request.GET.get("screening"))
    now = now_to_the_minute()
    suggested = queries.suggested_kind(person.node, screening, timezone.localdate())
    initial = {"kind": request.GET.get("kind") or suggested, "started_at": now}
    form = forms.MeasureStartForm(
        posted(request), user=request.user, initial=request.GET.dict() if is_htmx(request) else initial
    )
    if form.is_valid():
        try:
            measure = actions.start_measure(
                actor=request.user, person=person, screening=screening, request=request, **form.cleaned_data
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已采取管控措施"))
            return redirect("measure_detail", pk=measure.pk)
    preview = queries.plan_preview(
        node=person.node,
        kind=form.peek("kind"),
        reason=screening and screening.reason,
        reference_date=screening and screening.reference_date,
        started_at=form.peek("started_at"),
    )
    context = {"form": form, "person": person, "screening": screening, "preview": preview}
    return render_page(request, "measures/measure_start.html", context, fragment="fields")


def measure_detail(request, pk):
    measure = queries.access_measure(request.user, pk)
    actions.record_measure_view(actor=request.user, measure=measure, request=request)
    return render(request, DETAIL, measure_context(request, measure))


@require_POST
def measure_release(request, pk):
    measure = queries.access_measure(request.user, pk, write=True)
    may_override = scoping.can(request.user, scoping.MANAGE_USERS, measure.node)
    form = forms.ReleaseForm(request.POST, may_override=may_override)
    if form.is_valid():
        try:
            actions.release_measure(actor=request.user, measure=measure, request=request, **form.cleaned_data)
        except RuleError as exc:  # what is missing, or someone released it meanwhile
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已解除"))
            return redirect("measure_detail", pk=measure.pk)
    return render(request, DETAIL, measure_context(request, measure, release_form=form))


@require_POST
def measure_transfer(request, pk):
    measure = queries.access_measure(request.user, pk, write=True)
    form = forms.TransferForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            new = actions.transfer_measure(
                actor=request.user, measure=measure, request=request, **form.cleaned_data
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已转为{kind}").format(kind=new.get_kind_display()))
            return redirect("measure_detail", pk=new.pk)
    return render(request, DETAIL, measure_context(request, measure, transfer_form=form))


@require_POST
def measure_caretaker_add(request, pk):
    measure = queries.access_measure(request.user, pk, write=True)
    form = forms.CaretakerForm(request.POST, user=request.user, measure=measure)
    if form.is_valid():
        try:
            actions.assign_caretaker(
                actor=request.user, measure=measure, request=request, **form.cleaned_data
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已指定包保责任人"))
            return redirect("measure_detail", pk=measure.pk)
    return render(request, DETAIL, measure_context(request, measure, caretaker_form=form))


@require_POST
def measure_test_add(request, pk):
    measure = queries.access_measure(request.user, pk, write=True)
    form = forms.TestResultForm(request.POST)
    if form.is_valid():
        try:
            actions.record_test_result(
                actor=request.user, person=measure.person, request=request, **form.cleaned_data
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已登记核酸结果"))
            return redirect("measure_detail", pk=measure.pk)
    return render(request, DETAIL, measure_context(request, measure, test_form=form))


urlpatterns = [
    path("", keyperson_list, name="keyperson_list"),
    path("screenings/new/", screening_create, name="screening_create"),
    path("start/", measure_start, name="measure_start"),
    path("<int:pk>/", measure_detail, name="measure_detail"),
    path("<int:pk>/release/", measure_release, name="measure_release"),
    path("<int:pk>/transfer/", measure_transfer, name="measure_transfer"),
    path("<int:pk>/caretakers/", measure_caretaker_add, name="measure_caretaker_add"),
    path("<int:pk>/tests/", measure_test_add, name="measure_test_add"),
]
