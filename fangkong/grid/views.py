"""Pages of grids, accounts, API tokens and the audit log. Each view parses, finds what it needs through
scoping (404 for "missing" and "not yours" alike), calls one action and renders. An HTMX request gets
the page's fragment (a template partial) instead of the whole page."""

import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fangkong.lib.errors import RuleError

from . import actions, forms, queries, scoping
from .forms import AuditFilterForm, add_rule_errors
from .login import RateLimitedAuthenticationForm
from .models import ApiToken, Level, Membership

login = login_not_required(
    auth_views.LoginView.as_view(
        template_name="grid/login.html",
        authentication_form=RateLimitedAuthenticationForm,
        redirect_authenticated_user=True,
    )
)
logout = auth_views.LogoutView.as_view()


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the site's icon."""
    response = redirect(static("fangkong/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _require(user, capability: str) -> None:
    """Pages for one capability are 404 to everyone else: they need not know the page exists."""
    if not scoping.nodes_with(user, capability):
        raise Http404


def _grid_manager_node(user, code: str):
    """A node in the user's area (else 404) where they may draw grids (else 403)."""
    node = scoping.access_jurisdiction(user, code)
    if not scoping.can(user, scoping.MANAGE_GRIDS, node):
        raise PermissionDenied
    return node


# Grids -------------------------------------------------------------------------------------------


def grid_create(request, village_code):
    village = _grid_manager_node(request.user, village_code)
    if village.level != Level.VILLAGE:
        raise Http404
    form = forms.GridForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grid = actions.create_grid(
                actor=request.user, village=village, request=request, **form.cleaned_data
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已新建网格“%(name)s”") % {"name": grid.name})
            return redirect("tree_node", code=village.code)
    return render(request, "grid/grid_create.html", {"village": village, "form": form})


def _import_key(node) -> str:
    return f"grid_import:{node.code}"


def _digest(rows: list[dict]) -> str:
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def grid_import(request, code):
    """Upload → preview (a dry run, rows kept in the session) → confirm (the same rows, written)."""
    node = _grid_manager_node(request.user, code)
    if request.method == "POST" and "confirm" in request.POST:
        return _grid_import_confirm(request, node)
    form = forms.GridImportForm(request.POST or None, request.FILES or None)
    result, digest = None, None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = actions.read_grid_rows(upload.read(), upload.name)
            result = actions.import_grids(actor=request.user, rows=rows, within=node, dry_run=True)
        except RuleError as exc:
            add_rule_errors(form, exc)
        if result and not result["errors"] and result["created"]:
            digest = _digest(rows)
            request.session[_import_key(node)] = {"digest": digest, "rows": rows}
    context = {"node": node, "form": form, "result": result, "digest": digest}
    return render(request, "grid/grid_import.html", context)


def _grid_import_confirm(request, node):
    pending = request.session.get(_import_key(node))
    if not pending or pending["digest"] != request.POST.get("confirm"):
        messages.error(request, _("预览已过期，请重新上传文件"))
        return redirect("grid_import", code=node.code)
    try:
        result = actions.import_grids(
            actor=request.user, rows=pending["rows"], within=node, dry_run=False, request=request
        )
    except RuleError as exc:
        messages.error(request, str(exc))
        return redirect("grid_import", code=node.code)
    if result["errors"]:  # the tree changed since the preview
        context = {"node": node, "form": forms.GridImportForm(), "result": result, "digest": None}
        return render(request, "grid/grid_import.html", context)
    del request.session[_import_key(node)]
    created, unchanged = len(result["created"]), len(result["unchanged"])
    messages.success(request, _("已新建 %(c)d 个网格，%(u)d 个已存在未改动") % {"c": created, "u": unchanged})
    return redirect("tree_node", code=node.code)


# Accounts ----------------------------------------------------------------------------------------


def user_list(request):
    _require(request.user, scoping.MANAGE_USERS)
    users = queries.users_managed_by(request.user)
    text = request.GET.get("q", "").strip()
    if text:
        users = users.filter(Q(username__icontains=text) | Q(first_name__icontains=text))
    page = Paginator(users, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"user": u, "memberships": queries.membership_rows(request.user, u)} for u in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "grid/user_list.html", {"page": page, "rows": rows, "q": text, "query": query.urlencode()}
    )


def user_create(request):
    _require(request.user, scoping.MANAGE_USERS)
    form = forms.UserCreateForm(request.POST or None, nodes=queries.manageable_nodes(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = actions.create_user(
                actor=request.user,
                request=request,
                **{k: data[k] for k in ("username", "full_name", "password", "node", "role")},
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已创建账号 %(u)s") % {"u": user.username})
            return redirect("user_detail", pk=user.pk)
    return render(request, "grid/user_create.html", {"form": form})


def _user_page(request, subject, *, membership_form=None, password_form=None):
    nodes = queries.manageable_nodes(request.user)
    context = {
        "subject": subject,
        "memberships": queries.membership_rows(request.user, subject),
        "membership_form": membership_form or forms.MembershipForm(nodes=nodes),
        "password_form": password_form or forms.PasswordResetForm(),
    }
    return render(request, "grid/user_detail.html", context)


def user_detail(request, pk):
    return _user_page(request, queries.access_managed_user(request.user, pk))


@require_POST
def user_membership_add(request, pk):
    subject = queries.access_managed_user(request.user, pk)
    form = forms.MembershipForm(request.POST, nodes=queries.manageable_nodes(request.user))
    if form.is_valid():
        try:
            actions.add_membership(actor=request.user, user=subject, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已添加岗位"))
            return redirect("user_detail", pk=subject.pk)
    return _user_page(request, subject, membership_form=form)


@require_POST
def user_membership_remove(request, pk, membership_id):
    subject = queries.access_managed_user(request.user, pk)
    membership = get_object_or_404(
        Membership.objects.select_related("node", "user"), pk=membership_id, user=subject
    )
    try:
        actions.remove_membership(actor=request.user, membership=membership, request=request)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已移除岗位"))
    if not queries.users_managed_by(request.user).filter(pk=subject.pk).exists():
        return redirect("user_list")  # no longer in the admin's area
    return redirect("user_detail", pk=subject.pk)


@require_POST
def user_set_active(request, pk):
    subject = queries.access_managed_user(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        actions.set_user_active(actor=request.user, user=subject, active=active, request=request)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("账号已启用") if active else _("账号已停用"))
    return redirect("user_detail", pk=subject.pk)


@require_POST
def user_password(request, pk):
    subject = queries.access_managed_user(request.user, pk)
    form = forms.PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            actions.reset_password(
                actor=request.user, user=subject, password=form.cleaned_data["password"], request=request
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("密码已重置"))
            return redirect("user_detail", pk=subject.pk)
    return _user_page(request, subject, password_form=form)


# API tokens --------------------------------------------------------------------------------------


@never_cache
def token_list(request):
    """The user's own tokens. A new token's raw value is in this response only: it is never stored."""
    form = forms.TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, raw = actions.issue_api_token(actor=request.user, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            form = forms.TokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "grid/token_list.html", {"form": form, "tokens": tokens, "raw": raw})


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at=None)
    actions.revoke_api_token(actor=request.user, token=token, request=request)
    messages.success(request, _("令牌“%(name)s”已吊销") % {"name": token.name})
    return redirect("token_list")


# Audit log ---------------------------------------------------------------------------------------


def audit_log(request):
    """VIEW_AUDIT only (404 for everyone else), scoped by queries.events_visible_to."""
    _require(request.user, scoping.VIEW_AUDIT)
    form = AuditFilterForm(request.GET)
    form.is_valid()  # a filter with an error is shown with it and left out; the others still apply
    events = queries.search_events(request.user, **form.cleaned_data)
    page = Paginator(events, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "grid/audit_log.html", {"form": form, "page": page, "query": query.urlencode()})
