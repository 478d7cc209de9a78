"""The page a venue poster's QR code opens, under /r/: public, no account."""

from django.urls import path

from .views import venue_checkin, venue_checkout

urlpatterns = [
    path("v/<str:code>/", venue_checkin, name="venue_checkin"),
    path("v/<str:code>/out/", venue_checkout, name="venue_checkout"),
]
