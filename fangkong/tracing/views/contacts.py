"""Pages of a case's contacts: running the co-presence search, deciding candidates one by one or all the
filters show at once, the secondary search of a close contact, the hand-over list (协查函) and the
investigation report; and the township's worklist of contacts it must act on."""

from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.lib.errors import RuleError
from fangkong.tracing import actions, forms, ledgers, queries, report
from fangkong.tracing.views import common
from fangkong.tracing.views.cases import DETAIL, case_context

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _back_to_candidates(case, filters: dict):
    query = f"?{urlencode(filters)}" if filters else ""
    return redirect(reverse("case_detail", kwargs={"pk": case.pk}) + query + "#candidates")


@require_POST
def case_search(request, pk):
    case = queries.access_case(request.user, pk, write=True)
    try:
        summary = actions.search_contacts(actor=request.user, case=case, request=request)
    except RuleError as exc:
        messages.error(request, "；".join(exc.errors.values()))
    else:
        messages.success(
            request,
            _("检索完成：共 {found} 人，新增 {new} 人，涉及 {venues} 个场所").format(
                found=summary.found, new=summary.new, venues=summary.venues
            ),
        )
    return redirect(reverse("case_detail", kwargs={"pk": case.pk}) + "#candidates")


@require_POST
def case_decide(request, pk):
    """Decide the ticked candidates, or all that the filters show ("all who overlapped ≥ 15 minutes at
    this venue": filter, then decide all)."""
    case = queries.access_case(request.user, pk, write=True)
    filters = common.candidate_filters(request, case)
    shown = list(queries.candidates_of(case, **filters.values()))
    form = forms.DecideForm(request.POST, shown=shown, secondary=common.secondary_of(case))
    if form.is_valid():
        picked = form.picked()
        try:
            actions.decide(
                actor=request.user,
                candidates=picked,
                decision=form.cleaned_data["decide_as"],
                request=request,
            )
        except RuleError as exc:
            form.add_error(None, "；".join(exc.errors.values()))
        else:
            messages.success(request, _("已判定 {n} 人").format(n=len(picked)))
            return _back_to_candidates(case, common.without_empty(filters.values()))
    return render(request, DETAIL, case_context(request, case, decide_form=form), status=422)


@require_POST
def candidate_secondary(request, pk):
    candidate = queries.access_candidate(request.user, pk, write=True)
    try:
        summary = actions.search_secondary(actor=request.user, candidate=candidate, request=request)
    except RuleError as exc:
        messages.error(request, "；".join(exc.errors.values()))
    else:
        messages.success(request, _("密接的密接检索完成：新增 {new} 人").format(new=summary.new))
    return redirect(reverse("case_detail", kwargs={"pk": candidate.case_id}) + "#candidates")


def _wants_full(request) -> bool:
    return request.GET.get("full") in ("1", "on", "true")


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def case_report(request, pk):
    """The 流调报告 as .docx, masked unless ?full=1 by someone who may reveal; audited."""
    case = queries.access_case(request.user, pk)
    try:
        exported = report.export_report(
            actor=request.user, case=case, full=_wants_full(request), request=request
        )
    except RuleError:
        raise Http404 from None
    return _download(exported.content, exported.filename, report.CONTENT_TYPE)


def case_handover(request, pk):
    """The hand-over list (协查函) of a case's contacts outside the county, as Excel; audited."""
    case = queries.access_case(request.user, pk)
    try:
        filename, content = ledgers.export_handover(
            actor=request.user, node=case.node, case=case, full=_wants_full(request), request=request
        )
    except RuleError:
        raise Http404 from None
    return _download(content, filename, XLSX)


def contact_worklist(request):
    """The contacts decided in the user's area, with their measure and caretakers: what the township
    must act on."""
    rows = common.worklist_rows(queries.contacts_worklist(request.user))
    return render(request, "tracing/contact_worklist.html", {"rows": rows})


urlpatterns = [
    path("<int:pk>/search/", case_search, name="case_search"),
    path("<int:pk>/decide/", case_decide, name="case_decide"),
    path("<int:pk>/report.docx", case_report, name="case_report"),
    path("<int:pk>/handover.xlsx", case_handover, name="case_handover"),
    path("candidates/<int:pk>/secondary/", candidate_secondary, name="candidate_secondary"),
    path("contacts/", contact_worklist, name="contact_worklist"),
]
