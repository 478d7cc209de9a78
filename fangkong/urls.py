from django.urls import include, path

from fangkong.api import api

urlpatterns = [
    path("", include("fangkong.grid.urls")),
    path("", include("fangkong.registry.urls")),
    path("audit/", include("fangkong.audit.urls")),
    path("measures/", include("fangkong.measures.urls")),
    path("imports/", include("fangkong.imports.urls")),
    path("r/", include("fangkong.measures.resident_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]
