from django.urls import path

from . import views

# Included under measures/ in fangkong/urls.py: the policy pages kept the addresses they had there.
urlpatterns = [
    path("policy/", views.policy_view, name="policy_view"),
    path("policy/<str:code>/new/", views.policy_edit, name="policy_edit"),
]
