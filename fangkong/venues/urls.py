"""Staff pages of venues and check-ins, under /codes/."""

from django.urls import path

from .views import (
    checkin_list,
    venue_create,
    venue_detail,
    venue_edit,
    venue_list,
    venue_poster_pdf,
    venue_poster_png,
    venue_posters,
    venue_set_active,
)

urlpatterns = [
    path("venues/", venue_list, name="venue_list"),
    path("venues/new/", venue_create, name="venue_create"),
    path("venues/posters/", venue_posters, name="venue_posters"),
    path("venues/<int:pk>/", venue_detail, name="venue_detail"),
    path("venues/<int:pk>/edit/", venue_edit, name="venue_edit"),
    path("venues/<int:pk>/active/", venue_set_active, name="venue_set_active"),
    path("venues/<int:pk>/poster.pdf", venue_poster_pdf, name="venue_poster_pdf"),
    path("venues/<int:pk>/poster.png", venue_poster_png, name="venue_poster_png"),
    path("checkins/", checkin_list, name="checkin_list"),
]
