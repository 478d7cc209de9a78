"""The ledgers' import and export pages, under /imports/ (measures/urls.py is under /measures/)."""

from .views import ledgers

urlpatterns = ledgers.urlpatterns
