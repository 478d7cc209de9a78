"""Public pages for residents, reached by a signed link or QR code: no account."""

from fangkong.measures.views import resident

urlpatterns = resident.urlpatterns
