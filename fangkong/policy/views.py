"""Pages of the policy: what is in force for each of the user's nodes today, and for administrators a
new policy for a node from a date (a preset with adjusted values)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.grid import scoping
from fangkong.grid.forms import add_rule_errors
from fangkong.lib.errors import RuleError
from fangkong.lib.pages import posted, render_page

from . import actions
from .forms import PolicyForm
from .presets import DEFAULT_PRESET, PRESETS
from .queries import policy_for, policy_history, policy_table, preset_values


def policy_view(request):
    today = timezone.localdate()
    rows = []
    for node in scoping.nodes_with(request.user):
        in_force = policy_for(node, today)
        rows.append(
            {
                "node": node,
                "in_force": in_force,
                "table": policy_table(in_force.values),
                "can_edit": scoping.can(request.user, scoping.MANAGE_USERS, node),
            }
        )
    return render_page(request, "policy/policy_view.html", {"rows": rows, "today": today})


def starting_values(in_force, preset: str) -> dict:
    """The form starts from the policy in force when it is based on the chosen preset, else the preset."""
    return in_force.values if in_force.values.get("preset") == preset else preset_values(preset)


def policy_edit(request, code):
    node = scoping.access_jurisdiction(request.user, code)
    if not scoping.can(request.user, scoping.MANAGE_USERS, node):
        raise PermissionDenied(_("只有管理员可以设置防控政策"))
    today = timezone.localdate()
    in_force = policy_for(node, today)
    preset = (request.POST or request.GET).get("preset") or in_force.values.get("preset", DEFAULT_PRESET)
    preset = preset if preset in PRESETS else DEFAULT_PRESET
    initial = {"preset": preset, "effective_from": today}
    form = PolicyForm(posted(request), values=starting_values(in_force, preset), initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.set_policy(
                actor=request.user,
                node=node,
                effective_from=data["effective_from"],
                preset=data["preset"],
                overrides=form.overrides(),
                note=data["note"],
                request=request,
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已保存，{date}起执行").format(date=data["effective_from"]))
            return redirect("policy_view")
    context = {"node": node, "form": form, "in_force": in_force, "history": policy_history(node)}
    return render_page(request, "policy/policy_edit.html", context, fragment="values")
