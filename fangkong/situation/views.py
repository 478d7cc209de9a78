"""The situation report (情况报告) pages: the document in the browser as of a moment, every figure linked
to the records behind it; the text people write (存在问题, 下一步工作, the issuing unit); downloads as
.docx, .pdf (when LibreOffice is installed) and .json, each audited. Access: the node must be visible to the
user (404 otherwise, as for a node that does not exist), and writable to change the text."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fangkong.grid import scoping
from fangkong.grid.models import Jurisdiction
from fangkong.lib.errors import RuleError
from fangkong.lib.pages import is_htmx
from fangkong.registry.forms import add_rule_errors, node_label
from fangkong.situation import actions, compose, links, pdf
from fangkong.situation.forms import AsOfForm, NotesForm

TEMPLATE = "situation/situation_preview.html"


def page_url(node: Jurisdiction, as_of) -> str:
    return reverse("situation_node", args=[node.code]) + "?" + urlencode({"as_of": AsOfForm.value_of(as_of)})


def node_choices(user, node: Jurisdiction) -> list[tuple[str, str]]:
    """The user's own nodes and their children, the node shown and its children: a county has hundreds
    of villages, so the page leads down the tree a level at a time."""
    tops = scoping.nodes_with(user)
    near = (
        Q(pk__in=[n.pk for n in tops]) | Q(parent__in=[n.pk for n in tops]) | Q(pk=node.pk) | Q(parent=node)
    )
    nodes = scoping.visible_jurisdictions(user).filter(near).select_related("parent").order_by("path")
    return [(n.code, node_label(n)) for n in nodes]


def figures_of(situation: compose.Situation) -> list[dict]:
    """The paragraphs as segments the template shows: text, or a figure with its label and link."""
    paragraphs = []
    for paragraph in situation.paragraphs:
        segments = []
        for segment in paragraph.segments:
            if isinstance(segment, compose.Figure):
                link = links.records_link(segment.code, situation.node)
                segments.append({"figure": segment, "label": segment.label, "href": link})
            else:
                segments.append({"text": segment})
        paragraphs.append({"kind": paragraph.kind, "section": paragraph.section, "segments": segments})
    return paragraphs


def preview(request, node: Jurisdiction, *, notes_form: NotesForm | None = None):
    picker = AsOfForm(request.GET or None)
    as_of = picker.moment()
    context = {"node": node, "picker": picker, "as_of": as_of, "as_of_value": AsOfForm.value_of(as_of)}
    try:
        situation = compose.compose(node=node, as_of=as_of)
    except RuleError as exc:
        add_rule_errors(picker, exc)
        situation = None
    notes = situation.notes if situation else compose.notes_for(node)
    context |= {
        "situation": situation,
        "paragraphs": figures_of(situation) if situation else [],
        "nodes": node_choices(request.user, node),
        "can_write": scoping.can(request.user, scoping.WRITE, node),
        "pdf_available": pdf.available(),
        "notes_form": notes_form or NotesForm(initial=notes_initial(notes)),
        "query": urlencode({"as_of": AsOfForm.value_of(as_of)}),
    }
    if is_htmx(request):
        response = render(request, f"{TEMPLATE}#situation", context)
        response["HX-Push-Url"] = page_url(node, as_of)
        return response
    return render(request, TEMPLATE, context)


def notes_initial(notes) -> dict:
    if notes is None:
        return {}
    return {
        "issuer": notes.issuer,
        "problems": notes.problems,
        "next_steps": notes.next_steps,
        "seen": notes.updated_at.isoformat(),
    }


@require_GET
def situation_home(request):
    """The report of the node asked for (?node=, from the picker), else of the user's own node."""
    if request.GET.get("node"):
        node = scoping.access_jurisdiction(request.user, request.GET["node"])
        return preview(request, node)
    tops = scoping.nodes_with(request.user)
    if not tops:
        raise Http404
    return preview(request, tops[0])


@require_GET
def situation_node(request, code: str):
    return preview(request, scoping.access_jurisdiction(request.user, code))


@require_POST
def situation_notes(request, code: str):
    node = scoping.access_jurisdiction(request.user, code, capability=scoping.WRITE)
    form = NotesForm(request.POST)
    if form.is_valid():
        try:
            actions.save_notes(actor=request.user, node=node, request=request, **form.cleaned_data)
        except RuleError as exc:
            add_rule_errors(form, exc)
        else:
            messages.success(request, _("已保存存在问题和下一步工作"))
            return redirect(page_url(node, AsOfForm(request.GET or None).moment()))
    return preview(request, node, notes_form=form)


@require_GET
def situation_download(request, code: str, fmt: str):
    node = scoping.access_jurisdiction(request.user, code)
    if fmt not in actions.FORMATS:
        raise Http404
    picker = AsOfForm(request.GET or None)
    try:
        if not picker.is_valid():
            raise RuleError({"as_of": "；".join(picker.errors.get("as_of", []))})
        export = actions.export_situation(
            actor=request.user, node=node, as_of=picker.cleaned_data["as_of"], fmt=fmt, request=request
        )
    except RuleError as exc:
        messages.error(request, "；".join(exc.errors.values()))
        return redirect("situation_node", code=node.code)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=export.filename)
    return response
