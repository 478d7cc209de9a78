"""The audit log page: VIEW_AUDIT only (404 for everyone else), scoped by audit.queries."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from fangkong.grid import scoping

from . import queries
from .forms import AuditFilterForm


def audit_log(request):
    if not scoping.nodes_with(request.user, scoping.VIEW_AUDIT):
        raise Http404
    form = AuditFilterForm(request.GET)
    form.is_valid()  # a filter with an error is shown with it and left out; the others still apply
    events = queries.search_events(request.user, **form.cleaned_data)
    page = Paginator(events, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/audit_log.html", {"form": form, "page": page, "query": query.urlencode()})
