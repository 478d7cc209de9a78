"""The public donations list under /r/: no account, reached by the signed link of the staff page."""

from django.urls import path

from .views import public_donations

urlpatterns = [
    path("donations/<str:token>/", public_donations, name="public_donations"),
]
