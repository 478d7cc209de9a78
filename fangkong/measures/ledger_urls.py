"""The ledgers' import and export pages, under /imports/ (measures/urls.py is under /measures/)."""

from fangkong.measures.views import ledgers

urlpatterns = ledgers.urlpatterns
