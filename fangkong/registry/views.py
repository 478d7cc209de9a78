"""Pages of the registry: the tree with its counts, households, persons, units. Each view parses, gets the object through
`queries.access_*` (404 for missing and not yours alike), calls one action and renders. An HTMX request
to the same URL gets the page's fragment (a template partial) instead of the whole page."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.grid import queries as grid_queries
from fangkong.grid import scoping
from fangkong.lib.errors import RuleError
from fangkong.lib.pages import is_htmx, posted, render_page

from . import actions, forms, queries, searches
from .models import Verification

# Helpers -------------------------------------------------------------------------------------------


def list_context(request, queryset, filters, *, levels=actions.RESIDENTIAL_LEVELS) -> dict:
    """One page of a list, the query string its pager links keep, and whether to offer "register"."""
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "filters": filters,
        "page": Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page")),
        "query": params.urlencode(),
        "can_register": queries.writable_nodes(request.user, levels).exists(),
    }


def writable_nodes(request, levels=actions.RESIDENTIAL_LEVELS):
    """Where the user may register; a user who may register nowhere is refused the form."""
    nodes = queries.writable_nodes(request.user, levels)
    if not nodes.exists():
        raise PermissionDenied(_("您在任何辖区都没有登记权限"))
    return nodes


PERSON_SEARCH_FIELDS = ("text", "node_code", "verification", "sex")


def person_context(request, person, **extra) -> dict:
    return {
        "person": person,
        "residences": queries.residences_of(person),
        "can_write": scoping.can(request.user, scoping.WRITE, person.node),
        "can_reveal": scoping.can(request.user, scoping.REVEAL, person.node),
        "verify_methods": [Verification.IN_PERSON, Verification.BY_PHONE],
        **extra,
    }


# The tree with counts ------------------------------------------------------------------------------


def tree(request):
    children = queries.tops_with_counts(request.user)
    return render(request, "registry/tree_node.html", {"node": None, "children": children})


def tree_node(request, code):
    node = scoping.access_jurisdiction(request.user, code)
    children = queries.children_with_counts(request.user, node)
    if request.headers.get("HX-Request"):
        return render(request, "registry/tree_node.html#children", {"children": children})
    context = {
        "node": node,
        "children": children,
        "breadcrumb": grid_queries.breadcrumb(request.user, node),
        "counts": queries.subtree_counts(request.user, node),
        "can_manage_grids": scoping.can(request.user, scoping.MANAGE_GRIDS, node),
    }
    return render(request, "registry/tree_node.html", context)


# Households ----------------------------------------------------------------------------------------


def household_list(request):
    filters = forms.HouseholdFilterForm(
        request.GET, nodes=queries.filter_nodes(request.user, request.GET.get("node_code", ""))
    )
    households = queries.search_households(request.user, **filters.values())
    context = list_context(request, households, filters)
    return render_page(request, "registry/household_list.html", context, fragment="results")


def household_create(request):
    form = forms.HouseholdForm(posted(request), nodes=writable_nodes(request))
    if form.is_valid():
        try:
            household = actions.create_household(actor=request.user, request=request, **form.cleaned_data)
        except RuleError as exc:
            forms.add_rule_errors(form, exc)
        else:
            messages.success(request, _("已登记该户"))
            return redirect("household_detail", pk=household.pk)
    return render(request, "registry/household_create.html", {"form": form})


def household_detail(request, pk):
    household = queries.access_household(request.user, pk)
    members = list(queries.members_of(request.user, household).select_related("node"))
    actions.record_household_view(
        actor=request.user, household=household, members=len(members), request=request
    )
    context = {
        "household": household,
        "members": members,
        "can_write": scoping.can(request.user, scoping.WRITE, household.node),
    }
    return render(request, "registry/household_detail.html", context)


def household_edit(request, pk):
    household = queries.access_household(request.user, pk, write=True)
    initial = model_to_dict(household, fields=["version", "address", "dwelling_type", "notes"])
    form = forms.HouseholdEditForm(posted(request), initial=initial)
    if form.is_valid():
        try:
            actions.update_household(
                actor=request.user, household=household, request=request, **form.cleaned_data
            )
        except RuleError as exc:  # StaleEdit too: the form keeps what the user typed
            forms.add_rule_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("household_detail", pk=household.pk)
    return render(request, "registry/household_edit.html", {"form": form, "household": household})


# Persons -------------------------------------------------------------------------------------------


def person_list(request):
    """The search form POSTs, so that an ID or phone number never reaches an address (searches.py)."""
    found = searches.read(request, PERSON_SEARCH_FIELDS, url_name="person_list")
    if isinstance(found, HttpResponse):
        return found
    data, query = found
    return searches.answer(request, person_results(request, data, query), url_name="person_list", query=query)


def person_results(request, data: dict, query: str):
    filters = forms.PersonFilterForm(
        data, nodes=queries.filter_nodes(request.user, data.get("node_code", ""))
    )
    persons = queries.search_persons(request.user, **filters.values())
    context = list_context(request, persons, filters) | {"query": query}
    return render_page(request, "registry/person_list.html", context, fragment="results")


def person_initial(request) -> dict:
    """What the register form starts with: the form's own values when HTMX refreshes it (after the
    document type or node changed), or the household of ?household=<id>."""
    if is_htmx(request):
        return request.GET.dict()
    if request.GET.get("household"):
        household = queries.access_household(request.user, request.GET["household"], write=True)
        return {"node": household.node_id, "household": household.pk}
    return {"name": request.GET.get("name", "")}  # typed in a search that found nobody


def person_create(request):
    initial = person_initial(request)
    form = forms.PersonForm(
        posted(request), user=request.user, nodes=writable_nodes(request), initial=initial
    )
    if form.is_valid():
        try:
            person = actions.register_person(actor=request.user, request=request, **form.cleaned_data)
        except RuleError as exc:
            forms.add_rule_errors(form, exc)
        else:
            messages.success(request, _("已登记该人员"))
            if request.GET.get("then") == "screening":  # came from 登记排查: go on with the screening
                return redirect(f"{reverse('screening_create')}?person={person.pk}")
            return redirect("person_detail", pk=person.pk)
    return render_page(request, "registry/person_create.html", {"form": form}, fragment="fields")


def person_detail(request, pk):
    person = queries.access_person(request.user, pk)
    actions.record_person_view(actor=request.user, person=person, request=request)
    return render(request, "registry/person_detail.html", person_context(request, person))


@require_POST
def person_reveal(request, pk):
    person = queries.access_person(request.user, pk)
    try:
        revealed = actions.reveal_person(actor=request.user, person=person, request=request)
    except RuleError as exc:
        context = person_context(request, person, reveal_error=str(exc))
        return render_page(request, "registry/person_detail.html", context, fragment="numbers", status=403)
    context = person_context(request, person, revealed=revealed)
    return render_page(request, "registry/person_detail.html", context, fragment="numbers")


def person_edit(request, pk):
    person = queries.access_person(request.user, pk, write=True)
    initial = model_to_dict(person, exclude=["node", "id_number", "phone"])
    initial = request.GET.dict() if is_htmx(request) else initial
    form = forms.PersonEditForm(posted(request), user=request.user, person=person, initial=initial)
    if form.is_valid():
        try:
            actions.update_person(actor=request.user, person=person, request=request, **form.cleaned_data)
        except RuleError as exc:  # StaleEdit too: the form keeps what the user typed
            forms.add_rule_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("person_detail", pk=person.pk)
    context = {"form": form, "person": person}
    return render_page(request, "registry/person_edit.html", context, fragment="fields")


def person_move(request, pk):
    person = queries.access_person(request.user, pk, write=True)
    nodes = writable_nodes(request)
    form = forms.MoveForm(posted(request), user=request.user, nodes=nodes, initial=request.GET.dict())
    if form.is_valid():
        try:
            actions.move_person(actor=request.user, person=person, request=request, **form.cleaned_data)
        except RuleError as exc:
            forms.add_rule_errors(form, exc)
        else:
            messages.success(request, _("已迁移"))
            return redirect("person_detail", pk=person.pk)
    context = {"form": form, "person": person}
    return render_page(request, "registry/person_move.html", context, fragment="households")


@require_POST
def person_verify(request, pk):
    person = queries.access_person(request.user, pk)
    error, status = "", 200
    try:
        person = actions.verify_person(
            actor=request.user, person=person, method=request.POST.get("method", ""), request=request
        )
    except RuleError as exc:
        error, status = str(exc), 403 if exc.code == "forbidden" else 422
    if is_htmx(request):
        context = person_context(request, person, verify_error=error)
        return render_page(
            request, "registry/person_detail.html", context, fragment="verification", status=status
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("已记录核查"))
    return redirect("person_detail", pk=person.pk)


# Units ---------------------------------------------------------------------------------------------


def unit_list(request):
    filters = forms.UnitFilterForm(
        request.GET, nodes=queries.filter_nodes(request.user, request.GET.get("node_code", ""))
    )
    units = queries.search_units(request.user, **filters.values())
    context = list_context(request, units, filters, levels=actions.UNIT_LEVELS)
    return render_page(request, "registry/unit_list.html", context, fragment="results")


def unit_create(request):
    form = forms.UnitForm(posted(request), nodes=writable_nodes(request, actions.UNIT_LEVELS))
    if form.is_valid():
        try:
            actions.create_unit(actor=request.user, request=request, **form.cleaned_data)
        except RuleError as exc:
            forms.add_rule_errors(form, exc)
        else:
            messages.success(request, _("已登记该单位"))
            return redirect("unit_list")
    return render(request, "registry/unit_create.html", {"form": form})
