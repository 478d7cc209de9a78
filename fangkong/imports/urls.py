from django.urls import path

from . import views

urlpatterns = [
    path("returnees/", views.returnees_upload, name="imports_returnees"),
    path("returnees/<str:token>/", views.returnees_preview, name="imports_returnees_preview"),
    path("returnees/<str:token>/confirm/", views.returnees_confirm, name="imports_returnees_confirm"),
    path("returnees/<str:token>/rejected.xlsx", views.returnees_rejected, name="imports_returnees_rejected"),
    path("exports/returnees/", views.returnees_export, name="export_returnees"),
    path("exports/temperature/<int:measure_id>/", views.temperature_export, name="export_temperature"),
]
