"""Staff pages of health codes, manual colours, risk areas and appeals, under /codes/."""

from django.urls import path

from .views import (
    appeal_detail,
    appeal_list,
    code_rules_edit,
    code_rules_view,
    healthcode_person,
    manual_colour_revoke,
    manual_colour_set,
    riskarea_create,
    riskarea_end,
    riskarea_list,
)

urlpatterns = [
    path("risk-areas/", riskarea_list, name="riskarea_list"),
    path("risk-areas/new/", riskarea_create, name="riskarea_create"),
    path("risk-areas/<int:pk>/end/", riskarea_end, name="riskarea_end"),
    path("people/<int:pk>/code/", healthcode_person, name="healthcode_person"),
    path("people/<int:pk>/code/manual/", manual_colour_set, name="manual_colour_set"),
    path("manual-colours/<int:pk>/revoke/", manual_colour_revoke, name="manual_colour_revoke"),
    path("appeals/", appeal_list, name="appeal_list"),
    path("appeals/<int:pk>/", appeal_detail, name="appeal_detail"),
    path("rules/", code_rules_view, name="code_rules"),
    path("rules/<str:code>/edit/", code_rules_edit, name="code_rules_edit"),
]
