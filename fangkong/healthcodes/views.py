"""Staff pages of health codes: risk areas (declared and ended by county admins, listed by level), a
person's code (colour, reasons, the last 14 days, manual colours, appeals), manual colours (admins), the
appeals queue, and the rule table per node. Each view parses, finds what it needs through the scoped
queries (404 for "missing" and "not yours" alike), calls one action and renders.

A resident's own health code at /r/code/: public, no account (login_not_required); and the page a
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
resident shows them anyway — and nothing once it has expired."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.grid import scoping
from fangkong.grid.models import Level
from fangkong.healthcodes import actions, forms, identity, queries, tokens
from fangkong.healthcodes import rules as code_rules
from fangkong.healthcodes.colours import colour_history, colour_of
from fangkong.healthcodes.forms import AppealForm, IdentifyForm
from fangkong.healthcodes.identity import identity_for_person
from fangkong.healthcodes.models import Appeal, RiskLevel
from fangkong.lib.errors import RuleError
from fangkong.lib.pages import is_htmx, posted
from fangkong.policy.queries import policy_for
from fangkong.registry import queries as registry_queries
from fangkong.registry.actions import record_person_view
from fangkong.registry.forms import add_rule_errors

PERSON = "healthcodes/healthcode_person.html"


# Risk areas ---------------------------------------------------------------------------------------------


def riskarea_list(request):
    today = timezone.localdate()
    show_ended = request.GET.get("ended") == "1"
    areas = queries.risk_areas(request.user, active_on=None if show_ended else today)
    context = {
        "levels": [(label, [a for a in areas if a.level == level]) for level, label in RiskLevel.choices],
        "show_ended": show_ended,
        "today": today,
        "declaring": queries.declaring_nodes(request.user),
        "end_form": forms.EndRiskAreaForm(initial={"ends_on": today}),
    }
    return render(request, "healthcodes/riskarea_list.html", context)


def riskarea_form(request, declaring):
    places = scoping.visible_jurisdictions(request.user, scoping.MANAGE_USERS).filter(
        level__in=(Level.TOWNSHIP, Level.VILLAGE, Level.GRID)
    )
    initial = {"starts_on": timezone.localdate(), "declared_by": declaring[0].code}
    return forms.RiskAreaForm(posted(request), declaring=declaring, places=places, initial=initial)


def riskarea_create(request):
    declaring = queries.declaring_nodes(request.user)
    if not declaring:
        raise PermissionDenied(_("只有县级及以上管理员可以发布风险区"))
    form = riskarea_form(request, declaring)
    if form.is_valid():
        try:
            area = actions.create_risk_area(actor=request.user, request=request, **form.action_kwargs())
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已发布：{area}").format(area=area))
            return redirect("riskarea_list")
    return render(request, "healthcodes/riskarea_create.html", {"form": form})


@require_POST
def riskarea_end(request, pk):
    area = queries.access_risk_area(request.user, pk)
    form = forms.EndRiskAreaForm(request.POST)
    try:
        if not form.is_valid():
            raise RuleError({"ends_on": "；".join(form.errors.get("ends_on", [_("请填写解除日期")]))})
        actions.end_risk_area(
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
        "manual_colours": queries.manual_colours_of(identity),
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
            actions.set_manual_colour(
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
    manual = queries.access_manual_colour(request.user, pk)
    try:
        actions.revoke_manual_colour(actor=request.user, manual=manual, request=request)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已撤销人工赋码"))
    person = manual.identity.person
    return redirect("healthcode_person", pk=person.pk) if person else redirect("appeal_list")


# Appeals ------------------------------------------------------------------------------------------------


def appeal_list(request):
    status = request.GET.get("status", Appeal.Status.OPEN)
    appeals = queries.appeals_visible_to(request.user)
    if status in Appeal.Status.values:
        appeals = appeals.filter(status=status)
    context = {"appeals": appeals[:200], "status": status, "statuses": Appeal.Status.choices}
    return render(request, "healthcodes/appeal_list.html", context)


def appeal_detail(request, pk):
    appeal = queries.access_appeal(request.user, pk)
    can_handle = appeal.status == Appeal.Status.OPEN and queries.can_handle_appeal(request.user, appeal)
    form = forms.AppealHandleForm(posted(request)) if can_handle else None
    if form is not None and form.is_valid():
        handle = actions.uphold_appeal if form.cleaned_data["decision"] == "uphold" else actions.reject_appeal
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
    return render(request, "healthcodes/appeal_detail.html", context)


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
    return render(request, "healthcodes/healthcode_rules.html", {"rows": rows, "today": today})


def code_rules_edit(request, code):
    node = scoping.access_jurisdiction(request.user, code)
    if not scoping.can(request.user, scoping.MANAGE_USERS, node):
        raise PermissionDenied(_("只有管理员可以调整赋码规则"))
    in_force = policy_for(node, timezone.localdate())
    table = code_rules.rule_table(in_force.values)
    form = forms.CodeRulesForm(posted(request), table=table, initial={"effective_from": timezone.localdate()})
    if form.is_valid():
        try:
            actions.set_code_rules(
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
    return render(request, "healthcodes/healthcode_rules_edit.html", context)


PAGE = "healthcodes/resident_code.html"
CHECK = "healthcodes/resident_code_check.html"
QR_COLOURS = {"green": "#1b7f3b", "yellow": "#b38600", "red": "#c62828"}


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
            actions.submit_appeal(identity=current, text=form.cleaned_data["text"], request=request)
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
