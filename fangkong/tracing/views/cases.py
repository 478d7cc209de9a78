"""Pages of cases: the list with its clocks, reporting a case (the person found in the registry, or their
code identity by ID number), and one case with its facts, events, clocks and trajectory. Each view
parses, finds through the scoped queries (404 for "missing" and "not yours" alike), calls one action and
renders; an HTMX request to the same URL gets the fragment."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.grid import scoping
from fangkong.healthcodes.models import Identity
from fangkong.lib.errors import RuleError
from fangkong.lib.pages import is_htmx, posted, render_page
from fangkong.measures import queries as measure_queries
from fangkong.registry import queries as registry_queries
from fangkong.registry.forms import add_rule_errors
from fangkong.tracing import actions, forms, queries
from fangkong.tracing.views import common

DETAIL = "tracing/case_detail.html"


def case_list(request):
    filters = forms.CaseFilterForm(request.GET or None)
    cases = common.filter_cases(queries.cases_visible_to(request.user), **filters.values())
    page = Paginator(cases, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = common.with_clocks(list(page), now=timezone.now())
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "rows": rows, "query": query.urlencode()}
    return render_page(request, "tracing/case_list.html", context, fragment="results")


def _who(request):
    """The person (?person=) or identity (?identity=) the new case is about, checked against the user."""
    if request.GET.get("person"):
        return registry_queries.access_person(request.user, request.GET["person"], write=True), None
    if request.GET.get("identity"):
        return None, common.access_identity(request.user, request.GET["identity"])
    return None, None


def case_create(request):
    person, identity = _who(request)
    if person is None and identity is None:
        return case_pick(request)
    node = person.node if person else common.home_node(request.user)
    form = forms.CaseCreateForm(posted(request), initial={"diagnosed_at": common.now_to_the_minute()})
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = actions.report_case(
                actor=request.user,
                node=node,
                kind=data["kind"],
                number=data["number"],
                person=person,
                identity=identity,
                request=request,
                **common.without_empty(form.facts()),
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已报告病例 {number}").format(number=case.number))
            return redirect("case_detail", pk=case.pk)
    context = {"form": form, "person": person, "identity": identity, "node": node}
    return render(request, "tracing/case_create.html", context)


def case_pick(request):
    """Find who the case is. POSTed: the box may hold an ID number, which must stay out of addresses."""
    lookup = forms.PersonLookupForm(posted(request))
    found, identity = [], None
    if lookup.is_valid():
        text = lookup.cleaned_data["text"]
        found = list(measure_queries.persons_to_screen(request.user, text))
        number = lookup.id_number()
        if number and not found:
            identity = Identity.objects.filter(id_number=number).first()
    context = {"lookup": lookup, "found": found, "identity": identity, "searched": lookup.is_bound}
    return render_page(request, "tracing/case_create.html", context, fragment="found")


def case_context(request, case, **forms_given) -> dict:
    now = timezone.now()
    can_write = scoping.can(request.user, scoping.WRITE, case.node)
    context = {
        "case": case,
        "events": list(case.events.select_related("recorded_by")),
        "clocks": common.badges(queries.clocks_of(case, now)),
        "window": queries.window_of(case, now),
        "trajectory": common.stop_rows(queries.trajectory(case, now)),
        "holder": common.show([case.person or case.identity])[0],
        "named": common.show(list(queries.candidates_of(case, source="named"))),
        "can_write": can_write,
        "can_reveal": scoping.can(request.user, scoping.REVEAL, case.node),
        **common.candidates_context(request, case),
    }
    if can_write:
        context |= {
            "edit_form": forms.CaseEditForm(initial=common.edit_initial(case)),
            "event_form": forms.EventForm(initial={"at": common.now_to_the_minute()}),
            "investigation_form": forms.InvestigationForm(),
            "entry_form": forms.EntryForm(),
            "named_form": forms.NamedContactForm(),
        }
    return {**context, **forms_given}


def case_detail(request, pk):
    case = queries.access_case(request.user, pk)
    if not is_htmx(request):  # the filters of the candidates re-read the same page: one row for the visit
        actions.record_case_view(actor=request.user, case=case, request=request)
    context = case_context(request, case)
    return render_page(request, DETAIL, context, fragment="candidates")


def _write(request, pk, form_class, form_name, call, done):
    """The case page's small forms share one shape: parse, access for writing, one action, back."""
    case = queries.access_case(request.user, pk, write=True)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(case, form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("case_detail", pk=case.pk)
    case.refresh_from_db()
    return render(request, DETAIL, case_context(request, case, **{form_name: form}), status=422)


@require_POST
def case_edit(request, pk):
    def call(case, data):
        facts = {name: data[name] for name in forms.CaseFactsForm.base_fields}
        actions.update_case(
            actor=request.user,
            case=case,
            version=data["version"],
            infected_by=data["infected_by"],
            request=request,
            **facts,
        )

    def form_class(data):
        return forms.CaseEditForm(data, cases=queries.cases_visible_to(request.user))

    return _write(request, pk, form_class, "edit_form", call, _("已保存"))


@require_POST
def case_event_add(request, pk):
    def call(case, data):
        actions.record_event(actor=request.user, case=case, request=request, **data)

    return _write(request, pk, forms.EventForm, "event_form", call, _("已记录转归"))


@require_POST
def case_investigation(request, pk):
    def call(case, data):
        actions.mark_investigation(actor=request.user, case=case, request=request, **data)

    return _write(request, pk, forms.InvestigationForm, "investigation_form", call, _("已记录流调进度"))


@require_POST
def case_entry_add(request, pk):
    def call(case, data):
        actions.add_entry(actor=request.user, case=case, request=request, **common.without_empty(data))

    return _write(request, pk, forms.EntryForm, "entry_form", call, _("已添加轨迹"))


@require_POST
def case_entry_remove(request, pk, entry_id):
    case = queries.access_case(request.user, pk, write=True)
    entry = common.entry_of(case, entry_id)
    actions.remove_entry(actor=request.user, entry=entry, request=request)
    messages.success(request, _("已删除轨迹"))
    return redirect("case_detail", pk=case.pk)


@require_POST
def case_contact_name(request, pk):
    def call(case, data):
        actions.name_contact(actor=request.user, case=case, request=request, **data)

    return _write(request, pk, forms.NamedContactForm, "named_form", call, _("已添加病例提供的人员"))


urlpatterns = [
    path("", case_list, name="case_list"),
    path("new/", case_create, name="case_create"),
    path("<int:pk>/", case_detail, name="case_detail"),
    path("<int:pk>/edit/", case_edit, name="case_edit"),
    path("<int:pk>/events/", case_event_add, name="case_event_add"),
    path("<int:pk>/investigation/", case_investigation, name="case_investigation"),
    path("<int:pk>/entries/", case_entry_add, name="case_entry_add"),
    path("<int:pk>/entries/<int:entry_id>/remove/", case_entry_remove, name="case_entry_remove"),
    path("<int:pk>/named/", case_contact_name, name="case_contact_name"),
]
