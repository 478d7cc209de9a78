"""Pages of the testing module: the phone sampling page (a tube, then its people), hand and lab results,
re-tests and positive reports, the schedule of due tests, mass-testing rounds with their progress and the
list of people not sampled yet, and sampling points. Parse, access, one action, render."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.grid import scoping
from fangkong.grid.models import Level
from fangkong.imports.pages import ledger_import_urls
from fangkong.lib.errors import RuleError
from fangkong.lib.masking import mask_id_number

from . import actions, forms, ledgers, queries, rules
from .models import KeyGroup, Result

NODE_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GRID)


def _errors(exc: RuleError) -> str:
    return "；".join(str(v) for v in exc.errors.values())


def _writable_nodes(user):
    return list(
        scoping.visible_jurisdictions(user, scoping.WRITE)
        .filter(level__in=NODE_LEVELS)
        .order_by("path")[:500]
    )


def _node_param(request, default=None):
    code = request.GET.get("node") or ""
    if code:
        return scoping.access_jurisdiction(request.user, code)
    if default is not None:
        return default
    nodes = scoping.nodes_with(request.user)
    if not nodes:
        raise Http404
    return nodes[0]


def testing_home(request):
    samples = queries.samples_visible_to(request.user)
    today = timezone.localdate()
    context = {
        "today_tubes": samples.filter(sampled_at__date=today).count(),
        "pending": samples.filter(result=Result.PENDING).count(),
        "retests": queries.open_retests(request.user).count(),
        "key_group_overdue": sum(
            1 for r in queries.key_group_members(request.user, today=today) if r.state == rules.OVERDUE
        ),
        "alerts": queries.alerts_visible_to(request.user).order_by("-raised_at")[:20],
        "rounds": queries.rounds_visible_to(request.user)[:10],
        "can_write": bool(scoping.nodes_with(request.user, scoping.WRITE)),
    }
    return render(request, "testing/testing_home.html", context)


def sample_start(request):
    """Step 1 on the phone: the tube (scan its barcode), how many it takes, where."""
    nodes = _writable_nodes(request.user)
    if not nodes:
        raise Http404
    points = queries.points_visible_to(request.user).filter(active=True)
    rounds = queries.rounds_visible_to(request.user)[:20]
    kwargs = {"nodes": nodes, "points": points, "rounds": rounds}
    if request.method == "POST":
        form = forms.StartForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            node = scoping.access_jurisdiction(request.user, data["node"], capability=scoping.WRITE)
            point = queries.access_point(request.user, data["point"]) if data["point"] else None
            round_ = queries.access_round(request.user, data["round"]) if data["round"] else None
            try:
                sample = actions.open_sample(
                    actor=request.user,
                    tube_code=data["tube_code"],
                    kind=data["kind"],
                    capacity=data["capacity"] or 10,
                    node=node,
                    point=point,
                    round=round_,
                    request=request,
                )
            except RuleError as exc:
                for name, message in exc.errors.items():
                    form.add_error(name if name in form.fields else None, message)
            else:
                request.session["testing_start"] = {
                    k: data[k] for k in ("kind", "capacity", "node", "point", "round")
                }
                return redirect("sample_detail", pk=sample.pk)
    else:
        initial = request.session.get("testing_start") or {}
        if not initial and len(nodes) == 1:
            initial = {"node": nodes[0].code}
        form = forms.StartForm(initial=initial, **kwargs)
    return render(request, "testing/sample_start.html", {"form": form})


def _tube_context(request, sample, **extra):
    members = list(queries.members_of(sample))
    for m in members:
        m.masked_id = mask_id_number(m.person.id_number)
    can_write = scoping.can(request.user, scoping.WRITE, sample.node)
    return {
        "sample": sample,
        "members": members,
        "count": len(members),
        "full": len(members) >= sample.capacity,
        "can_write": can_write,
        "add_form": extra.pop("add_form", None) or forms.AddForm(),
        "result_form": forms.ResultForm(),
        "retests": sample.retests.select_related("person").order_by("id")
        if sample.result != Result.PENDING
        else [],
        **extra,
    }


def sample_detail(request, pk):
    sample = queries.access_sample(request.user, pk)
    return render(request, "testing/sample_detail.html", _tube_context(request, sample))


@require_POST
def sample_add(request, pk):
    """Step 2: a person into the tube: by their health code, ID number, or a search and a tap."""
    sample = queries.access_sample(request.user, pk, write=True)
    form = forms.AddForm(request.POST)
    matches = []
    if form.is_valid():
        person = None
        if form.cleaned_data["person"]:
            person = queries.persons_by_pk(request.user, form.cleaned_data["person"])
        else:
            matches = queries.find_people(request.user, form.cleaned_data["q"])
            if len(matches) == 1:
                person = matches[0]
            elif not matches and form.cleaned_data["q"]:
                form.add_error("q", _("未找到该人员"))
        if person is not None:
            try:
                actions.add_member(actor=request.user, sample=sample, person=person, request=request)
            except RuleError as exc:
                form.add_error(None, _errors(exc))
            else:
                messages.success(request, _("已加入：%(name)s") % {"name": person.name})
                return redirect("sample_detail", pk=sample.pk)
    for p in matches:
        p.masked_id = mask_id_number(p.id_number)
    context = _tube_context(request, sample, add_form=form, matches=matches if len(matches) > 1 else [])
    return render(request, "testing/sample_detail.html", context)


@require_POST
def member_remove(request, pk):
    member = queries.access_member(request.user, pk)
    try:
        actions.remove_member(actor=request.user, member=member, request=request)
    except RuleError as exc:
        messages.error(request, _errors(exc))
    return redirect("sample_detail", pk=member.sample_id)


@require_POST
def sample_result(request, pk):
    sample = queries.access_sample(request.user, pk, write=True)
    form = forms.ResultForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            ct = {k: rules.parse_ct(data[k] or None) for k in ("ct_orf1ab", "ct_n")}
            actions.record_result(
                actor=request.user,
                sample=sample,
                result=data["result"],
                lab=data["lab"],
                request=request,
                **ct,
            )
        except ValueError as exc:
            messages.error(request, str(exc))
        except RuleError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("结果已登记"))
    else:
        messages.error(request, _("请选择检测结果"))
    return redirect("sample_detail", pk=sample.pk)


def sample_list(request):
    samples = queries.samples_visible_to(request.user).annotate(people=Count("members"))
    result = request.GET.get("result") or ""
    if result in Result.values:
        samples = samples.filter(result=result)
    code = (request.GET.get("tube") or "").strip().upper()
    if code:
        samples = samples.filter(tube_code__startswith=code)
    page = Paginator(samples.order_by("-sampled_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(
        request, "testing/sample_list.html", {"page": page, "result": result, "results": Result.choices}
    )


def results_import(request):
    """A lab's sheet: checked row by row; written only when every row is right."""
    if not scoping.nodes_with(request.user, scoping.WRITE):
        raise Http404
    outcome = None
    if request.method == "POST":
        form = forms.ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                outcome = ledgers.import_lab_results(
                    actor=request.user,
                    data=upload.read(),
                    filename=upload.name,
                    lab=form.cleaned_data["lab"],
                    request=request,
                )
            except RuleError as exc:
                form.add_error("file", _errors(exc))
    else:
        form = forms.ImportForm()
    return render(request, "testing/results_import.html", {"form": form, "outcome": outcome})


