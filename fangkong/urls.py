from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from fangkong.api import api

# Devices and residents' phones first: the resolver tries the patterns in order, and a check-in should
# not walk every staff page's pattern before it reaches its own (bench/codes_load.py).
urlpatterns = [
    path("api/v1/", api.urls),
    path("r/", include("fangkong.measures.resident_urls")),
    path("r/", include("fangkong.healthcodes.resident_urls")),
    path("r/", include("fangkong.venues.resident_urls")),
    path("r/", include("fangkong.supplies.resident_urls")),
    path("", include("fangkong.home.urls")),
    path("", include("fangkong.grid.urls")),
    path("", include("fangkong.registry.urls")),
    path("measures/", include("fangkong.measures.urls")),
    path("measures/", include("fangkong.policy.urls")),
    path("imports/", include("fangkong.measures.ledger_urls")),
    path("codes/", include("fangkong.venues.urls")),
    path("codes/", include("fangkong.healthcodes.urls")),
    path("codes/", include("fangkong.checkpoints.urls")),
    path("tracing/", include("fangkong.tracing.urls")),
    path("vaccination/", include("fangkong.vaccination.urls")),
    path("testing/", include("fangkong.testing.urls")),
    path("supplies/", include("fangkong.supplies.urls")),
    path("surveillance/", include("fangkong.surveillance.urls")),
    path("disinfection/", include("fangkong.disinfection.urls")),
    path("inspections/", include("fangkong.inspections.urls")),
    path("command/", include("fangkong.command.urls")),
    path("schools/", include("fangkong.schools.urls")),
    path("markets/", include("fangkong.markets.urls")),
    path("coldchain/", include("fangkong.coldchain.urls")),
    path("reports/", include("fangkong.reporting.urls")),
    path("reports/", include("fangkong.situation.urls")),
    # Switching the language must work on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
]
