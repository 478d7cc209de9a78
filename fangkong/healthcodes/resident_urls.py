"""A resident's own health code, under /r/: public, no account."""

from django.urls import path

from .views import (
    resident_code,
    resident_code_add,
    resident_code_appeal,
    resident_code_check,
    resident_code_forget,
)

urlpatterns = [
    path("code/", resident_code, name="resident_code"),
    path("code/add/", resident_code_add, name="resident_code_add"),
    path("code/forget/", resident_code_forget, name="resident_code_forget"),
    path("code/appeal/", resident_code_appeal, name="resident_code_appeal"),
    path("code/v/<str:token>/", resident_code_check, name="resident_code_check"),
]
