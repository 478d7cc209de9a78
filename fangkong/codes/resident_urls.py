"""Public pages for residents (venue check-in, their own code): no account, reached by QR code."""

from .views import resident

urlpatterns = resident.urlpatterns