def retest_list(request):
    node = _node_param(request) if request.GET.get("node") else None
    retests = list(queries.open_retests(request.user, node=node))
    for r in retests:
        r.masked_id = mask_id_number(r.person.id_number)
    return render(request, "testing/retest_list.html", {"retests": retests, "node": node})


def schedule_view(request):
    node = _node_param(request) if request.GET.get("node") else None
    plan = queries.schedule(request.user, today=timezone.localdate(), node=node)
    return render(request, "testing/schedule.html", {"plan": plan, "node": node})


def key_group_list(request):
    """A key group's members with their frequency, last test, next due day and how late they are; a
    person added by ID number or name, removed with a tap; the member list imported through imports/."""
    group = request.GET.get("group") or ""
    if group not in KeyGroup.values:
        group = ""
    node = _node_param(request) if request.GET.get("node") else None
    form = forms.KeyGroupAddForm(request.POST or None, initial={"group": group or KeyGroup.COLD_CHAIN})
    matches = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["person"]:
            person = queries.persons_by_pk(request.user, data["person"])
            matches = [person] if person else []
        else:
            matches = queries.find_people(request.user, data["q"])
        if len(matches) == 1:
            try:
                actions.add_to_key_group(
                    actor=request.user,
                    person=matches[0],
                    group=data["group"],
                    since=data["since"],
                    request=request,
                )
            except RuleError as exc:
                form.add_error(None, _errors(exc))
            else:
                messages.success(request, _("已纳入重点人群：%(name)s") % {"name": matches[0].name})
                return redirect(f"{reverse('key_group_list')}?{urlencode({'group': data['group']})}")
        elif not matches:
            form.add_error("q", _("未找到该人员"))
    for p in matches:
        p.masked_id = mask_id_number(p.id_number)
    rows = queries.key_group_members(request.user, today=timezone.localdate(), group=group, node=node)
    for row in rows:
        row.masked_id = mask_id_number(row.member.person.id_number)
    context = {
        "rows": rows,
        "overdue": sum(1 for r in rows if r.state == rules.OVERDUE),
        "group": group,
        "groups": KeyGroup.choices,
        "node": node,
        "form": form if scoping.nodes_with(request.user, scoping.WRITE) else None,
        "matches": matches if len(matches) > 1 else [],
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "testing/key_group_list.html", context, status=status)


