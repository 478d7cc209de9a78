"""The home page: what waits for the user today, and the counts of each of their memberships' areas.
It gathers several apps (the registry's counts, measures' worklist and alerts), so it stands above them."""

from django.shortcuts import render
from django.utils import timezone

from fangkong.command import queries as command_queries
from fangkong.measures import queries as measure_queries
from fangkong.measures import rules

from . import queries


def home(request):
    context = {
        "rows": queries.home_memberships(request.user),
        "today": today_work(request.user),
        "on_duty": command_queries.on_duty_for(request.user),  # the 24-hour duty (command/)
    }
    return render(request, "home/home.html", context)


def today_work(user) -> dict:
    """What waits for the user today: their people to follow up, this slot's still open, open alerts."""
    rows = measure_queries.worklist(user)
    slot = rules.slot_of(timezone.now())[1]
    return {
        "caretaking": len(rows),
        "open_now": sum(1 for row in rows if slot in row["due"] and not row[slot]),
        "alerts": measure_queries.open_alerts(user).count(),
    }
