"""The cold chain's staff pages."""

from django.urls import path

from .views import (
    coldchain_home,
    export_lots,
    export_movements,
    ledger_import,
    lot_create,
    lot_detail,
    lot_disinfect,
    lot_document,
    lot_move,
    lot_release,
    lot_trace,
    sample_create,
    sample_detail,
    sample_list,
    sample_trace,
    store_board,
    store_create,
    store_detail,
    worker_add,
)

urlpatterns = [
    path("", coldchain_home, name="coldchain_home"),
    path("board/", store_board, name="coldstore_board"),
    path("stores/new/", store_create, name="coldstore_create"),
    path("stores/<int:pk>/", store_detail, name="coldstore_detail"),
    path("stores/<int:pk>/lots/new/", lot_create, name="lot_create"),
    path("stores/<int:pk>/workers/new/", worker_add, name="coldworker_add"),
    path("lots/<int:pk>/", lot_detail, name="lot_detail"),
    path("lots/<int:pk>/documents/", lot_document, name="lot_document"),
    path("lots/<int:pk>/release/", lot_release, name="lot_release"),
    path("lots/<int:pk>/disinfect/", lot_disinfect, name="lot_disinfect"),
    path("lots/<int:pk>/move/", lot_move, name="lot_move"),
    path("lots/<int:pk>/trace/", lot_trace, name="lot_trace"),
    path("samples/", sample_list, name="coldsample_list"),
    path("samples/new/", sample_create, name="coldsample_create"),
    path("samples/<int:pk>/", sample_detail, name="coldsample_detail"),
    path("samples/<int:pk>/trace/", sample_trace, name="coldsample_trace"),
    path("export/lots/", export_lots, name="coldchain_export_lots"),
    path("export/movements/", export_movements, name="coldchain_export_movements"),
    path("import/", ledger_import, name="coldchain_import"),
]
