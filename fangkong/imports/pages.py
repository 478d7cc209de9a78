"""The pages of a ledger import — upload → preview (a dry run: what would be written, every rejected row
with its column and reason) → confirm → the result — for any ledger whose importer takes a node, a store or a place
(inspections, the duty roster and tasks in command/, key-group members in testing/). The same four
pages for each ledger, so one set of views given the ledger's importer.
Access: the upload is the uploader's own (404 for anyone else); the node (store, place) must be writable."""

from collections.abc import Callable
from dataclasses import dataclass

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
from fangkong.imports import uploads, writing
from fangkong.imports.writing import XLSX_CONTENT_TYPE
from fangkong.lib.errors import RuleError

PROBLEMS_SHOWN = 500


@dataclass(frozen=True)
class Target:
    """Where a ledger is imported to: a node (the default), a store, a place … `choices(user)` lists the
    (key, label) the user may import to; `resolve(user, key)` gives the object, or 404 when the user may
    not write there; the importer receives it as the keyword `kwarg`."""

    kwarg: str
    label: str
    choices: Callable
    resolve: Callable


def _writable_nodes(user) -> list[tuple[str, str]]:
    return [
        (n.code, n.name) for n in scoping.visible_jurisdictions(user, scoping.WRITE).order_by("path")[:300]
    ]


def _node(user, code):
    return scoping.access_jurisdiction(user, code, capability=scoping.WRITE)


NODE = Target(kwarg="node", label=gettext_lazy("导入到辖区"), choices=_writable_nodes, resolve=_node)


def target_among(*, kwarg: str, label, visible: Callable, access: Callable) -> Target:
    """A target among the records `visible(user, WRITE)` lists, opened by `access(user, pk, write=True)`
    (a store of supplies/, a place of disinfection/)."""
    return Target(
        kwarg=kwarg,
        label=label,
        choices=lambda user: [(obj.pk, str(obj)) for obj in visible(user, scoping.WRITE)],
        resolve=lambda user, key: access(user, key, write=True),
    )


class UploadForm(forms.Form):
    target = forms.ChoiceField()
    file = forms.FileField(label=gettext_lazy("台账文件（.xlsx / .xls / .csv）"))

    def __init__(self, *args, target: Target, choices, **kwargs):
        super().__init__(*args, **kwargs)
        # The field is named as the importer's keyword ("node", "store", "place"): forms post it so.
        self.fields[target.kwarg] = self.fields.pop("target")
        self.fields[target.kwarg].label = target.label
        self.fields[target.kwarg].choices = choices
        self.order_fields([target.kwarg, "file"])


def xlsx(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def ledger_import_urls(
    *,
    name: str,
    title,
    importer,
    rejected_workbook=None,
    hint=None,
    target: Target = NODE,
    prefix: str | None = None,
    upload_name: str | None = None,
) -> list:
    """Routes imports_<name> (or `upload_name`), imports_<name>_preview, _confirm, _rejected for one
    ledger, under `prefix` (imports/<name>/). `hint` is the upload page's line on the columns the ledger
    reads; `target` what it is imported to (a node unless said otherwise); `rejected_workbook(result)`
    the workbook of the rows not imported (by default the rows as read, each with its reasons)."""
    prefix = prefix if prefix is not None else f"imports/{name}/"
    upload_name = upload_name or f"imports_{name}"
    if rejected_workbook is None:

        def rejected_workbook(result):
            if not result.rejected or result.table is None:
                return None
            return writing.rejected_workbook(
                result.table, result.rejected_rows, title=f"{title}（未导入的行）"
            )

    def _upload_and_node(request, token):
        upload = uploads.load_upload(request.user, token)
        return upload, target.resolve(request.user, upload.node_code)

    def _run(request, upload, node, *, dry_run):
        with uploads.read_once(upload):
            return importer(
                actor=request.user,
                data=uploads.upload_data(upload),
                filename=upload.filename,
                dry_run=dry_run,
                request=None if dry_run else request,
                **{target.kwarg: node},
            )

    def upload_view(request):
        choices = [(str(key), label) for key, label in target.choices(request.user)]
        if not choices:
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None, target=target, choices=choices)
        if request.method == "POST" and form.is_valid():
            file = form.cleaned_data["file"]
            key = form.cleaned_data[target.kwarg]
            upload = uploads.save_upload(
                user=request.user, node_code=key, filename=file.name, data=file.read()
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
        path(prefix, upload_view, name=upload_name),
        path(f"{prefix}<str:token>/", preview_view, name=f"imports_{name}_preview"),
        path(f"{prefix}<str:token>/confirm/", confirm_view, name=f"imports_{name}_confirm"),
        path(f"{prefix}<str:token>/rejected.xlsx", rejected_view, name=f"imports_{name}_rejected"),
    ]
