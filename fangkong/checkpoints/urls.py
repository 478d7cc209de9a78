"""Staff pages of checkpoints, duty shifts and passages, under /codes/."""

from django.urls import path

from .views import (
    checkpoint_create,
    checkpoint_detail,
    checkpoint_fevers,
    checkpoint_list,
    checkpoint_scan,
    checkpoint_set_active,
    checkpoint_shift_add,
    checkpoint_shift_remove,
    checkpoint_verify,
    passage_create,
    passage_export,
    passage_list,
)

urlpatterns = [
    path("checkpoints/", checkpoint_list, name="checkpoint_list"),
    path("checkpoints/new/", checkpoint_create, name="checkpoint_create"),
    path("checkpoints/fevers/", checkpoint_fevers, name="checkpoint_fevers"),
    path("checkpoints/<int:pk>/", checkpoint_detail, name="checkpoint_detail"),
    path("checkpoints/<int:pk>/active/", checkpoint_set_active, name="checkpoint_set_active"),
    path("checkpoints/<int:pk>/shifts/", checkpoint_shift_add, name="checkpoint_shift_add"),
    path("checkpoints/shifts/<int:pk>/remove/", checkpoint_shift_remove, name="checkpoint_shift_remove"),
    path("checkpoints/<int:pk>/scan/", checkpoint_scan, name="checkpoint_scan"),
    path("checkpoints/<int:pk>/verify/", checkpoint_verify, name="checkpoint_verify"),
    path("checkpoints/<int:pk>/passages/", passage_list, name="passage_list"),
    path("checkpoints/<int:pk>/passages/new/", passage_create, name="passage_create"),
    path("checkpoints/<int:pk>/passages/export/", passage_export, name="passage_export"),
]
