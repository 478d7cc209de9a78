"""The pages of a ledger import — upload → preview (a dry run: what would be written, every rejected row
with its column and reason) → confirm → the result — for any ledger whose importer takes a node
(inspections, the duty roster and tasks in command/, key-group members in testing/). The same four
pages for each ledger, so one set of views given the ledger's importer.
Access: the upload is the uploader's own (404 for anyone else); the node must be writable."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.grid import scoping
from fangkong.imports import uploads
from fangkong.imports.writing import XLSX_CONTENT_TYPE
from fangkong.lib.errors import RuleError

PROBLEMS_SHOWN = 500


class UploadForm(forms.Form):
    node = forms.ChoiceField(label=gettext_lazy("导入到辖区"))
    file = forms.FileField(label=gettext_lazy("台账文件（.xlsx / .xls / .csv）"))

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(n.code, n.name) for n in nodes]


def xlsx(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def ledger_import_urls(*, name: str, title, importer, rejected_workbook, hint=None) -> list:
    """Routes imports_<name>, imports_<name>_preview, _confirm, _rejected for one ledger. `hint` is the
    upload page's line on the columns the ledger reads."""

    def _upload_and_node(request, token):
        upload = uploads.load_upload(request.user, token)
        node = scoping.access_jurisdiction(request.user, upload.node_code, capability=scoping.WRITE)
        return upload, node

    def _run(request, upload, node, *, dry_run):
        with uploads.read_once(upload):
            return importer(
                actor=request.user,
                node=node,
                data=uploads.upload_data(upload),
                filename=upload.filename,
                dry_run=dry_run,
                request=None if dry_run else request,
            )

    def upload_view(request):
        nodes = list(scoping.visible_jurisdictions(request.user, scoping.WRITE).order_by("path")[:300])
        if not nodes:
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None, nodes=nodes)
        if request.method == "POST" and form.is_valid():
            file = form.cleaned_data["file"]
            upload = uploads.save_upload(
                user=request.user, node_code=form.cleaned_data["node"], filename=file.name, data=file.read()
            )
            return redirect(f"imports_{name}_preview", token=upload.token)
        context = {"form": form, "title": title, "name": name, "hint": hint}
        return render(request, "imports/ledger_import.html", context)

    def preview_view(request, token):
        upload, node = _upload_and_node(request, token)
        context = {
            "upload": upload,
            "node": node,
            "title": title,
            "name": name,
            "done": upload.result is not None,
        }
        if upload.result is not None:
            context["summary"] = upload.result
        else:
            try:
                context["summary"] = _run(request, upload, node, dry_run=True).summary()
            except RuleError as exc:
                context["error"] = "；".join(exc.errors.values())
        if "summary" in context:
            context["rejected_shown"] = context["summary"]["rejected"][:PROBLEMS_SHOWN]
            context["warnings_shown"] = context["summary"]["warnings"][:PROBLEMS_SHOWN]
        return render(request, "imports/ledger_import.html", context)

    @require_POST
    def confirm_view(request, token):
        upload, node = _upload_and_node(request, token)
        if upload.result is None:
            try:
                result = _run(request, upload, node, dry_run=False)
            except RuleError as exc:
                messages.error(request, "；".join(exc.errors.values()))
                return redirect(f"imports_{name}_preview", token=token)
            if not result.written:
                messages.error(request, _("有未通过校验的行，未导入任何记录"))
                return redirect(f"imports_{name}_preview", token=token)
            uploads.mark_done(upload, result=result.summary(), plan=[])
            messages.success(
                request,
                _("已导入：新增%(created)s条，更新%(updated)s条，无变化%(unchanged)s条")
                % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
            )
        return redirect(f"imports_{name}_preview", token=token)

    def rejected_view(request, token):
        upload, node = _upload_and_node(request, token)
        try:
            content = rejected_workbook(_run(request, upload, node, dry_run=True))
        except RuleError:
            content = None
        if content is None:
            raise Http404
        return xlsx(f"{upload.filename.rsplit('.', 1)[0]}_未导入的行.xlsx", content)

    return [
        path(f"imports/{name}/", upload_view, name=f"imports_{name}"),
        path(f"imports/{name}/<str:token>/", preview_view, name=f"imports_{name}_preview"),
        path(f"imports/{name}/<str:token>/confirm/", confirm_view, name=f"imports_{name}_confirm"),
        path(f"imports/{name}/<str:token>/rejected.xlsx", rejected_view, name=f"imports_{name}_rejected"),
    ]
