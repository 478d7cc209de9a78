"""The situation report pages, under /reports/."""

from django.urls import path

from .views import situation_download, situation_home, situation_node, situation_notes

urlpatterns = [
    path("situation/", situation_home, name="situation_home"),
    path("situation/<str:code>/", situation_node, name="situation_node"),
    path("situation/<str:code>/notes/", situation_notes, name="situation_notes"),
    path("situation/<str:code>/report.<str:fmt>", situation_download, name="situation_download"),
]