@require_POST
def key_group_remove(request, pk):
    member = queries.access_key_group_member(request.user, pk)
    try:
        actions.remove_from_key_group(actor=request.user, member=member, request=request)
    except RuleError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("已移出重点人群：%(name)s") % {"name": member.person.name})
    return redirect(f"{reverse('key_group_list')}?{urlencode({'group': member.group})}")


def round_list(request):
    nodes = _writable_nodes(request.user)
    form = forms.RoundForm(request.POST or None, nodes=nodes, initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        node = scoping.access_jurisdiction(request.user, data["node"], capability=scoping.WRITE)
        try:
            round_ = actions.create_round(
                actor=request.user,
                node=node,
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                request=request,
            )
        except RuleError as exc:
            form.add_error(None, _errors(exc))
        else:
            return redirect("round_detail", pk=round_.pk)
    rounds = queries.rounds_visible_to(request.user)
    return render(request, "testing/round_list.html", {"rounds": rounds, "form": form if nodes else None})


def _round_node(request, round_):
    node = _node_param(request, default=round_.node)
    if not node.path.startswith(round_.node.path):
        node = round_.node
        if not scoping.can(request.user, scoping.VIEW, node):
            raise Http404
    return node


def round_detail(request, pk):
    """The round's progress for a node and each of its children, counted now."""
    round_ = queries.access_round(request.user, pk)
    node = _round_node(request, round_)
    if not scoping.can(request.user, scoping.VIEW, node):
        raise Http404
    total, children = queries.round_progress(round_, node)
    context = {"round": round_, "node": node, "total": total, "children": children, "now": timezone.now()}
    return render(request, "testing/round_detail.html", context)


def round_unsampled(request, pk):
    """Who under a node has not been sampled in the round: for the grid workers' door-to-door visits."""
    round_ = queries.access_round(request.user, pk)
    node = _round_node(request, round_)
    if not scoping.can(request.user, scoping.VIEW, node):
        raise Http404
    people = queries.not_sampled(round_, node)
    page = Paginator(people, 200).get_page(request.GET.get("page"))
    for p in page:
        p.masked_id = mask_id_number(p.id_number)
    query = urlencode({"node": node.code})
    return render(
        request, "testing/round_unsampled.html", {"round": round_, "node": node, "page": page, "query": query}
    )


def point_list(request):
    nodes = _writable_nodes(request.user)
    form = forms.PointForm(request.POST or None, nodes=nodes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        node = scoping.access_jurisdiction(request.user, data["node"], capability=scoping.WRITE)
        try:
            actions.create_point(
                actor=request.user, node=node, name=data["name"], address=data["address"], request=request
            )
        except RuleError as exc:
            form.add_error(None, _errors(exc))
        else:
            return redirect(reverse("point_list"))
    points = queries.points_visible_to(request.user).annotate(tubes=Count("samples"))
    return render(request, "testing/point_list.html", {"points": points, "form": form if nodes else None})


urlpatterns = [
    path("", testing_home, name="testing_home"),
    path("sample/", sample_start, name="sample_start"),
    path("samples/", sample_list, name="sample_list"),
    path("samples/<int:pk>/", sample_detail, name="sample_detail"),
    path("samples/<int:pk>/add/", sample_add, name="sample_add"),
    path("samples/<int:pk>/result/", sample_result, name="sample_result"),
    path("members/<int:pk>/remove/", member_remove, name="sample_member_remove"),
    path("results/import/", results_import, name="results_import"),
    path("retests/", retest_list, name="retest_list"),
    path("schedule/", schedule_view, name="test_schedule"),
    path("rounds/", round_list, name="round_list"),
    path("rounds/<int:pk>/", round_detail, name="round_detail"),
    path("rounds/<int:pk>/unsampled/", round_unsampled, name="round_unsampled"),
    path("points/", point_list, name="point_list"),
    path("key-groups/", key_group_list, name="key_group_list"),
    path("key-groups/<int:pk>/remove/", key_group_remove, name="key_group_remove"),
]
urlpatterns += ledger_import_urls(
    name="key_groups",
    title=ledgers.KEY_GROUP_LEDGER,
    importer=ledgers.import_key_group_members,
    hint=gettext_lazy(
        "列：姓名、身份证号、重点人群（冷链、口岸、医务、快递外卖、农贸市场）、纳入日期（可空，默认今天）。"
    ),
)
