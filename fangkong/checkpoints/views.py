"""Checkpoint pages: the list (with "my shift now"), a new checkpoint, one checkpoint with its shifts, the
phone page at the checkpoint (scan or type, see the colour, record the passage; vehicles without anyone
scanned), the passages of a day with the 卡口登记表 export, and the checkpoint fever list. Access goes
through actions.access_checkpoint (404 for "missing" and "not yours" alike); an HTMX request
to the scan page's URLs gets the fragment it swaps in."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.checkpoints import actions, queries
from fangkong.checkpoints.forms import CheckpointForm, DayForm, LookupForm, PassageForm, ShiftForm
from fangkong.checkpoints.ledgers import export_passages
from fangkong.checkpoints.models import DutyShift
from fangkong.grid import scoping
from fangkong.grid.models import Level
from fangkong.imports.writing import XLSX_CONTENT_TYPE
from fangkong.lib.errors import RuleError
from fangkong.lib.pages import is_htmx, posted
from fangkong.registry.forms import add_rule_errors
from fangkong.registry.queries import writable_nodes

CHECKPOINT_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GRID)
SCAN = "checkpoints/checkpoint_scan.html"
RECENT = 8  # passages listed under the scan form
FEVER_DAYS = 3


def chosen_day(request):
    form = DayForm(request.GET or None)
    day = form.cleaned_data.get("day") if form.is_valid() else None
    return form, day or timezone.localdate()


def checkpoint_list(request):
    today = timezone.localdate()
    context = {
        "rows": queries.checkpoint_rows(request.user, day=today),
        "shift": actions.current_shift(request.user),
        "upcoming": actions.upcoming_shifts(request.user),
        "can_create": writable_nodes(request.user, CHECKPOINT_LEVELS).exists(),
        "today": today,
    }
    return render(request, "checkpoints/checkpoint_list.html", context)


def checkpoint_create(request):
    nodes = writable_nodes(request.user, CHECKPOINT_LEVELS)
    if not nodes.exists():
        raise PermissionDenied(_("您在任何辖区都没有设立卡口的权限"))
    form = CheckpointForm(posted(request), nodes=nodes)
    if form.is_valid():
        try:
            checkpoint = actions.create_checkpoint(actor=request.user, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已设立卡口，请安排值守班次"))
            return redirect("checkpoint_detail", pk=checkpoint.pk)
    return render(request, "checkpoints/checkpoint_create.html", {"form": form})


def detail_context(request, checkpoint, shift_form=None) -> dict:
    manage = actions.may_manage(request.user, checkpoint)
    if manage and shift_form is None:
        shift_form = ShiftForm(candidates=actions.shift_candidates(request.user, checkpoint))
    today = timezone.localdate()
    return {
        "checkpoint": checkpoint,
        "shifts": queries.shifts_of(checkpoint),
        "counts": queries.day_counts(queries.passages_on(checkpoint, today)),
        "today": today,
        "manage": manage,
        "may_record": actions.may_record(request.user, checkpoint),
        "shift_form": shift_form if manage else None,
        "now": timezone.now(),
    }


def checkpoint_detail(request, pk):
    checkpoint = actions.access_checkpoint(request.user, pk)
    return render(request, "checkpoints/checkpoint_detail.html", detail_context(request, checkpoint))


@require_POST
def checkpoint_shift_add(request, pk):
    checkpoint = actions.access_checkpoint(request.user, pk)
    if not actions.may_manage(request.user, checkpoint):
        raise PermissionDenied(_("无权为该卡口排班"))
    form = ShiftForm(request.POST, candidates=actions.shift_candidates(request.user, checkpoint))
    if form.is_valid():
        try:
            actions.assign_shift(
                actor=request.user, checkpoint=checkpoint, request=request, **form.cleaned_data
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已排班"))
            return redirect("checkpoint_detail", pk=checkpoint.pk)
    return render(request, "checkpoints/checkpoint_detail.html", detail_context(request, checkpoint, form))


@require_POST
def checkpoint_shift_remove(request, pk):
    shift = get_object_or_404(
        DutyShift.objects.select_related("checkpoint__node"),
        pk=pk,
        checkpoint__in=actions.checkpoints_visible_to(request.user),
    )
    try:
        actions.remove_shift(actor=request.user, shift=shift, request=request)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已取消该班次"))
    return redirect("checkpoint_detail", pk=shift.checkpoint_id)


@require_POST
def checkpoint_set_active(request, pk):
    checkpoint = actions.access_checkpoint(request.user, pk)
    try:
        actions.set_checkpoint_active(
            actor=request.user,
            checkpoint=checkpoint,
            active=request.POST.get("active") == "1",
            request=request,
        )
    except RuleError as exc:
        messages.error(request, str(exc))
    return redirect("checkpoint_detail", pk=checkpoint.pk)


def scan_context(request, checkpoint, **parts) -> dict:
    today = timezone.localdate()
    context = {
        "checkpoint": checkpoint,
        "lookup_form": LookupForm(auto_id="look_%s"),
        "vehicle_form": PassageForm(vehicle=True, auto_id="veh_%s"),
        "recent": queries.passages_on(checkpoint, today).order_by("-at", "-pk")[:RECENT],
        "counts": queries.day_counts(queries.passages_on(checkpoint, today)),
    }
    return {**context, **parts}


def checkpoint_scan(request, pk):
    checkpoint = actions.access_checkpoint(request.user, pk, record=True)
    return render(request, SCAN, scan_context(request, checkpoint))


def _scan_fragment(request, checkpoint, partial: str, **parts):
    """The fragment for HTMX, or the whole scan page with it in place."""
    context = scan_context(request, checkpoint, **parts)
    return render(request, f"{SCAN}#{partial}" if is_htmx(request) else SCAN, context)


@require_POST
def checkpoint_verify(request, pk):
    checkpoint = actions.access_checkpoint(request.user, pk, record=True)
    form = LookupForm(request.POST, auto_id="look_%s")
    sighting = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["token"].strip():
                sighting = actions.sight_token(
                    actor=request.user, checkpoint=checkpoint, token=data["token"], request=request
                )
            else:
                sighting = actions.sight_id_number(
                    actor=request.user,
                    checkpoint=checkpoint,
                    id_number=data["id_number"],
                    name=data["name"],
                    phone=data["phone"],
                    request=request,
                )
        except RuleError as exc:
            add_rule_errors(form, exc)
    if sighting is None:
        return _scan_fragment(request, checkpoint, "result", lookup_errors=form, lookup_form=form)
    passage_form = PassageForm(initial={"subject": sighting.subject}, auto_id="pas_%s")
    return _scan_fragment(request, checkpoint, "result", sighting=sighting, passage_form=passage_form)


@require_POST
def passage_create(request, pk):
    checkpoint = actions.access_checkpoint(request.user, pk, record=True)
    vehicle = "subject" not in request.POST
    form = PassageForm(request.POST, vehicle=vehicle, auto_id="veh_%s" if vehicle else "pas_%s")
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            subject = data.pop("subject", "")
            identity = (
                actions.read_subject(actor=request.user, checkpoint=checkpoint, subject=subject)
                if not vehicle
                else None
            )
            done = actions.record_passage(
                actor=request.user, checkpoint=checkpoint, identity=identity, request=request, **data
            )
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            return _scan_fragment(request, checkpoint, "result", recorded=done, oob=True)
    if vehicle:
        return _scan_fragment(request, checkpoint, "result", vehicle_errors=form, vehicle_form=form)
    sighting = actions.resight(actor=request.user, checkpoint=checkpoint, subject=request.POST["subject"])
    return _scan_fragment(request, checkpoint, "result", passage_form=form, sighting=sighting)


def passage_list(request, pk):
    checkpoint = actions.access_checkpoint(request.user, pk)
    form, day = chosen_day(request)
    passages = queries.passages_on(checkpoint, day)
    context = {
        "checkpoint": checkpoint,
        "form": form,
        "day": day,
        "passages": passages,
        "counts": queries.day_counts(passages),
        "can_reveal": scoping.can(request.user, scoping.REVEAL, checkpoint.node),
    }
    return render(request, "checkpoints/passage_list.html", context)


def passage_export(request, pk):
    checkpoint = actions.access_checkpoint(request.user, pk)
    _form, day = chosen_day(request)
    full = request.GET.get("full") in ("1", "on", "true")
    try:
        filename, content = export_passages(
            actor=request.user, checkpoint=checkpoint, day=day, full=full, request=request
        )
    except RuleError as exc:
        raise PermissionDenied(str(exc)) from None
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def checkpoint_fevers(request):
    since = timezone.now() - dt.timedelta(days=FEVER_DAYS)
    rows = queries.fever_rows(request.user, since=since)
    return render(request, "checkpoints/checkpoint_fevers.html", {"rows": rows, "days": FEVER_DAYS})
