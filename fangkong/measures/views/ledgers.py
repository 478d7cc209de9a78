"""Pages of the ledger import — upload → preview (what will happen) → confirm → result with the
rejected rows to download — and the Excel exports. Access: the upload is the uploader's own (404 for
anyone else); the node must be writable for an import and visible for an export; a measure goes
through `access_measure`. Every export is audited by the ledger function it calls."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.grid import scoping
from fangkong.grid.models import Level
from fangkong.imports import uploads
from fangkong.imports.writing import XLSX_CONTENT_TYPE
from fangkong.lib.errors import RuleError
from fangkong.measures import ledgers
from fangkong.measures.forms.ledgers import ReturneeExportForm, ReturneeUploadForm
from fangkong.measures.queries import access_measure
from fangkong.registry.actions import RESIDENTIAL_LEVELS
from fangkong.registry.queries import writable_nodes

PLAN_SHOWN = 200  # people listed in the preview; the counts cover all of them
PROBLEMS_SHOWN = 500  # rejected rows and warnings listed; the rejected workbook has them all
EXPORT_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GRID)


def _xlsx(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _wants_full(request) -> bool:
    return request.GET.get("full") in ("1", "on", "true")


def _upload_and_node(request, token: str):
    upload = uploads.load_upload(request.user, token)
    node = scoping.access_jurisdiction(request.user, upload.node_code, capability=scoping.WRITE)
    return upload, node


def returnees_upload(request):
    nodes = writable_nodes(request.user, RESIDENTIAL_LEVELS)
    if not nodes.exists():
        raise PermissionDenied
    form = ReturneeUploadForm(request.POST or None, request.FILES or None, nodes=nodes)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        upload = uploads.save_upload(
            user=request.user, node_code=form.cleaned_data["node"].code, filename=file.name, data=file.read()
        )
        return redirect("imports_returnees_preview", token=upload.token)
    return render(request, "measures/returnees_upload.html", {"form": form})


def returnees_preview(request, token: str):
    """Before the confirm: what the import would do (a dry run). After: what it did."""
    upload, node = _upload_and_node(request, token)
    context = {"upload": upload, "node": node, "done": upload.result is not None}
    if upload.result is not None:
        context.update(summary=upload.result, plan=upload.plan)
    else:
        try:
            with uploads.read_once(upload):
                result = ledgers.import_returnees(
                    actor=request.user,
                    node=node,
                    data=uploads.upload_data(upload),
                    filename=upload.filename,
                    dry_run=True,
                )
        except RuleError as exc:
            context["error"] = "；".join(exc.errors.values())
        else:
            context.update(summary=result.summary(), plan=result.plan[:PLAN_SHOWN])
    if "summary" in context:
        context["rejected_shown"] = context["summary"]["rejected"][:PROBLEMS_SHOWN]
        context["warnings_shown"] = context["summary"]["warnings"][:PROBLEMS_SHOWN]
        context["plan_more"] = max(
            0, sum(context["summary"][k] for k in ("created", "updated", "unchanged")) - PLAN_SHOWN
        )
        context["rejected_count"] = len({p["row"] for p in context["summary"]["rejected"]})
    return render(request, "measures/returnees_preview.html", context)


@require_POST
def returnees_confirm(request, token: str):
    upload, node = _upload_and_node(request, token)
    if upload.result is None:  # a second click shows the first result, it does not import again
        try:
            with uploads.read_once(upload):
                result = ledgers.import_returnees(
                    actor=request.user,
                    node=node,
                    data=uploads.upload_data(upload),
                    filename=upload.filename,
                    request=request,
                )
        except RuleError as exc:
            messages.error(request, "；".join(exc.errors.values()))
            return redirect("imports_returnees_preview", token=token)
        uploads.mark_done(upload, result=result.summary(), plan=result.plan[:PLAN_SHOWN])
        messages.success(
            request,
            _("已导入：新增%(created)s人，更新%(updated)s人，无变化%(unchanged)s人")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
        )
    return redirect("imports_returnees_preview", token=token)


def returnees_rejected(request, token: str):
    upload, _node = _upload_and_node(request, token)
    try:
        with uploads.read_once(upload):
            content = ledgers.rejected_rows_workbook(
                data=uploads.upload_data(upload), filename=upload.filename
            )
    except RuleError:
        content = None
    if content is None:
        raise Http404
    stem = upload.filename.rsplit(".", 1)[0]
    return _xlsx(f"{stem}_未导入的行.xlsx", content)


def returnees_export(request):
    """Without ?node= the form; with it the file (?full=1 for unmasked numbers, if allowed). An empty
    choice is a form error; a node that is not the user's is a 404 like any other."""
    nodes = (
        scoping.visible_jurisdictions(request.user).filter(level__in=EXPORT_LEVELS).select_related("parent")
    )
    can_reveal = bool(scoping.nodes_with(request.user, scoping.REVEAL))
    own = [n for n in scoping.nodes_with(request.user) if n.level in EXPORT_LEVELS]
    initial = {"node": own[0].code} if len(own) == 1 else {}
    if not request.GET.get("node"):
        form = ReturneeExportForm(
            request.GET if "node" in request.GET else None,
            initial=initial,
            nodes=nodes,
            can_reveal=can_reveal,
        )
        form.is_valid()
        return render(request, "measures/returnees_export.html", {"form": form})
    node = scoping.access_jurisdiction(request.user, request.GET["node"])
    try:
        filename, content = ledgers.export_returnees(
            actor=request.user, node=node, full=_wants_full(request), request=request
        )
    except RuleError:
        raise PermissionDenied from None
    return _xlsx(filename, content)


def temperature_export(request, measure_id: int):
    measure = access_measure(request.user, measure_id)
    try:
        filename, content = ledgers.export_temperature(
            actor=request.user, measure=measure, full=_wants_full(request), request=request
        )
    except RuleError:
        raise PermissionDenied from None
    return _xlsx(filename, content)


urlpatterns = [
    path("returnees/", returnees_upload, name="imports_returnees"),
    path("returnees/<str:token>/", returnees_preview, name="imports_returnees_preview"),
    path("returnees/<str:token>/confirm/", returnees_confirm, name="imports_returnees_confirm"),
    path("returnees/<str:token>/rejected.xlsx", returnees_rejected, name="imports_returnees_rejected"),
    path("exports/returnees/", returnees_export, name="export_returnees"),
    path("exports/temperature/<int:measure_id>/", temperature_export, name="export_temperature"),
]
