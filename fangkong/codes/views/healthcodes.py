"""Staff pages of health codes: risk areas (declared and ended by county admins, listed by level), a
person's code (colour, reasons, the last 14 days, manual colours, appeals), manual colours (admins), the
appeals queue, and the rule table per node. Each view parses, finds what it needs through the scoped
queries (404 for "missing" and "not yours" alike), calls one action and renders."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.grid import scoping
from fangkong.grid.models import Level
from fangkong.lib.errors import RuleError
from fangkong.policy.queries import policy_for
from fangkong.registry import queries as registry_queries
from fangkong.registry.actions import record_person_view
from fangkong.registry.forms import add_rule_errors

from .. import code_rules, healthcode_actions, healthcode_queries
from .. import healthcode_forms as forms
from ..colours import colour_history, colour_of
from ..identity import identity_for_person
from ..models import Appeal, RiskLevel

PERSON = "codes/healthcode_person.html"


def posted(request):
    return request.POST if request.method == "POST" else None


# Risk areas ---------------------------------------------------------------------------------------------


def riskarea_list(request):
    today = timezone.localdate()
    show_ended = request.GET.get("ended") == "1"
    areas = healthcode_queries.risk_areas(request.user, active_on=None if show_ended else today)
    context = {
        "levels": [(label, [a for a in areas if a.level == level]) for level, label in RiskLevel.choices],
        "show_ended": show_ended,
        "today": today,
        "declaring": healthcode_queries.declaring_nodes(request.user),
        "end_form": forms.EndRiskAreaForm(initial={"ends_on": today}),
    }
    return render(request, "codes/riskarea_list.html", context)


def riskarea_form(request, declaring):
    places = scoping.visible_jurisdictions(request.user, scoping.MANAGE_USERS).filter(
        level__in=(Level.TOWNSHIP, Level.VILLAGE, Level.GRID)
    )
    initial = {"starts_on": timezone.localdate(), "declared_by": declaring[0].code}
    return forms.RiskAreaForm(posted(request), declaring=declaring, places=places, initial=initial)


def riskarea_create(request):
    declaring = healthcode_queries.declaring_nodes(request.user)
    if not declaring:
        raise PermissionDenied(_("只有县级及以上管理员可以发布风险区"))
    form = riskarea_form(request, declaring)
    if form.is_valid():
        try:
            area = healthcode_actions.create_risk_area(
                actor=request.user, request=request, **form.action_kwargs()
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已发布：{area}").format(area=area))
            return redirect("riskarea_list")
    return render(request, "codes/riskarea_create.html", {"form": form})


@require_POST
def riskarea_end(request, pk):
    area = healthcode_queries.access_risk_area(request.user, pk)
    form = forms.EndRiskAreaForm(request.POST)
    try:
        if not form.is_valid():
            raise RuleError({"ends_on": "；".join(form.errors.get("ends_on", [_("请填写解除日期")]))})
        healthcode_actions.end_risk_area(
            actor=request.user, area=area, ends_on=form.cleaned_data["ends_on"], request=request
        )
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已解除：{area}").format(area=area))
    return redirect("riskarea_list")


# A person's code ----------------------------------------------------------------------------------------


def person_code_context(request, person, **forms_given) -> dict:
    # A person who never identified has an identity all the same (made from the registry): their records
    # give them a colour, and staff may set one.
    identity = identity_for_person(person)
    can_set = scoping.can(request.user, scoping.MANAGE_USERS, person.node)
    context = {
        "person": person,
        "identity": identity,
        "code": colour_of(identity),
        "history": colour_history(identity),
        "manual_colours": healthcode_queries.manual_colours_of(identity),
        "appeals": identity.appeals.all(),
        "can_set": can_set,
        "now": timezone.now(),
    }
    if can_set:
        context["manual_form"] = forms.ManualColourForm()
    return {**context, **forms_given}


def healthcode_person(request, pk):
    person = registry_queries.access_person(request.user, pk)
    record_person_view(actor=request.user, person=person, request=request)
    return render(request, PERSON, person_code_context(request, person))


@require_POST
def manual_colour_set(request, pk):
    person = registry_queries.access_person(request.user, pk)
    if not scoping.can(request.user, scoping.MANAGE_USERS, person.node):
        raise PermissionDenied(_("只有管理员可以人工赋码"))
    form = forms.ManualColourForm(request.POST)
    if form.is_valid():
        try:
            healthcode_actions.set_manual_colour(
                actor=request.user,
                person=person,
                colour=form.cleaned_data["colour"],
                reason=form.cleaned_data["reason"],
                expires_at=form.expires_at(),
                request=request,
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已人工赋码"))
            return redirect("healthcode_person", pk=person.pk)
    return render(request, PERSON, person_code_context(request, person, manual_form=form), status=422)


@require_POST
def manual_colour_revoke(request, pk):
    manual = healthcode_queries.access_manual_colour(request.user, pk)
    try:
        healthcode_actions.revoke_manual_colour(actor=request.user, manual=manual, request=request)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已撤销人工赋码"))
    person = manual.identity.person
    return redirect("healthcode_person", pk=person.pk) if person else redirect("appeal_list")


# Appeals ------------------------------------------------------------------------------------------------


def appeal_list(request):
    status = request.GET.get("status", Appeal.Status.OPEN)
    appeals = healthcode_queries.appeals_visible_to(request.user)
    if status in Appeal.Status.values:
        appeals = appeals.filter(status=status)
    context = {"appeals": appeals[:200], "status": status, "statuses": Appeal.Status.choices}
    return render(request, "codes/appeal_list.html", context)


def appeal_detail(request, pk):
    appeal = healthcode_queries.access_appeal(request.user, pk)
    can_handle = appeal.status == Appeal.Status.OPEN and healthcode_queries.can_handle_appeal(
        request.user, appeal
    )
    form = forms.AppealHandleForm(posted(request)) if can_handle else None
    if form is not None and form.is_valid():
        handle = (
            healthcode_actions.uphold_appeal
            if form.cleaned_data["decision"] == "uphold"
            else healthcode_actions.reject_appeal
        )
        try:
            handle(actor=request.user, appeal=appeal, response=form.cleaned_data["response"], request=request)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已处理"))
            return redirect("appeal_list")
    elif request.method == "POST" and form is None:
        if appeal.status != Appeal.Status.OPEN:
            messages.error(request, _("该申诉已处理"))
            return redirect("appeal_detail", pk=appeal.pk)
        raise PermissionDenied(_("只有管理员可以处理申诉"))
    person = appeal.identity.person
    context = {
        "appeal": appeal,
        "form": form,
        "code": colour_of(appeal.identity),
        "person": person if person and scoping.can(request.user, scoping.VIEW, person.node) else None,
    }
    return render(request, "codes/appeal_detail.html", context)


# The rule table -----------------------------------------------------------------------------------------


def code_rules_view(request):
    today = timezone.localdate()
    rows = []
    for node in scoping.nodes_with(request.user):
        in_force = policy_for(node, today)
        table = code_rules.rule_table(in_force.values)
        rows.append(
            {
                "node": node,
                "in_force": in_force,
                "table": table,
                "rules": [(rule, table["rules"][key]) for key, rule in code_rules.RULES.items()],
                "can_edit": scoping.can(request.user, scoping.MANAGE_USERS, node),
            }
        )
    return render(request, "codes/healthcode_rules.html", {"rows": rows, "today": today})


def code_rules_edit(request, code):
    node = scoping.access_jurisdiction(request.user, code)
    if not scoping.can(request.user, scoping.MANAGE_USERS, node):
        raise PermissionDenied(_("只有管理员可以调整赋码规则"))
    in_force = policy_for(node, timezone.localdate())
    table = code_rules.rule_table(in_force.values)
    form = forms.CodeRulesForm(posted(request), table=table, initial={"effective_from": timezone.localdate()})
    if form.is_valid():
        try:
            healthcode_actions.set_code_rules(
                actor=request.user,
                node=node,
                effective_from=form.cleaned_data["effective_from"],
                rules=form.rules(),
                note=form.cleaned_data["note"],
                request=request,
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(
                request, _("已保存，{date}起执行").format(date=form.cleaned_data["effective_from"])
            )
            return redirect("code_rules")
    context = {"node": node, "form": form, "in_force": in_force, "table": table}
    return render(request, "codes/healthcode_rules_edit.html", context)


urlpatterns = [
    path("risk-areas/", riskarea_list, name="riskarea_list"),
    path("risk-areas/new/", riskarea_create, name="riskarea_create"),
    path("risk-areas/<int:pk>/end/", riskarea_end, name="riskarea_end"),
    path("people/<int:pk>/code/", healthcode_person, name="healthcode_person"),
    path("people/<int:pk>/code/manual/", manual_colour_set, name="manual_colour_set"),
    path("manual-colours/<int:pk>/revoke/", manual_colour_revoke, name="manual_colour_revoke"),
    path("appeals/", appeal_list, name="appeal_list"),
    path("appeals/<int:pk>/", appeal_detail, name="appeal_detail"),
    path("rules/", code_rules_view, name="code_rules"),
    path("rules/<str:code>/edit/", code_rules_edit, name="code_rules_edit"),
]
