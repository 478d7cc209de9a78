from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("tree/<str:village_code>/grids/new/", views.grid_create, name="grid_create"),
    path("tree/<str:code>/grids/import/", views.grid_import, name="grid_import"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/memberships/", views.user_membership_add, name="user_membership_add"),
    path(
        "users/<int:pk>/memberships/<int:membership_id>/remove/",
        views.user_membership_remove,
        name="user_membership_remove",
    ),
    path("users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    path("account/tokens/", views.token_list, name="token_list"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("audit/", views.audit_log, name="audit_log"),
]
