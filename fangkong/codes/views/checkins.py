"""Staff page of check-ins: who scanned in at the venues of the user's area on a day, newest first,
with masked names (the tracing work that needs more goes through the person's own record)."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from .. import venue_queries
from ..venue_forms import CheckInFilterForm


def checkin_list(request):
    filters = CheckInFilterForm(request.GET)
    day = (filters.is_valid() and filters.cleaned_data["day"]) or timezone.localdate()
    checkins = venue_queries.checkins_on_day(request.user, day)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "filters": filters,
        "day": day,
        "page": Paginator(checkins, settings.PAGE_SIZE).get_page(request.GET.get("page")),
        "query": params.urlencode(),
    }
    return render(request, "codes/checkin_list.html", context)


urlpatterns = [path("checkins/", checkin_list, name="checkin_list")]
